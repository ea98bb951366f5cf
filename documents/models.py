"""Shared documents: one folder per customer account, where the account's users and the
desk exchange files. A document may be filed for one of the account's sites."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import CustomerAccount, CustomerOwned, Site, User
from servicedesk.walls import CustomerWall


def document_path(instance: Document, filename: str) -> str:
    # The stored name is ours, never the uploader's: no traversal, no collisions, no guessing.
    return f"tenants/{instance.tenant_id}/documents/{instance.account_id}/{uuid.uuid4().hex}"


class Document(CustomerOwned):
    """A file in an account's shared folder. Served only through the permission-checked
    download views, always as a download, never from a public URL.

    Filed for a site, only the users who see that site see it; filed for the whole account
    (no site), a user restricted to some sites does not see it (the wall fails closed), except
    what they uploaded themselves."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="+", db_index=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False, verbose_name=_("site")
    )
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    # Shared by the desk (an agent, manager or administrator) rather than by the customer.
    from_desk = models.BooleanField(_("shared by the desk"), default=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    wall = CustomerWall(account="account", site="site", opener="uploaded_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            # The folder: one account's documents, newest first.
            models.Index(fields=["tenant", "account", "-created_at"], name="document_tenant_account_idx"),
        ]

    def __str__(self) -> str:
        return self.name
