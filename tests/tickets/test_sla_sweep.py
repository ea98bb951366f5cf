"""The SLA sweep: each warning and breach recorded exactly once, catch-up after an outage,
and two sweeps at once on PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connections

from config.celery import app as celery_app
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tickets.models import SlaAlert, SlaClock, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.sla_sweep import sweep_sla_clocks


def _incident(alice, **extra):
    return open_ticket(
        actor=alice,
        draft=TicketDraft(
            kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
            urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            answers={"power_at_site": "yes", "symptom": "no_service"}, **extra,
        ),
    )  # fmt: skip


def _alerts(tenant):
    with tenant_context(tenant):
        return sorted(SlaAlert.objects.values_list("clock__target", "kind"))


@pytest.fixture
def eager_tasks():
    """Tasks run in the sending thread instead of going to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.django_db
def test_a_clock_warns_at_80_percent_and_breaches_at_its_due_instant(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    with tenant_context(desk.northwind):
        ticket = _incident(desk.user("alice@acme.example"))  # respond due 09:15, warn at 09:12
    northwind = [desk.northwind.pk]

    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 18, 9, 11, tzinfo=dt.UTC), tenant_ids=northwind)
    assert (result.warnings, result.breaches) == (0, 0)
    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 18, 9, 12, tzinfo=dt.UTC), tenant_ids=northwind)
    assert (result.warnings, result.breaches) == (1, 0)
    assert _alerts(desk.northwind) == [("respond", "warning")]
    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 18, 9, 15, tzinfo=dt.UTC), tenant_ids=northwind)
    assert (result.warnings, result.breaches) == (0, 1)
    with tenant_context(desk.northwind):
        clock = SlaClock.objects.get(ticket=ticket, target="respond")
        events = list(TicketEvent.objects.filter(ticket=ticket, kind__startswith="sla_").values_list("kind", "field"))
    assert (clock.state, clock.breached_at, clock.next_check_at) == (
        "breached",
        dt.datetime(2026, 11, 18, 9, 15, tzinfo=dt.UTC),
        None,
    )
    assert events == [("sla_warning", "respond"), ("sla_breach", "respond")]


@pytest.mark.django_db
def test_sweeping_again_records_nothing_twice(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    with tenant_context(desk.northwind):
        _incident(desk.user("alice@acme.example"))
    at = dt.datetime(2026, 11, 18, 9, 20, tzinfo=dt.UTC)
    first = sweep_sla_clocks(now=at, tenant_ids=[desk.northwind.pk])
    second = sweep_sla_clocks(now=at, tenant_ids=[desk.northwind.pk])
    assert (first.warnings, first.breaches) == (1, 1)
    assert (second.clocks, second.warnings, second.breaches) == (0, 0, 0)
    assert _alerts(desk.northwind) == [("respond", "breach"), ("respond", "warning")]


@pytest.mark.django_db
def test_after_an_outage_the_next_sweep_catches_up(desk, time_machine):
    """No sweep ran for a day: one run records every warning and breach that fell due."""
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    with tenant_context(desk.northwind):
        _incident(desk.user("alice@acme.example"))
    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC), tenant_ids=[desk.northwind.pk])
    assert (result.warnings, result.breaches) == (3, 3)
    assert _alerts(desk.northwind) == [
        ("callback", "breach"), ("callback", "warning"), ("respond", "breach"), ("respond", "warning"),
        ("restore", "breach"), ("restore", "warning"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_met_and_paused_clocks_are_not_swept(desk, time_machine):
    from tickets.services.lifecycle import transition_ticket

    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    agent = desk.user("agent@northwind.example")
    with tenant_context(desk.northwind):
        ticket = _incident(desk.user("alice@acme.example"))
        transition_ticket(ticket=ticket, actor=agent, action="start_work")  # meets respond
        transition_ticket(ticket=ticket, actor=agent, action="wait_for_customer")  # pauses restore
    result = sweep_sla_clocks(now=dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC), tenant_ids=[desk.northwind.pk])
    assert _alerts(desk.northwind) == [("callback", "breach"), ("callback", "warning")]
    assert result.clocks == 1


@pytest.mark.django_db
def test_alerts_are_mailed_once_in_each_recipients_language(
    desk, time_machine, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    User.objects.filter(email="voice.agent@northwind.example").update(role="manager")  # a German-speaking manager
    with tenant_context(desk.northwind):
        _incident(desk.user("alice@acme.example"))
    at = dt.datetime(2026, 11, 18, 9, 16, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(now=at, tenant_ids=[desk.northwind.pk])
    subjects = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert subjects == [
        ("manager@northwind.example", "SLA breached: INC-000001 Response (ticket number confirmed)"),
        ("manager@northwind.example", "SLA warning: INC-000001 Response (ticket number confirmed)"),
        ("voice.agent@northwind.example", "SLA-Verletzung: INC-000001 Reaktion (Ticketnummer bestätigt)"),
        ("voice.agent@northwind.example", "SLA-Warnung: INC-000001 Reaktion (Ticketnummer bestätigt)"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(now=at, tenant_ids=[desk.northwind.pk])
    assert len(mailoutbox) == 4


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
@pytest.mark.parametrize("in_database", [True, False], ids=["in-database", "per-tenant"])
def test_the_sweep_finds_due_clocks_of_every_tenant(in_database):
    seed_world()
    northwind, bluepeak = Tenant.objects.get(slug="northwind"), Tenant.objects.get(slug="bluepeak")
    start = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
    with tenant_context(northwind):
        _incident(User.objects.get(email="alice@acme.example"))
    with tenant_context(bluepeak):
        open_ticket(
            actor=User.objects.get(email="carol@initech.example"),
            draft=TicketDraft(kind="enquiry", subject="Hello", description="Question."),
            now=start,
        )
    later = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC) + dt.timedelta(days=400)
    result = sweep_sla_clocks(now=later, in_database=in_database)
    assert result.tenants == 2
    assert _alerts(bluepeak) == [("respond", "breach"), ("respond", "warning")]
    assert len(_alerts(northwind)) == 6


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
@pytest.mark.parametrize("in_database", [True, False], ids=["in-database", "per-tenant"])
def test_two_sweeps_at_once_record_each_breach_exactly_once(in_database):
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        for _ in range(40):
            _incident(alice)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sweep_sla_clocks(now=at, batch_size=7, in_database=in_database))
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
    assert sum(r.breaches for r in results) == 120  # 40 tickets × 3 targets, between both sweeps
    with tenant_context(northwind):
        assert SlaAlert.objects.filter(kind="breach").count() == 120
        assert SlaAlert.objects.filter(kind="warning").count() == 120
        assert TicketEvent.objects.filter(kind="sla_breach").count() == 120


@pytest.mark.django_db
def test_a_manager_who_turned_sla_mail_off_gets_none(
    desk, time_machine, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    User.objects.filter(email="manager@northwind.example").update(mail_opt_outs=["sla_alert"])
    User.objects.filter(email="voice.agent@northwind.example").update(role="manager")  # a second manager, who did not
    with tenant_context(desk.northwind):
        _incident(desk.user("alice@acme.example"))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(now=dt.datetime(2026, 11, 18, 9, 16, tzinfo=dt.UTC), tenant_ids=[desk.northwind.pk])
    assert sorted({m.to[0] for m in mailoutbox}) == ["voice.agent@northwind.example"]
    assert _alerts(desk.northwind) == [("respond", "breach"), ("respond", "warning")]  # recorded all the same


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_alerts_whose_mail_task_was_lost_are_handed_on_again_once_they_are_overdue(
    desk, time_machine, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """The alerts' task never ran (its worker killed, or the broker restarted with it queued):
    the sweep task hands them on again once they are NOTIFICATION_RESEND_SECONDS old, and what
    was mailed is not handed on again."""
    from tickets import tasks
    from tickets.services.notifications import resend_overdue_sla_notifications

    settings.NOTIFICATION_RESEND_SECONDS = 300
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    with tenant_context(desk.northwind):
        _incident(desk.user("alice@acme.example"))
    sent = []
    monkeypatch.setattr(tasks.notify_sla_alerts_task, "delay", lambda **kwargs: sent.append(kwargs))
    at = dt.datetime(2026, 11, 18, 9, 16, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(now=at, tenant_ids=[desk.northwind.pk])
    assert len(sent) == 1
    lost = sent.pop()["clock_ids_by_tenant"]

    with django_capture_on_commit_callbacks(execute=True):
        assert resend_overdue_sla_notifications(now=at + dt.timedelta(minutes=4)) == 0  # a task may be at work
        assert resend_overdue_sla_notifications(now=at + dt.timedelta(days=1, minutes=1)) == 0  # news no more
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_overdue_sla_notifications(now=at + dt.timedelta(minutes=6)) == 2  # warning and breach
    assert [call["clock_ids_by_tenant"] for call in sent] == [lost]
    tasks.notify_sla_alerts_task.run(**sent.pop())
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mailoutbox) == [
        ("manager@northwind.example", "SLA breached"),
        ("manager@northwind.example", "SLA warning"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_overdue_sla_notifications(now=at + dt.timedelta(hours=1)) == 0
    assert sent == []
