"""The in-database settle path of the SLA sweep (PostgreSQL, the system connection) meets
the same rules as the per-tenant path in test_sla_sweep.py. Transactional: the system
connection sees committed rows only."""

import datetime as dt

import pytest

from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tickets.models import SlaAlert, SlaClock, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.sla_sweep import sweep_sla_clocks

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "system"])
UTC = dt.UTC


@pytest.fixture
def world(time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
                urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
    return northwind, ticket


def _alerts(tenant):
    with tenant_context(tenant):
        return sorted(SlaAlert.objects.values_list("clock__target", "kind"))


def _sweep(**at):
    return sweep_sla_clocks(now=dt.datetime(2026, 11, 18, tzinfo=UTC).replace(**at), in_database=True)


def test_it_warns_at_80_percent_then_breaches_at_the_due_instant(world):
    northwind, ticket = world
    assert (_sweep(hour=9, minute=11).warnings, _sweep(hour=9, minute=11).breaches) == (0, 0)
    assert (_sweep(hour=9, minute=12).warnings, _alerts(northwind)) == (1, [("respond", "warning")])
    result = _sweep(hour=9, minute=15)
    assert (result.warnings, result.breaches) == (0, 1)
    with tenant_context(northwind):
        clock = SlaClock.objects.get(ticket=ticket, target="respond")
        events = list(
            TicketEvent.objects.filter(ticket=ticket, kind__startswith="sla_").values_list("kind", "field", "to_value")
        )
    assert (clock.state, clock.breached_at, clock.next_check_at) == (
        "breached",
        dt.datetime(2026, 11, 18, 9, 15, tzinfo=UTC),
        None,
    )
    assert clock.warned_at == dt.datetime(2026, 11, 18, 9, 12, tzinfo=UTC)
    assert events == [
        ("sla_warning", "respond", "2026-11-18T09:15:00.000000+00:00"),
        ("sla_breach", "respond", "2026-11-18T09:15:00.000000+00:00"),
    ]


def test_after_a_warning_the_next_check_is_the_due_instant(world):
    northwind, ticket = world
    _sweep(hour=9, minute=13)
    with tenant_context(northwind):
        clock = SlaClock.objects.get(ticket=ticket, target="respond")
    assert (clock.state, clock.next_check_at) == ("running", dt.datetime(2026, 11, 18, 9, 15, tzinfo=UTC))


def test_sweeping_again_records_nothing_twice(world):
    northwind, _ticket = world
    first, second = _sweep(hour=9, minute=20), _sweep(hour=9, minute=20)
    assert (first.warnings, first.breaches) == (1, 1)
    assert (second.clocks, second.warnings, second.breaches) == (0, 0, 0)
    assert _alerts(northwind) == [("respond", "breach"), ("respond", "warning")]


def test_after_an_outage_one_sweep_catches_up(world):
    northwind, _ticket = world
    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 19, 9, 0, tzinfo=UTC), in_database=True)
    assert (result.warnings, result.breaches) == (3, 3)
    assert len(_alerts(northwind)) == 6


def test_met_and_paused_clocks_are_not_swept(world):
    northwind, ticket = world
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(northwind):
        transition_ticket(ticket=ticket, actor=agent, action="start_work")
        transition_ticket(ticket=ticket, actor=agent, action="wait_for_customer")
    sweep_sla_clocks(now=dt.datetime(2026, 11, 19, 9, 0, tzinfo=UTC), in_database=True)
    assert _alerts(northwind) == [("callback", "breach"), ("callback", "warning")]


def test_the_alerts_of_a_batch_are_mailed_once(world, mailoutbox):
    from config.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        _sweep(hour=9, minute=16)
        _sweep(hour=9, minute=16)
    finally:
        celery_app.conf.task_always_eager = before
    assert sorted(m.subject for m in mailoutbox) == [
        "SLA breached: INC-000001 Response (ticket number confirmed)",
        "SLA warning: INC-000001 Response (ticket number confirmed)",
    ]
