import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ZONES = zoneinfo.available_timezones()


def validate_time_zone(value: str) -> None:
    if value not in _ZONES:
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value}, code="time_zone")


def validate_country_code(value: str) -> None:
    if len(value) != 2 or not value.isalpha() or not value.isupper():
        raise ValidationError(_("Use a two-letter ISO 3166 country code, e.g. DE."), code="country")


# The years the desk records and plans in (a problem that started, a start, a delivery). A
# date outside them is a typing error, and keeping away from year 1 and 9999 keeps the date
# arithmetic (time zones, business days, next month) inside Python's calendar.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def date_in_range(value: dt.date) -> bool:
    """Whether the date (of a date and time: the date it shows) lies between EARLIEST_DATE and
    LATEST_DATE."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_message() -> str:
    return str(
        _("Give a date between %(earliest)s and %(latest)s.")
        % {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}
    )


def _luminance(hex_colour: str) -> float:
    """The relative luminance of #RRGGBB (WCAG 2.2)."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
