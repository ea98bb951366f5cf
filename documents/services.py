"""Use cases of the shared documents: add a file to an account's folder (by the attachment
rules of the tickets: size, type judged from the content, no markup), remove one."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document
from servicedesk.errors import InvalidInput, PermissionRefused
from servicedesk.models import CustomerAccount, Site, User
from tickets.services.attachments import check_upload

DESCRIPTION_MAX_LENGTH = 300


@transaction.atomic
def add_document(
    *, account: CustomerAccount, actor: User, upload: UploadedFile | None, site: Site | None = None,
    description: str = "",
) -> Document:  # fmt: skip
    """Put ``upload`` into ``account``'s folder, filed for ``site`` if given.

    ``account`` and ``site`` must come from accessors that checked the actor's walls (a
    customer user: their own account and a site they see). Raises InvalidInput naming every
    bad field."""
    errors: dict[str, list[str]] = {}
    checked = None
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    else:
        try:
            checked = check_upload(upload)
        except InvalidInput as invalid:
            errors.update(invalid.errors)
    if site is not None and site.account_id != account.pk:
        errors["site"] = [_("Choose one of the account's sites.")]
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("Keep the description under %(n)s characters.") % {"n": DESCRIPTION_MAX_LENGTH}]
    if actor.is_customer and actor.customer_account_id != account.pk:
        raise PermissionRefused(_("You may only add files to your own account's folder."))
    if errors or checked is None or upload is None:
        raise InvalidInput(errors)
    document = Document(
        tenant_id=account.tenant_id, account=account, site=site, name=checked.name, description=description,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256, uploaded_by=actor,
        from_desk=actor.is_desk_staff, created_at=timezone.now(),
    )  # fmt: skip
    document.file.save("upload", upload, save=False)
    document.save()
    return document


def may_remove(*, document: Document, actor: User) -> bool:
    """A customer user removes what they uploaded; the desk removes what the desk shared."""
    if actor.is_desk_staff:
        return document.from_desk
    return document.uploaded_by_id == actor.pk


@transaction.atomic
def remove_document(*, document: Document, actor: User) -> None:
    """Delete ``document`` (fetched inside the actor's walls) and its file. Raises
    PermissionRefused when it is not the actor's to remove."""
    if not may_remove(document=document, actor=actor):
        raise PermissionRefused(_("Only the person or desk who shared a file can remove it."))
    stored = document.file
    Document.objects.filter(pk=document.pk).delete()
    # The file goes once the row is gone for good; a rolled-back delete keeps both.
    transaction.on_commit(lambda: stored.delete(save=False))
