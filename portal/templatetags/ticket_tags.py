"""Small filters for the ticket pages: badge classes and stored choice values as labels."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache, partial

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
    left = (due_at - (now or timezone.now())).total_seconds()
    future, past = gettext("in {}"), gettext("{} overdue")
    return format_html(
        '<time class="countdown{}" datetime="{}" data-future="{}" data-past="{}">{}</time>',
        " overdue" if left < 0 else "",
        due_at.isoformat(),
        future,
        past,
        (future if left >= 0 else past).replace("{}", duration_words(left)),
    )
