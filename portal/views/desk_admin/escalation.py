"""Escalation: thresholds per priority (the ticket age each level is reached at, in wall-clock
or business time, and the level an SLA breach reaches; a change is used by the next sweep:
every open timer of that priority is due at once, ``look_again_at_priority``), and the
matrices (the tenant's default and per-account ones) with their levels, contacts and
escalation manager. The sweep reads the configuration afresh on every run
(``TenantConfig.load_many``)."""

from __future__ import annotations

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalation.models import EscalationContact, EscalationLevel, EscalationMatrix, EscalationPolicy
from escalation.services.timers import look_again_at_priority
from portal.forms.desk_admin import ContactForm, LevelForm, MatrixForm, ThresholdForm
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import Outcome, admin_required, render_form, saved_redirect, submit
from servicedesk import audit
from servicedesk.selectors import staff_of_tenant
from servicedesk.tenancy import require_tenant_id


@admin_required
def thresholds(request: HttpRequest) -> HttpResponse:
    matrices = EscalationMatrix.objects.select_related("account").order_by("account__name", "name")
    policies = EscalationPolicy.objects.select_related("calendar").order_by("priority")
    by_matrix: dict[int, list[EscalationPolicy]] = {}
    for policy in policies:
        by_matrix.setdefault(policy.matrix_id, []).append(policy)
    rows = [(matrix, by_matrix.get(matrix.pk, [])) for matrix in matrices]
    return render(request, "desk_admin/thresholds.html", {"rows": rows})


@admin_required
def threshold_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(EscalationPolicy.objects.select_related("matrix", "calendar"), pk=pk)

    def take_effect(saved: EscalationPolicy) -> None:
        look_again_at_priority(priority=saved.priority, now=timezone.now())

    if request.method == "POST":
        outcome = submit(
            request,
            ThresholdForm(request.POST, instance=policy),
            after_save=take_effect,
            object_name=f"{policy.matrix.name} · {policy.priority}",
        )
        if outcome.saved is not None:
            return saved_redirect(
                request,
                reverse("portal:desk-admin-thresholds"),
                _("Thresholds for %(priority)s saved: the next sweep uses them.") % {"priority": policy.priority},
            )
    else:
        outcome = Outcome(ThresholdForm(instance=policy))
    return render_form(request, "desk_admin/threshold_form.html", outcome, policy=policy)


# --- Matrices: levels, contacts, the escalation manager, per-account matrices ------------------


@admin_required
def matrices(request: HttpRequest) -> HttpResponse:
    found = EscalationMatrix.objects.select_related("account").order_by("account__name", "name")
    return render(request, "desk_admin/matrices.html", {"matrices": found})


def _matrix_page(request: HttpRequest, matrix: EscalationMatrix) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, MatrixForm(request.POST, instance=matrix), after_save=_new_matrix_thresholds)
        if outcome.saved is not None:
            return saved_redirect(
                request, reverse("portal:desk-admin-matrix", args=[outcome.saved.pk]), _("Escalation matrix saved.")
            )
    else:
        outcome = Outcome(MatrixForm(instance=matrix))
    levels = EscalationLevel.objects.filter(matrix=matrix).select_related("product_area") if matrix.pk else []
    contacts = EscalationContact.objects.filter(matrix=matrix).select_related("user") if matrix.pk else []
    by_level: dict[int | None, list[EscalationContact]] = {}
    for contact in contacts:
        by_level.setdefault(contact.level_id, []).append(contact)
    return render_form(
        request, "desk_admin/matrix_form.html", outcome, matrix=matrix,
        levels=[(level, by_level.get(level.pk, [])) for level in levels], managers=by_level.get(None, []),
    )  # fmt: skip


def _new_matrix_thresholds(matrix: EscalationMatrix) -> None:
    """A new matrix starts with the default matrix's thresholds (edited on their page)."""
    if EscalationPolicy.objects.filter(matrix=matrix).exists():
        return
    for policy in EscalationPolicy.objects.filter(matrix__account__isnull=True).exclude(matrix=matrix):
        EscalationPolicy.objects.create(
            tenant_id=matrix.tenant_id, matrix=matrix, priority=policy.priority, level_minutes=policy.level_minutes,
            calendar=policy.calendar, breach_level=policy.breach_level,
        )  # fmt: skip


@admin_required
def matrix_new(request: HttpRequest) -> HttpResponse:
    return _matrix_page(request, EscalationMatrix(tenant_id=require_tenant_id()))


@admin_required
def matrix_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _matrix_page(request, get_object_or_404(EscalationMatrix, pk=pk))


def _level_page(request: HttpRequest, level: EscalationLevel) -> HttpResponse:
    back = reverse("portal:desk-admin-matrix", args=[level.matrix_id])
    if request.method == "POST":
        outcome = submit(request, LevelForm(request.POST, instance=level))
        if outcome.saved is not None:
            return saved_redirect(request, back, _("Escalation level saved."))
    else:
        outcome = Outcome(LevelForm(instance=level))
    return render_form(request, "desk_admin/level_form.html", outcome, level=level, matrix=level.matrix)


@admin_required
def level_new(request: HttpRequest, pk: int) -> HttpResponse:
    matrix = get_object_or_404(EscalationMatrix, pk=pk)
    number = (EscalationLevel.objects.filter(matrix=matrix).aggregate(top=Max("number"))["top"] or 0) + 1
    return _level_page(request, EscalationLevel(tenant_id=matrix.tenant_id, matrix=matrix, number=number))


@admin_required
def level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _level_page(request, get_object_or_404(EscalationLevel.objects.select_related("matrix"), pk=pk))


def _contact_page(request: HttpRequest, contact: EscalationContact) -> HttpResponse:
    back = reverse("portal:desk-admin-matrix", args=[contact.matrix_id])
    staff = staff_of_tenant(actor=signed_in_user(request)).order_by("full_name")
    if request.method == "POST":
        outcome = submit(request, ContactForm(request.POST, instance=contact, staff=staff))
        if outcome.saved is not None:
            return saved_redirect(request, back, _("Contact saved."))
    else:
        outcome = Outcome(ContactForm(instance=contact, staff=staff))
    return render_form(request, "desk_admin/contact_form.html", outcome, contact=contact, matrix=contact.matrix)


@admin_required
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    matrix = get_object_or_404(EscalationMatrix, pk=pk)
    return _contact_page(request, EscalationContact(tenant_id=matrix.tenant_id, matrix=matrix))


@admin_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_page(request, get_object_or_404(EscalationContact.objects.select_related("matrix"), pk=pk))


@admin_required
@require_POST
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(EscalationContact, pk=pk)
    back = reverse("portal:desk-admin-matrix", args=[contact.matrix_id])
    audit.delete_or_refuse(instance=contact, actor=signed_in_user(request))
    return saved_redirect(request, back, _("Contact removed."))
