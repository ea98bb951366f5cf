"""Service levels: the tenant's policies, and each ticket's clocks.

A clock is one row per (ticket, target). It stores the instant it started, its budget in
business minutes on its calendar, the business time it spent paused, and what follows from
them (``due_at``, ``warn_at``), plus what happened (met, warned, breached). ``next_check_at``
is the next instant the beat sweep must look at it; NULL when nothing is pending.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models import BusinessCalendar, TenantOwned
from servicedesk.reference_data import ReferenceData
from tickets.models.core import Ticket


class SlaTarget(models.TextChoices):
    RESPOND = "respond", _("Response (ticket number confirmed)")
    CALLBACK = "callback", _("Call-back by a specialist")
    RESTORE = "restore", _("Restoration")
    RFO = "rfo", _("Reason for outage report")


class SlaPolicy(ReferenceData, TenantOwned):
    """Targets for tickets on services of one contract tier (and, optionally, one ticket kind).

    The most specific policy wins: tier and kind, then tier alone, then kind alone, then the
    catch-all (both blank). A target left empty is not tracked."""

    name = models.CharField(_("name"), max_length=100)
    contract_tier = models.CharField(_("contract tier"), max_length=20, blank=True, help_text=_("Empty: any tier."))
    ticket_kind = models.CharField(_("ticket kind"), max_length=20, blank=True, help_text=_("Empty: any kind."))
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+", db_index=False)
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"), null=True, blank=True)
    callback_minutes = models.PositiveIntegerField(_("call back within (minutes)"), null=True, blank=True)
    restore_minutes_p1 = models.PositiveIntegerField(_("restore P1 within (minutes)"), null=True, blank=True)
    restore_minutes_p2 = models.PositiveIntegerField(_("restore P2 within (minutes)"), null=True, blank=True)
    restore_minutes_p3 = models.PositiveIntegerField(_("restore P3 within (minutes)"), null=True, blank=True)
    restore_minutes_p4 = models.PositiveIntegerField(_("restore P4 within (minutes)"), null=True, blank=True)
    warning_percent = models.PositiveSmallIntegerField(_("warn at (% of the budget)"), default=80)
    defer_outside_hours = models.BooleanField(
        _("defer non-service-affecting faults"),
        default=True,
        help_text=_(
            "A fault that affects no service, raised outside business hours, starts its clocks at the next opening."
        ),
    )
    # Inactive: chosen for no new ticket (the next most specific policy is); the clocks that
    # already run under it keep their targets.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contract_tier", "ticket_kind"], name="sla_policy_unique_scope"),
            models.CheckConstraint(
                condition=Q(warning_percent__gt=0, warning_percent__lt=100), name="sla_warning_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def budget_minutes(self, target: str, priority: str) -> int | None:
        if target == SlaTarget.RESPOND:
            return self.respond_minutes
        if target == SlaTarget.CALLBACK:
            return self.callback_minutes
        if target == SlaTarget.RESTORE:
            return getattr(self, f"restore_minutes_{priority.lower()}", None)
        return None


#: Where a list of tickets keeps each one's clocks as a plain list (``tickets.selectors.with_clocks``).
PREFETCHED_CLOCKS = "prefetched_clocks"


class SlaClock(TenantOwned):
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        STOPPED = "stopped", _("Stopped")  # the ticket was cancelled

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks", db_index=False)
    target = models.CharField(max_length=10, choices=SlaTarget.choices)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+", db_index=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    budget_minutes = models.PositiveIntegerField()
    warning_percent = models.PositiveSmallIntegerField(default=80)
    # Business time spent paused so far (not counting a pause still running).
    paused_seconds = models.PositiveBigIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    # Business time on the clock's calendar from its start to ``met_at``, pauses excluded: recorded
    # when the target is met (NULL until then, and again once reopened), so the reports average
    # and rank it in SQL without walking a calendar per clock.
    business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "ticket", "target"], name="sla_clock_unique_target")]
        indexes = [
            # The sweep's only entrance: clocks with something pending, by when. Partial, so
            # met and paused clocks cost nothing, and not led by tenant_id on purpose: the sweep
            # finds due rows across tenants with one range scan (README, "Timers").
            models.Index(
                fields=["next_check_at"], condition=Q(next_check_at__isnull=False), name="slaclock_next_check_idx"
            ),
            # The service-level report: targets met (on time or late) in a period, by met_at,
            # and targets breached in a period, by due_at (reports.selectors.met_in and breached_in). They
            # carry what the report counts and groups by, so a period is an index-only scan.
            models.Index(
                fields=["tenant", "met_at"],
                condition=Q(met_at__isnull=False),
                include=["state", "target", "ticket", "started_at", "business_seconds"],
                name="slaclock_met_idx",
            ),
            models.Index(
                fields=["tenant", "due_at"],
                condition=Q(state="breached"),
                include=["target", "ticket", "met_at"],
                name="slaclock_breached_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} due {self.due_at:%Y-%m-%d %H:%M}"


class SlaAlert(TenantOwned):
    """A warning or a breach of one clock, recorded exactly once (the unique key is the guard
    against duplicate beats and retried tasks)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="alerts", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "clock", "kind"], name="sla_alert_once_per_kind")]
        indexes = [
            # Alerts not mailed yet (their task lost with a worker or the broker): the sweep task
            # hands them on again after a while. Partial, so it holds only those few, and not led
            # by tenant_id on purpose (found across tenants; README, "Timers").
            models.Index(fields=["at"], condition=Q(notified_at__isnull=True), name="slaalert_unnotified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on clock {self.clock_id}"
