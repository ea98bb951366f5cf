"""Attachments: size limit, type checked from the content, tenant-scoped storage."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.errors import Conflict, InvalidInput, StorageUnavailable
from servicedesk.models import User
from tickets.models import Attachment, Ticket
from tickets.services.conversation import add_comment
from tickets.services.lifecycle import bump
from tickets.services.timeline import record_attachment

# What a customer or agent attaches to a fault: documents, screenshots, archives of logs,
# packet captures, plain-text logs. Anything a browser would run or render as a page is not
# accepted (HTML, SVG, XML, scripts), whatever the file is called.
ALLOWED_BINARY = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/x-tar",
}
PCAP_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a")  # pcap (both byte orders), pcapng
# Markup a browser would sniff and run: whole pages and fragments alike.
_MARKUP = re.compile(
    rb"<\s*(!doctype|!--|\?xml|html|head|body|script|style|svg|math|iframe|frame|frameset|object|embed|applet"
    rb"|a|div|span|p|img|form|input|button|meta|link|base|title|table|video|audio|source|template)\b",
    re.IGNORECASE,
)
# A text file keeps its name only with an extension that opens as text; otherwise ".txt" is
# added, so a downloaded "invoice.html" cannot open as a page from the user's disk.
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".tsv", ".cfg", ".conf", ".ini", ".json", ".yaml", ".yml", ".md"}
_UNSAFE_NAME = re.compile(r"[^\w.\- ()+]")


def safe_file_name(name: str) -> str:
    """The uploader's file name reduced to a harmless base name (no folders, no control
    characters); only ever shown and offered as the download name."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    stem, ext = os.path.splitext(name)
    return (stem[:150] + ext[:20]) or "attachment"


def detect_content_type(head: bytes) -> str:
    """The type from the first bytes, or raise InvalidInput when it is not one we accept."""
    if head.startswith(PCAP_MAGIC):
        return "application/vnd.tcpdump.pcap"
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ALLOWED_BINARY:
            return str(kind.mime)
        raise InvalidInput.single("file", _("Files of type %(type)s are not accepted.") % {"type": kind.mime})
    if b"\x00" in head:
        raise InvalidInput.single(
            "file",
            _("This kind of file is not accepted. Attach a PDF, an image, a text log, a packet capture or an archive."),
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut off at the end is fine
            raise InvalidInput.single("file", _("Text files must be UTF-8.")) from None
    if _MARKUP.search(head):
        raise InvalidInput.single("file", _("Web pages and markup are not accepted; attach a PDF or a screenshot."))
    return "text/plain"


@dataclass(frozen=True)
class CheckedUpload:
    """What the checks learnt of an upload: the name to offer, the type from its content, its digest."""

    name: str
    content_type: str
    sha256: str
    size: int


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Check an uploaded file by the attachment rules (at most ATTACHMENT_MAX_BYTES, not empty,
    a type we accept judged from the content, no markup anywhere in a text file); raise
    InvalidInput on ``file`` otherwise. The ticket attachments and the shared documents use it."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise InvalidInput.single("file", _("Files may be at most %(size)s.") % {"size": filesizeformat(limit)})
    if upload.size == 0:
        raise InvalidInput.single("file", _("The file is empty."))
    upload.seek(0)
    head = upload.read(8192)
    content_type = detect_content_type(head)
    digest = hashlib.sha256()
    upload.seek(0)
    tail = b""
    for chunk in upload.chunks():
        digest.update(chunk)
        # A text file is read whole for markup (with an overlap, so a tag split across two
        # chunks is seen too), not only its first bytes.
        if content_type == "text/plain" and _MARKUP.search(tail + chunk):
            raise InvalidInput.single("file", _("Web pages and markup are not accepted; attach a PDF or a screenshot."))
        tail = chunk[-64:]
    upload.seek(0)
    name = safe_file_name(upload.name or "")
    if content_type == "text/plain" and os.path.splitext(name)[1].lower() not in TEXT_EXTENSIONS:
        name = f"{name}.txt"
    return CheckedUpload(name=name, content_type=content_type, sha256=digest.hexdigest(), size=upload.size)


@transaction.atomic
def add_attachment(*, ticket: Ticket, actor: User, upload: UploadedFile, internal: bool = False) -> Attachment:
    """Store ``upload`` on ``ticket`` after checking its size and its content."""
    if internal and not actor.is_desk_staff:
        raise InvalidInput.single("internal", _("Only the desk attaches staff-only files."))
    checked = check_upload(upload)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED) and not actor.is_desk_staff:
        raise Conflict(_("This ticket is closed."), code="ticket_closed")
    now = timezone.now()
    attachment = Attachment(
        tenant_id=locked.tenant_id, ticket=locked, uploaded_by=actor, name=checked.name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256, internal=internal, created_at=now,
    )  # fmt: skip
    try:
        attachment.file.save("upload", upload, save=False)
    except OSError:
        # A full disk or a lost volume: no row refers to a file that is not there.
        raise StorageUnavailable("file", _("The file could not be stored just now. Try again later.")) from None
    attachment.save()
    if not internal:
        # A staff-only file is not a change the customer sees: version and updated_at stay.
        locked.save(update_fields=bump(locked, now))
    record_attachment(ticket=locked, actor=actor, at=now, name=attachment.name, internal=internal)
    return attachment


MAX_FILES_PER_REPLY = 10


@transaction.atomic
def reply_with_files(*, ticket: Ticket, actor: User, body: str, uploads: Sequence[UploadedFile]) -> list[Attachment]:
    """A public reply and the files that go with it, all or nothing: a refused file refuses
    the reply too, so nothing is half sent. With files, the text may be empty (the files are
    the reply); without, it is an ordinary reply. Raises InvalidInput keyed ``body`` or
    ``files`` (each message names its file) or Conflict (a closed ticket)."""
    if len(uploads) > MAX_FILES_PER_REPLY:
        raise InvalidInput.single(
            "files", _("Attach at most %(count)d files to one reply.") % {"count": MAX_FILES_PER_REPLY}
        )
    if (body or "").strip() or not uploads:
        add_comment(ticket=ticket, actor=actor, body=body, internal=False)
    attachments = []
    errors: list[str] = []
    for upload in uploads:
        try:
            attachments.append(add_attachment(ticket=ticket, actor=actor, upload=upload))
        except InvalidInput as refused:
            name = safe_file_name(upload.name or "")
            errors += [f"{name}: {message}" for messages in refused.errors.values() for message in messages]
    if errors:
        raise InvalidInput({"files": errors})  # the reply and the files before go back with it
    return attachments
