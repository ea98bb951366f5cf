"""Outgoing mail that threads and never loops: the headers every message of the desk carries.

- **Message-ID** on every message, signed with the secret key, so the desk recognises its own
  mail coming back (a bounce, a loop through another mailbox) without storing what it sent.
- **Threads per ticket**: each ticket has a signed thread root (``<t{tenant}.{number}.{sig}@…>``)
  that every message about the ticket names in References, with In-Reply-To the message it
  answers; mail clients group them, and a reply names the ticket in a way no one can forge.
- **Auto-Submitted** (RFC 3834) on automatic mail, so well-behaved auto-responders stay quiet,
  and **Reply-To** the tenant's desk address.
- Bodies come from templates (``templates/mail/{name}.txt`` and ``.html``) rendered in the
  recipient's language.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac

from servicedesk.models import MailTemplate
from servicedesk.tenancy import tenant_context

_SALT = "servicedesk.mailing.message-id"
_SIG_LENGTH = 20
_THREAD = re.compile(r"^t(\d+)\.([A-Z]{2,8}-\d{1,12})\.([0-9a-f]+)$")
_SINGLE = re.compile(r"^m\.([0-9a-f]{32})\.([0-9a-f]+)$")


def _sign(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:_SIG_LENGTH]


def _domain(domain: str | None) -> str:
    return (domain or str(DNS_NAME)).strip().lower() or "localhost"


def new_message_id(*, domain: str | None = None) -> str:
    """A fresh signed Message-ID, with its angle brackets."""
    token = uuid.uuid4().hex
    return f"<m.{token}.{_sign(token)}@{_domain(domain)}>"


def thread_id(*, tenant_id: int, number: str, domain: str | None = None) -> str:
    """The ticket's thread root: the same for every message about it, with its angle brackets."""
    local = f"t{tenant_id}.{number}"
    return f"<{local}.{_sign(local)}@{_domain(domain)}>"


def _local_part(message_id: str) -> str:
    return message_id.strip().strip("<>").rsplit("@", 1)[0]


def is_own_message_id(message_id: str) -> bool:
    """Whether the desk made this Message-ID (a signed message or thread id)."""
    local = _local_part(message_id)
    for pattern, signed in ((_SINGLE, 1), (_THREAD, None)):
        found = pattern.match(local)
        if found:
            value = found.group(signed) if signed else f"t{found.group(1)}.{found.group(2)}"
            return constant_time_compare(found.groups()[-1], _sign(value))
    return False


def ticket_of_thread_id(message_id: str, *, tenant_id: int) -> str | None:
    """The ticket number a signed thread root of this tenant names, else None."""
    found = _THREAD.match(_local_part(message_id))
    if not found or int(found.group(1)) != tenant_id:
        return None
    local = f"t{found.group(1)}.{found.group(2)}"
    return found.group(2) if constant_time_compare(found.group(3), _sign(local)) else None


@dataclass
class Threading:
    """Where a message sits in a thread: its own id, the message it answers, the chain."""

    message_id: str
    in_reply_to: str = ""
    references: Sequence[str] = field(default_factory=list)


def ticket_threading(
    *, tenant_id: int, number: str, domain: str | None, answers: str = "", earlier: Sequence[str] = ()
) -> Threading:
    """The headers of a new message about ticket ``number``: answering ``answers`` (a
    Message-ID) if given, in the ticket's thread after ``earlier``."""
    root = thread_id(tenant_id=tenant_id, number=number, domain=domain)
    chain = [root, *(m for m in earlier if m and m != root)]
    if answers and answers not in chain:
        chain.append(answers)
    return Threading(message_id=new_message_id(domain=domain), in_reply_to=answers or root, references=chain)


def build_mail(
    *,
    template: str,
    context: Mapping[str, Any],
    language: str,
    subject: str,
    to: Sequence[str],
    from_email: str,
    threading: Threading,
    reply_to: str = "",
    auto_submitted: str = "auto-generated",
) -> EmailMultiAlternatives:
    """A message with a plain-text body and an HTML alternative from ``template`` (rendered in
    ``language``) and the desk's headers. ``subject`` is already in the recipient's language;
    ``auto_submitted`` is "auto-replied" for an answer to a message, "auto-generated" for a
    notification, "" for a message a person wrote."""
    with translation.override(language):
        text = render_to_string(f"mail/{template}.txt", dict(context))
        html = render_to_string(f"mail/{template}.html", dict(context))
    headers = {"Message-ID": threading.message_id}
    if threading.in_reply_to:
        headers["In-Reply-To"] = threading.in_reply_to
    if threading.references:
        headers["References"] = " ".join(threading.references)
    if auto_submitted:
        # RFC 3834: an auto-responder must not answer this; Outlook's own switch too.
        headers["Auto-Submitted"] = auto_submitted
        headers["X-Auto-Response-Suppress"] = "All"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=from_email,
        to=list(to),
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def send_notification(
    *,
    tenant: Any,
    to: Sequence[str],
    subject: str,
    body: str,
    language: str,
    number: str = "",
    link: str = "",
    kind: str = "",
) -> None:
    """Send an automatic notification (the ``notification`` template: the same words as plain
    text and as HTML), from the desk with Reply-To the tenant's desk address, in the thread of
    ticket (or order, change) ``number`` if given, whose number the subject then carries. The
    tenant's active mail template of this ``kind`` (a ``MailKind``) in ``language`` puts its
    opening before the body and its closing after it. ``tenant`` may be None for mail to
    someone outside every tenant (a platform operator's password reset): no Reply-To then, no
    thread and no template."""
    if kind and getattr(tenant, "pk", None) is not None:
        body = _with_template(tenant_id=tenant.pk, kind=kind, language=language, body=body)
    if number and number not in subject:
        subject = f"[{number}] {subject}"
    desk_address = str(getattr(tenant, "desk_address", "") or "")
    domain = desk_address.rsplit("@", 1)[-1] if desk_address else None
    threading = (
        ticket_threading(tenant_id=tenant.pk, number=number, domain=domain)
        if number and tenant is not None
        else Threading(message_id=new_message_id(domain=domain))
    )
    build_mail(
        template="notification",
        context={"body": body, "link": link, "tenant": tenant},
        language=language,
        subject=subject,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        reply_to=desk_address,
        threading=threading,
    ).send()


def _with_template(*, tenant_id: int, kind: str, language: str, body: str) -> str:
    with tenant_context(tenant_id):
        template = MailTemplate.objects.filter(kind=kind, language=language, is_active=True).first()
    return template.wrap(body) if template is not None else body


def public_url(path: str) -> str:
    """An absolute link for mail: PUBLIC_BASE_URL if set, else the first allowed host."""
    base = settings.PUBLIC_BASE_URL
    if not base:
        host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"), "127.0.0.1:8000")
        base = f"{'http' if settings.DEBUG else 'https'}://{host}"
    return base.rstrip("/") + path
