"""Orders' inputs at the edges: billing months, dates near the ends of the calendar in SSR
starts, delivery estimates and plans, the SSR's answers (NUL characters, numbers JSON cannot
store, numbers outside a field's bounds). Each is a 400 naming the field, never a 500."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import SimpleServiceRequest
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import ADMIN, AGENT, ALICE, MANAGER, NOW, api, place

DATES = "Give a date between 2000-01-01 and 2099-12-31."
MONTHS = "Give a month between 2000-01 and 2099-12."
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ssrs(desk) -> int:
    with tenant_context(desk.northwind):
        return SimpleServiceRequest.objects.count()


def _ask(desk, **fields):
    payload = {
        "item": "port-config",
        "service": "NW-MPLS-1001",
        "requested_start": "2026-12-01T09:00:00Z",
        "answers": {"port": "ge-0/0/3"},
        **fields,
    }
    return api(desk, ALICE).post("/api/v1/ssrs/", payload, format="json")


# --- Billing months -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("0000-01", MONTHS),
        ("1999-12", MONTHS),
        ("9999-12", MONTHS),
        ("2100-01", MONTHS),
        ("٢٠٢٦-١١", "This value does not match the required pattern."),  # Arabic-Indic digits
        ("２０２６-１１", "This value does not match the required pattern."),  # full-width digits
        ("2026-13", "This value does not match the required pattern."),
    ],
)
def test_a_billing_month_outside_the_desks_years_or_in_other_digits_is_a_400(desk, month, message):
    response = api(desk, AGENT).get("/api/v1/billing/ssr/", {"month": month})
    assert (response.status_code, response.json()) == (400, {"month": [message]})


@pytest.mark.django_db
def test_the_first_and_last_billing_months_of_the_desks_years_are_reports(desk):
    for month in ("2000-01", "2099-12"):
        response = api(desk, AGENT).get("/api/v1/billing/ssr/", {"month": month})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="ssr-billing-{month}.csv"'


@pytest.mark.django_db
@FUZZ
@given(
    month=st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12), st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z")
    )
)
def test_no_billing_month_is_a_server_error(desk, month):
    response = api(desk, AGENT).get("/api/v1/billing/ssr/", {"month": month})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert list(response.json()) == ["month"]


# --- Dates near the ends of the calendar ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["9999-12-31T23:59:59Z", "9999-12-31T20:00:00-05:00", "0001-01-01T00:00:00Z"])
def test_an_ssr_start_outside_the_desks_years_is_a_400_naming_it(desk, time_machine, start):
    time_machine.move_to(NOW, tick=False)
    response = _ask(desk, requested_start=start)
    assert response.status_code == 400
    assert list(response.json()) == ["requested_start"]
    assert _ssrs(desk) == 0


@pytest.mark.django_db
def test_an_ssr_start_at_the_end_of_the_desks_years_is_confirmed(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert _ask(desk, requested_start="2099-12-31T23:00:00Z").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-20", "0001-01-01", "2100-01-01"])
def test_a_delivery_estimate_for_a_day_outside_the_desks_years_is_a_400(desk, day):
    response = api(desk, AGENT).get(
        "/api/v1/orders/delivery-estimate/", {"site": desk.frankfurt.pk, "kind": "icb", "confirmed_on": day}
    )
    assert (response.status_code, response.json()) == (400, {"confirmed_on": [DATES]})


@pytest.mark.django_db
@FUZZ
@given(day=st.dates(), kind=st.sampled_from(["standard", "icb"]))
def test_every_date_has_a_delivery_estimate_or_a_400(desk, day, kind):
    response = api(desk, AGENT).get(
        "/api/v1/orders/delivery-estimate/", {"site": desk.madrid.pk, "kind": kind, "confirmed_on": day.isoformat()}
    )
    inside = dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31)
    assert response.status_code == (200 if inside else 400), response.json()


@pytest.mark.django_db
def test_an_order_date_outside_the_desks_years_is_a_400_naming_it(desk):
    number = place(desk)["number"]
    order = api(desk, MANAGER).get(f"/api/v1/orders/{number}/").json()
    plan = api(desk, MANAGER).patch(
        f"/api/v1/orders/{number}/", {"version": order["version"], "planned": {"configuration": "9999-12-31"}},
        format="json",
    )  # fmt: skip
    assert (plan.status_code, plan.json()) == (400, {"planned": {"configuration": [DATES]}})
    committed = api(desk, MANAGER).post(
        f"/api/v1/orders/{number}/delivery-date/", {"date": "9999-12-31"}, format="json"
    )
    assert (committed.status_code, committed.json()) == (400, {"date": [DATES]})
    assert api(desk, MANAGER).get(f"/api/v1/orders/{number}/").json()["version"] == order["version"]


# --- The SSR's answers --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"port": "ge-0/0/3\x00"}, {"answers": ["Text may not contain NUL characters."]}),
        ({"port": "ge-0/0/3", "vlan": "12\x00"}, {"answers": ["Text may not contain NUL characters."]}),
        ({"port": "ge-0/0/3", "vlan": -1}, {"answers.vlan": ["Give a number from 1 to 4094."]}),
        ({"port": "ge-0/0/3", "vlan": 4095}, {"answers.vlan": ["Give a number from 1 to 4094."]}),
        ({"port": "ge-0/0/3", "vlan": "nan"}, {"answers.vlan": ["Give a number."]}),
        ({"port": "ge-0/0/3", "vlan": "-inf"}, {"answers.vlan": ["Give a number."]}),
        ({"port": "ge-0/0/3", "vlan": "1e999"}, {"answers.vlan": ["Give a number."]}),
        ({"port": "ge-0/0/3", "vlan": 10**300}, {"answers": [f"Give a number between {-(2**63)} and {2**63 - 1}."]}),
    ],
)
def test_ssr_answers_the_database_cannot_store_or_the_field_does_not_take_are_refused(
    desk, time_machine, answers, errors
):
    time_machine.move_to(NOW, tick=False)
    response = _ask(desk, answers=answers)
    assert (response.status_code, response.json()) == (400, errors)
    assert _ssrs(desk) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("vlan", [1, 4094, "120"])
def test_a_vlan_within_its_bounds_is_taken(desk, time_machine, vlan):
    time_machine.move_to(NOW, tick=False)
    response = _ask(desk, answers={"port": "ge-0/0/3", "vlan": vlan})
    assert response.status_code == 201, response.json()
    assert response.json()["answers"]["vlan"] == float(vlan)


# --- Integers beyond their column -----------------------------------------------------------


@pytest.mark.django_db
def test_a_lead_time_beyond_its_columns_is_a_400_naming_them(desk):
    row = api(desk, ADMIN).post(
        "/api/v1/lead-times/", {"country": "DE", "min_mbps": 2**40, "business_days": 10}, format="json"
    )
    assert (row.status_code, set(row.json())) == (400, {"min_mbps"})


@pytest.mark.django_db
def test_more_answers_than_any_form_has_are_refused_at_once(desk):
    response = _ask(desk, answers={f"k{n}": "v" for n in range(10_000)})
    assert (response.status_code, response.json()) == (400, {"answers": ["At most 100 answers."]})
    assert _ssrs(desk) == 0
