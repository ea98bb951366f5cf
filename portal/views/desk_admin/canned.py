"""Canned responses: the replies agents insert in the ticket workspace, one per language and
title. A response is deactivated (no longer offered) or deleted; either is audited."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms.desk_admin import CannedResponseForm
from portal.views.desk_admin.common import (
    admin_required,
    deactivate_or_delete,
    form_page,
    page_of,
    searched,
)
from servicedesk.tenancy import require_tenant_id
from tickets.models import CannedResponse


def _list_url() -> str:
    return reverse("portal:desk-admin-canned-responses")


@admin_required
def canned_responses(request: HttpRequest) -> HttpResponse:
    responses, query = searched(request, CannedResponse.objects.order_by("-is_active", "language", "title"),
                                ["title", "body"])  # fmt: skip
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("language", "")
    if language in languages:
        responses = responses.filter(language=language)
    else:
        language = ""
    return render(
        request,
        "desk_admin/canned_responses.html",
        {"page": page_of(request, responses), "query": query, "language": language,
         "language_choices": settings.LANGUAGES},
    )  # fmt: skip


def _response_page(request: HttpRequest, response: CannedResponse) -> HttpResponse:
    return form_page(
        request, CannedResponseForm, response, "desk_admin/canned_response_form.html",
        done_url=_list_url(), saved_text=_("Canned response saved: agents are offered it now."), response=response,
    )  # fmt: skip


@admin_required
def canned_response_new(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    return _response_page(request, CannedResponse(tenant_id=require_tenant_id(), language=language))


@admin_required
def canned_response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, get_object_or_404(CannedResponse, pk=pk))


@admin_required
@require_POST
def canned_response_status(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(CannedResponse, pk=pk)
    back = reverse("portal:desk-admin-canned-response", args=[response.pk])
    return deactivate_or_delete(request, response, in_use=None, back=back, deleted=_list_url())
