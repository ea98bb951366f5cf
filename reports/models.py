"""What the reports app records: which monthly report went to which customer account."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.models import CustomerAccount, CustomerOwned, TenantOwned
from servicedesk.walls import CustomerWall


class MonthlyReportDelivery(CustomerOwned):
    """The monthly service report of one account for one month, mailed once: the unique key is
    the guard against a second beat, a retried task or a second run on the same day."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    wall = CustomerWall(account="account")

    class Meta:
        verbose_name = _("monthly report delivery")
        verbose_name_plural = _("monthly report deliveries")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "account", "month"], name="monthly_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"


class DailyFigures(TenantOwned):
    """The report's counts of one day (in the tenant's time zone) for one target and one
    combination of the ticket's priority, kind, product area and team: a roll-up of the SLA
    clocks and tickets, kept by ``reports.rollup`` so that the managers' dashboard reads a few
    hundred rows per month instead of every clock. ``target`` is empty on the rows that count
    tickets opened and resolved. No product area or team is stored as 0.

    A clock counts as ``met`` on the day of its ``met_at`` (met on time), as ``breached`` on the
    day of its ``due_at``, and as ``timed`` (met on time or late: the times to respond and
    restore) on the day of its ``met_at``."""

    day = models.DateField()
    target = models.CharField(max_length=10, blank=True)
    priority = models.CharField(max_length=2)
    kind = models.CharField(max_length=20)
    product_area = models.BigIntegerField(default=0)
    team = models.BigIntegerField(default=0)
    met = models.IntegerField(default=0)
    breached = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    #: The sum of ``met_at - started_at`` of the timed clocks, in microseconds (exact).
    wall_microseconds = models.BigIntegerField(default=0)
    business_timed = models.IntegerField(default=0)
    business_seconds = models.BigIntegerField(default=0)
    #: The timed clocks' durations themselves (responses and restorations only), wall-clock and
    #: business (None where not recorded), pairwise: no sum gives a median or a percentile.
    wall_values = ArrayField(models.FloatField(), default=list)
    business_values = ArrayField(models.FloatField(null=True), default=list)
    opened = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily report figures")
        verbose_name_plural = _("daily report figures")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "day", "target", "priority", "kind", "product_area", "team"],
                name="dailyfigures_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.target or 'tickets'}"


class RollupState(TenantOwned):
    """Which days of a tenant ``DailyFigures`` covers: every day from ``since`` to ``through``
    (in ``zone``, the tenant's zone when they were rolled up), except the days in
    ``RollupDirtyDay``. One row per tenant."""

    zone = models.CharField(max_length=64)
    since = models.DateField(null=True, blank=True)
    through = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="rollupstate_once")]

    def __str__(self) -> str:
        return f"{self.since}–{self.through}"


class RollupDirtyDay(TenantOwned):
    """A rolled-up day whose clocks or tickets changed since: the reports count it directly until
    ``reports.rollup`` has rolled it up again. Written by database triggers on the clocks and
    tickets (migration reports 0002), so no change, however made, is missed."""

    day = models.DateField()

    class Meta:
        verbose_name = _("day to roll up again")
        verbose_name_plural = _("days to roll up again")
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="rollupdirtyday_once")]

    def __str__(self) -> str:
        return str(self.day)
