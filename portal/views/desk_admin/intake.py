"""Intake questionnaires: the questions of each service type (type, choices, condition, labels
in three languages) and a preview of the form the customer will see. Questionnaires are
reference data: a saved question is in the next intake (``servicedesk.reference_data``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import ServiceType
from portal.forms.desk_admin import QuestionForm
from portal.forms.intake import _answer_field, answer_field_name
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    render_form,
    saved_redirect,
    submit,
)
from servicedesk import audit
from tickets.models import QuestionnaireField
from tickets.questionnaires import describe


@admin_required
def questionnaires(request: HttpRequest) -> HttpResponse:
    types = list(ServiceType.objects.order_by("name"))
    counts: dict[int, int] = {}
    for question in QuestionnaireField.objects.filter(is_active=True).only("service_type_id"):
        counts[question.service_type_id] = counts.get(question.service_type_id, 0) + 1
    rows = [(service_type, counts.get(service_type.pk, 0)) for service_type in types]
    return render(request, "desk_admin/questionnaires.html", {"rows": rows})


def _preview(questions: list[QuestionnaireField], language: str) -> list[dict[str, Any]]:
    """Every question as the customer's form shows it, in ``language``, each with the
    condition under which it appears."""
    described = [describe(question, language) for question in questions]
    fields = {answer_field_name(q["name"]): _answer_field(q) for q in described}
    form = type("PreviewForm", (forms.Form,), dict(fields))(prefix="preview")
    rows = []
    for question in described:
        condition = question["shown_when"]
        rows.append({"field": form[answer_field_name(question["name"])], "question": question, "condition": condition})
    return rows


@admin_required
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    service_type = get_object_or_404(ServiceType, pk=pk)
    questions = list(QuestionnaireField.objects.filter(service_type=service_type))
    codes = [code for code, _name in settings.LANGUAGES]
    language = request.GET.get("lang") if request.GET.get("lang") in codes else translation.get_language()
    with translation.override(language):
        preview = _preview([q for q in questions if q.is_active], language or "en")
    template = (
        "desk_admin/questionnaire_preview.html"
        if request.headers.get("HX-Request")
        else "desk_admin/questionnaire.html"
    )
    return render(
        request,
        template,
        {"service_type": service_type, "questions": questions, "preview": preview, "language": language,
         "preview_languages": settings.LANGUAGES},
    )  # fmt: skip


def _dependants(question: QuestionnaireField, *, active_only: bool = False) -> list[str]:
    """The other questions of the questionnaire asked only after an answer to this one."""
    others = QuestionnaireField.objects.filter(service_type_id=question.service_type_id).exclude(pk=question.pk)
    if active_only:
        others = others.filter(is_active=True)
    return [other.name for other in others if (other.shown_when or {}).get("field") == question.name]


def _question_page(request: HttpRequest, service_type: ServiceType, question: QuestionnaireField) -> HttpResponse:
    siblings = list(QuestionnaireField.objects.filter(service_type=service_type))
    back = reverse("portal:desk-admin-questionnaire", args=[service_type.pk])
    if request.method == "POST":
        outcome = submit(request, QuestionForm(request.POST, instance=question, siblings=siblings))
        if outcome.saved is not None:
            return saved_redirect(request, back, _("Question saved: it is in the next intake."))
    else:
        outcome = Outcome(QuestionForm(instance=question, siblings=siblings))
    return render_form(request, "desk_admin/question_form.html", outcome, service_type=service_type, question=question)


@admin_required
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    service_type = get_object_or_404(ServiceType, pk=pk)
    position = QuestionnaireField.objects.filter(service_type=service_type).count() + 1
    question = QuestionnaireField(tenant_id=service_type.tenant_id, service_type=service_type, position=position)
    return _question_page(request, service_type, question)


@admin_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(QuestionnaireField.objects.select_related("service_type"), pk=pk)
    return _question_page(request, question.service_type, question)


@admin_required
@require_POST
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a question out of the questionnaire (answers already given stay with their
    tickets); refused while another question is asked only after an answer to it."""
    question = get_object_or_404(QuestionnaireField.objects.select_related("service_type"), pk=pk)
    back = reverse("portal:desk-admin-questionnaire", args=[question.service_type_id])
    dependants = _dependants(question)
    reason = (
        (_("Asked only after an answer to it: %(names)s.") % {"names": ", ".join(dependants)}) if dependants else None
    )
    try:
        audit.delete_or_refuse(instance=question, actor=signed_in_user(request), in_use=reason)
    except audit.InUse as refusal:
        messages.error(request, _("Not deleted: %(reason)s") % {"reason": refusal.reason})
        return HttpResponseRedirect(reverse("portal:desk-admin-question", args=[question.pk]))
    return saved_redirect(request, back, _("Question removed: the next intake no longer asks it."))


@admin_required
@require_POST
def question_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a question (the next intake no longer asks it; answers already given stay
    with their tickets) or ask it again. Refused while an active question is asked only after
    an answer to it."""
    question = get_object_or_404(QuestionnaireField.objects.select_related("service_type"), pk=pk)
    back = reverse("portal:desk-admin-question", args=[question.pk])
    if request.POST.get("action") == "deactivate":
        dependants = _dependants(question, active_only=True)
        if dependants:
            messages.error(
                request,
                _("Not deactivated: asked only after an answer to it: %(names)s. Deactivate those first.")
                % {"names": ", ".join(dependants)},
            )
            return HttpResponseRedirect(back)
    if request.POST.get("action") not in ("deactivate", "activate"):
        return HttpResponseRedirect(back)
    return deactivate_or_delete(request, question, in_use=None, back=back, deleted=back)
