"""Reading a message: whatever bytes arrive, a ``ParsedMail`` comes out and nothing raises.

The standard library's ``email`` package with its modern policy (``policy.default``) decodes
headers (RFC 2047, any charset) and transfer encodings (quoted-printable, base64). Bodies are
decoded here with the declared charset, where ISO-8859-1 and US-ASCII are read as
Windows-1252, as browsers do (mail declared Latin-1 routinely carries Windows-1252's quotes
and euro sign). An HTML-only body is cleaned by the pages' own sanitiser (nh3 with the
allow-list of ``tickets.rendering``) and turned into Markdown by markdownify; quoted history
and signatures are cut by mail-parser-reply, which knows Outlook's and Gmail's reply headers
in English, German and Spanish.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

import nh3
from mailparser_reply import EmailReplyParser

from tickets.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

logger = logging.getLogger(__name__)

# The languages of the desk's tenants and customers; English is always among them.
REPLY_LANGUAGES = ["en", "de", "es"]
# Headers are not allowed to be longer than this once decoded (a subject of a megabyte is spam).
_MAX_HEADER = 2000
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,490})>")
_LATIN1 = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso_8859-1", "l1", "cp819"}


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    """What the rules need from a message. Strings are never None; lists may be empty."""

    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender: str = ""
    sender_name: str = ""
    # The addresses in To and Cc (lower case, each once): who else the message was for.
    copied: list[str] = field(default_factory=list)
    subject: str = ""
    date: dt.datetime | None = None
    # The new text of the message (quoted history and signature cut), as Markdown.
    text: str = ""
    # The whole body, as Markdown, before cutting (a fallback when cutting leaves nothing).
    full_text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Why the message is automatic ("automatic", "bounce", "mailing_list"), or "".
    automatic: str = ""
    defects: list[str] = field(default_factory=list)


def _header(message: Message, name: str) -> str:
    """A header's decoded value, or "" (a malformed header is read raw rather than lost)."""
    try:
        value = message.get(name)
    except Exception as exc:  # noqa: BLE001 - the email package raises many kinds on malformed input
        logger.debug("unreadable header %s: %s", name, exc)
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        value = str(raw[0]) if raw else None
    if value is None:
        return ""
    text = str(value).replace("\x00", "")
    return " ".join(text.split())[:_MAX_HEADER]


def _message_ids(value: str) -> list[str]:
    return [f"<{found}>" for found in _MESSAGE_ID.findall(value)][:50]


def _address(message: Message, name: str) -> tuple[str, str]:
    value = _header(message, name)
    if not value:
        return "", ""
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        return "", ""
    for display, address in pairs:
        address = address.strip().lower()
        if "@" in address and " " not in address and len(address) <= 254:
            return display.strip()[:200], address
    return "", ""


def _addresses(message: Message, *names: str) -> list[str]:
    """Every well-formed address of these headers, lower case, each once, in order."""
    found: dict[str, None] = {}
    for name in names:
        value = _header(message, name)
        if not value:
            continue
        try:
            pairs = getaddresses([value])
        except Exception:  # noqa: BLE001, S112 - an unreadable header names no one
            continue
        for _display, address in pairs:
            address = address.strip().lower()
            if "@" in address and " " not in address and len(address) <= 254:
                found[address] = None
    return list(found)[:100]


def _decode(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = (part.get_content_charset() or "utf-8").lower()
    except Exception:  # noqa: BLE001
        charset = "utf-8"
    if charset in _LATIN1:
        charset = "cp1252"
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        # An unknown charset: UTF-8 if it is, else Windows-1252, which decodes every byte.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """Sanitised with the pages' allow-list, then Markdown (the tickets' text format)."""
    from markdownify import markdownify  # noqa: PLC0415 - with BeautifulSoup, loaded by the mail worker only

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"div", "span", "b", "i"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    text: str = markdownify(clean, heading_style="ATX", bullets="-", strip=["span"])
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def trim_reply(text: str) -> str:
    """The new text of a reply: quoted history, reply headers and signature cut."""
    if not text.strip():
        return ""
    try:
        replies = EmailReplyParser(languages=list(REPLY_LANGUAGES)).read(text).replies
    except Exception:  # noqa: BLE001 - a library bug must not lose the message
        return text.strip()
    if not replies:
        return text.strip()
    return str(replies[0].body or "").strip()


def _is_body_candidate(part: Message) -> bool:
    return part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment"


def _bodies(message: Message) -> tuple[Message | None, Message | None]:
    """The first plain-text and the first HTML body part (not attachments, not inside a
    forwarded message)."""
    plain = html = None
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        if part.is_multipart():
            if part.get_content_type() == "message/rfc822":
                continue
            payload = part.get_payload()
            if isinstance(payload, list):
                stack = [p for p in payload if isinstance(p, Message)] + stack
            continue
        if not _is_body_candidate(part):
            continue
        if part.get_content_subtype() == "plain" and plain is None:
            plain = part
        elif part.get_content_subtype() == "html" and html is None:
            html = part
    return plain, html


def _attachments(message: Message, bodies: set[int]) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        if part.get_content_type() == "message/rfc822":
            # A forwarded message travels whole, as a text file of its own.
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else None
            data = inner_message.as_bytes(policy=policy.compat32) if isinstance(inner_message, Message) else b""
            subject = _header(inner_message, "Subject") if isinstance(inner_message, Message) else ""
            found.append(ParsedAttachment(f"{subject or 'message'}.eml", "message/rfc822", data))
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack = [p for p in payload if isinstance(p, Message)] + stack
            continue
        if id(part) in bodies:
            continue
        try:
            name = part.get_filename() or ""
        except Exception:  # noqa: BLE001
            name = ""
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not name and part.get_content_maintype() == "text":
            continue  # a further text body (e.g. a second plain part): not a file
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            payload = None
        if not isinstance(payload, bytes) or not payload:
            continue
        found.append(ParsedAttachment(name or "attachment", part.get_content_type(), payload))
    return found


def _automatic(message: Message, return_path: str, sender: str) -> str:
    """Why the message was written by a machine, or "" if a person wrote it."""
    content_type = message.get_content_type()
    local = sender.split("@", 1)[0]
    if (
        content_type == "multipart/report"
        or return_path.replace(" ", "") == "<>"
        or local in {"mailer-daemon", "postmaster"}
    ):
        return "bounce"
    if any(_header(message, name) for name in ("List-Id", "List-Unsubscribe", "List-Post")):
        return "mailing_list"
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "automatic"
    if _header(message, "Precedence").lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "automatic"
    if any(_header(message, name) for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond")):
        return "automatic"
    return ""


def parse_message(raw: bytes) -> ParsedMail:
    """Read ``raw`` (one RFC 5322 message). Never raises: what cannot be read is left empty
    and named in ``defects``."""
    parsed = ParsedMail()
    try:
        message: Message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001
        parsed.defects.append(f"unparseable: {type(exc).__name__}")
        return parsed
    try:
        _fill(parsed, message)
    except Exception as exc:  # noqa: BLE001 - a library bug on odd input must not lose the message
        logger.warning("message partly unreadable: %s", exc)
        parsed.defects.append(f"partly unreadable: {type(exc).__name__}")
    return parsed


def _fill(parsed: ParsedMail, message: Message) -> None:
    parsed.defects.extend(type(d).__name__ for d in getattr(message, "defects", [])[:20])
    ids = _message_ids(_header(message, "Message-ID"))
    parsed.message_id = ids[0] if ids else ""
    parsed.in_reply_to = _message_ids(_header(message, "In-Reply-To"))
    parsed.references = _message_ids(_header(message, "References"))
    parsed.sender_name, parsed.sender = _address(message, "From")
    if not parsed.sender:
        parsed.sender_name, parsed.sender = _address(message, "Sender")
    parsed.copied = _addresses(message, "To", "Cc")
    parsed.subject = _header(message, "Subject")
    date = _header(message, "Date")
    if date:
        try:
            when = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None and when.tzinfo is not None:
            parsed.date = when.astimezone(dt.UTC)
    parsed.automatic = _automatic(message, _header(message, "Return-Path"), parsed.sender)
    plain, html = _bodies(message)
    if plain is not None:
        body = _decode(plain).replace("\r\n", "\n")
    elif html is not None:
        body = html_to_text(_decode(html))
    else:
        body = ""
    # PostgreSQL's text takes no NUL; nor does anyone reading the ticket need one.
    body = body.replace("\x00", "")
    parsed.full_text = body.strip()
    parsed.text = trim_reply(body) or parsed.full_text
    bodies = {id(p) for p in (plain, html) if p is not None}
    parsed.attachments = _attachments(message, bodies)


__all__ = ["EmailMessage", "ParsedAttachment", "ParsedMail", "html_to_text", "parse_message", "trim_reply"]
