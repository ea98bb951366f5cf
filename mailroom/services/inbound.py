"""Taking mail in: store it, read it, and let it become a ticket, a reply, or nothing.

Every transport (Maildir, IMAP, a mail server's pipe) hands raw bytes to ``receive_message``
inside the mailbox's tenant. The rules, in order:

1. **Stored first**: the raw message is saved (its own transaction) before it is read; the
   same Message-ID (or, without one, the same bytes) a second time is a duplicate and creates
   nothing.
2. **Never a loop**: bounces (a report, an empty Return-Path, the mailer daemon), mailing
   lists (List-Id …), automatic mail (Auto-Submitted, Precedence, X-Auto-Response-Suppress),
   the desk's own addresses and Message-IDs: no ticket, no reply, no answer.
3. **Known senders only**: an active customer user of this tenant, or an active member of its
   desk staff (whose mail may only answer a ticket: it becomes the desk's public reply).
   Anyone else is ignored (and, if the tenant wants it, told once a day to use the portal).
4. **A rate limit per sender**: past ``MAILROOM_SENDER_LIMIT_PER_HOUR`` accepted messages in an
   hour, the rest are kept but ignored.
5. **A reply** (a ticket found by In-Reply-To / References, else by the number in the subject)
   becomes a public comment, only on a ticket the sender may see; otherwise the mail is new.
6. **A new mail** becomes a ticket of the sender's account (channel ``email``), and the
   acknowledgement with its number goes out once the transaction commits. The users of that
   account in To or Cc become the ticket's participants (they get the desk's replies too).

Processing runs in one transaction: a message that fails leaves no half ticket, and is kept
(status failed) for the tenant's administrators to retry or discard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from mailroom.models import InboundMessage, Mailbox, SenderNotice
from mailroom.parsing import ParsedMail, parse_message
from mailroom.selectors import accepted_recently, known_customer, known_staff, tickets_of_message_ids
from mailroom.services.classify import read_mail
from servicedesk.dispatch import send_on_commit
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.mailing import is_own_message_id, ticket_of_thread_id
from servicedesk.models import User
from servicedesk.tenancy import require_tenant_id
from tickets.models import Comment, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services.attachments import add_attachment
from tickets.services.conversation import MAX_COMMENT, add_comment
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.participants import add_participants

logger = logging.getLogger(__name__)

# Tasks found by name (tasks import services, never the reverse).
SEND_ACKNOWLEDGEMENT_TASK = "mailroom.tasks.send_acknowledgement_task"
SEND_SENDER_NOTICE_TASK = "mailroom.tasks.send_sender_notice_task"

_AUTOMATIC_OUTCOME = {
    "bounce": InboundMessage.Outcome.BOUNCE,
    "mailing_list": InboundMessage.Outcome.MAILING_LIST,
    "automatic": InboundMessage.Outcome.AUTOMATIC,
}
_SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|wg|fw|fwd|rv|res|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _ticket_number_pattern() -> re.Pattern[str]:
    prefixes = "|".join(sorted(set(Ticket.NUMBER_PREFIX.values())))
    return re.compile(rf"(?<![\w-])((?:{prefixes})-\d{{6}})(?!\w)", re.IGNORECASE)


@dataclass
class Received:
    message: InboundMessage
    duplicate: bool


def dedup_key(raw: bytes) -> tuple[str, str]:
    """(the duplicate guard, the Message-ID or ""): the Message-ID's hash, or the bytes'. A
    Message-ID holding a control character is none (PostgreSQL's text takes no NUL)."""
    message_id = ""
    try:
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        found = re.search(r"<[^<>\s\x00-\x1f\x7f]{1,490}>", str(headers.get("Message-ID") or ""))
        message_id = found.group(0) if found else ""
    except Exception:  # noqa: BLE001 - any odd header: the bytes' hash is the key then
        message_id = ""
    basis = f"message-id:{message_id}".encode() if message_id else b"raw:" + raw
    return hashlib.sha256(basis).hexdigest(), message_id


def receive_message(*, mailbox: Mailbox, raw: bytes, source: str) -> Received:
    """Store ``raw`` and deal with it. Call inside the mailbox's tenant, outside a transaction
    of the caller's (the stored message must commit even if processing fails). Never raises
    for what the message says; raises only when it could not be stored (the transport then
    keeps the message and tries again)."""
    key, message_id = dedup_key(raw)
    existing = InboundMessage.objects.filter(dedup_key=key).first()
    if existing is not None:
        return Received(existing, duplicate=True)
    # Who wrote and about what, read before the rules run: a message that fails still says it.
    head = parse_message(raw)
    message = InboundMessage(
        tenant_id=require_tenant_id(), dedup_key=key, message_id=message_id[:500], size=len(raw), source=source,
        sender=head.sender, subject=head.subject[:500],
    )  # fmt: skip
    message.raw.save("message.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Delivered twice at once: the other delivery stored it first.
        message.raw.delete(save=False)
        return Received(InboundMessage.objects.get(dedup_key=key), duplicate=True)
    return Received(process_message(message=message, mailbox=mailbox), duplicate=False)


def process_message(*, message: InboundMessage, mailbox: Mailbox, now: dt.datetime | None = None) -> InboundMessage:
    """Read a stored message and apply the rules, all in one transaction; on any error nothing
    of it stays and the message is marked failed (kept for a retry)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.status == InboundMessage.Status.PROCESSED:
                return locked
            with locked.raw.open("rb") as stored:
                raw = stored.read()
            _apply(mailbox=mailbox, message=locked, parsed=parse_message(raw), now=now)
            locked.status, locked.processed_at, locked.error = InboundMessage.Status.PROCESSED, now, ""
            locked.save()
            return locked
    except Exception as exc:
        logger.exception("inbound message %s failed", message.pk)
        with transaction.atomic():
            InboundMessage.objects.filter(pk=message.pk).update(
                status=InboundMessage.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], processed_at=now
            )
        message.refresh_from_db()
        return message


def retry_message(*, actor: User, message: InboundMessage, mailbox: Mailbox) -> InboundMessage:
    """A tenant administrator runs a failed message through the rules again."""
    if not actor.is_tenant_admin:
        raise Conflict(_("Only the tenant's administrators deal with failed mail."), code="forbidden")
    if message.status != InboundMessage.Status.FAILED:
        raise Conflict(_("This message is not waiting for a retry."), code="not_failed")
    return process_message(message=message, mailbox=mailbox)


@transaction.atomic
def discard_message(*, actor: User, message: InboundMessage) -> InboundMessage:
    """A tenant administrator gives up on a failed message (it stays stored, marked discarded)."""
    if not actor.is_tenant_admin:
        raise Conflict(_("Only the tenant's administrators deal with failed mail."), code="forbidden")
    updated = InboundMessage.objects.filter(pk=message.pk, status=InboundMessage.Status.FAILED).update(
        status=InboundMessage.Status.DISCARDED
    )
    if not updated:
        raise Conflict(_("This message is not waiting for a retry."), code="not_failed")
    message.refresh_from_db()
    return message


def _own_addresses(mailbox: Mailbox) -> set[str]:
    own = {mailbox.address, settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, *settings.MAILROOM_OWN_ADDRESSES}
    return {a.strip().lower() for a in own if a}


def _apply(*, mailbox: Mailbox, message: InboundMessage, parsed: ParsedMail, now: dt.datetime) -> None:
    message.sender = parsed.sender
    message.subject = parsed.subject[:500]
    if parsed.automatic:
        message.outcome = _AUTOMATIC_OUTCOME[parsed.automatic]
        return
    if parsed.sender in _own_addresses(mailbox) or (parsed.message_id and is_own_message_id(parsed.message_id)):
        message.outcome = InboundMessage.Outcome.OWN_MAIL
        return
    author = known_customer(address=parsed.sender) or known_staff(address=parsed.sender)
    if author is None:
        message.outcome = InboundMessage.Outcome.UNKNOWN_SENDER
        _maybe_tell_stranger(mailbox=mailbox, address=parsed.sender, now=now)
        return
    message.author = author
    limit = settings.MAILROOM_SENDER_LIMIT_PER_HOUR
    if accepted_recently(sender=parsed.sender, since=now - dt.timedelta(hours=1)) >= limit:
        message.outcome = InboundMessage.Outcome.RATE_LIMITED
        return
    ticket = _ticket_replied_to(author=author, parsed=parsed)
    if ticket is not None:
        comment = _comment(ticket=ticket, author=author, parsed=parsed)
        if comment is not None:
            message.outcome, message.ticket, message.comment = InboundMessage.Outcome.COMMENT, ticket, comment
            message.refused_attachments = _attach(ticket=ticket, author=author, parsed=parsed)
            add_participants(ticket=ticket, addresses=parsed.copied)
            return
    if author.is_desk_staff:
        # The desk answers by mail; it never opens a ticket by mail (it logs one in the console).
        message.outcome = InboundMessage.Outcome.STAFF_NOT_A_REPLY
        return
    ticket = _open(author=author, parsed=parsed, now=now, follows=ticket)
    message.outcome, message.ticket = InboundMessage.Outcome.TICKET, ticket
    message.refused_attachments = _attach(ticket=ticket, author=author, parsed=parsed)
    add_participants(ticket=ticket, addresses=parsed.copied)
    send_on_commit(SEND_ACKNOWLEDGEMENT_TASK, tenant_id=message.tenant_id, message_id=message.pk)


def _ticket_replied_to(*, author: User, parsed: ParsedMail) -> Ticket | None:
    """The ticket this mail answers, among those the author may see (staff: every ticket of
    the tenant): by the thread (our signed thread root, or a message that opened or answered
    a ticket) first, then by the ticket number in the subject."""
    tenant_id = require_tenant_id()
    chain = [*parsed.in_reply_to, *reversed(parsed.references)]
    numbers = [n for n in (ticket_of_thread_id(m, tenant_id=tenant_id) for m in chain) if n]
    numbers += tickets_of_message_ids(message_ids=chain)
    numbers += [n.upper() for n in _ticket_number_pattern().findall(parsed.subject)]
    visible = tickets_visible_to(actor=author)
    for number in dict.fromkeys(numbers):
        ticket = visible.filter(number=number).first()
        if ticket is not None:
            return ticket
    return None


def _text_of(parsed: ParsedMail) -> str:
    text = parsed.text or parsed.full_text
    if not text.strip() and parsed.attachments:
        text = _("(No text; see the attached files.)")
    return text.strip() or _("(No text.)")


def _comment(*, ticket: Ticket, author: User, parsed: ParsedMail) -> Comment | None:
    """The reply as a public comment, through the reply use case the pages use (a staff
    author's reply is the desk's: mailed to the ticket's participants, meeting the respond
    target), or None when the ticket takes none (closed: a customer's mail then opens a new
    ticket that names it)."""
    try:
        with transaction.atomic():
            return add_comment(ticket=ticket, actor=author, body=_text_of(parsed)[:MAX_COMMENT])
    except Conflict:
        return None


def _subject_of(parsed: ParsedMail) -> str:
    subject = _SUBJECT_PREFIX.sub("", parsed.subject).strip()
    return (subject or _("(No subject)"))[: Ticket.MAX_SUBJECT]


def _open(*, author: User, parsed: ParsedMail, now: dt.datetime, follows: Ticket | None) -> Ticket:
    """The new ticket: an incident where the words and a named service make it one, else a
    complaint or an enquiry. A draft the rules refuse falls back, step by step, to an enquiry
    on the named service, then to an enquiry on none, which an agent reclassifies."""
    language = author.language or (author.tenant.default_language if author.tenant else "en")
    with override(language):
        subject = _subject_of(parsed)
        description = _text_of(parsed)
        if follows is not None:
            follow_up = _("Follow-up to %(number)s, which is closed.") % {"number": follows.number}
            description = f"{follow_up}\n\n{description}"
    description = description[: Ticket.MAX_DESCRIPTION]
    reading = read_mail(actor=author, subject=subject, body=description)
    service_id = reading.service.service_id if reading.service else None
    first = TicketDraft(kind=reading.kind, subject=subject, description=description, service_id=service_id)
    if reading.kind == Ticket.Kind.INCIDENT:
        first.impact, first.problem_started_at = reading.impact, min(parsed.date, now) if parsed.date else now
    attempts = [first]
    for fallback in ((Ticket.Kind.ENQUIRY, service_id), (Ticket.Kind.ENQUIRY, None)):
        if fallback not in {(a.kind, a.service_id) for a in attempts}:
            attempts.append(
                TicketDraft(kind=fallback[0], subject=subject, description=description, service_id=fallback[1])
            )
    for draft in attempts:
        draft.channel = Ticket.Channel.EMAIL
    for draft in attempts[:-1]:
        try:
            return open_ticket(actor=author, draft=draft, now=now, by_mail=True)
        except InvalidInput as invalid:
            logger.info("mail ticket falls back to an enquiry: %s", invalid.errors)
    return open_ticket(actor=author, draft=attempts[-1], now=now, by_mail=True)


def _attach(*, ticket: Ticket, author: User, parsed: ParsedMail) -> list[dict[str, str]]:
    """The mail's files on the ticket, each under the attachment rules; the refused ones named."""
    refused = []
    for attachment in parsed.attachments:
        upload = SimpleUploadedFile(attachment.name, attachment.data, attachment.content_type)
        try:
            with transaction.atomic():
                add_attachment(ticket=ticket, actor=author, upload=upload)
        except (InvalidInput, Conflict) as refusal:
            reason = (
                "; ".join(m for ms in refusal.errors.values() for m in ms)
                if isinstance(refusal, InvalidInput)
                else refusal.detail
            )
            refused.append({"name": attachment.name[:200], "reason": reason})
    return refused


def _maybe_tell_stranger(*, mailbox: Mailbox, address: str, now: dt.datetime) -> None:
    """At most once a day per address, and only if the tenant wants it: the note that mail
    from unknown addresses is not taken in."""
    if not mailbox.answer_unknown_senders or not address or address in _own_addresses(mailbox):
        return
    try:
        with transaction.atomic():
            notice = SenderNotice.objects.create(tenant_id=require_tenant_id(), address=address, day=now.date())
    except IntegrityError:
        return  # told today already
    send_on_commit(SEND_SENDER_NOTICE_TASK, tenant_id=notice.tenant_id, notice_id=notice.pk)
