"""Mail templates: the desk's opening and closing around each kind of notification mail, one
per language. A template is deactivated (the mail goes out without it) or deleted; either is
audited."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms.desk_admin import MailTemplateForm
from portal.views.desk_admin.common import (
    admin_required,
    deactivate_or_delete,
    form_page,
    page_of,
    searched,
)
from servicedesk.models import MailTemplate
from servicedesk.notifications import MailKind
from servicedesk.tenancy import require_tenant_id


def _list_url() -> str:
    return reverse("portal:desk-admin-notification-templates")


@admin_required
def mail_templates(request: HttpRequest) -> HttpResponse:
    responses, query = searched(request, MailTemplate.objects.order_by("-is_active", "kind", "language"),
                                ["opening", "closing"])  # fmt: skip
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("language", "")
    if language in languages:
        responses = responses.filter(language=language)
    else:
        language = ""
    kind = request.GET.get("kind", "")
    if kind in MailKind.values:
        responses = responses.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "desk_admin/mail_templates.html",
        {"page": page_of(request, responses), "query": query, "language": language,
         "language_choices": settings.LANGUAGES, "kind": kind, "kind_choices": MailKind.choices},
    )  # fmt: skip


def _response_page(request: HttpRequest, response: MailTemplate) -> HttpResponse:
    return form_page(
        request, MailTemplateForm, response, "desk_admin/mail_template_form.html",
        done_url=_list_url(), saved_text=_("Mail template saved: the next mails of its kind use it."), response=response,
    )  # fmt: skip


@admin_required
def mail_template_new(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    return _response_page(request, MailTemplate(tenant_id=require_tenant_id(), language=language))


@admin_required
def mail_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, get_object_or_404(MailTemplate, pk=pk))


@admin_required
@require_POST
def mail_template_status(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(MailTemplate, pk=pk)
    back = reverse("portal:desk-admin-notification-template", args=[response.pk])
    return deactivate_or_delete(request, response, in_use=None, back=back, deleted=_list_url())
