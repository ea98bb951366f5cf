"""The escalation rules: thresholds, and which level is due when. Pure: they read a tenant's
configuration (loaded once per operation: escalation.services.config), a timer, its ticket
(as ``timers.for_rules`` reads it) and the SLA instants the ticket is judged by
(``timers.breach_instants``), and write nothing.

Rules (each has a test in tests/escalation/):
- Age: level k is reached when the ticket's age since the timer's baseline passes the
  threshold of k for the ticket's priority (``EscalationPolicy.level_minutes``), counted on
  the policy's business calendar, or in wall-clock time when it has none.
- Breach: an SLA clock breached (or running past its due instant) since the last breach
  acted on raises the ticket to at least the policy's ``breach_level``.
- Nothing is due once escalation is switched off for the tenant, or for a ticket without a
  matrix or without thresholds for its priority.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from escalation.models import EscalationPolicy, TicketEscalation
from escalation.services.config import TenantConfig
from servicedesk import calendars
from tickets.models import Ticket


def level_due_at(
    timer: TicketEscalation, policy: EscalationPolicy, level: int, calendar: calendars.BusinessCalendar | None
) -> dt.datetime | None:
    """When the ticket reaches ``level`` by age, counted from the timer's baseline; None if
    the policy has no threshold for it or the baseline is already there."""
    minutes: list[int] = list(policy.level_minutes or [])
    if level <= timer.baseline_level or level > len(minutes):
        return None
    base = minutes[timer.baseline_level - 1] if 1 <= timer.baseline_level <= len(minutes) else 0
    delta = dt.timedelta(minutes=max(0, minutes[level - 1] - base))
    if calendar is None:
        return timer.baseline_at + delta
    return calendars.add_business_time(calendar, timer.baseline_at, delta)


def breaches(
    timer: TicketEscalation, instants: Iterable[dt.datetime], now: dt.datetime
) -> tuple[bool, dt.datetime | None]:
    """(an SLA breach not yet acted on has happened by now, the next instant a running clock
    falls due), from ``timers.breach_instants``. A clock running past its due instant counts
    as breached before the SLA sweep records it."""
    breached, upcoming = False, None
    for instant in instants:
        if timer.breaches_handled_until is not None and instant <= timer.breaches_handled_until:
            continue
        if instant <= now:
            breached = True
        elif upcoming is None or instant < upcoming:
            upcoming = instant
    return breached, upcoming


class Rules:
    """One tenant's rules at one instant."""

    def __init__(self, config: TenantConfig, now: dt.datetime) -> None:
        self.config = config
        self.now = now

    def matrix_of(self, ticket: Ticket) -> int | None:
        return self.config.matrix_for(ticket.account_id)

    def policy_of(self, ticket: Ticket) -> EscalationPolicy | None:
        matrix_id = self.matrix_of(ticket)
        return None if matrix_id is None else self.config.policy(matrix_id, ticket.priority)

    def top_of(self, ticket: Ticket) -> int:
        matrix_id = self.matrix_of(ticket)
        return 0 if matrix_id is None else self.config.top_level(matrix_id)

    def watches_breaches(self, timer: TicketEscalation, ticket: Ticket | None) -> bool:
        """Whether a breach could still raise this ticket (its SLA instants are worth reading)."""
        if ticket is None:
            return False
        policy = self.policy_of(ticket)
        return bool(policy and policy.breach_level and timer.level < policy.breach_level)

    def age_level(self, timer: TicketEscalation, ticket: Ticket) -> int:
        """The highest level the ticket's age warrants now (0 when none)."""
        policy = self.policy_of(ticket)
        if policy is None or not self.config.settings.is_enabled:
            return 0
        calendar = self.config.calendar(policy)
        warranted = 0
        for level in range(timer.baseline_level + 1, self.top_of(ticket) + 1):
            due = level_due_at(timer, policy, level, calendar)
            if due is None or due > self.now:
                break
            warranted = level
        return warranted

    def breach_floor(self, timer: TicketEscalation, ticket: Ticket, instants: Sequence[dt.datetime]) -> int | None:
        """The level a breach not yet acted on raises the ticket to (None: no such breach)."""
        policy = self.policy_of(ticket)
        if policy is None or not policy.breach_level or not self.config.settings.is_enabled:
            return None
        breached, _ = breaches(timer, instants, self.now)
        return min(policy.breach_level, self.top_of(ticket)) if breached else None

    def next_check(
        self, timer: TicketEscalation, ticket: Ticket, instants: Sequence[dt.datetime]
    ) -> dt.datetime | None:
        """The next instant anything can happen to the timer: the next level by age, a running
        SLA clock falling due (when a breach would raise the level), an acknowledgement
        timing out. None when nothing is pending."""
        if timer.closed_at is not None:
            return None
        candidates = [] if timer.ack_due_at is None else [timer.ack_due_at]
        policy = self.policy_of(ticket)
        if policy is not None and self.config.settings.is_enabled:
            top = self.top_of(ticket)
            if timer.level < top:
                due = level_due_at(
                    timer, policy, max(timer.level, timer.baseline_level) + 1, self.config.calendar(policy)
                )
                if due is not None:
                    candidates.append(due)
            if policy.breach_level and timer.level < min(policy.breach_level, top):
                _, upcoming = breaches(timer, instants, self.now)
                if upcoming is not None:
                    candidates.append(upcoming)
        return min(candidates) if candidates else None
