"""The date rules on the delivery site's national holidays: the deadline for confirming the
exact delivery date (15 business days after confirmation for standard orders, 25 for ICB)
and the lead-time calculator (country × bandwidth × supplier). Checked against a reference
that counts weekdays by hand, skipping the public holidays listed below."""

import datetime as dt

import pytest

from orders import dates
from orders.models import LeadTime, Order, Supplier
from orders.selectors import best_lead_time
from servicedesk.models import Site
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import ADMIN, AGENT, ALICE, BLUEPEAK_AGENT, MANAGER, act, api, place

# Public holidays between mid-December 2026 and the end of January 2027, by region:
HOLIDAYS = {
    # Hesse: Christmas Day, Second Day of Christmas (a Saturday), New Year's Day. No Epiphany
    # (that is Bavaria's, Baden-Württemberg's and Saxony-Anhalt's), Christmas Eve is a working day.
    "DE-HE": {dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 1, 1)},
    # England: Boxing Day falls on a Saturday, so the bank holiday is Monday 28 December.
    "GB-ENG": {dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2027, 1, 1)},
    # Madrid: Christmas Day, New Year's Day, Epiphany (Wednesday 6 January).
    "ES-MD": {dt.date(2026, 12, 25), dt.date(2027, 1, 1), dt.date(2027, 1, 6)},
    # Mexico: Christmas Day, New Year's Day (Constitution Day is in February).
    "MX": {dt.date(2026, 12, 25), dt.date(2027, 1, 1)},
}

SITES = {
    "DE-HE": ("DE", "HE", "Europe/Berlin"),
    "GB-ENG": ("GB", "ENG", "Europe/London"),
    "ES-MD": ("ES", "MD", "Europe/Madrid"),
    "MX": ("MX", "", "America/Mexico_City"),
}


def _reference(region: str, day: dt.date, n: int) -> dt.date:
    """The n-th weekday after ``day`` that is not one of the region's holidays above."""
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS[region]:
            n -= 1
    return day


# The calendar author's figures for an order confirmed on Friday 18 December 2026.
EXPECTED = {
    ("DE-HE", 15): dt.date(2027, 1, 12),
    ("GB-ENG", 15): dt.date(2027, 1, 13),
    ("ES-MD", 15): dt.date(2027, 1, 13),
    ("MX", 15): dt.date(2027, 1, 12),
    ("DE-HE", 25): dt.date(2027, 1, 26),
    ("GB-ENG", 25): dt.date(2027, 1, 27),
    ("ES-MD", 25): dt.date(2027, 1, 27),
    ("MX", 25): dt.date(2027, 1, 26),
}


@pytest.mark.parametrize(("region", "days"), list(EXPECTED))
def test_the_confirmation_deadline_counts_the_sites_business_days(region, days):
    country, subdivision, zone = SITES[region]
    site = Site(country=country, subdivision=subdivision, time_zone=zone)
    confirmed = dt.date(2026, 12, 18)
    deadline = dates.confirmation_deadline(dates.site_calendar(site), confirmed, days)
    assert deadline == _reference(region, confirmed, days) == EXPECTED[(region, days)]


@pytest.mark.parametrize(
    ("kind", "days"),
    [(Order.Kind.STANDARD, 15), (Order.Kind.ICB, 25), (Order.Kind.AUTOMATED, 15), (Order.Kind.LEASED_LINE, 25)],
)
def test_each_kind_has_its_confirmation_period(kind, days):
    assert Order.CONFIRMATION_BUSINESS_DAYS[kind] == days


@pytest.mark.django_db
def test_an_icb_order_confirmed_on_18_december_2026_for_frankfurt(desk, time_machine):
    """Confirmed at 17:30 in Frankfurt on Friday 18 December: the exact delivery date is due by
    Tuesday 26 January 2027 (25 business days, Christmas Day and New Year's Day skipped)."""
    time_machine.move_to("2026-12-18T09:00:00Z", tick=False)
    number = place(desk, kind="icb", title="Bespoke MPLS core for Frankfurt")["number"]
    time_machine.move_to("2026-12-18T16:30:00Z", tick=False)
    body = act(desk, MANAGER, number, "validate").json()
    assert body["confirmed_at"] == "2026-12-18T16:30:00Z"
    assert body["confirmation_due_on"] == "2027-01-26" == _reference("DE-HE", dt.date(2026, 12, 18), 25).isoformat()
    # Lead time DE 101–1000 Mbit/s, any supplier: 30 business days.
    assert body["estimated_delivery_on"] == _reference("DE-HE", dt.date(2026, 12, 18), 30).isoformat() == "2027-02-02"


@pytest.mark.django_db
def test_the_confirmation_day_is_the_sites_local_date(desk, time_machine):
    """23:30 UTC on Thursday 17 December is already Friday 18 December in Frankfurt: the
    business days are counted from the Friday."""
    time_machine.move_to("2026-12-17T09:00:00Z", tick=False)
    number = place(desk)["number"]
    time_machine.move_to("2026-12-17T23:30:00Z", tick=False)
    body = act(desk, MANAGER, number, "validate").json()
    assert body["confirmation_due_on"] == _reference("DE-HE", dt.date(2026, 12, 18), 15).isoformat() == "2027-01-12"
    assert _reference("DE-HE", dt.date(2026, 12, 17), 15).isoformat() == "2027-01-11"  # what UTC would have given


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("site", "kind", "bandwidth", "due", "estimate"),
    [
        # London, standard, 200 Mbit/s: GB ≤1000 Mbit/s any supplier, 25 business days.
        ("london", "standard", 200, "GB-ENG", ("GB-ENG", 25)),
        # Madrid, ICB, 50 Mbit/s: ES ≤100 Mbit/s, 25 business days.
        ("madrid", "icb", 50, "ES-MD", ("ES-MD", 25)),
        # Madrid, 10 Gbit/s: ES from 101 Mbit/s, 40 business days.
        ("madrid", "standard", 10_000, "ES-MD", ("ES-MD", 40)),
        # Frankfurt, no bandwidth (a voice service): only the any-bandwidth row, 15 days.
        ("frankfurt", "standard", None, "DE-HE", ("DE-HE", 15)),
    ],
)
def test_the_calculator_estimates_delivery_from_the_lead_time_table_and_holidays(
    desk, site, kind, bandwidth, due, estimate
):
    query = f"/api/v1/orders/delivery-estimate/?site={getattr(desk, site).pk}&kind={kind}&confirmed_on=2026-12-18"
    if bandwidth:
        query += f"&bandwidth_mbps={bandwidth}"
    body = api(desk, AGENT).get(query).json()
    confirmed = dt.date(2026, 12, 18)
    region, lead = estimate
    assert body == {
        "site": {"id": getattr(desk, site).pk, "name": getattr(desk, site).name},
        "kind": kind,
        "confirmed_on": "2026-12-18",
        "confirmation_due_on": _reference(due, confirmed, Order.CONFIRMATION_BUSINESS_DAYS[kind]).isoformat(),
        "lead_time_days": lead,
        "estimated_delivery_on": _reference(region, confirmed, lead).isoformat(),
    }


@pytest.mark.django_db
def test_a_suppliers_own_lead_time_beats_the_generic_one(desk):
    with tenant_context(desk.northwind):
        meseta = Supplier.objects.get(name="Meseta Access S.L.")
    url = f"/api/v1/orders/delivery-estimate/?site={desk.madrid.pk}&bandwidth_mbps=50&confirmed_on=2026-12-18"
    assert api(desk, AGENT).get(url).json()["lead_time_days"] == 25
    assert api(desk, AGENT).get(f"{url}&supplier={meseta.pk}").json()["lead_time_days"] == 45


@pytest.mark.django_db
def test_a_country_without_lead_times_has_no_estimate(desk):
    with tenant_context(desk.northwind):
        monterrey = Site.objects.create(
            tenant=desk.northwind, account=desk.acme, name="Monterrey", country="MX", time_zone="America/Monterrey"
        )
    body = (
        api(desk, ALICE)
        .get(f"/api/v1/orders/delivery-estimate/?site={monterrey.pk}&kind=icb&confirmed_on=2026-12-18")
        .json()
    )
    assert (body["confirmation_due_on"], body["lead_time_days"], body["estimated_delivery_on"]) == (
        "2027-01-26",
        None,
        None,
    )


@pytest.mark.django_db
def test_the_calculator_refuses_what_it_cannot_read(desk):
    response = api(desk, ALICE).get("/api/v1/orders/delivery-estimate/?kind=express&bandwidth_mbps=0")
    assert response.status_code == 400
    assert set(response.json()) == {"site", "kind", "bandwidth_mbps"}
    # Suppliers are the desk's business; another tenant's site is not there.
    assert api(desk, ALICE).get(f"/api/v1/orders/delivery-estimate/?site={desk.frankfurt.pk}&supplier=1").json() == {
        "supplier": ["There is no such supplier."]
    }
    assert api(desk, ALICE).get(f"/api/v1/orders/delivery-estimate/?site={desk.barcelona.pk}").status_code == 404


def _row(pk, country="DE", supplier=None, low=None, high=None, days=10):
    return LeadTime(pk=pk, country=country, supplier_id=supplier, min_mbps=low, max_mbps=high, business_days=days)


def test_the_most_specific_lead_time_wins():
    rows = [
        _row(1, days=15),  # any bandwidth, any supplier
        _row(2, low=1, high=1000, days=30),
        _row(3, low=101, high=1000, days=28),
        _row(4, low=500, high=500, days=21),  # exactly 500 Mbit/s
        _row(5, supplier=7, days=40),  # supplier 7, any bandwidth
        _row(6, low=1001, days=45),  # from 1001, open-ended
    ]
    pick = lambda bw, supplier=None: best_lead_time(rows, bandwidth_mbps=bw, supplier_id=supplier).pk  # noqa: E731
    assert pick(50) == 2  # a band beats "any bandwidth"
    assert pick(200) == 3  # the narrower band wins
    assert pick(500) == 4  # an exact bandwidth beats a band
    assert pick(10_000) == 6
    assert pick(None) == 1  # without a bandwidth only "any bandwidth" matches
    assert pick(500, supplier=7) == 5  # the supplier's own row beats any generic one
    assert pick(500, supplier=8) == 4  # another supplier's row never applies
    assert best_lead_time([_row(9, low=1, high=10)], bandwidth_mbps=50, supplier_id=None) is None


@pytest.mark.django_db
def test_administrators_keep_the_lead_time_table(desk):
    admin, manager = api(desk, ADMIN), api(desk, MANAGER)
    created = admin.post("/api/v1/lead-times/", {"country": "MX", "max_mbps": 100, "business_days": 35}, format="json")
    assert created.status_code == 201, created.json()
    row = created.json()
    assert row == {"id": row["id"], "country": "MX", "min_mbps": None, "max_mbps": 100, "supplier": None,
                   "business_days": 35}  # fmt: skip
    duplicate = admin.post(
        "/api/v1/lead-times/", {"country": "MX", "max_mbps": 100, "business_days": 20}, format="json"
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate")
    refused = manager.post("/api/v1/lead-times/", {"country": "MX", "business_days": 20}, format="json")
    assert refused.status_code == 403
    changed = admin.put(
        f"/api/v1/lead-times/{row['id']}/", {"country": "MX", "max_mbps": 100, "business_days": 30}, format="json"
    )
    assert changed.json()["business_days"] == 30
    assert api(desk, ALICE).get("/api/v1/lead-times/").json()["results"] == []  # the desk's business
    assert api(desk, BLUEPEAK_AGENT).get(f"/api/v1/lead-times/{row['id']}/").status_code == 404
    assert api(desk, BLUEPEAK_AGENT).delete(f"/api/v1/lead-times/{row['id']}/").status_code == 404
    assert admin.delete(f"/api/v1/lead-times/{row['id']}/").status_code == 204
    with tenant_context(desk.northwind):
        assert not LeadTime.objects.filter(country="MX").exists()


def test_a_region_the_holidays_package_does_not_know_falls_back_and_never_fails():
    friday = dt.date(2026, 12, 18)
    unknown_subdivision = dates.calendar_for("DE", "XX", "Europe/Berlin")
    assert (unknown_subdivision.country, unknown_subdivision.subdivision) == ("DE", None)
    assert dates.confirmation_deadline(unknown_subdivision, friday, 15) == _reference("DE-HE", friday, 15)
    nowhere = dates.calendar_for("XX", "", "UTC")
    assert nowhere.country is None
    assert dates.confirmation_deadline(nowhere, friday, 15) == dt.date(2027, 1, 8)  # weekdays only
