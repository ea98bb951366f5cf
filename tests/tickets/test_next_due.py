"""A ticket's ``next_due_at`` and ``next_warn_at`` always equal what its clocks say: the
earliest due and warning instants of the clocks that count (running, or breached and not
met). Hypothesis drives a ticket through any sequence of what changes clocks (transitions,
priority changes, call-backs, a customer's reply while waiting, reasons for outage, the
sweep, time passing) and compares after every step with a direct reading of the clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Min
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.tenancy import tenant_context
from tickets.models import Rfo, SlaClock, Ticket
from tickets.services.conversation import add_comment, log_callback
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import ACTIONS, transition_ticket
from tickets.services.problems import publish_rfo, request_rfo
from tickets.services.sla_sweep import sweep_sla_clocks
from tickets.services.updates import override_priority

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
START = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)  # a Wednesday morning

STEPS = st.one_of(
    st.tuples(st.just("transition"), st.sampled_from(ACTIONS)),
    st.tuples(st.just("priority"), st.sampled_from(["P1", "P2", "P3", "P4"])),
    st.tuples(st.just("callback"), st.none()),
    st.tuples(st.just("customer_reply"), st.none()),
    st.tuples(st.just("rfo"), st.none()),
    st.tuples(st.just("sweep"), st.none()),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=6 * 60)),
)


def direct(ticket: Ticket) -> tuple[dt.datetime | None, dt.datetime | None]:
    counting = SlaClock.objects.filter(ticket=ticket, met_at__isnull=True, state__in=["running", "breached"])
    found = counting.aggregate(due=Min("due_at"), warn=Min("warn_at"))
    return found["due"], found["warn"]


def stored(ticket: Ticket) -> tuple[dt.datetime | None, dt.datetime | None]:
    return Ticket.objects.values_list("next_due_at", "next_warn_at").get(pk=ticket.pk)


def _open(alice, impact: str) -> Ticket:
    draft = TicketDraft(
        kind="incident", service_id="NW-MPLS-1001", subject="Link down", description="Down.", impact=impact,
        urgency="high", problem_started_at=START - dt.timedelta(hours=1),
        answers={"power_at_site": "yes", "symptom": "no_service"},
    )  # fmt: skip
    return open_ticket(actor=alice, draft=draft)


def _apply(step: tuple[str, object], ticket: Ticket, agent, alice, time_machine) -> None:
    kind, value = step
    fresh = Ticket.objects.get(pk=ticket.pk)
    try:
        if kind == "transition":
            transition_ticket(ticket=fresh, actor=agent, action=str(value), reason="Because.")
        elif kind == "priority":
            override_priority(ticket=fresh, actor=agent, version=fresh.version, priority=str(value), reason="Test.")
        elif kind == "callback":
            log_callback(ticket=fresh, actor=agent)
        elif kind == "customer_reply":
            add_comment(ticket=fresh, actor=alice, body="Here is what you asked for.")
        elif kind == "rfo":
            rfo = Rfo.objects.filter(ticket=fresh).first() or request_rfo(ticket=fresh, actor=agent)
            publish_rfo(rfo=rfo, actor=agent, summary="A line card failed.")
        elif kind == "sweep":
            sweep_sla_clocks(in_database=False, tenant_ids=[ticket.tenant_id])
        else:
            time_machine.shift(dt.timedelta(minutes=int(str(value))))
    except (Conflict, InvalidInput, PermissionRefused):
        pass  # refused: nothing changed, and the invariant must hold all the same


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(impact=st.sampled_from(["outage", "none"]), steps=st.lists(STEPS, max_size=12))
def test_next_due_always_equals_the_clocks(demo, time_machine, impact, steps):
    time_machine.move_to(START, tick=False)
    alice, agent = demo.user(ALICE), demo.user(AGENT)
    with tenant_context(demo.northwind):
        ticket = _open(alice, impact)
        assert stored(ticket) == direct(ticket) != (None, None)
        for step in steps:
            _apply(step, ticket, agent, alice, time_machine)
            assert stored(ticket) == direct(ticket), step


@pytest.mark.django_db
def test_the_sweep_breaching_a_clock_keeps_it_counting_and_changes_nothing_on_the_ticket(demo, time_machine):
    time_machine.move_to(START, tick=False)
    with tenant_context(demo.northwind):
        ticket = _open(demo.user(ALICE), "outage")
        before = stored(ticket)
        time_machine.shift(dt.timedelta(days=3))
        sweep_sla_clocks(in_database=False, tenant_ids=[ticket.tenant_id])
        assert SlaClock.objects.filter(ticket=ticket, state="breached").count() == 3
        assert stored(ticket) == before == direct(ticket)


@pytest.mark.django_db
def test_waiting_for_the_customer_leaves_only_the_unmet_clocks_due(demo, time_machine):
    time_machine.move_to(START, tick=False)
    alice, agent = demo.user(ALICE), demo.user(AGENT)
    with tenant_context(demo.northwind):
        ticket = _open(alice, "outage")
        clocks = {c.target: c for c in SlaClock.objects.filter(ticket=ticket)}
        assert stored(ticket)[0] == clocks["respond"].due_at
        transition_ticket(ticket=ticket, actor=agent, action="start_work")
        log_callback(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent)
        assert stored(ticket)[0] == clocks["restore"].due_at
        transition_ticket(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, action="wait_for_customer")
        assert stored(ticket) == (None, None)
        transition_ticket(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, action="cancel", reason="Gone.")
        assert stored(ticket) == (None, None)
