"""Problem records and reasons for outage (RFOs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk import calendars
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.models import Problem, ProblemEvent, ProblemIncident, Rfo, SlaClock, SlaTarget, Ticket
from tickets.rendering import render_markdown
from tickets.services import sla, timeline
from tickets.services.intake import next_ticket_number

RFO_BUSINESS_DAYS = 5
RFO_PRIORITIES = ("P1", "P2")
PROBLEM_FIELDS = ("title", "analysis", "status", "root_cause", "workaround", "preventive_measures")


def _staff_only(actor: User) -> None:
    if not actor.is_desk_staff:
        raise PermissionRefused(_("Only the desk manages problems."))


def _problem_line(
    problem: Problem, kind: str, actor: User, at: dt.datetime, *, field: str = "", before: str = "", after: str = ""
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        tenant_id=problem.tenant_id, problem=problem, kind=kind, actor=actor, at=at, field=field,
        from_value=before, to_value=after,
    )  # fmt: skip


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = {name: str(value or "").strip() for name, value in changes.items()}
    if "title" in cleaned and not (0 < len(cleaned["title"]) <= 200):
        errors["title"] = [_("Give a title of at most 200 characters.")]
    if "analysis" in cleaned and cleaned["analysis"] not in Problem.Analysis.values:
        errors["analysis"] = [_("Choose reactive or proactive.")]
    if "status" in cleaned and cleaned["status"] not in Problem.Status.values:
        errors["status"] = [_("Choose open, known_error or resolved.")]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def check_problem_fields(**fields: str) -> dict[str, str]:
    """The problem's ``fields`` cleaned, or InvalidInput naming every bad one (what
    ``open_problem`` and ``update_problem`` check, for a form that reports them together with
    its own errors)."""
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in unknown})
    return _clean(fields)


@transaction.atomic
def open_problem(
    *,
    actor: User,
    title: str,
    analysis: str = Problem.Analysis.REACTIVE,
    incidents: Sequence[Ticket] = (),
    **details: str,
) -> Problem:
    """Record a problem (staff only), linked to the ``incidents`` behind it (tickets that came
    through the actor's walls; each must be an incident)."""
    _staff_only(actor)
    unknown = set(details) - set(PROBLEM_FIELDS)
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in unknown})
    fields = _clean({"title": title, "analysis": analysis, **details})
    not_incidents = [ticket.number for ticket in incidents if ticket.kind != Ticket.Kind.INCIDENT]
    if not_incidents:
        raise InvalidInput.single(
            "incidents",
            _("Only incidents are linked to problems: %(numbers)s.") % {"numbers": ", ".join(not_incidents)},
        )
    now = timezone.now()
    problem = Problem.objects.create(
        tenant_id=actor.tenant_id, number=next_ticket_number(prefix="PRB"), created_by=actor, created_at=now,
        updated_at=now, **fields,
    )  # fmt: skip
    _problem_line(problem, ProblemEvent.Kind.OPENED, actor, now, after=problem.title)
    for ticket in incidents:
        link_incident(problem=problem, actor=actor, ticket=ticket)
    return problem


@transaction.atomic
def update_problem(*, problem: Problem, actor: User, version: int, changes: dict[str, Any]) -> Problem:
    """Change a problem's fields if ``version`` is still current (else Conflict, nothing changes)."""
    _staff_only(actor)
    unknown = set(changes) - set(PROBLEM_FIELDS)
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in unknown})
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if locked.version != version:
        raise Conflict(
            _("Someone else changed this problem after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=locked.version,
        )
    now = timezone.now()
    changed = False
    for name, value in _clean(changes).items():
        before = getattr(locked, name)
        if before == value:
            continue
        setattr(locked, name, value)
        _problem_line(locked, ProblemEvent.Kind.FIELD_CHANGED, actor, now, field=name, before=before, after=value)
        changed = True
    if changed:
        locked.version += 1
        locked.updated_at = now
        locked.save()
    return locked


@transaction.atomic
def link_incident(*, problem: Problem, actor: User, ticket: Ticket) -> ProblemIncident:
    """Attach an incident to the problem behind it (idempotent)."""
    _staff_only(actor)
    if ticket.kind != Ticket.Kind.INCIDENT:
        raise InvalidInput.single("ticket", _("Only incidents are linked to problems."))
    link, created = ProblemIncident.objects.get_or_create(tenant_id=problem.tenant_id, problem=problem, ticket=ticket)
    if created:
        now = timezone.now()
        timeline.record_field_change(
            ticket=ticket, actor=actor, at=now, field="problem", before="", after=problem.number, internal=True
        )
        _problem_line(problem, ProblemEvent.Kind.INCIDENT_LINKED, actor, now, after=ticket.number)
    return link


@transaction.atomic
def unlink_incident(*, problem: Problem, actor: User, ticket: Ticket) -> None:
    """Detach an incident from the problem (idempotent: an incident not linked stays so)."""
    _staff_only(actor)
    deleted, _rows = ProblemIncident.objects.filter(
        tenant_id=problem.tenant_id, problem=problem, ticket=ticket
    ).delete()
    if deleted:
        now = timezone.now()
        timeline.record_field_change(
            ticket=ticket, actor=actor, at=now, field="problem", before=problem.number, after="", internal=True
        )
        _problem_line(problem, ProblemEvent.Kind.INCIDENT_UNLINKED, actor, now, before=ticket.number)


def may_request_rfo(ticket: Ticket) -> bool:
    """Whether a reason for outage may be asked for now (a resolved or closed P1/P2 incident)."""
    return (
        ticket.kind == Ticket.Kind.INCIDENT
        and ticket.priority in RFO_PRIORITIES
        and ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
    )


def rfo_due(calendar: calendars.BusinessCalendar, requested_at: dt.datetime) -> dt.datetime:
    """Close of business on the 5th business day after the request's day."""
    local_day = requested_at.astimezone(calendar.zone).date()
    last_day = calendars.business_days_after(calendar, local_day, RFO_BUSINESS_DAYS)
    day_after = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=calendar.zone)
    budget = calendars.business_time_between(calendar, requested_at, day_after)
    return calendars.add_business_time(calendar, requested_at, budget)


@transaction.atomic
def request_rfo(*, ticket: Ticket, actor: User) -> Rfo:
    """The customer (or the desk for them) asks for the reason for outage of a resolved
    critical or major incident: due within 5 business days on the desk's business calendar."""
    locked = (
        Ticket.objects.select_for_update(of=("self",)).select_related("tenant__business_calendar").get(pk=ticket.pk)
    )
    if locked.kind != Ticket.Kind.INCIDENT or locked.priority not in RFO_PRIORITIES:
        raise Conflict(
            _("A reason for outage is written for critical and major (P1, P2) incidents."), code="rfo_not_applicable"
        )
    if locked.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise Conflict(_("Ask for the reason for outage once the incident is resolved."), code="rfo_too_early")
    if Rfo.objects.filter(ticket=locked).exists():
        raise Conflict(_("A reason for outage was already requested for this incident."), code="rfo_exists")
    office = locked.tenant.business_calendar
    if office is None:
        raise Conflict(_("This desk has no business calendar to date the report by."), code="no_business_calendar")
    # Whole minutes, so the budget in minutes ends exactly at the close of business.
    now = timezone.now().replace(second=0, microsecond=0)
    calendar = office.as_calendar()
    budget = calendars.business_time_between(calendar, now, rfo_due(calendar, now))
    clock = SlaClock(
        tenant_id=locked.tenant_id, ticket=locked, target=SlaTarget.RFO, calendar=office, started_at=now,
        budget_minutes=int(budget.total_seconds() // 60), warning_percent=80,
    )  # fmt: skip
    sla.schedule(clock, sla.CalendarCache())
    clock.save()
    sla.track_due_instants(locked)
    rfo = Rfo.objects.create(tenant_id=locked.tenant_id, ticket=locked, requested_by=actor, requested_at=now)
    # The line at the instant of asking, not at the whole minute the clock starts from: a line
    # dated earlier would show above the lines written before it.
    timeline.record_field_change(
        ticket=locked, actor=actor, at=timezone.now(), field="rfo", before="", after=Rfo.Status.REQUESTED
    )
    return rfo


@transaction.atomic
def publish_rfo(
    *, rfo: Rfo, actor: User, summary: str, preventive_measures: str = "", problem: Problem | None = None
) -> Rfo:
    """Publish the report to the affected customer; meets the ``rfo`` target.

    The ticket's row is locked first (as every use case of a ticket does, before its clocks),
    so its due instants are written from the ticket as it is now: a transition in progress
    finishes before, never under, the publishing."""
    _staff_only(actor)
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput.single("summary", _("Say what happened and why."))
    ticket = Ticket.objects.select_for_update().get(pk=rfo.ticket_id)
    locked = Rfo.objects.select_for_update().get(pk=rfo.pk)
    locked.ticket = ticket
    if locked.status == Rfo.Status.PUBLISHED:
        raise Conflict(_("This report is already published."), code="rfo_published")
    now = timezone.now()
    locked.summary, locked.summary_html = summary, render_markdown(summary)
    locked.preventive_measures = (preventive_measures or "").strip()
    locked.problem = problem or locked.problem
    locked.status, locked.published_by, locked.published_at = Rfo.Status.PUBLISHED, actor, now
    locked.save()
    sla.meet(locked.ticket, SlaTarget.RFO, now)
    timeline.record_field_change(
        ticket=locked.ticket, actor=actor, at=now, field="rfo", before=Rfo.Status.REQUESTED,
        after=Rfo.Status.PUBLISHED,
    )  # fmt: skip
    if locked.problem is not None:
        _problem_line(locked.problem, ProblemEvent.Kind.RFO_PUBLISHED, actor, now, after=locked.ticket.number)
    return locked
