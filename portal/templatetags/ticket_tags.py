"""Small filters for the ticket pages: badge classes and stored choice values as labels."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

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


@register.simple_tag
def when(at: dt.datetime | None) -> SafeString | str:
    """An instant as a list shows it: the date and time in the user's locale and time zone, in a
    ``<time>`` element carrying the full instant (a tag, not an include: a list shows two per row)."""
    if at is None:
        return ""
    local = localtime(at)  # the active zone: the user's (UserPreferencesMiddleware)
    return format_html(
        '<time class="when" datetime="{}"><span>{}</span> <span>{}</span></time>',
        local.isoformat(),
        date_format(local, "SHORT_DATE_FORMAT"),
        time_format(local, "TIME_FORMAT"),
    )
