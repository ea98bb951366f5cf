"""Escalation by people: the customer asks for the next level, desk staff escalate or
de-escalate with a reason, and a contact acknowledges an escalation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalation.models import EscalationAttempt, EscalationEvent, TicketEscalation
from escalation.services.config import TenantConfig
from escalation.services.decisions import Change, Escalator
from escalation.services.notifications import send_notifications_on_commit
from escalation.services.recording import record_escalations
from escalation.services.timers import TIMER_FIELDS, breach_instants, lock_timer, tickets_for_rules
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.models import Ticket
from tickets.services.escalation_level import record_escalation_level

Reason = EscalationEvent.Reason
MAX_COMMENT = 2000


def _check_reason(reason: str, comment: str) -> None:
    if reason not in Reason.values:
        raise InvalidInput.single(
            "reason", _("Choose one of: %(choices)s.") % {"choices": ", ".join(str(label) for label in Reason.labels)}
        )
    if reason == Reason.OTHER and not comment:
        raise InvalidInput.single("comment", _("Say why you escalate."))
    if len(comment) > MAX_COMMENT:
        raise InvalidInput.single("comment", _("At most %(max)d characters.") % {"max": MAX_COMMENT})


def _open_ticket(timer: TicketEscalation, ticket: Ticket, now: dt.datetime) -> Ticket:
    """The ticket as it is now (read after the timer's lock), if it is open."""
    current = tickets_for_rules([ticket.pk]).get()
    if current.status not in Ticket.OPEN_STATUSES:
        raise Conflict(
            _("Only an open ticket can be escalated; this one is %(status)s.")
            % {"status": current.get_status_display().lower()},
            code="ticket_not_open",
            status=current.status,
        )
    if timer.closed_at is not None:  # re-opened before the sweep noticed
        timer.closed_at, timer.baseline_at, timer.baseline_level = None, now, timer.level
    return current


def _clocks(ticket: Ticket) -> list[dt.datetime]:
    return breach_instants([(ticket.tenant_id, ticket.pk)]).get(ticket.pk, [])


def _finish(escalator: Escalator, change: Change) -> list[int]:
    """Record the change (its events and attempts; the ticket's level and timeline line through
    the tickets app), save the timer and notify after commit."""
    event_ids = record_escalations({change.timer.tenant_id: escalator}, [change], escalator.now).get(
        change.timer.tenant_id, []
    )
    record_escalation_level(
        ticket=change.ticket, from_level=change.from_level, to_level=change.timer.level,
        actor_id=change.actor_id, reason=change.comment, now=escalator.now,
    )  # fmt: skip
    timer = change.timer
    timer.next_check_at = escalator.next_check(timer, change.ticket, _clocks(change.ticket))
    timer.save(update_fields=TIMER_FIELDS)
    send_notifications_on_commit({timer.tenant_id: event_ids})
    return event_ids


def _refusal(
    escalator: Escalator, by: User, top: int, level: int, last_customer_escalation_at: dt.datetime | None
) -> Conflict | None:
    """Why ``by`` may not raise an open ticket at ``level`` (of ``top``) now, or None: the rules
    escalate_ticket applies under the lock and escalation_chance reads without one."""
    if top == 0:
        return Conflict(_("This ticket has no escalation matrix."), code="no_matrix")
    if by.is_customer and last_customer_escalation_at is not None:
        minutes = escalator.config.settings.customer_interval_minutes
        allowed = last_customer_escalation_at + dt.timedelta(minutes=minutes)
        if escalator.now < allowed:
            return Conflict(
                _("This ticket was escalated less than %(minutes)d minutes ago; you can escalate it again later.")
                % {"minutes": minutes},
                code="too_soon",
                next_allowed_at=allowed.isoformat(),
            )
    if level >= top:
        return Conflict(_("This ticket is at the top escalation level already."), code="top_level", level=level)
    return None


@dataclass(frozen=True)
class EscalationChance:
    """Whether a person may escalate a ticket now, as a page offers it: the level, the top of
    the ticket's matrix, and if not, why (``code`` as escalate_ticket's Conflict, ``detail``
    in words) and from when it is possible again (customers' interval)."""

    allowed: bool
    level: int
    top: int
    code: str = ""
    detail: str = ""
    next_allowed_at: dt.datetime | None = None


def escalation_chance(*, ticket: Ticket, by: User, now: dt.datetime | None = None) -> EscalationChance:
    """Whether ``by`` may escalate ``ticket`` one level now, read without locks (what the
    ticket page offers; escalate_ticket decides again under the lock). ``ticket`` comes from
    an accessor that checked the actor's walls."""
    now = now or timezone.now()
    timer = TicketEscalation.objects.filter(ticket_id=ticket.pk).first()
    level = timer.level if timer is not None else ticket.escalation_level
    if not (by.is_customer or by.is_desk_staff):
        return EscalationChance(False, level, 0, "forbidden", _("You may not escalate tickets."))
    if ticket.status not in Ticket.OPEN_STATUSES:
        return EscalationChance(False, level, 0, "ticket_not_open", _("Only an open ticket can be escalated."))
    escalator = Escalator(TenantConfig.load(), now)
    top = escalator.top_of(ticket)
    last = timer.last_customer_escalation_at if timer is not None else None
    refusal = _refusal(escalator, by, top, level, last)
    if refusal is None:
        return EscalationChance(True, level, top)
    next_allowed = refusal.extra.get("next_allowed_at")
    return EscalationChance(
        False,
        level,
        top,
        refusal.code,
        refusal.detail,
        dt.datetime.fromisoformat(str(next_allowed)) if next_allowed else None,
    )


@transaction.atomic
def escalate_ticket(
    *,
    ticket: Ticket,
    by: User,
    reason: str,
    comment: str = "",
    level: int | None = None,
    now: dt.datetime | None = None,
) -> EscalationEvent:
    """Move ``ticket`` to the next level (staff: to ``level``, any higher one), record why and
    notify the level reached.

    ``ticket`` comes from an accessor that checked the actor's walls. Raises InvalidInput (a
    reason outside progress · missed_target · other, or "other" without a comment),
    PermissionRefused (a customer choosing the level) or Conflict (the ticket is not open, it
    has no matrix, it is at the top level, or the customer escalated it less than the
    tenant's interval ago: ``next_allowed_at`` says when they may again)."""
    now = now or timezone.now()
    reason, comment = (reason or "").strip(), (comment or "").strip()
    if not (by.is_customer or by.is_desk_staff):
        raise PermissionRefused(_("You may not escalate tickets."))
    if level is not None and not by.is_desk_staff:
        raise PermissionRefused(_("Customers escalate one level at a time."))
    _check_reason(reason, comment)
    timer = lock_timer(ticket=ticket, now=now)
    current = _open_ticket(timer, ticket, now)
    escalator = Escalator(TenantConfig.load(), now)
    top = escalator.top_of(current)
    refusal = _refusal(escalator, by, top, timer.level, timer.last_customer_escalation_at)
    if refusal is not None:
        raise refusal
    target = timer.level + 1 if level is None else level
    if not timer.level < target <= top:
        raise InvalidInput.single(
            "level", _("Choose a level from %(low)d to %(high)d.") % {"low": timer.level + 1, "high": top}
        )
    change = Change(timer=timer, ticket=current, from_level=timer.level)
    trigger = EscalationEvent.Trigger.CUSTOMER if by.is_customer else EscalationEvent.Trigger.AGENT
    event = escalator.raise_to(change, target, trigger, reason=reason, comment=comment, actor_id=by.pk)
    timer.baseline_at, timer.baseline_level = now, target
    if by.is_customer:
        timer.last_customer_escalation_at = now
    _finish(escalator, change)
    return event


@transaction.atomic
def deescalate_ticket(
    *, ticket: Ticket, by: User, comment: str, level: int | None = None, now: dt.datetime | None = None
) -> EscalationEvent:
    """Desk staff: move ``ticket`` down to ``level`` (default: one level), saying why. Age
    counts again from now at that level; breaches so far are set aside.

    Raises PermissionRefused (not staff), InvalidInput (no comment, a level not below the
    current one) or Conflict (the ticket is not open or not escalated)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not by.is_desk_staff:
        raise PermissionRefused(_("Only the desk can lower a ticket's escalation level."))
    if not comment:
        raise InvalidInput.single("comment", _("Say why the level goes down."))
    if len(comment) > MAX_COMMENT:
        raise InvalidInput.single("comment", _("At most %(max)d characters.") % {"max": MAX_COMMENT})
    timer = lock_timer(ticket=ticket, now=now)
    current = _open_ticket(timer, ticket, now)
    if timer.level == 0:
        raise Conflict(_("This ticket is not escalated."), code="not_escalated", level=0)
    target = timer.level - 1 if level is None else level
    if not 0 <= target < timer.level:
        raise InvalidInput.single("level", _("Choose a level from 0 to %(high)d.") % {"high": timer.level - 1})
    escalator = Escalator(TenantConfig.load(), now)
    change = Change(timer=timer, ticket=current, from_level=timer.level)
    event = escalator.lower_to(change, target, actor_id=by.pk, comment=comment)
    _finish(escalator, change)
    return event


@transaction.atomic
def acknowledge_attempt(
    *, attempt_id: int, by: User | None = None, now: dt.datetime | None = None
) -> EscalationAttempt:
    """The contact of this attempt (or ``by``, signed in) takes the escalation on: no further
    contact or level is tried for it. Idempotent: a second acknowledgement changes nothing.
    Raises EscalationAttempt.DoesNotExist for an attempt outside the current tenant."""
    now = now or timezone.now()
    ticket_id = EscalationAttempt.objects.filter(pk=attempt_id).values_list("event__ticket_id", flat=True).get()
    timer = (
        TicketEscalation.objects.select_for_update(of=("self",))
        .select_related("ack_event__level_ref")
        .get(ticket_id=ticket_id)
    )
    attempt = EscalationAttempt.objects.select_related("event").select_for_update(of=("self",)).get(pk=attempt_id)
    if attempt.acknowledged_at is not None:
        return attempt
    event = attempt.event
    attempt.acknowledged_at = now
    attempt.save(update_fields=["acknowledged_at"])
    if event.acknowledged_at is None:
        event.acknowledged_at = now
        event.acknowledged_by = (by.full_name if by is not None else attempt.name)[:200]
        event.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if timer.ack_event_id == event.pk:
        timer.ack_event, timer.ack_due_at = None, None
        ticket = tickets_for_rules([ticket_id]).get()
        escalator = Escalator(TenantConfig.load(), now)
        timer.next_check_at = escalator.next_check(timer, ticket, _clocks(ticket))
        timer.save(update_fields=["ack_event", "ack_due_at", "next_check_at"])
    return attempt
