"""Small filters for the ticket pages: badge classes and stored choice values as labels."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS
from django.utils.timezone import localtime
from django.utils.translation import gettext

from portal.display import choice_label

register = template.Library()


@register.filter
def priority_class(priority: str) -> str:
    """``badge priority-p1`` … ``badge priority-p4``."""
    return f"badge priority-{(priority or 'none').lower()}"


@register.filter
def status_class(status: str) -> str:
    return f"badge status-{(status or 'none').replace('_', '-')}"


@register.filter
def status_label(status: str) -> str:
    return choice_label("status", status)


@register.filter
def kind_label(kind: str) -> str:
    """A ticket's kind in words (cheaper than ``get_kind_display``, which rebuilds its choices
    on every call: a list shows one per row)."""
    return choice_label("kind", kind)


#: Format characters written directly (the ones the desk's locales use for dates and times);
#: any other is Django's (``DateFormat``'s method of that name).
_DIRECT: dict[str, Callable[[dt.datetime], str]] = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "Y": lambda v: f"{v.year:04d}",
    "y": lambda v: f"{v.year % 100:02d}",
    "H": lambda v: f"{v.hour:02d}",
    "G": lambda v: str(v.hour),
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}


def _by_django(name: str, value: dt.datetime) -> str:
    return str(getattr(dateformat.DateFormat(value), name)())


@lru_cache(maxsize=64)
def _formatter(format_string: str) -> Callable[[dt.datetime], str]:
    """A function writing ``format_string`` (Django's date format syntax) as
    ``django.utils.dateformat.format`` does: the pieces split once instead of on every call, the
    common characters written directly, the others by Django's own methods."""
    pieces = re.split(r"(\\.|[a-zA-Z])", format_string)
    parts: list[Callable[[dt.datetime], str] | str] = []
    for piece in pieces:
        if len(piece) == 1 and piece in _DIRECT:
            parts.append(_DIRECT[piece])
        elif len(piece) == 1 and piece.isalpha():  # as dateformat.format writes it
            parts.append(partial(_by_django, piece))
        elif piece.startswith("\\") and len(piece) == 2:
            parts.append(piece[1])
        elif piece:
            parts.append(piece)
    return lambda value: "".join(part if isinstance(part, str) else part(value) for part in parts)


@register.simple_tag
def when(at: dt.datetime | None) -> SafeString | str:
    """An instant as a list shows it: the date and time in the user's locale and time zone, in a
    ``<time>`` element carrying the full instant (a tag, not an include, and the locale's formats
    prepared once: a list shows two per row)."""
    if at is None:
        return ""
    local = localtime(at)  # the active zone: the user's (UserPreferencesMiddleware)
    return format_html(
        '<time class="when" datetime="{}"><span>{}</span> <span>{}</span></time>',
        local.isoformat(),
        _formatter(get_format("SHORT_DATE_FORMAT"))(local),
        _formatter(get_format("TIME_FORMAT"))(local),
    )


def duration_words(seconds: float) -> str:
    """A span as days, hours and minutes, the two largest that are not zero ("2 hours,
    5 minutes"), in the active language with Django's own plural forms; what
    ``static/js/countdown.js`` writes in the browser as the time passes."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        TIME_STRINGS[unit] % {"num": count}
        for unit, count in (("day", days), ("hour", hours), ("minute", minutes))
        if count
    ][:2]
    return gettext(", ").join(parts) if parts else TIME_STRINGS["minute"] % {"num": 0}


@register.simple_tag
def remaining(due_at: dt.datetime | None, now: dt.datetime | None = None) -> SafeString | str:
    """The time left until ``due_at`` ("in 2 hours, 5 minutes") or past it ("2 hours overdue"),
    in a ``<time class="countdown">`` that ``countdown.js`` keeps current; both sentences go to
    the browser translated, with ``{}`` where the span goes."""
    if due_at is None:
        return ""
    return SafeString(_countdown(due_at, now or timezone.now(), gettext("in {}"), gettext("{} overdue")))


def _countdown(
    due_at: dt.datetime, now: dt.datetime, future: str, past: str, words: Callable[[float], str] = duration_words
) -> str:
    left = (due_at - now).total_seconds()
    return (
        f'<time class="countdown{" overdue" if left < 0 else ""}" datetime="{_escape(due_at.isoformat())}" '
        f'data-future="{_escape(future)}" data-past="{_escape(past)}">'
        f"{_escape((future if left >= 0 else past).replace('{}', words(left)))}</time>"
    )


def _words_by_minute() -> Callable[[float], str]:
    """``duration_words``, remembered per whole minute for one page (a queue's rows fall due
    within the same minutes; each span is two or three translated plural forms)."""
    known: dict[int, str] = {}

    def words(seconds: float) -> str:
        minute = int(abs(seconds) // 60)
        if minute not in known:
            known[minute] = duration_words(seconds)
        return known[minute]

    return words


def _escape(value: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (the same characters)."""
    return html.escape(str(value))


@register.simple_tag
def queue_rows(rows: list[dict[str, Any]], queue_url: str, now: dt.datetime | None = None) -> SafeString:
    """The queue's table rows, written in Python rather than through the template engine (50
    rows of nine cells each cost the page most of its CPU through templates). The same markup
    as a template would write: every value escaped, the labels translated once per page. Each
    row is a dictionary of ``tickets.selectors.QUEUE_ROW_VALUES`` with the label of its next
    target (``target``)."""
    words = {
        key: _escape(gettext(msgid))
        for key, msgid in (
            ("unassigned", "Unassigned"), ("nothing_due", "Nothing due"), ("no_contract", "No contract"),
            ("choose", "Choose"), ("target", "Next target"), ("priority", "Priority"),
            ("customer", "Customer and site"), ("status", "Status"), ("escalation", "Escalation"),
            ("team", "Team and assignee"), ("level", "Level"),
        )
    }  # fmt: skip
    now = now or timezone.now()
    future, past = gettext("in {}"), gettext("{} overdue")
    escape = _escape
    url = escape(queue_url)
    spans = _words_by_minute()
    kinds: dict[str, str] = {}
    statuses: dict[str, tuple[str, str]] = {}
    out = []
    for row in rows:
        number = escape(row["number"])
        if row["next_due_at"]:
            due = f"{escape(row['target'])}<br>{_countdown(row['next_due_at'], now, future, past, spans)}"
        else:
            due = f'<span class="muted">{words["nothing_due"]}</span>'
        entitled = "" if row["is_entitled"] else f' <span class="badge not-entitled">{words["no_contract"]}</span>'
        service = f" · {escape(row['service__service_id'])}" if row["service_id"] else ""
        account = escape(row["account__name"]) if row["account_id"] else ""
        site = f'<br><small class="muted">{escape(row["site__name"])}</small>' if row["site_id"] else ""
        level = (
            f'<span class="badge escalated">{words["level"]} {escape(row["escalation_level"])}</span>'
            if row["escalation_level"]
            else "—"
        )
        team = escape(row["team__name"]) if row["team_id"] and row["team__name"] else "—"
        assignee = (
            escape(row["assignee__full_name"])
            if row["assignee_id"]
            else f'<small class="muted">{words["unassigned"]}</small>'
        )
        kind = kinds.get(row["kind"])
        if kind is None:
            kind = kinds[row["kind"]] = escape(kind_label(row["kind"]))
        status = statuses.get(row["status"])
        if status is None:
            status = statuses[row["status"]] = (
                escape(status_class(row["status"])),
                escape(status_label(row["status"])),
            )
        out.append(
            f"""
      <tr data-queue-row>
        <td class="pick"><input type="checkbox" name="ticket" value="{number}:{escape(row["version"])}" id="pick-{number}" aria-label="{words["choose"]} {number}"></td>
        <td class="number"><a data-row-link class="ticket-link" href="{url}{number}/">{number}</a></td>
        <td data-label="{words["target"]}">{due}</td>
        <td data-label="{words["priority"]}"><span class="{escape(priority_class(row["priority"]))}">{escape(row["priority"])}</span></td>
        <td class="subject">{escape(row["subject"])}{entitled}<br><small class="muted">{kind}{service}</small></td>
        <td data-label="{words["customer"]}">{account}{site}</td>
        <td data-label="{words["status"]}"><span class="{status[0]}">{status[1]}</span></td>
        <td data-label="{words["escalation"]}">{level}</td>
        <td data-label="{words["team"]}">{team}<br>{assignee}</td>
      </tr>"""  # noqa: E501
        )
    return SafeString("".join(out))


@register.simple_tag
def filter_fields(form: Any, skip: str = "") -> SafeString:
    """The form's visible fields but ``skip``, each as ``partials/field.html`` writes it (the
    queue's filter has 21: through the template engine each cost about 0.1 ms beside its
    widget). A field shown as a fieldset still goes through the template."""
    from django.template.loader import render_to_string  # noqa: PLC0415

    out: list[str] = []
    for field in form.visible_fields():
        if field.name == skip:
            continue
        if field.use_fieldset:
            out.append(render_to_string("partials/field.html", {"field": field}))
            continue
        errors = field.errors
        help_text = (
            f'<small class="help" id="{_escape(field.auto_id)}_helptext">{field.help_text}</small>'
            if field.help_text
            else ""
        )
        messages = "".join(f'<p class="error" role="alert">{_escape(error)}</p>' for error in errors)
        out.append(
            f'<div class="field{" has-error" if errors else ""}">\n'
            f'  <label for="{_escape(field.id_for_label)}">{_escape(field.label)}</label>\n'
            f"  {field}\n"
            f"  {help_text}\n"
            f"  {messages}\n"
            "</div>\n"
        )
    return SafeString("".join(out))
