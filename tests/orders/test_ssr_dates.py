"""The earliest start of a simple service request, checked against figures worked out by hand
from DOMAIN.md's rule (seed 001): at least 48 hours ahead counted on business days (whole
days, Monday to Friday, not the site's public holidays, in the site's zone), and work at a
weekend or on a public holiday with the item's weekend notice (at least 5 days).

Frankfurt (Hesse, Europe/Berlin, UTC+1 in winter): Christmas Day (Friday 25 December 2026)
is a holiday there, Christmas Eve is a working day.

The noticed "earliest start at 00:00 local" follows from the rule: a request made at the
weekend starts counting at Monday 00:00, so its 48 hours end on Wednesday at 00:00. A request
made on a weekday ends at the same time of day two business days later."""

import datetime as dt

import pytest

from orders import dates
from orders.models import CatalogueItem
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import ALICE, api

FRANKFURT = dates.calendar_for("DE", "HE", "Europe/Berlin")


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("asked", "earliest", "why"),
    [
        # Saturday 5 December 11:00 Berlin: Monday 7 (24 h) + Tuesday 8 (24 h) → Wednesday 9, 00:00 Berlin.
        ("2026-12-05T10:00:00+00:00", "2026-12-08T23:00:00+00:00", "weekend request"),
        # Friday 4 December 10:00 Berlin: Friday 14 h + Monday 24 h + Tuesday 10 h → Tuesday 8, 10:00 Berlin.
        ("2026-12-04T09:00:00+00:00", "2026-12-08T09:00:00+00:00", "Friday morning"),
        # Thursday 3 December 00:00 Berlin: Thursday 24 h + Friday 24 h end at Friday's midnight, which is
        # a Saturday: business-day work starts on Monday 7, 00:00 Berlin.
        ("2026-12-02T23:00:00+00:00", "2026-12-06T23:00:00+00:00", "ends at Friday midnight"),
        # Thursday 24 December 13:00 Berlin: 11 h on Christmas Eve, nothing on Friday 25 (holiday), the
        # weekend, Monday 28 (24 h), 13 h on Tuesday 29 → Tuesday 29, 13:00 Berlin.
        ("2026-12-24T12:00:00+00:00", "2026-12-29T12:00:00+00:00", "over Christmas"),
    ],
)
def test_business_day_work_starts_48_business_hours_later(asked, earliest, why):
    found = dates.earliest_ssr_start(FRANKFURT, _utc(asked), 48, on_business_day=True)
    assert found == _utc(earliest), why


def test_a_weekend_request_may_start_at_midnight_local_on_wednesday():
    """The noticed 00:00: it is Wednesday midnight in Frankfurt, 48 business hours after
    Saturday's request, and the clock at the site shows exactly that."""
    found = dates.earliest_ssr_start(FRANKFURT, _utc("2026-12-05T10:00:00+00:00"), 48, on_business_day=True)
    local = found.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 12, 9), 0, 0)
    assert local.weekday() == 2


@pytest.mark.parametrize(
    ("notice_days", "earliest"),
    [
        (5, "2026-12-10T10:00:00+00:00"),  # Saturday 5 December 10:00 UTC + 5 days
        (7, "2026-12-12T10:00:00+00:00"),  # + 7 days
        (2, "2026-12-10T10:00:00+00:00"),  # never less than the rule's 5 days
    ],
)
def test_weekend_work_needs_the_items_weekend_notice(notice_days, earliest):
    found = dates.earliest_ssr_start(
        FRANKFURT, _utc("2026-12-05T10:00:00+00:00"), 48, on_business_day=False,
        weekend_notice=dt.timedelta(days=notice_days),
    )  # fmt: skip
    assert found == _utc(earliest)


def test_the_weekend_notice_never_undercuts_the_lead_time():
    """72 business hours asked on Friday 4 December 10:00 Berlin end on Wednesday 9, 10:00
    Berlin (14 + 24 + 24 + 10), later than 5 days (Wednesday 9, 09:00 UTC = 10:00 Berlin):
    the same instant; with 96 hours Thursday 10, 10:00 Berlin wins."""
    asked = _utc("2026-12-04T09:00:00+00:00")
    assert dates.earliest_ssr_start(FRANKFURT, asked, 72, on_business_day=False) == _utc("2026-12-09T09:00:00+00:00")
    assert dates.earliest_ssr_start(FRANKFURT, asked, 96, on_business_day=False) == _utc("2026-12-10T09:00:00+00:00")


@pytest.mark.django_db
def test_an_items_longer_weekend_notice_is_honoured_when_a_request_is_made(desk, time_machine):
    """Asked on Monday 23 November 15:00 Berlin: with 5 days' notice Sunday 29 November 09:00
    Berlin is allowed (Saturday 28, 14:00 UTC is the limit); with 7 days it is not (Monday 30,
    14:00 UTC). Business-day work keeps its 48 hours: Wednesday 25, 15:00 Berlin."""
    time_machine.move_to("2026-11-23T14:00:00Z", tick=False)
    client = api(desk, ALICE)

    def ask(start):
        payload = {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": start}
        return client.post("/api/v1/ssrs/", payload, format="json")

    with tenant_context(desk.northwind):
        CatalogueItem.objects.filter(code="cpe-reboot").update(weekend_notice_days=7)
    refused = ask("2026-11-29T08:00:00Z")
    assert refused.status_code == 400
    assert refused.json()["earliest_allowed"] == "2026-11-30T14:00:00Z"
    assert "needs 7 days' notice" in refused.json()["requested_start"][0]
    assert client.get("/api/v1/ssr-catalogue/cpe-reboot/").json()["weekend_notice_days"] == 7
    assert ask("2026-11-25T13:59:00Z").status_code == 400
    assert ask("2026-11-25T14:00:00Z").status_code == 201

    with tenant_context(desk.northwind):
        CatalogueItem.objects.filter(code="cpe-reboot").update(weekend_notice_days=5)
    assert ask("2026-11-29T08:00:00Z").status_code == 201
