"""The escalation sweep: levels by age (wall-clock and business time) and by SLA breach,
catch-up after an outage, exactly once, and two sweeps at once on PostgreSQL.

Demo thresholds (escalation/demo.py): P1 reaches level 1 at 30 min, 2 at 1 h, 3 at 2 h, 4 at
4 h, 5 at 8 h, wall-clock; an SLA breach takes it to at least level 2. P4 counts on the
Northwind office hours (Mon–Fri 08:30–17:00 Europe/Berlin): level 1 at 8 business hours."""

import threading

import pytest
from django.db import connections

from escalation.models import DiscoveryWatermark, EscalationAttempt, EscalationEvent, TicketEscalation
from escalation.services.sweep import sweep_escalations
from escalation.services.timers import sync_ticket_escalation
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tests.escalation.conftest import act, at, incident, level_of
from tickets.models import Ticket, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket


def _sweep(desk, when, **kwargs):
    return sweep_escalations(now=at(when), tenant_ids=[desk.northwind.pk], **kwargs)


def _events(ticket):
    with tenant_context(ticket.tenant_id):
        return list(
            EscalationEvent.objects.filter(ticket_id=ticket.pk)
            .order_by("round", "level")
            .values_list("level", "trigger", "is_skipped")
        )


def _attempts(ticket):
    with tenant_context(ticket.tenant_id):
        return list(
            EscalationAttempt.objects.filter(event__ticket_id=ticket.pk)
            .order_by("event__level", "number")
            .values_list("event__level", "number", "name")
        )


@pytest.fixture
def p1(desk, time_machine):
    """Acme's P1 outage opened Wednesday 18 November 2026 09:00 UTC, acknowledged at 09:01 (so
    the response target is met; the call-back falls due at 11:00, the restore at 13:00)."""
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(desk)
    time_machine.move_to("2026-11-18T09:01:00Z", tick=False)
    act(desk, ticket, "acknowledge")
    assert ticket.priority == "P1"
    return ticket


@pytest.mark.django_db
def test_a_p1_ticket_reaches_level_1_at_30_minutes_and_level_2_at_an_hour(desk, p1):
    result = _sweep(desk, "2026-11-18 09:29:59")
    assert (result.discovered, result.escalations) == (0, 0)  # its opening gave it its timer
    assert level_of(p1) == 0

    result = _sweep(desk, "2026-11-18 09:30")
    assert (result.escalations, result.skipped) == (1, 0)
    assert level_of(p1) == 1
    assert _events(p1) == [(1, "age", False)]
    # Level 1 of the ticket's product area (Data/IP/ICT), its first contact.
    assert _attempts(p1) == [(1, 1, "Nina Vogel")]

    _sweep(desk, "2026-11-18 10:00")
    assert level_of(p1) == 2
    assert _events(p1) == [(1, "age", False), (2, "age", False)]
    with tenant_context(desk.northwind):
        timer = TicketEscalation.objects.get(ticket=p1)
        line = TicketEvent.objects.filter(ticket=p1, field="escalation_level").values_list("from_value", "to_value")
        assert list(line) == [("0", "1"), ("1", "2")]
    # Next: level 2's contact must answer by 10:15; level 3 by age at 11:00.
    assert timer.next_check_at == at("2026-11-18 10:15")


@pytest.mark.django_db
def test_after_an_outage_the_ticket_goes_straight_to_the_level_its_age_warrants(desk, p1):
    """No sweep ran for four hours: one run takes the ticket to level 4; levels 1 to 3 are
    recorded as skipped and nobody there is asked."""
    result = _sweep(desk, "2026-11-18 13:05")
    assert (result.escalations, result.skipped) == (1, 3)
    assert level_of(p1) == 4
    assert _events(p1) == [(1, "age", True), (2, "age", True), (3, "age", True), (4, "age", False)]
    assert _attempts(p1) == [(4, 1, "Claudia Neumann")]


@pytest.mark.django_db
def test_an_sla_breach_takes_the_ticket_to_at_least_level_2(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(desk)  # not acknowledged: the response target (15 min) breaches at 09:15
    _sweep(desk, "2026-11-18 09:14")
    assert level_of(ticket) == 0
    _sweep(desk, "2026-11-18 09:15")
    assert level_of(ticket) == 2
    assert _events(ticket) == [(1, "breach", True), (2, "breach", False)]
    # The next breach-free step is by age: level 3 at 11:00 (a second breach adds nothing).
    _sweep(desk, "2026-11-18 10:59")
    assert level_of(ticket) == 2


@pytest.mark.django_db
def test_the_sweep_looks_at_a_timer_when_an_sla_clock_falls_due(desk, p1):
    """The timer's next check is the earliest of the next level by age, a running clock's due
    instant (while a breach could raise the level) and a pending acknowledgement."""
    _sweep(desk, "2026-11-18 09:05")
    with tenant_context(desk.northwind):
        assert TicketEscalation.objects.get(ticket=p1).next_check_at == at("2026-11-18 09:30")


@pytest.mark.django_db
def test_sweeping_again_records_nothing_twice(desk, p1):
    first = _sweep(desk, "2026-11-18 10:05")
    second = _sweep(desk, "2026-11-18 10:05")
    assert (first.escalations, first.skipped) == (1, 1)
    assert (second.timers, second.escalations, second.attempts) == (0, 0, 0)
    assert _events(p1) == [(1, "age", True), (2, "age", False)]


@pytest.mark.django_db
def test_a_resolved_ticket_is_not_escalated_and_its_timer_closes(desk, p1, time_machine):
    _sweep(desk, "2026-11-18 09:05")
    time_machine.move_to("2026-11-18T09:20:00Z", tick=False)
    act(desk, p1, "start_work")
    act(desk, p1, "resolve", reason="Line restored.")
    result = _sweep(desk, "2026-11-18 12:00")
    assert (result.timers, result.escalations) == (1, 0)
    assert level_of(p1) == 0
    with tenant_context(desk.northwind):
        timer = TicketEscalation.objects.get(ticket=p1)
    assert (timer.closed_at, timer.next_check_at) == (at("2026-11-18 12:00"), None)
    assert _sweep(desk, "2026-11-19 12:00").timers == 0


@pytest.mark.django_db
def test_a_reopened_ticket_escalates_again_from_its_reopening(desk, p1, time_machine):
    _sweep(desk, "2026-11-18 09:05")  # the ticket's timer starts
    time_machine.move_to("2026-11-18T09:20:00Z", tick=False)
    act(desk, p1, "start_work")
    act(desk, p1, "resolve", reason="Line restored.")
    with tenant_context(desk.northwind):
        timer = sync_ticket_escalation(ticket=p1, now=at("2026-11-18 09:20"))  # the tickets layer's hook
    assert (timer.closed_at, timer.next_check_at) == (at("2026-11-18 09:20"), None)
    time_machine.move_to("2026-11-18T10:00:00Z", tick=False)
    act(desk, p1, "reopen", who="alice@acme.example")
    with tenant_context(desk.northwind):
        sync_ticket_escalation(ticket=p1, now=at("2026-11-18 10:00"))  # the tickets layer's hook
    _sweep(desk, "2026-11-18 10:29")
    assert level_of(p1) == 0
    _sweep(desk, "2026-11-18 10:30")
    assert level_of(p1) == 1


@pytest.mark.django_db
def test_business_time_thresholds_count_only_office_hours(desk, time_machine):
    """A P4 enquiry opened Friday 20 November 2026 at 16:00 in Frankfurt (15:00 UTC): one office
    hour on Friday, seven on Monday from 08:30, so level 1 at Monday 15:30 local (14:30 UTC)."""
    time_machine.move_to("2026-11-20T15:00:00Z", tick=False)
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind):
        ticket = open_ticket(actor=alice, draft=TicketDraft(kind="enquiry", subject="Invoice", description="Copy?"))
    time_machine.move_to("2026-11-20T15:01:00Z", tick=False)
    act(desk, ticket, "acknowledge")
    assert ticket.priority == "P4"
    _sweep(desk, "2026-11-23 14:29")
    assert level_of(ticket) == 0
    _sweep(desk, "2026-11-23 14:30")
    assert level_of(ticket) == 1


@pytest.mark.django_db
def test_a_tenant_with_escalation_switched_off_is_not_swept(desk, p1):
    from escalation.models import EscalationSettings

    with tenant_context(desk.northwind):
        EscalationSettings.objects.update(is_enabled=False)
    result = sweep_escalations(now=at("2026-11-18 13:00"), tenant_ids=[desk.northwind.pk])
    assert (result.discovered, result.escalations) == (0, 0)
    assert level_of(p1) == 0


def _world_incident(alice, now):
    return open_ticket(
        actor=alice,
        draft=TicketDraft(
            kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
            urgency="high", answers={"power_at_site": "yes", "symptom": "no_service"},
            problem_started_at=at("2026-01-01 00:00"),
        ),
        now=now,
    )  # fmt: skip


def _a_ticket_in_each_of_two_tenants():
    """The demo world seeded (committed), then Acme's P1 outage at Northwind and Initech's
    enquiry at Bluepeak, both opened 18 November 2026 09:00 UTC."""
    seed_world()
    northwind, bluepeak = Tenant.objects.get(slug="northwind"), Tenant.objects.get(slug="bluepeak")
    with tenant_context(northwind):
        outage = _world_incident(User.objects.get(email="alice@acme.example"), at("2026-11-18 09:00"))
    with tenant_context(bluepeak):
        enquiry = open_ticket(
            actor=User.objects.get(email="carol@initech.example"),
            draft=TicketDraft(kind="enquiry", subject="Hola", description="Pregunta."),
            now=at("2026-11-18 09:00"),
        )
    return northwind, bluepeak, outage, enquiry


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_discovery_finds_new_tickets_of_every_tenant_from_its_watermark(monkeypatch):
    # Tickets that arrive without the tickets layer's event (imports, or before this app was
    # installed): discovery is what finds them.
    monkeypatch.setattr("tickets.events._handlers", [])
    monkeypatch.setattr("tickets.events._opened_handlers", [])
    northwind, bluepeak, first, other = _a_ticket_in_each_of_two_tenants()
    result = sweep_escalations(now=at("2026-11-18 09:05"))
    assert result.discovered == 2
    assert DiscoveryWatermark.objects.get().value == at("2026-11-18 09:05")
    with tenant_context(northwind):
        late = _world_incident(User.objects.get(email="alice@acme.example"), at("2026-11-18 09:20"))
        # Stamped before the last discovery less its 10-minute margin, committed only now: an
        # import. The daily full discovery finds it.
        backdated = _world_incident(User.objects.get(email="alice@acme.example"), at("2026-11-18 08:00"))
    result = sweep_escalations(now=at("2026-11-18 09:30"))
    assert result.discovered == 1
    with tenant_context(northwind):
        timers = set(TicketEscalation.objects.values_list("ticket_id", flat=True))
        assert timers == {first.pk, late.pk}
        assert Ticket.objects.get(pk=first.pk).escalation_level == 2  # response breached at 09:15
    with tenant_context(bluepeak):
        assert TicketEscalation.objects.filter(ticket=other).count() == 1
    from escalation.services.sweep import discover

    assert discover(now=at("2026-11-18 09:31"), full=True) == 1
    with tenant_context(northwind):
        assert TicketEscalation.objects.filter(ticket=backdated).count() == 1


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
@pytest.mark.parametrize("across", [True, False], ids=["across-tenants", "per-tenant"])
def test_after_its_first_full_batch_a_sweep_has_the_statistics_of_what_it_wrote_checked_once(monkeypatch, across):
    # A foreign-key check planned while the events table looked empty would scan it for the
    # rest of the sweep (servicedesk.db.statistics): the check comes before the second batch.
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        for _ in range(3):
            _world_incident(User.objects.get(email="alice@acme.example"), at("2026-11-18 09:00"))
    sweep_escalations(now=at("2026-11-18 09:01"), across_tenants=across)  # timers, nothing due yet
    checked = []
    monkeypatch.setattr("escalation.services.sweep.analyze_if_behind", lambda rows: checked.append(dict(rows)) or [])
    tenant_ids = None if across else [northwind.pk]

    result = sweep_escalations(
        now=at("2026-11-18 13:05"), batch_size=1, discovery=False, across_tenants=across, tenant_ids=tenant_ids
    )

    assert (result.timers, result.escalations, result.skipped) == (3, 3, 9)
    # Levels 1-3 skipped and 4 reached for the first ticket; its level's first contact tried.
    assert checked == [{EscalationEvent: 4, EscalationAttempt: 1}]


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
@pytest.mark.parametrize("across", [True, False], ids=["across-tenants", "per-tenant"])
def test_two_sweeps_at_once_escalate_each_ticket_exactly_once(across):
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        tickets = [_world_incident(alice, at("2026-11-18 09:00")) for _ in range(40)]
    sweep_escalations(now=at("2026-11-18 09:01"))  # timers for all, nothing due yet
    when = at("2026-11-18 13:05")  # age warrants level 4; levels 1-3 skipped
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sweep_escalations(now=when, batch_size=7, discovery=False, across_tenants=across))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.escalations for r in results) == 40
    assert sum(r.skipped for r in results) == 120
    with tenant_context(northwind):
        assert EscalationEvent.objects.count() == 160
        assert EscalationEvent.objects.filter(is_skipped=False, level=4).count() == 40
        assert EscalationAttempt.objects.count() == 40
        assert TicketEvent.objects.filter(field="escalation_level").count() == 40
        assert set(
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("escalation_level", flat=True)
        ) == {4}


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_a_new_ticket_gets_its_timer_when_it_opens():
    """The tickets layer's domain event: the timer exists as soon as the ticket is committed,
    due from the ticket's creation, before any discovery runs."""
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        ticket = _world_incident(User.objects.get(email="alice@acme.example"), at("2026-11-18 09:00"))
        timer = TicketEscalation.objects.get(ticket=ticket)
    assert (timer.level, timer.next_check_at, timer.closed_at) == (0, at("2026-11-18 09:00"), None)
    result = sweep_escalations(now=at("2026-11-18 09:31"), discovery=False)
    assert result.discovered == 0
    with tenant_context(northwind):
        assert Ticket.objects.get(pk=ticket.pk).escalation_level >= 1


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_across_tenants_an_outage_and_unanswered_attempts_follow_the_same_rules():
    """The cross-tenant batch (PostgreSQL's path) against the per-tenant tests' expectations:
    catch-up with skipped levels, then the next contact every 15 minutes and, after three
    unanswered attempts, the next level."""
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(northwind):
        ticket = _world_incident(alice, at("2026-11-18 09:00"))
        from tickets.services.lifecycle import transition_ticket

        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
    sweep = lambda when: sweep_escalations(now=at(when), across_tenants=True)  # noqa: E731
    result = sweep("2026-11-18 13:05")
    assert (result.escalations, result.skipped, result.tenants) == (1, 3, 1)
    assert _events(ticket) == [(1, "age", True), (2, "age", True), (3, "age", True), (4, "age", False)]
    assert [(level, number) for level, number, _name in _attempts(ticket)] == [(4, 1)]
    # Level 5 by age comes at 17:00; before that, the unanswered attempts move it on.
    sweep("2026-11-18 13:20")
    sweep("2026-11-18 13:35")
    assert [(level, number) for level, number, _name in _attempts(ticket)] == [(4, 1), (4, 2), (4, 3)]
    sweep("2026-11-18 13:50")
    assert level_of(ticket) == 5
    assert _events(ticket)[-1] == (5, "unanswered", False)


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_a_batch_across_tenants_hands_its_notifications_to_one_task_that_keeps_each_tenant_apart(
    monkeypatch, mailoutbox
):
    """One task per batch (not one per tenant), working through the tenants one wall at a
    time; sent again (a retry), it sends nothing twice."""
    from escalation import tasks

    northwind, bluepeak, ours, theirs = _a_ticket_in_each_of_two_tenants()
    sent = []

    def delay(**kwargs):
        sent.append(kwargs)
        tasks.notify_escalations_task.run(**kwargs)

    monkeypatch.setattr(tasks.notify_escalations_task, "delay", delay)
    result = sweep_escalations(now=at("2026-11-19 09:00"), across_tenants=True)
    assert result.tenants == 2
    assert len(sent) == 1
    batch = sent[0]["event_ids_by_tenant"]
    assert set(batch) == {str(northwind.pk), str(bluepeak.pk)}
    with tenant_context(northwind):
        assert set(batch[str(northwind.pk)]) <= set(
            EscalationEvent.objects.filter(ticket=ours).values_list("pk", flat=True)
        )
    with tenant_context(bluepeak):
        assert set(batch[str(bluepeak.pk)]) <= set(
            EscalationEvent.objects.filter(ticket=theirs).values_list("pk", flat=True)
        )
    # Each in its tenant's words and language: the level's contact and the account's user.
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("alice@acme.example", f"Your ticket {ours.number} was escalated to level 5"),
        ("carol@initech.example", f"Su ticket {theirs.number} se ha escalado al nivel 1"),
        ("m.gil@bluepeak.example", f"Nivel de escalado 1: {theirs.number} Hola"),
        ("r.hale@northwind.example", f"Escalation level 5: {ours.number} Down"),
    ]
    count = len(mailoutbox)
    tasks.notify_escalations_task.run(**sent[0])
    assert len(mailoutbox) == count


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_notifications_whose_task_was_lost_are_handed_on_again_once_they_are_overdue(monkeypatch, mailoutbox, settings):
    """The batch's notification task never ran (its worker killed, or the broker restarted
    with it queued): the sweep task hands the events on again once they are
    NOTIFICATION_RESEND_SECONDS old, and what was sent is not handed on again."""
    from escalation import tasks
    from escalation.services.notifications import resend_overdue_notifications

    settings.NOTIFICATION_RESEND_SECONDS = 300
    northwind, _bluepeak, ours, _theirs = _a_ticket_in_each_of_two_tenants()
    sent = []
    monkeypatch.setattr(tasks.notify_escalations_task, "delay", lambda **kwargs: sent.append(kwargs))
    sweep_escalations(now=at("2026-11-19 09:00"), across_tenants=True)
    assert len(sent) == 1  # handed to a task that is then lost
    lost = sent.pop()["event_ids_by_tenant"]

    assert resend_overdue_notifications(now=at("2026-11-19 09:04")) == 0  # a task may be at work
    assert resend_overdue_notifications(now=at("2026-11-20 09:01")) == 0  # news no more
    assert sent == []
    handed_on = resend_overdue_notifications(now=at("2026-11-19 09:06"))
    assert len(sent) == 1
    again = sent.pop()["event_ids_by_tenant"]
    assert handed_on == sum(len(ids) for ids in again.values())
    assert {tenant: set(ids) for tenant, ids in again.items()} == {tenant: set(ids) for tenant, ids in lost.items()}
    tasks.notify_escalations_task.run(event_ids_by_tenant=again)
    with tenant_context(northwind):
        assert not EscalationAttempt.objects.filter(event__ticket=ours, notified_at__isnull=True).exists()
    count = len(mailoutbox)
    assert count > 0
    assert resend_overdue_notifications(now=at("2026-11-19 10:00")) == 0
    assert sent == []
