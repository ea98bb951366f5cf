"""The tickets behind a figure of the dashboard (``reports.figures`` and ``reports.selectors``):
for each kind of event the figures count in a period, a query of the ids of the tickets with such
an event in [start, end), on the same conditions as the figure, so that the console queue
narrowed to them (``TicketFilters.among``) lists exactly what the figure counts. Each is a range
of an index led by tenant_id (the rows' manager keeps the tenant), bounded by the days chosen.

The figures count events (a target, an escalation, a survey), the queue lists tickets: a ticket
has one clock per target, so a target's figures are tickets; a ticket escalated twice to the same
level for the same reason in one period, or surveyed about two of its resolutions, is listed once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce

from escalation.models import EscalationEvent
from feedback.models import Survey
from tickets.models import SlaClock, Ticket, TicketEvent

#: The events whose days the queue can be narrowed by, beyond a ticket's opening and resolution.
#: "met": a target met on time (at met_at; attainment); "breached": a target breached (at its
#: due_at; attainment); "reached": a target met, on time or late (at met_at; the times to respond
#: and restore); "reopened"; "escalated" (a level reached upwards); "outage": a service-affecting
#: incident down during the days (availability); "surveyed": a satisfaction survey answered (CSAT).
EVENTS = ("met", "breached", "reached", "reopened", "escalated", "outage", "surveyed")
#: The events a service-level target narrows.
TARGET_EVENTS = ("met", "breached", "reached")


def _within(rows: QuerySet[Any], instant: str, start: dt.datetime | None, end: dt.datetime | None) -> QuerySet[Any]:
    if start is not None:
        rows = rows.filter(**{f"{instant}__gte": start})
    if end is not None:
        rows = rows.filter(**{f"{instant}__lt": end})
    return rows


def tickets_behind(
    event: str,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    target: str = "",
    level: int | None = None,
    trigger: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Any]:
    """The ids of the tickets with ``event`` (one of ``EVENTS``) in [start, end): a query to
    nest, never run on its own. ``target`` narrows the target events, ``level`` and ``trigger``
    the escalations."""
    if event in TARGET_EVENTS:
        if event == "met":  # reports.selectors.met_in (slaclock_met_idx)
            clocks, instant = SlaClock.objects.filter(state=SlaClock.State.MET, met_at__isnull=False), "met_at"
        elif event == "breached":  # reports.selectors.breached_in (slaclock_breached_idx)
            clocks, instant = SlaClock.objects.filter(state=SlaClock.State.BREACHED), "due_at"
        else:  # reports.figures.durations
            states = [SlaClock.State.MET, SlaClock.State.BREACHED]
            clocks, instant = SlaClock.objects.filter(state__in=states, met_at__isnull=False), "met_at"
        if target:
            clocks = clocks.filter(target=target)
        return _within(clocks, instant, start, end).order_by().values("ticket_id")
    if event == "reopened":  # reports.figures.reopenings (ticketevent_reopen_idx)
        reopenings = TicketEvent.objects.filter(
            kind=TicketEvent.Kind.TRANSITION,
            field="status",
            from_value=Ticket.Status.RESOLVED,
            to_value=Ticket.Status.IN_PROGRESS,
        )
        return _within(reopenings, "at", start, end).order_by().values("ticket_id")
    if event == "escalated":  # reports.figures.escalations (escalationevent_tenant_at_idx)
        events = EscalationEvent.objects.filter(is_skipped=False, level__gt=F("from_level"))
        if level is not None:
            events = events.filter(level=level)
        if trigger:
            events = events.filter(trigger=trigger)
        return _within(events, "at", start, end).order_by().values("ticket_id")
    if event == "surveyed":  # reports.surveys.csat_for (survey_answered_idx)
        surveys = Survey.objects.filter(about=Survey.About.TICKET, answered_at__isnull=False)
        return _within(surveys, "answered_at", start, end).order_by().values("ticket_id")
    if event == "outage":  # reports.figures.outage_downtime (ticket_outage_restored_idx)
        return outages_during(start=start, end=end, now=now).values("pk")
    raise ValueError(event)


def outages_during(*, start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime | None) -> QuerySet[Ticket]:
    """The service-affecting incidents down at some instant of [start, min(end, now)): restored
    after ``start`` (or not yet), begun (the problem's start, else the ticket's creation) before
    the end, as availability counts them."""
    outages = Ticket.objects.filter(kind=Ticket.Kind.INCIDENT, impact="outage", service__isnull=False).order_by()
    if start is not None:
        outages = outages.filter(
            Q(resolved_at__gt=start) | Q(resolved_at__isnull=True, status__in=Ticket.OPEN_STATUSES)
        )
    last = min(end, now) if end is not None and now is not None else end or now
    if last is not None:
        outages = outages.annotate(
            began_at=Coalesce("problem_started_at", "created_at", output_field=DateTimeField())
        ).filter(began_at__lt=Value(last, output_field=DateTimeField()))
    return outages
