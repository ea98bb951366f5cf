"""How a ticket's service-level targets read on a page: each target with its due time and its
state as a reader understands it (on track, at risk, missed, met, paused), and one state for
the ticket as a whole (the worst of its targets), which lists and the portal's home show.

Presentation only, from the clocks already loaded with the ticket (``sla_clocks`` prefetched,
or ``prefetched_clocks`` from ``tickets.selectors.with_clocks``): no query per ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tickets.models import PREFETCHED_CLOCKS, SlaClock, Ticket

State = SlaClock.State

ON_TRACK, AT_RISK, BREACHED, MET, MET_LATE, PAUSED, STOPPED = (
    "on-track", "at-risk", "breached", "met", "met-late", "paused", "stopped",
)  # fmt: skip

LABELS: dict[str, Promise] = {
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    BREACHED: _("Missed"),
    MET: _("Met"),
    MET_LATE: _("Met late"),
    PAUSED: _("Paused"),
    STOPPED: _("Stopped"),
}
#: What each state means, for the page's help.
MEANINGS: dict[str, Promise] = {
    ON_TRACK: _("The desk is within the time the contract allows."),
    AT_RISK: _("Most of the time is used up; the desk has been warned."),
    BREACHED: _("The due time has passed without the target being met."),
    MET: _("The target was met in time."),
    MET_LATE: _("The target was met, but after its due time."),
    PAUSED: _("The clock stands still while the desk waits for your answer."),
    STOPPED: _("The ticket was cancelled; the target no longer counts."),
}
# From worst to best: a ticket shows the worst state of its running targets.
_SEVERITY = (BREACHED, AT_RISK, ON_TRACK, PAUSED)


@dataclass(frozen=True)
class TargetRow:
    target: str
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    state: str
    running: bool

    @property
    def state_label(self) -> str:
        return str(LABELS[self.state])


def clock_state(clock: SlaClock, now: dt.datetime) -> str:
    """The state of one target as the reader sees it now (the sweep marks breaches every
    minute; the page does not wait for it)."""
    if clock.state == State.MET:
        return MET_LATE if clock.breached_at is not None else MET
    if clock.state == State.PAUSED:
        return PAUSED
    if clock.state == State.STOPPED:
        return STOPPED
    if clock.state == State.BREACHED or now >= clock.due_at:
        return BREACHED
    if now >= clock.warn_at:
        return AT_RISK
    return ON_TRACK


def _clocks(ticket: Ticket) -> Iterable[SlaClock]:
    prefetched = getattr(ticket, PREFETCHED_CLOCKS, None)
    return prefetched if prefetched is not None else ticket.sla_clocks.all()


def target_rows(ticket: Ticket, now: dt.datetime) -> list[TargetRow]:
    rows = []
    for clock in sorted(_clocks(ticket), key=lambda clock: clock.due_at):
        state = clock_state(clock, now)
        rows.append(
            TargetRow(
                target=clock.target,
                label=clock.get_target_display(),
                due_at=clock.due_at,
                met_at=clock.met_at,
                state=state,
                running=clock.state == State.RUNNING,
            )
        )
    return rows


@dataclass(frozen=True)
class TicketLevel:
    """The ticket's service-level state as one word, and the next running target's due time."""

    state: str
    next_due_at: dt.datetime | None

    @property
    def label(self) -> str:
        return str(LABELS[self.state]) if self.state else ""


def ticket_level(ticket: Ticket, now: dt.datetime) -> TicketLevel:
    """The worst state of the ticket's targets still counting (missed, at risk, on track,
    paused), or none if nothing counts any more."""
    rows = target_rows(ticket, now)
    states = {row.state for row in rows}
    worst = next((state for state in _SEVERITY if state in states), "")
    due = [row.due_at for row in rows if row.running]
    return TicketLevel(state=worst, next_due_at=min(due) if due else None)
