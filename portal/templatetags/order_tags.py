"""Template filters of the order pages: a status code on a timeline line as its words."""

from __future__ import annotations

from django import template

from orders.models import ChangeRequest, Order

register = template.Library()

STATUSES = {"order": Order.Status, "change": ChangeRequest.Status}


@register.filter
def status_word(value: str, kind: str) -> str:
    """``value`` as the words of a ``kind`` ("order" or "change") status; any other value as it is."""
    choices = STATUSES[kind]
    return str(choices(value).label) if value in choices.values else value
