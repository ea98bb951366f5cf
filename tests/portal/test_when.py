"""The lists' instants: the prepared formatter writes every format the desk's languages use
exactly as Django's date formatting does, in the user's zone."""

import datetime as dt
import zoneinfo

from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.templatetags.ticket_tags import _formatter, when

FORMATS = ["d.m.Y", "m/d/Y", "d/m/Y", "j. n. y", "D, j M Y", "H:i", "G:i:s", "P", "N j, Y", r"\d\e\r d", "Y-m-d H:i"]
ZONES = ["Europe/Berlin", "Europe/Madrid", "Europe/London", "America/New_York", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(  # hypothesis bounds are naive; the values come out in UTC
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2099, 12, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    format_string=st.sampled_from(FORMATS),
    zone=st.sampled_from(ZONES),
    language=st.sampled_from(["de", "en", "es"]),
)
def test_the_prepared_formatter_writes_what_django_writes(instant, format_string, zone, language):
    with translation.override(language):
        local = instant.astimezone(zoneinfo.ZoneInfo(zone))
        assert _formatter(format_string)(local) == dateformat.format(local, format_string)


def test_an_instant_in_a_list_is_in_the_users_zone_and_locale():
    instant = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # 01:30 CET; 02:30 would not exist
    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert get_format("SHORT_DATE_FORMAT") == "d.m.Y"
        assert str(when(instant)) == (
            '<time class="when" datetime="2026-03-29T01:30:00+01:00"><span>29.03.2026</span> <span>01:30</span></time>'
        )
    with translation.override("es"), timezone.override(zoneinfo.ZoneInfo("Europe/Madrid")):
        assert str(when(instant + dt.timedelta(hours=1))) == (
            '<time class="when" datetime="2026-03-29T03:30:00+02:00"><span>29/03/2026</span> <span>03:30</span></time>'
        )
    assert when(None) == ""


def test_english_pages_write_dates_as_europe_does():
    """Day before month and a 24-hour clock (config/formats/en), not 12/05/2026 4:32 p.m."""
    instant = dt.datetime(2026, 12, 5, 15, 32, tzinfo=dt.UTC)
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        assert str(when(instant)) == (
            '<time class="when" datetime="2026-12-05T15:32:00+00:00"><span>05/12/2026</span> <span>15:32</span></time>'
        )
