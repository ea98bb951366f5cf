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
