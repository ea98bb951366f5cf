"""The availability's downtime per service (``figures.outage_downtime``) against the union of
its outages computed here in Python, interval by interval: random outages of three services,
many still open (the query folds those of a service into one row), some restored before the
period, beginning after it, or left without a restoration but closed (which do not count)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from orders.models import Service
from reports import figures
from reports.periods import Period
from reports.selectors import ReportFilters
from servicedesk.tenancy import tenant_context
from tests.reports.conftest import ALICE, INCIDENT
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 31), BERLIN)  # 22:00Z on the 24th – 23:00Z on the 31st
SERVICES = ("NW-MPLS-1001", "NW-MPLS-2001", "NW-INET-1002")
MANAGER = "manager@northwind.example"


def _union(intervals: list[tuple[float, float]]) -> float:
    total, reach = 0.0, None
    for began, ended in sorted(intervals):
        if reach is None or began > reach:
            total += ended - began
            reach = ended
        elif ended > reach:
            total += ended - reach
            reach = ended
    return total


def _expected(rows, *, now: dt.datetime) -> dict[str, tuple[int, float]]:
    """Each outage as the reports define it: from the problem's start (not before the period)
    to its restoration or now, clipped to the period and never before its start."""
    end = min(PERIOD.end, now)
    per_service: dict[str, list[tuple[float, float]]] = {}
    for service, started, resolved, status in rows:
        if started >= end:
            continue
        if resolved is None and status not in Ticket.OPEN_STATUSES:
            continue
        if resolved is not None and resolved <= PERIOD.start:
            continue
        began = max(started, PERIOD.start)
        ended = max(min(resolved or now, end), began)
        per_service.setdefault(service, []).append(
            ((began - PERIOD.start).total_seconds(), (ended - PERIOD.start).total_seconds())
        )
    return {service: (len(spans), _union(spans)) for service, spans in per_service.items()}


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("now", ["2026-11-02T09:00:00Z", "2026-10-28T12:00:00Z"])
def test_the_downtime_is_the_union_of_each_services_outages(demo, seed, now):
    now_at = dt.datetime.fromisoformat(now)
    rng = random.Random(seed)  # noqa: S311 - reproducible outages, not a secret
    api = demo.api(ALICE)
    rows = []
    with tenant_context(demo.northwind):
        for index in range(14):
            service = SERVICES[index % 3] if index < 12 else SERVICES[0]
            response = api.post("/api/v1/tickets/", {**INCIDENT, "service": service}, format="json")
            assert response.status_code == 201, response.json()
            started = PERIOD.start + dt.timedelta(hours=rng.uniform(-60, 200))
            still_open = rng.random() < 0.55
            resolved = None if still_open else started + dt.timedelta(hours=rng.uniform(0, 50))
            status = rng.choice(Ticket.OPEN_STATUSES) if still_open else Ticket.Status.RESOLVED
            if index == 13:  # no restoration recorded, yet no longer open: no outage now
                resolved, status = None, Ticket.Status.CANCELLED
            Ticket.objects.filter(number=response.json()["number"]).update(
                problem_started_at=started, resolved_at=resolved, status=status
            )
            rows.append((service, started, resolved, status))
        downtime = figures.outage_downtime(actor=demo.user(MANAGER), filters=ReportFilters(), period=PERIOD, now=now_at)
        names = dict(Service.objects.values_list("pk", "service_id"))
    got = {names[pk]: (count, round(seconds, 3)) for pk, (count, seconds) in downtime.items()}
    expected = {
        service: (count, round(seconds, 3)) for service, (count, seconds) in _expected(rows, now=now_at).items()
    }
    assert got == expected
    # Several outages of a service were open at once in every run: the folded rows were tested.
    still_down = [r for r in rows if r[2] is None and r[3] in Ticket.OPEN_STATUSES and r[1] < min(PERIOD.end, now_at)]
    assert len(still_down) > len({r[0] for r in still_down})
