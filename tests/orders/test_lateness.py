"""Orders late against the confirmation deadline or the committed delivery date are flagged,
computed on read from the clock, by the delivery site's own date."""

import pytest

from tests.orders.conftest import AGENT, ALICE, BOB, PATHS, advance, api, commit, place, walk


def _flags(desk, number, who=AGENT):
    body = api(desk, who).get(f"/api/v1/orders/{number}/").json()
    return body["late_confirmation"], body["late_delivery"]


def _late(desk, who=AGENT, value="true"):
    return [o["number"] for o in api(desk, who).get(f"/api/v1/orders/?late={value}").json()["results"]]


@pytest.mark.django_db
def test_an_unconfirmed_delivery_date_is_late_once_the_deadline_day_has_ended_at_the_site(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    frankfurt = place(desk, ALICE)["number"]
    london = place(
        desk, BOB, "london", lines=[{"service_type": "internet", "product": "Internet", "bandwidth_mbps": 200}]
    )["number"]
    advance(desk, frankfurt, "customer_coordination")
    advance(desk, london, "customer_coordination")
    # Both are due by Wednesday 9 December (15 business days, no holidays in between).
    assert api(desk, AGENT).get(f"/api/v1/orders/{london}/").json()["confirmation_due_on"] == "2026-12-09"

    time_machine.move_to("2026-12-09T22:59:00Z", tick=False)  # 23:59 in Frankfurt, 22:59 in London
    assert (_flags(desk, frankfurt), _flags(desk, london)) == ((False, False), (False, False))
    assert _late(desk) == []

    time_machine.move_to("2026-12-09T23:30:00Z", tick=False)  # 00:30 on the 10th in Frankfurt; London still the 9th
    assert (_flags(desk, frankfurt), _flags(desk, london)) == ((True, False), (False, False))
    assert _late(desk) == [frankfurt]
    assert _late(desk, value="false") == [london]
    assert _late(desk, ALICE) == [frankfurt]
    assert _late(desk, BOB) == []

    time_machine.move_to("2026-12-10T00:30:00Z", tick=False)
    assert _late(desk) == [london, frankfurt]
    assert commit(desk, AGENT, frankfurt, "2026-12-21").status_code == 200  # confirmed late: no longer pending
    assert _flags(desk, frankfurt) == (False, False)
    assert _late(desk) == [london]


@pytest.mark.django_db
def test_an_order_not_handed_over_by_the_committed_date_is_late(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = place(desk, ALICE)["number"]
    advance(desk, number, "delivery")  # committed to Tuesday 15 December
    time_machine.move_to("2026-12-15T22:59:00Z", tick=False)
    assert _flags(desk, number) == (False, False)
    time_machine.move_to("2026-12-15T23:00:00Z", tick=False)  # midnight in Frankfurt
    assert _flags(desk, number) == (False, True)
    assert _late(desk) == [number]
    walk(desk, number, [("hold", "Waiting for the landlord.")])
    assert _flags(desk, number) == (False, True)  # holding does not excuse the date


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["handed_over", "billing_started", "cancelled"])
def test_delivered_and_cancelled_orders_are_never_late(desk, time_machine, status):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = place(desk, ALICE)["number"]
    advance(desk, number, "validated")
    walk(desk, number, PATHS[status][1:] if status != "cancelled" else PATHS[status])
    time_machine.move_to("2027-06-01T09:00:00Z", tick=False)
    assert _flags(desk, number) == (False, False)
    assert _late(desk) == []
    assert _late(desk, value="false") == [number]
