"""Words and numbers of the report pages, in the reader's language: shares as percentages,
durations in hours and minutes, targets, triggers and age buckets as words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from escalation.models import EscalationEvent
from reports import formatting

register = template.Library()

AGE_LABELS = {
    "lt_1d": lambda: _("under 1 day"),
    "1_3d": lambda: _("1–3 days"),
    "3_7d": lambda: _("3–7 days"),
    "7_30d": lambda: _("7–30 days"),
    "gt_30d": lambda: _("over 30 days"),
}


percent = register.filter("percent", formatting.percent)
duration = register.filter("duration", formatting.duration)
target_label = register.filter("target_label", formatting.target_label)
short_target = register.filter("short_target", formatting.short_target)


@register.filter
def trigger_label(trigger: str) -> str:
    choices = EscalationEvent.Trigger
    return str(choices(trigger).label) if trigger in choices.values else trigger


@register.filter
def age_label(bucket: str) -> str:
    return AGE_LABELS[bucket]() if bucket in AGE_LABELS else bucket


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
