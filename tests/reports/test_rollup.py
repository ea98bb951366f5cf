"""The daily roll-ups (reports.rollup) never disagree with a direct count: on the hand-computed
history of tests/reports/conftest.py, after it is rolled up, and after every kind of change to
rolled-up days (made through the ORM's bulk paths too, which no signal sees), each figure the
reports read from the roll-ups equals the same figure counted from the clocks and tickets."""

from __future__ import annotations

import datetime as dt
import random
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from reports import figures, rollup
from reports.models import DailyFigures, RollupDirtyDay, RollupState
from reports.periods import Period
from reports.selectors import ReportFilters, sla_report
from reports.tasks import roll_up_reports_task
from servicedesk.models import ProductArea, Team, Tenant
from servicedesk.tenancy import tenant_context
from tests.factories import ManagerFactory
from tests.reports.conftest import build_history
from tickets.models import SlaClock, Ticket

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MANAGER = "manager@northwind.example"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
OCTOBER_END = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 31), BERLIN)
PERIODS = (
    OCTOBER_END,
    Period(dt.date(2026, 10, 1), dt.date(2026, 11, 2), BERLIN),  # reaches past the rolled-up days
    Period(dt.date(2026, 10, 25), dt.date(2026, 10, 25), BERLIN),  # the 25-hour day
)


def _filters(demo) -> list[ReportFilters]:
    with tenant_context(demo.northwind):
        area = ProductArea.objects.order_by("pk").first()
        team = Team.objects.order_by("pk").first()
    assert area is not None
    assert team is not None
    return [
        ReportFilters(),
        ReportFilters(priorities=("P1",)),
        ReportFilters(kinds=("complaint",)),
        ReportFilters(product_area_id=area.pk),
        ReportFilters(team_id=team.pk, priorities=("P1", "P2")),
    ]


def _figures(actor, filters: ReportFilters, period: Period, cover: rollup.Coverage) -> dict:
    return {
        "report": sla_report(actor=actor, filters=filters, period=period, cover=cover).as_api(),
        "days": figures.trend(actor=actor, filters=filters, period=period, by="day", cover=cover),
        "weeks": figures.trend(actor=actor, filters=filters, period=period, by="week", cover=cover),
        "durations": {
            target: {key: None if value is None else round(value, 6) for key, value in vars(d).items()}
            for target, d in figures.durations(actor=actor, filters=filters, period=period, cover=cover).items()
        },
    }


def _assert_rolled_equals_direct(demo, *, expect_rolled: bool = True) -> None:
    manager = demo.user(MANAGER)
    with tenant_context(demo.northwind):
        for period in PERIODS:
            for filters in _filters(demo):
                cover = rollup.coverage(actor=manager, filters=filters, period=period)
                if expect_rolled:
                    assert cover.rolled, (period, filters)
                rolled = _figures(manager, filters, period, cover)
                counted = _figures(manager, filters, period, rollup.direct(period))
                assert rolled == counted, (period, filters)


def _roll_up(tenant: Tenant, now: dt.datetime = NOW) -> dict[str, int]:
    with tenant_context(tenant):
        return rollup.roll_up(tenant, now=now)


@pytest.fixture
def history(demo, time_machine):
    built = build_history(demo, time_machine)
    time_machine.move_to(NOW, tick=False)
    return built


def test_the_roll_up_covers_every_day_from_the_first_ticket_to_yesterday(demo, history):
    done = _roll_up(demo.northwind)
    with tenant_context(demo.northwind):
        state = RollupState.objects.get()
        # The first ticket (B) was opened on 24 October 23:30 in Berlin; yesterday is 1 November.
        assert (state.zone, state.since, state.through) == (
            "Europe/Berlin",
            dt.date(2026, 10, 24),
            dt.date(2026, 11, 1),
        )
        assert done == {"dirty": 0, "forward": 7, "backward": 2}
        # A second run has nothing to do.
        assert rollup.roll_up(demo.northwind, now=NOW) == {"dirty": 0, "forward": 0, "backward": 0}
        # The rows themselves: the day's opened tickets and met targets, counted by hand. On the
        # 25th (Berlin) A was opened (00:30), B's restoration met (03:00 CEST... 02:00 CET), A's
        # response (00:40) and call-back (01:00) met; A's restoration breached at its due 05:30Z.
        day = DailyFigures.objects.filter(day=dt.date(2026, 10, 25))
        totals = {
            target: (sum(r.met for r in rows), sum(r.breached for r in rows))
            for target in ("respond", "callback", "restore")
            if (rows := [r for r in day if r.target == target])
        }
        assert totals == {"respond": (1, 0), "callback": (1, 1), "restore": (1, 1)}
        assert sum(r.opened for r in day if r.target == "") == 1
    _assert_rolled_equals_direct(demo)


def test_changes_to_rolled_up_days_are_counted_directly_until_rolled_up_again(demo, history):
    _roll_up(demo.northwind)
    numbers = history.numbers
    with tenant_context(demo.northwind):
        p3_team = Team.objects.order_by("-pk").first()
        # Bulk paths no signal sees: a new priority and team for F (opened 26 October), a met
        # response of E (27 October) turned breached, H (28 October) deleted, a ticket backdated
        # into the 29th by an import.
        Ticket.objects.filter(number=numbers["F"]).update(priority="P3", team=p3_team)
        SlaClock.objects.filter(ticket__number=numbers["E"], target="respond").update(state="breached")
        Ticket.objects.get(number=numbers["H"]).delete()
        clone = Ticket.objects.get(number=numbers["C"])
        clone.pk, clone.number, clone.created_at = None, "INC-IMPORTED", dt.datetime(2026, 10, 29, 8, tzinfo=dt.UTC)
        clone.save()
        dirty = set(RollupDirtyDay.objects.values_list("day", flat=True))
        assert {dt.date(2026, 10, d) for d in (26, 27, 28, 29)} <= dirty
    _assert_rolled_equals_direct(demo)  # the dirty days counted directly, the rest rolled up

    assert _roll_up(demo.northwind)["dirty"] == len(dirty)
    with tenant_context(demo.northwind):
        assert not RollupDirtyDay.objects.exists()
    _assert_rolled_equals_direct(demo)  # all rolled up again


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_never_make_a_roll_up_disagree(demo, history, seed):
    """Random changes to clocks and tickets (state, instants, dimensions, deletion), with roll-ups
    run in between: after each step, every figure read through the roll-ups equals its direct
    count."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sequence of changes, not a secret
    _roll_up(demo.northwind)
    with tenant_context(demo.northwind):
        teams = list(Team.objects.values_list("pk", flat=True)) + [None]
        areas = list(ProductArea.objects.values_list("pk", flat=True)) + [None]
        for step in range(12):
            clocks = list(SlaClock.objects.order_by("pk").values_list("pk", flat=True))
            tickets = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
            moved = dt.datetime(2026, 10, 24, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(0, 9 * 24 * 60))
            change = rng.choice(["state", "met_at", "due_at", "priority", "kind", "area", "team", "resolved", "delete"])
            if change in ("state", "met_at", "due_at") and clocks:
                values = {
                    "state": {"state": rng.choice(["met", "breached", "running", "stopped"])},
                    "met_at": {"met_at": moved, "state": rng.choice(["met", "breached"])},
                    "due_at": {"due_at": moved},
                }[change]
                SlaClock.objects.filter(pk=rng.choice(clocks)).update(**values)
            elif change == "delete" and len(tickets) > 2:
                Ticket.objects.get(pk=rng.choice(tickets)).delete()
            elif tickets:
                values = {
                    "priority": {"priority": rng.choice(["P1", "P2", "P3", "P4"])},
                    "kind": {"kind": rng.choice(["incident", "complaint", "service_request"])},
                    "area": {"product_area_id": rng.choice(areas)},
                    "team": {"team_id": rng.choice(teams)},
                    "resolved": {"resolved_at": rng.choice([moved, None])},
                }.get(change, {"priority": "P2"})
                Ticket.objects.filter(pk=rng.choice(tickets)).update(**values)
            if step % 4 == 3:
                rollup.roll_up(demo.northwind, now=NOW)
            _assert_rolled_equals_direct(demo, expect_rolled=False)


def test_a_new_zone_starts_the_roll_ups_afresh(demo, history):
    _roll_up(demo.northwind)
    demo.northwind.time_zone = "America/New_York"
    demo.northwind.save(update_fields=["time_zone"])
    manager = demo.user(MANAGER)
    with tenant_context(demo.northwind):
        # Until rolled up again, a period in the new zone is counted directly.
        york = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 31), ZoneInfo("America/New_York"))
        assert rollup.coverage(actor=manager, filters=ReportFilters(), period=york) == rollup.direct(york)
        rollup.roll_up(demo.northwind, now=NOW)
        assert RollupState.objects.get().zone == "America/New_York"
        cover = rollup.coverage(actor=manager, filters=ReportFilters(), period=york)
        assert cover.rolled
        assert _figures(manager, ReportFilters(), york, cover) == _figures(
            manager, ReportFilters(), york, rollup.direct(york)
        )


def test_the_roll_ups_do_not_count_for_customers_or_an_account_or_site(demo, history):
    _roll_up(demo.northwind)
    alice, manager = demo.user("alice@acme.example"), demo.user(MANAGER)
    with tenant_context(demo.northwind):
        assert rollup.coverage(actor=alice, filters=ReportFilters(), period=OCTOBER_END) == rollup.direct(OCTOBER_END)
        narrowed = ReportFilters(account_id=demo.acme.pk)
        assert rollup.coverage(actor=manager, filters=narrowed, period=OCTOBER_END) == rollup.direct(OCTOBER_END)


def test_another_tenants_roll_ups_stay_behind_its_wall(client, demo, history):
    roll_up_reports_task()
    with tenant_context(demo.bluepeak):
        client.force_login(ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example"))
    response = client.get("/api/v1/reports/sla/", {"from": "2026-10-25", "to": "2026-10-31"})
    assert response.status_code == 200
    # Bluepeak's one ticket (G): its response met on the 27th; none of Northwind's figures.
    assert response.json()["targets"]["respond"] == {"met": 1, "breached": 0, "attainment": 1.0}
    assert response.json()["tickets"] == {"opened": 1, "resolved": 0}
    with tenant_context(demo.bluepeak):
        assert RollupState.objects.get().since == dt.date(2026, 10, 27)
        assert sum(DailyFigures.objects.values_list("opened", flat=True)) == 1


def test_the_dashboard_reads_the_roll_ups_and_shows_the_hand_computed_figures(client, demo, history):
    roll_up_reports_task()
    with tenant_context(demo.northwind):
        cover = rollup.coverage(actor=demo.user(MANAGER), filters=ReportFilters(), period=OCTOBER_END)
    assert cover == rollup.Coverage(((OCTOBER_END.first, OCTOBER_END.last),), ())  # every day from the roll-ups
    client.force_login(demo.user(MANAGER))
    response = client.get("/api/v1/reports/sla/", {"from": "2026-10-25", "to": "2026-10-31"})
    assert response.json()["targets"] == {
        "respond": {"met": 3, "breached": 2, "attainment": 0.6},
        "callback": {"met": 1, "breached": 1, "attainment": 0.5},
        "restore": {"met": 2, "breached": 1, "attainment": 0.6667},
        "rfo": {"met": 0, "breached": 0, "attainment": None},
    }
    page = client.get("/dashboard/", {"period": "custom", "start": "2026-10-25", "end": "2026-10-31"})
    assert page.status_code == 200
    assert page.context["dashboard"].report.opened == 5
    assert page.context["dashboard"].durations["restore"].business_median == 12600.0


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_the_range_grows_is_not_lost(demo, time_machine):
    """A writer that changes a day just outside the rolled-up range, in a transaction still open
    when the roll-up extends the range over that day: the roll-up waits for it (the advisory
    lock the trigger takes shared), so it counts the change instead of missing it for good."""
    numbers = build_history(demo, time_machine).numbers
    time_machine.move_to(NOW, tick=False)
    northwind = Tenant.objects.get(slug="northwind")
    # Rolled up to 31 October only; 1 November is yesterday when the roll-up runs again.
    _roll_up(northwind, now=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
    with tenant_context(northwind):
        assert RollupState.objects.get().through == dt.date(2026, 10, 31)
    changed, release, committed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with tenant_context(northwind), transaction.atomic():
                # D's response, met on 1 November in Berlin (23:35Z on the 31st), now breached.
                SlaClock.objects.filter(ticket__number=numbers["D"], target="respond").update(state="breached")
                changed.set()
                release.wait(10)
            committed.set()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert changed.wait(10)
    threading.Timer(0.5, release.set).start()
    _roll_up(northwind)  # yesterday is 1 November now
    # It could not extend the range over the 1st before the writer had committed.
    assert committed.is_set()
    thread.join(10)
    assert not errors
    manager = demo.user(MANAGER)
    with tenant_context(northwind):
        assert RollupState.objects.get().through == dt.date(2026, 11, 1)
        november = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 1), BERLIN)
        cover = rollup.coverage(actor=manager, filters=ReportFilters(), period=november)
        assert cover.rolled == ((november.first, november.last),)
        rolled = _figures(manager, ReportFilters(), november, cover)
        assert rolled == _figures(manager, ReportFilters(), november, rollup.direct(november))
        assert rolled["report"]["targets"]["respond"] == {"met": 0, "breached": 1, "attainment": 0.0}


def test_the_rolled_up_page_costs_the_same_number_of_queries_with_more_tickets(client, demo, time_machine):
    client.force_login(demo.user(MANAGER))
    with tenant_context(demo.northwind):
        area = ProductArea.objects.order_by("pk").first()
    assert area is not None
    week = {"period": "custom", "start": "2026-10-25", "end": "2026-10-31"}

    def queries(**params: str) -> tuple[int, int]:
        counts = []
        for path, query in (
            ("/dashboard/", {**week, **params}),
            ("/api/v1/reports/sla/", {"from": "2026-10-25", "to": "2026-10-31", **params}),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path, query).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    build_history(demo, time_machine)
    time_machine.move_to(NOW, tick=False)
    _roll_up(demo.northwind)
    queries()  # the filters' choices come from the tenant's cached reference data: filled here
    some, narrowed = queries(), queries(product_area=str(area.pk), priority="P1")
    build_history(demo, time_machine)  # the same history again: twice the tickets and clocks
    time_machine.move_to(NOW, tick=False)
    _roll_up(demo.northwind)
    with tenant_context(demo.northwind):
        cover = rollup.coverage(actor=demo.user(MANAGER), filters=ReportFilters(), period=OCTOBER_END)
    assert cover == rollup.Coverage(((OCTOBER_END.first, OCTOBER_END.last),), ())
    assert queries() == some
    assert queries(product_area=str(area.pk), priority="P1") == narrowed
