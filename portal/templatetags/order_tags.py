"""Template filters of the order pages: a value on a timeline line as the reader reads it (a
status code as its words, a day as the locale's date)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

from orders.models import ChangeRequest, Order

register = template.Library()

STATUSES = {"order": Order.Status, "change": ChangeRequest.Status}


@register.filter
def status_word(value: str, kind: str) -> str:
    """``value`` as the words of a ``kind`` ("order" or "change") status, a day stored as
    ``YYYY-MM-DD`` in the locale's short date format; any other value as it is."""
    choices = STATUSES[kind]
    if value in choices.values:
        return str(choices(value).label)
    try:
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return value
