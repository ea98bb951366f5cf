"""Words and numbers of the report pages, in the reader's language: shares as percentages,
durations in hours and minutes, targets, triggers and age buckets as words."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from escalation.models import EscalationEvent
from tickets.models import SlaTarget

register = template.Library()

AGE_LABELS = {
    "lt_1d": lambda: _("under 1 day"),
    "1_3d": lambda: _("1–3 days"),
    "3_7d": lambda: _("3–7 days"),
    "7_30d": lambda: _("7–30 days"),
    "gt_30d": lambda: _("over 30 days"),
}


@register.filter
def percent(share: float | None, places: int = 1) -> str:
    """0.9524 → "95.2 %" (German "95,2 %"); None → "—"."""
    if share is None:
        return "—"
    return f"{number_format(round(share * 100, places), places)} %"


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as "2 h 05 min", "45 min" or "3 d 4 h"; None → "—"."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def target_label(target: str) -> str:
    return str(SlaTarget(target).label) if target in SlaTarget.values else target


@register.filter
def short_target(target: str) -> str:
    """The target in one word: Response, Call-back, Restoration, RFO."""
    words = {
        "respond": pgettext("target", "Response"),
        "callback": pgettext("target", "Call-back"),
        "restore": pgettext("target", "Restoration"),
        "rfo": pgettext("target", "RFO"),
    }
    return words.get(target, target)


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
