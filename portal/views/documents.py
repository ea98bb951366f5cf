"""Shared documents: the customer's folder (/portal/documents/: upload, download, remove
their own) and the desk's view of an account's folder (/console/accounts/<id>/documents/:
share a file into it, download, remove what the desk shared). What is not the user's to see
(another account's or tenant's document, another site's for a restricted user) is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents.selectors import documents_visible_to, get_document_for
from documents.services import add_document, may_remove, remove_document
from portal.forms.documents import DocumentForm
from portal.views.access import customer_required, signed_in_user, staff_required
from servicedesk.errors import InvalidInput, PermissionRefused
from servicedesk.http import attachment_response
from servicedesk.keyset import keyset_page
from servicedesk.models import CustomerAccount, User
from servicedesk.selectors import accounts_visible_to, get_account_for, sites_visible_to
from servicedesk.walls import get_visible_or_404

#: Files per page, newest first; further pages by keyset (the query count does not grow
#: with the folder).
PAGE_SIZE = 25
DOCUMENT_ORDERING = ("-created_at", "-id")


def _folder(request: HttpRequest, actor: User, account: CustomerAccount, *, console: bool) -> HttpResponse:
    sites = sites_visible_to(actor=actor).filter(account=account)
    whole_account = console or not actor.site_restrictions.exists()
    form = DocumentForm(request.POST or None, request.FILES or None, sites=sites, whole_account=whole_account)
    here = (
        reverse("portal:console-account-documents", args=[account.pk])
        if console
        else reverse("portal:customer-documents")
    )
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400  # a site that is not offered (another account's, or not the user's)
    elif request.method == "POST":
        site_id = form.cleaned_data.get("site")
        try:
            site = get_visible_or_404(sites, pk=site_id) if site_id else None
            if site is None and not whole_account:
                raise InvalidInput.single("site", _("Choose one of your sites."))
            document = add_document(
                account=account, actor=actor, upload=request.FILES.get("file"), site=site,
                description=form.cleaned_data.get("description", ""),
            )  # fmt: skip
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
            status = 400
        else:
            messages.success(request, _("“%(name)s” is in the folder.") % {"name": document.name})
            return redirect(here)
    query = request.GET.get("q", "").strip()[:200]
    visible = documents_visible_to(actor=actor, account=account)
    if query:
        visible = visible.filter(Q(name__icontains=query) | Q(description__icontains=query))
    page = keyset_page(
        visible,
        ordering=DOCUMENT_ORDERING,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    documents = [(document, may_remove(document=document, actor=actor)) for document in page]
    context = {
        "account": account, "documents": documents, "page": page, "query": query, "form": form,
        "console": console, "here": here,
    }  # fmt: skip
    return render(request, "portal/documents.html", context, status=status)


def _remove(request: HttpRequest, actor: User, document_id: int, account: CustomerAccount, here: str) -> HttpResponse:
    document = get_document_for(actor=actor, pk=document_id, account=account)
    try:
        remove_document(document=document, actor=actor)
    except PermissionRefused as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": document.name})
    return redirect(here)


# --- the customer's folder ------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def customer_documents(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    return _folder(request, actor, get_account_for(actor=actor, pk=actor.customer_account_id or 0), console=False)


@customer_required
@require_GET
def customer_document_download(request: HttpRequest, document_id: int) -> FileResponse:
    return attachment_response(get_document_for(actor=signed_in_user(request), pk=document_id))


@customer_required
@require_POST
def customer_document_remove(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    account = get_account_for(actor=actor, pk=actor.customer_account_id or 0)
    return _remove(request, actor, document_id, account, reverse("portal:customer-documents"))


# --- the desk's view of an account's folder ------------------------------------------------------


@staff_required
@require_GET
def console_documents(request: HttpRequest) -> HttpResponse:
    """Choose the account whose folder to open."""
    actor = signed_in_user(request)
    chosen = request.GET.get("account", "")
    if chosen.isdigit():
        return redirect("portal:console-account-documents", get_account_for(actor=actor, pk=int(chosen)).pk)
    accounts = list(accounts_visible_to(actor=actor).order_by("name").values_list("pk", "name"))
    return render(request, "console/documents.html", {"accounts": accounts})


@staff_required
@require_http_methods(["GET", "POST"])
def console_account_documents(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    return _folder(request, actor, get_account_for(actor=actor, pk=account_id), console=True)


@staff_required
@require_GET
def console_document_download(request: HttpRequest, account_id: int, document_id: int) -> FileResponse:
    actor = signed_in_user(request)
    account = get_account_for(actor=actor, pk=account_id)
    return attachment_response(get_document_for(actor=actor, pk=document_id, account=account))


@staff_required
@require_POST
def console_document_remove(request: HttpRequest, account_id: int, document_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    account = get_account_for(actor=actor, pk=account_id)
    return _remove(request, actor, document_id, account, reverse("portal:console-account-documents", args=[account.pk]))
