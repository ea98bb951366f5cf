"""GET /api/v1/reports/sla/ against the hand-computed history of tests/reports/conftest.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.models import ProductArea, Team
from servicedesk.tenancy import tenant_context
from tests.reports.conftest import PERIOD, build_history

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/sla/"


def _report(demo, who, **params):
    response = demo.api(who).get(URL, {**PERIOD, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def _targets(respond, callback, restore, rfo=(0, 0)):
    def figures(met, breached):
        attainment = None if met + breached == 0 else round(met / (met + breached), 4)
        return {"met": met, "breached": breached, "attainment": attainment}

    return {"respond": figures(*respond), "callback": figures(*callback), "restore": figures(*restore),
            "rfo": figures(*rfo)}  # fmt: skip


def test_the_managers_report_counts_each_target_in_the_period_it_was_decided(demo, history):
    assert _report(demo, "manager@northwind.example") == {
        "from": "2026-10-25",
        "to": "2026-10-31",
        # respond: met A (00:40 local on the 25th), F, E; breached C (31st 23:45 CET), H.
        # callback: met A; breached B (due 01:30 local on the 25th, B itself opened on the 24th).
        # restore: met B, F; breached A (met at 06:00 after its reopening, due 05:30).
        "targets": {
            "respond": {"met": 3, "breached": 2, "attainment": 0.6},
            "callback": {"met": 1, "breached": 1, "attainment": 0.5},
            "restore": {"met": 2, "breached": 1, "attainment": 0.6667},
            "rfo": {"met": 0, "breached": 0, "attainment": None},
        },
        # opened: A, C, E, F, H (B on the 24th and D on 1 November local are outside);
        # resolved: A (its last resolution), B, F.
        "tickets": {"opened": 5, "resolved": 3},
        "csat": {"responses": 0, "average": None},
    }


def test_days_are_the_tenants_not_utcs(demo, history):
    # The 24th in Berlin ends at 22:00Z: B (21:30Z) is in, A (22:30Z) is not.
    report = _report(demo, "manager@northwind.example", **{"from": "2026-10-24", "to": "2026-10-24"})
    assert report["tickets"] == {"opened": 1, "resolved": 0}
    assert report["targets"]["respond"] == {"met": 0, "breached": 1, "attainment": 0.0}
    # 1 November in Berlin begins at 23:00Z on the 31st (CET): D is in, C is not.
    report = _report(demo, "manager@northwind.example", **{"from": "2026-11-01", "to": "2026-11-01"})
    assert report["tickets"] == {"opened": 1, "resolved": 0}
    assert report["targets"]["respond"] == {"met": 1, "breached": 0, "attainment": 1.0}


def test_alice_sees_her_accounts_tickets_only(demo, history):
    report = _report(demo, "alice@acme.example")
    assert report["targets"] == _targets(respond=(2, 2), callback=(1, 1), restore=(2, 1))
    assert report["tickets"] == {"opened": 4, "resolved": 3}
    # Another account's id narrows her own tickets to none; it never opens Globex's.
    report = _report(demo, "alice@acme.example", account=str(demo.globex.pk))
    assert report["targets"] == _targets(respond=(0, 0), callback=(0, 0), restore=(0, 0))
    assert report["tickets"] == {"opened": 0, "resolved": 0}


def test_dave_restricted_to_madrid_sees_madrid_only(demo, history):
    report = _report(demo, "dave@acme.example")
    assert report["targets"] == _targets(respond=(1, 0), callback=(0, 0), restore=(1, 0))
    assert report["tickets"] == {"opened": 1, "resolved": 1}
    frankfurt = _report(demo, "dave@acme.example", site=str(demo.frankfurt.pk))
    assert frankfurt["tickets"] == {"opened": 0, "resolved": 0}


def test_bob_and_the_other_tenant_see_their_own(demo, history):
    assert _report(demo, "bob@globex.example")["targets"] == _targets(respond=(1, 0), callback=(0, 0), restore=(0, 0))
    bluepeak = _report(demo, "agent@bluepeak.example")
    assert bluepeak["targets"] == _targets(respond=(1, 0), callback=(0, 0), restore=(0, 0))
    assert bluepeak["tickets"] == {"opened": 1, "resolved": 0}
    # Northwind's account id in Bluepeak's report finds nothing of Northwind.
    assert _report(demo, "agent@bluepeak.example", account=str(demo.acme.pk))["tickets"] == {"opened": 0, "resolved": 0}


def test_each_filter_narrows_the_figures(demo, history):
    manager = "manager@northwind.example"
    with tenant_context(demo.northwind):
        voice = ProductArea.objects.get(slug="voice")
        data = ProductArea.objects.get(slug="data-ip-ict")
        team = Team.objects.get(name="Voice desk")
    complaints = _report(demo, manager, kind="complaint")
    assert complaints["targets"] == _targets(respond=(0, 1), callback=(0, 0), restore=(0, 0))
    assert complaints["tickets"] == {"opened": 1, "resolved": 0}
    assert _report(demo, manager, product_area=str(voice.pk))["targets"] == complaints["targets"]
    # Data/IP/ICT: every incident (MPLS and internet services).
    assert _report(demo, manager, product_area=str(data.pk))["targets"] == _targets(
        respond=(3, 1), callback=(1, 1), restore=(2, 1)
    )
    assert _report(demo, manager, site=str(demo.madrid.pk))["tickets"] == {"opened": 1, "resolved": 1}
    assert _report(demo, manager, account=str(demo.globex.pk))["tickets"] == {"opened": 1, "resolved": 0}
    assert _report(demo, manager, priority="P1,P2")["tickets"] == {"opened": 4, "resolved": 3}
    # Intake routes the voice complaint to the Voice desk, the incidents to Data/IP/ICT's.
    assert _report(demo, manager, team=str(team.pk))["tickets"] == complaints["tickets"]


def test_the_figures_agree_with_the_tickets_endpoint(demo, history):
    manager = demo.api("manager@northwind.example")
    tickets = manager.get("/api/v1/tickets/", {"status": "", "page_size": 100}).json()["results"]
    start, end = "2026-10-24T22:00:00Z", "2026-10-31T23:00:00Z"

    def within(instant):
        return instant is not None and start <= instant < end

    expected = {target: {"met": 0, "breached": 0} for target in ("respond", "callback", "restore", "rfo")}
    for ticket in tickets:
        for target, clock in ticket["sla"].items():
            if clock["state"] == "met" and within(clock["met_at"]):
                expected[target]["met"] += 1
            if clock["state"] == "breached" and within(clock["due_at"]):
                expected[target]["breached"] += 1
    report = _report(demo, "manager@northwind.example")
    assert {t: {k: v for k, v in f.items() if k != "attainment"} for t, f in report["targets"].items()} == expected
    assert report["tickets"] == {
        "opened": sum(within(t["created_at"]) for t in tickets),
        "resolved": sum(within(t["resolved_at"]) for t in tickets),
    }


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "2026-13-01", "to": "2026-10-31"}, {"from"}),
        ({"from": "yesterday", "to": "31.10.2026"}, {"from", "to"}),
        ({"from": "2026-10-31", "to": "2026-10-01"}, {"to"}),
        ({"from": "2024-01-01", "to": "2026-10-31"}, {"to"}),
        (
            {"account": "acme", "site": "-1", "team": "9" * 30, "product_area": "1.5"},
            {"account", "site", "team", "product_area"},
        ),
        ({"priority": "P9", "kind": "incident,outage"}, {"priority", "kind"}),
    ],
)
def test_bad_parameters_are_a_400_naming_each(demo, params, fields):
    response = demo.api("manager@northwind.example").get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_without_a_period_the_report_is_the_current_month_so_far(demo, time_machine):
    time_machine.move_to("2026-11-02T09:00:00Z", tick=False)
    report = _report_raw = demo.api("manager@northwind.example").get(URL).json()
    assert (report["from"], report["to"]) == ("2026-11-01", "2026-11-02")
    assert _report_raw["tickets"] == {"opened": 0, "resolved": 0}


def test_signed_out_callers_get_no_report(demo):
    from rest_framework.test import APIClient

    assert APIClient().get(URL, PERIOD).status_code in (401, 403)


def test_the_number_of_queries_does_not_grow_with_the_tickets(demo, time_machine):
    def queries(who, **params):
        client = demo.api(who)
        client.get(URL, {**PERIOD, **params})  # what a first request loads once (the tenant's cached reference data)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {**PERIOD, **params}).status_code == 200
        return len(captured)

    empty = {who: queries(who) for who in ("manager@northwind.example", "dave@acme.example")}
    filtered_empty = queries("manager@northwind.example", kind="incident", site=str(demo.frankfurt.pk))
    build_history(demo, time_machine)
    assert {who: queries(who) for who in empty} == empty
    assert queries("manager@northwind.example", kind="incident", site=str(demo.frankfurt.pk)) == filtered_empty
