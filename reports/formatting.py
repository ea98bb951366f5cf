"""Numbers and words of the reports in the reader's language: shares as percentages, durations
in days, hours and minutes, targets in words. The pages' template filters
(``portal.templatetags.report_tags``) and the PDF (``reports.pdf``) both write them from here, so
a figure reads the same on the page and on paper."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tickets.models import SlaTarget


def percent(share: float | None, places: int = 1) -> str:
    """0.9524 → "95.2 %" (German "95,2 %"); None → "—"."""
    if share is None:
        return "—"
    return f"{number_format(round(share * 100, places), places)} %"


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


def target_label(target: str) -> str:
    return str(SlaTarget(target).label) if target in SlaTarget.values else target


def short_target(target: str) -> str:
    """The target in one word: Response, Call-back, Restoration, RFO."""
    words = {
        "respond": pgettext("target", "Response"),
        "callback": pgettext("target", "Call-back"),
        "restore": pgettext("target", "Restoration"),
        "rfo": pgettext("target", "RFO"),
    }
    return words.get(target, target)
