"""Simple service requests from the catalogue: at least 48 hours ahead counted on the site's
business days (an item may need more), 5 days' notice for work on a weekend or public
holiday, confirmed with an SSR ID; completed by the desk (which fixes the price billed) or
cancelled."""

import pytest

from orders.models import CatalogueItem, SimpleServiceRequest
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, BLUEPEAK_AGENT, BOB, CAROL, DAVE, api

FRIDAY_AFTERNOON = "2026-11-20T14:00:00Z"  # 15:00 in Frankfurt and Madrid, 14:00 in London


def _ask(desk, who=ALICE, **fields):
    payload = {"item": "cpe-reboot", "site": desk.frankfurt.pk, **fields}
    return api(desk, who).post("/api/v1/ssrs/", payload, format="json")


def _count(desk):
    with tenant_context(desk.northwind):
        return SimpleServiceRequest.objects.count()


@pytest.mark.django_db
def test_a_request_on_friday_afternoon_may_start_48_business_hours_later_on_tuesday(desk, time_machine):
    """Friday 15:00 → 9 hours on Friday, 24 on Monday, 15 on Tuesday: Tuesday 15:00 in Frankfurt."""
    time_machine.move_to(FRIDAY_AFTERNOON, tick=False)
    too_early = _ask(desk, requested_start="2026-11-23T09:00:00Z")  # Monday 10:00
    assert too_early.status_code == 400
    assert too_early.json() == {
        "requested_start": [
            "Too early: this request needs 48 hours' notice, counted on business days at Frankfurt. "
            "The earliest allowed start is 2026-11-24T14:00:00Z."
        ],
        "earliest_allowed": "2026-11-24T14:00:00Z",
    }
    assert _ask(desk, requested_start="2026-11-24T13:59:00Z").status_code == 400
    assert _count(desk) == 0
    confirmed = _ask(desk, requested_start="2026-11-24T14:00:00Z")
    assert confirmed.status_code == 201, confirmed.json()
    body = confirmed.json()
    assert (body["ssr_id"], body["status"], body["requested_start"]) == (
        "SSR-000001",
        "confirmed",
        "2026-11-24T14:00:00Z",
    )
    assert (body["quoted_price"], body["price"], body["currency"]) == ("40.00", None, "EUR")
    assert body["item"] == {"code": "cpe-reboot", "name": "Supervised CPE restart"}
    assert body["created_at"] == FRIDAY_AFTERNOON


@pytest.mark.django_db
def test_weekend_work_needs_five_days_notice(desk, time_machine):
    time_machine.move_to(FRIDAY_AFTERNOON, tick=False)
    tomorrow = _ask(desk, requested_start="2026-11-21T09:00:00Z")  # Saturday 10:00
    assert tomorrow.status_code == 400
    assert tomorrow.json() == {
        "requested_start": [
            "Too early: work on a weekend or public holiday at Frankfurt needs 5 days' notice (and 48 hours counted "
            "on business days). The earliest allowed start is 2026-11-25T14:00:00Z."
        ],
        "earliest_allowed": "2026-11-25T14:00:00Z",
    }
    # Sunday 29 November 09:00 is 8 days and 18 hours ahead.
    assert _ask(desk, requested_start="2026-11-29T08:00:00Z").status_code == 201
    # Asked on Monday at 15:00, Saturday 10:00 is only 4 days 19 hours ahead; Saturday 15:00 is 5 days.
    time_machine.move_to("2026-11-23T14:00:00Z", tick=False)
    assert _ask(desk, requested_start="2026-11-28T09:00:00Z").json()["earliest_allowed"] == "2026-11-28T14:00:00Z"
    assert _ask(desk, requested_start="2026-11-28T14:00:00Z").status_code == 201


@pytest.mark.django_db
def test_public_holidays_at_the_site_count_like_a_weekend(desk, time_machine):
    """Madrid is closed on Monday 7 and Tuesday 8 December 2026; Frankfurt is open."""
    time_machine.move_to("2026-12-04T14:00:00Z", tick=False)  # Friday 15:00 in both
    madrid = _ask(desk, site=desk.madrid.pk, requested_start="2026-12-09T09:00:00Z")
    assert madrid.json()["earliest_allowed"] == "2026-12-10T14:00:00Z"  # Fri 9 h + Wed 24 h + Thu 15 h
    frankfurt = _ask(desk, site=desk.frankfurt.pk, requested_start="2026-12-07T09:00:00Z")
    assert frankfurt.json()["earliest_allowed"] == "2026-12-08T14:00:00Z"  # Fri 9 h + Mon 24 h + Tue 15 h
    on_the_holiday = _ask(desk, site=desk.madrid.pk, requested_start="2026-12-08T09:00:00Z")
    assert on_the_holiday.json()["requested_start"][0].startswith(
        "Too early: work on a weekend or public holiday at Madrid needs 5 days' notice"
    )
    assert on_the_holiday.json()["earliest_allowed"] == "2026-12-10T14:00:00Z"
    assert _ask(desk, site=desk.madrid.pk, requested_start="2026-12-10T14:00:00Z").status_code == 201


@pytest.mark.django_db
def test_an_item_may_need_more_than_48_hours(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)  # Wednesday, 09:00 in London
    answers = {"source": "10.40.0.0/24", "destination": "203.0.113.45", "rule_action": "allow"}
    response = _ask(desk, BOB, item="firewall-rule", site=desk.london.pk, answers=answers,
                    requested_start="2026-11-20T09:00:00Z")  # fmt: skip
    assert response.json()["earliest_allowed"] == "2026-11-23T09:00:00Z"  # Wed 15 h, Thu 24, Fri 24, Mon 9
    assert "needs 72 hours' notice" in response.json()["requested_start"][0]


@pytest.mark.django_db
def test_the_answers_are_checked_against_the_items_fields(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    response = _ask(
        desk, BOB, item="firewall-rule", site=desk.london.pk, requested_start="2026-12-01T09:00:00Z",
        answers={"destination": "", "rule_action": "maybe", "colour": "red"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {
        "answers.colour": ["This request has no such field."],
        "answers.source": ["Source is required."],
        "answers.destination": ["Destination is required."],
        "answers.rule_action": ["Choose one of: allow, deny."],
    }
    numbers = _ask(desk, item="port-config", service="NW-MPLS-1001", requested_start="2026-12-01T09:00:00Z",
                   answers={"port": "ge-0/0/3", "vlan": "a hundred"})  # fmt: skip
    assert numbers.json() == {"answers.vlan": ["Give a number."]}
    ok = _ask(desk, item="port-config", service="NW-MPLS-1001", requested_start="2026-12-01T09:00:00Z",
              answers={"port": "ge-0/0/3", "vlan": "120"})  # fmt: skip
    assert ok.status_code == 201
    assert (ok.json()["answers"], ok.json()["site"]["name"]) == ({"port": "ge-0/0/3", "vlan": 120.0}, "Frankfurt")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "fields", "errors"),
    [
        (ALICE, lambda d: {"item": "teleport"}, {"item": ["There is no such item in the catalogue."]}),
        (ALICE, lambda d: {"item": "dns-change"}, {"item": ["There is no such item in the catalogue."]}),  # Bluepeak's
        (ALICE, lambda d: {"site": d.london.pk}, {"site": ["There is no such site."]}),
        (ALICE, lambda d: {"site": None, "service": "NW-INET-3001"}, {"service": ["There is no service NW-INET-3001."]}),
        (ALICE, lambda d: {"service": "NW-MPLS-2001"}, {"site": ["The service is at another site."]}),
        (DAVE, lambda d: {}, {"site": ["No existe esa sede."]}),
        (ALICE, lambda d: {"requested_start": "next week"}, {"requested_start": [
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
    ],
)  # fmt: skip
def test_invalid_requests_name_each_bad_field_and_nothing_is_written(desk, time_machine, who, fields, errors):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    payload = {"requested_start": "2026-12-01T09:00:00Z", **fields(desk)}
    if payload.get("site") is None:
        payload.pop("site", None)
    response = _ask(desk, who, **payload)
    assert (response.status_code, response.json()) == (400, errors)
    assert _count(desk) == 0


@pytest.mark.django_db
def test_the_desk_completes_a_request_at_the_quoted_price_or_says_why_not(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    first = _ask(desk, requested_start="2026-11-23T08:00:00Z").json()["ssr_id"]
    second = _ask(desk, requested_start="2026-11-23T08:00:00Z").json()["ssr_id"]
    early = api(desk, AGENT).post(f"/api/v1/ssrs/{first}/complete/", {}, format="json")
    assert (early.status_code, early.json()["detail"]) == (
        409,
        "The work cannot be completed before its requested start.",
    )
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)
    assert api(desk, ALICE).post(f"/api/v1/ssrs/{first}/complete/", {}, format="json").status_code == 403
    done = api(desk, AGENT).post(f"/api/v1/ssrs/{first}/complete/", {}, format="json").json()
    assert (done["status"], done["price"], done["completed_at"]) == ("completed", "40.00", "2026-11-23T10:00:00Z")
    assert done["completed_by"]["name"] == "Lena Fischer"
    no_note = api(desk, AGENT).post(f"/api/v1/ssrs/{second}/complete/", {"price": "60.00"}, format="json")
    assert no_note.json() == {"note": ["Say why the price differs from the quote."]}
    dearer = (
        api(desk, AGENT)
        .post(f"/api/v1/ssrs/{second}/complete/", {"price": "60.00", "note": "Two routers restarted."}, format="json")
        .json()
    )
    assert (dearer["price"], dearer["completion_note"]) == ("60.00", "Two routers restarted.")
    again = api(desk, AGENT).post(f"/api/v1/ssrs/{second}/complete/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


@pytest.mark.django_db
def test_a_customer_cancels_only_before_the_work_starts(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ssr = _ask(desk, requested_start="2026-11-23T08:00:00Z").json()
    assert ssr["actions"] == ["cancel"]
    assert list(api(desk, ALICE).post(f"/api/v1/ssrs/{ssr['ssr_id']}/cancel/", {}, format="json").json()) == ["reason"]
    time_machine.move_to("2026-11-23T08:00:00Z", tick=False)
    assert api(desk, ALICE).get(f"/api/v1/ssrs/{ssr['ssr_id']}/").json()["actions"] == []
    late = api(desk, ALICE).post(f"/api/v1/ssrs/{ssr['ssr_id']}/cancel/", {"reason": "Not needed"}, format="json")
    assert late.status_code == 403
    cancelled = api(desk, AGENT).post(f"/api/v1/ssrs/{ssr['ssr_id']}/cancel/", {"reason": "Site closed"}, format="json")
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Site closed")


@pytest.mark.django_db
def test_ssr_ids_are_per_tenant(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    assert _ask(desk, requested_start="2026-12-01T09:00:00Z").json()["ssr_id"] == "SSR-000001"
    assert _ask(desk, BOB, site=desk.london.pk, requested_start="2026-12-01T09:00:00Z").json()["ssr_id"] == "SSR-000002"
    carol = api(desk, CAROL).post(
        "/api/v1/ssrs/",
        {"item": "remote-reboot", "site": desk.barcelona.pk, "requested_start": "2026-12-01T09:00:00Z"},
        format="json",
    )
    assert carol.json()["ssr_id"] == "SSR-000001"


@pytest.mark.django_db
def test_the_catalogue_shows_items_in_the_readers_language_and_hides_withdrawn_ones(desk):
    with tenant_context(desk.northwind):
        CatalogueItem.objects.filter(code="onsite-visit").update(is_active=False)
    customer = [item["code"] for item in api(desk, ALICE).get("/api/v1/ssr-catalogue/").json()["results"]]
    assert customer == ["port-config", "firewall-rule", "cpe-reboot"]
    assert len(api(desk, AGENT).get("/api/v1/ssr-catalogue/").json()["results"]) == 4
    firewall = api(desk, DAVE).get("/api/v1/ssr-catalogue/firewall-rule/").json()
    assert (firewall["price"], firewall["lead_time_hours"]) == ("75.00", 72)
    assert [(d["name"], d["label"], d["required"]) for d in firewall["details"]] == [
        ("source", "Origen", True), ("destination", "Destino", True), ("rule_action", "Permitir o denegar", True),
    ]  # fmt: skip
    assert api(desk, ALICE).get("/api/v1/ssr-catalogue/onsite-visit/").status_code == 404
    assert api(desk, BLUEPEAK_AGENT).get("/api/v1/ssr-catalogue/port-config/").status_code == 404
