"""The desk's logo: uploaded by the tenant administrator, checked by its content (PNG, JPEG or
WebP only: never SVG or anything a browser would run), limited in bytes and pixels, stored
under the tenant, and served only to the tenant's own users.

The stored name is ours (``tenants/<id>/branding/logo-<digest>.<ext>``): no uploader's name,
no traversal, and a new logo is a new address (so caches never show the old one)."""

from __future__ import annotations

import hashlib
import io
import warnings

import filetype
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from servicedesk import audit
from servicedesk.errors import InvalidInput
from servicedesk.models import AuditEntry, Tenant, User

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000  # pixels, either side
LOGO_MAX_PIXELS = 2_000_000  # width × height
LOGO_MIN_SIDE = 16
#: Content type (from the bytes) → Pillow's format and the stored extension.
LOGO_TYPES = {"image/png": ("PNG", "png"), "image/jpeg": ("JPEG", "jpg"), "image/webp": ("WEBP", "webp")}
CONTENT_TYPES = {ext: mime for mime, (_format, ext) in LOGO_TYPES.items()}


def _refuse(message: str) -> InvalidInput:
    return InvalidInput.single("logo", message)


def check_logo(upload: UploadedFile) -> tuple[bytes, str]:
    """The logo's bytes and extension, or InvalidInput on ``logo`` saying what is wrong."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - Pillow loads only where a logo is checked

    if upload.size is None or upload.size > LOGO_MAX_BYTES:
        raise _refuse(_("The logo may be at most %(size)s.") % {"size": filesizeformat(LOGO_MAX_BYTES)})
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    if not data:
        raise _refuse(_("The file is empty."))
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in LOGO_TYPES:
        raise _refuse(_("Upload a PNG, JPEG or WebP image. SVG and other kinds of file are not accepted."))
    expected_format, extension = LOGO_TYPES[kind.mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected_format]) as image:
                width, height = image.size
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE or width * height > LOGO_MAX_PIXELS:
                    raise _refuse(
                        _("The logo is %(width)d × %(height)d pixels; at most %(side)d pixels a side and "
                          "%(pixels)s pixels in all.")
                        % {"width": width, "height": height, "side": LOGO_MAX_SIDE, "pixels": f"{LOGO_MAX_PIXELS:,}"}
                    )  # fmt: skip
                if width < LOGO_MIN_SIDE or height < LOGO_MIN_SIDE:
                    raise _refuse(_("The logo must be at least %(side)d pixels a side.") % {"side": LOGO_MIN_SIDE})
                image.load()  # decoded whole: a damaged or truncated file is refused here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):  # fmt: skip
        raise _refuse(
            _("The image could not be read; it may be damaged. Save it again as PNG, JPEG or WebP.")
        ) from None
    return data, extension


def set_logo(*, tenant: Tenant, actor: User, upload: UploadedFile | None) -> Tenant:
    """Store ``upload`` as the tenant's logo (``None``: remove the logo), with its audit entry.
    The old file is deleted once the change commits."""
    new_name = ""
    if upload is not None:
        data, extension = check_logo(upload)
        digest = hashlib.sha256(data).hexdigest()[:20]
        new_name = default_storage.save(f"tenants/{tenant.pk}/branding/logo-{digest}.{extension}", ContentFile(data))
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        old_name = locked.logo.name or ""
        if old_name == new_name:
            return locked
        locked.logo.name = new_name or None
        locked.save(update_fields=["logo"])
        change = audit.Change("logo", _("logo"), old_name.rsplit("/", 1)[-1], new_name.rsplit("/", 1)[-1])
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, instance=locked, changes=[change])
        if old_name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
    return locked


def logo_content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
