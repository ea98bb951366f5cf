"""Reads of the shared documents, each inside the actor's walls."""

from __future__ import annotations

from django.db.models import QuerySet

from documents.models import Document
from servicedesk.models import CustomerAccount, User
from servicedesk.walls import get_visible_or_404


def documents_visible_to(*, actor: User, account: CustomerAccount | None = None) -> QuerySet[Document]:
    """The documents the actor may see (staff: the tenant's; a customer user: their account's,
    or only their sites' if restricted, plus their own), of one account if given."""
    documents = Document.objects.visible_to(actor).select_related("site", "uploaded_by").order_by("-created_at", "-id")
    if account is not None:
        documents = documents.filter(account=account)
    return documents


def get_document_for(*, actor: User, pk: int, account: CustomerAccount | None = None) -> Document:
    """The document, if the actor may see it (and it is in ``account``'s folder); otherwise 404."""
    return get_visible_or_404(documents_visible_to(actor=actor, account=account), pk=pk)
