"""Small filters for the ticket pages: badge classes and stored choice values as labels."""

from __future__ import annotations

from django import template

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
