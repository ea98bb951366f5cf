"""Escalation: the tenant's matrices (levels, contacts, thresholds per priority), each open
ticket's escalation timer, and what happened: escalation events, contact attempts and their
acknowledgements, in-app notices.

A ticket's public level is ``tickets.Ticket.escalation_level`` (0 = not escalated); this app
keeps the state behind it. ``TicketEscalation.next_check_at`` is the next instant the beat
sweep must look at a ticket (the next level by age, an SLA clock falling due, an
unacknowledged attempt timing out); NULL when nothing is pending.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import BusinessCalendar, CustomerAccount, CustomerOwned, ProductArea, TenantOwned, User
from servicedesk.walls import CustomerWall
from tickets.models import Priority, Ticket


class EscalationSettings(TenantOwned):
    """The tenant's escalation rules that are not part of a matrix (one row per tenant)."""

    is_enabled = models.BooleanField(_("automatic escalation"), default=True)
    customer_interval_minutes = models.PositiveIntegerField(
        _("customers escalate at most once per (minutes)"), default=60
    )
    acknowledge_minutes = models.PositiveIntegerField(
        _("acknowledge within (minutes)"),
        default=15,
        help_text=_("A contact who has not acknowledged by then: the next contact is tried."),
    )
    attempts_per_level = models.PositiveSmallIntegerField(
        _("attempts before the next level"),
        default=3,
        help_text=_("Unanswered attempts at one level before the ticket goes to the next (seed 001: 3)."),
    )
    notify_account = models.BooleanField(_("tell the customer account"), default=True)

    class Meta:
        verbose_name = _("escalation settings")
        verbose_name_plural = _("escalation settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="escalation_settings_one_per_tenant"),
            models.CheckConstraint(condition=Q(attempts_per_level__gte=1), name="escalation_attempts_at_least_one"),
            models.CheckConstraint(condition=Q(acknowledge_minutes__gte=1), name="escalation_ack_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"escalation settings of tenant {self.tenant_id}"


class EscalationMatrix(CustomerOwned):
    """Levels 1…N with their contacts, and thresholds per priority. The tenant's default
    matrix (no account) applies to every customer account that has none of its own."""

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        CustomerAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("customer account"),
        help_text=_("Empty: the tenant's default matrix."),
    )

    wall = CustomerWall(account="account", tenant_wide_without_account=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation matrix")
        verbose_name_plural = _("escalation matrices")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="escalation_matrix_name_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(account__isnull=True), name="escalation_matrix_one_default"
            ),
            models.UniqueConstraint(
                fields=["tenant", "account"],
                condition=Q(account__isnull=False),
                name="escalation_matrix_one_per_account",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationLevel(TenantOwned):
    """Level ``number`` of a matrix for one product area, or for all (no product area). For a
    ticket, the row of its product area wins over the row for all areas."""

    matrix = models.ForeignKey(EscalationMatrix, on_delete=models.CASCADE, related_name="levels", db_index=False)
    number = models.PositiveSmallIntegerField(_("level"))
    title = models.CharField(_("title"), max_length=200)
    product_area = models.ForeignKey(
        ProductArea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("product area"),
        help_text=_("Empty: all product areas."),
    )

    class Meta:
        ordering = ["number", "product_area_id"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "matrix", "number", "product_area"],
                condition=Q(product_area__isnull=False),
                name="escalation_level_unique_per_area",
            ),
            models.UniqueConstraint(
                fields=["tenant", "matrix", "number"],
                condition=Q(product_area__isnull=True),
                name="escalation_level_unique_for_all",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="escalation_level_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class EscalationContact(TenantOwned):
    """Someone to contact at a level, or (no level) the matrix's escalation manager, reachable
    at any level. Either a user of the tenant or an external person."""

    matrix = models.ForeignKey(EscalationMatrix, on_delete=models.CASCADE, related_name="contacts", db_index=False)
    level = models.ForeignKey(
        EscalationLevel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,
        verbose_name=_("level"),
        help_text=_("Empty: the escalation manager, reachable at any level."),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False, verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: the tenant's default.")
    )
    position = models.PositiveSmallIntegerField(_("order of attempts"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="escalation_contact_named"),
        ]
        indexes = [models.Index(fields=["tenant", "matrix", "level"], name="esccontact_tenant_matrix_idx")]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.user_id is None and not (self.email or self.phone):
            raise ValidationError(_("An external contact needs an e-mail address or a phone number."))

    @property
    def display_name(self) -> str:
        return self.name or (self.user.full_name if self.user is not None else "")

    @property
    def display_email(self) -> str:
        return self.email or (self.user.email if self.user is not None else "")

    @property
    def display_phone(self) -> str:
        return self.phone or (self.user.phone if self.user is not None else "")

    def language_or(self, default: str) -> str:
        return self.language or (self.user.language if self.user is not None else "") or default


class EscalationPolicy(TenantOwned):
    """Thresholds of a matrix for one priority: the ticket age at which each level is reached,
    counted in wall-clock time or on a business calendar, and the level an SLA breach
    reaches at least."""

    matrix = models.ForeignKey(EscalationMatrix, on_delete=models.CASCADE, related_name="policies", db_index=False)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    # [30, 60, 120, 240, 480]: level 1 at 30 minutes of age, level 2 at 60, … (rising).
    level_minutes = models.JSONField(_("age per level (minutes)"), default=list)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("business calendar"),
        help_text=_("Empty: ages count in wall-clock time."),
    )
    breach_level = models.PositiveSmallIntegerField(
        _("on an SLA breach, at least level"), null=True, blank=True, help_text=_("Empty: breaches do not escalate.")
    )

    class Meta:
        ordering = ["priority"]
        verbose_name = _("escalation thresholds")
        verbose_name_plural = _("escalation thresholds")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "matrix", "priority"], name="escalation_policy_unique_priority"),
        ]

    def __str__(self) -> str:
        return f"{self.matrix_id} {self.priority}"

    def clean(self) -> None:
        minutes: Any = self.level_minutes
        if not isinstance(minutes, list) or not all(isinstance(m, int) and m > 0 for m in minutes):
            raise ValidationError({"level_minutes": _("Give a list of whole, positive minutes, one per level.")})
        if any(later <= earlier for earlier, later in zip(minutes, minutes[1:], strict=False)):
            raise ValidationError({"level_minutes": _("Each level must come later than the one before.")})


class TicketEscalation(TenantOwned):
    """One ticket's escalation timer: its level, where its age counts from, the attempt
    awaiting acknowledgement, and when the sweep must look at it next.

    Age thresholds count from ``baseline_at`` at ``baseline_level``: level k is due at
    baseline_at + (minutes[k] − minutes[baseline_level]). A new timer starts at the ticket's
    creation and level 0; a manual escalation or de-escalation moves the baseline to that
    instant and level, so automatic escalation continues from there. Every change happens
    under this row's lock (the sweep claims it with SKIP LOCKED; the services lock it
    before they touch the ticket, in the same order, so they cannot deadlock)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField(default=0)
    # Bumped by each de-escalation: a level can be reached again, once per round.
    round = models.PositiveIntegerField(default=1)
    baseline_at = models.DateTimeField()
    baseline_level = models.PositiveSmallIntegerField(default=0)
    # SLA breaches up to this instant have been acted on (or set aside by a de-escalation).
    breaches_handled_until = models.DateTimeField(null=True, blank=True)
    # The event whose contacts are being tried, the attempts made so far, and until when the
    # last one may be acknowledged.
    ack_event = models.ForeignKey(
        "EscalationEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    ack_attempts = models.PositiveSmallIntegerField(default=0)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    last_customer_escalation_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket escalation")
        verbose_name_plural = _("ticket escalations")
        constraints = [models.UniqueConstraint(fields=["tenant", "ticket"], name="ticket_escalation_one_per_ticket")]
        indexes = [
            # The escalation sweep's only entrance: timers with something pending, by when.
            # Partial, so settled and closed timers cost nothing, and not led by tenant_id on
            # purpose: the sweep finds due rows across tenants with one range scan (like
            # slaclock_next_check_idx; README, "Timers").
            models.Index(
                fields=["next_check_at"], condition=Q(next_check_at__isnull=False), name="ticketesc_next_check_idx"
            ),
            # The agents' escalated queue and its count (tickets.selectors.narrow_to_queue): the
            # tickets escalated while open. Here rather than on the tickets table, where an index
            # reading the level would make each escalation a non-HOT update of the ticket; a
            # timer's update is never HOT anyway (its next_check_at moves).
            models.Index(
                fields=["tenant", "ticket"],
                condition=Q(level__gt=0, closed_at__isnull=True),
                name="ticketesc_escalated_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} at level {self.level}"


class EscalationEvent(TenantOwned):
    """A level reached (or skipped on the way, or returned to), once per (ticket, round,
    level): the unique key is what makes the sweep's escalations exactly-once."""

    class Trigger(models.TextChoices):
        AGE = "age", _("Ticket age")
        BREACH = "breach", _("SLA breach")
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Desk staff")
        UNANSWERED = "unanswered", _("Previous level did not answer")

    class Reason(models.TextChoices):
        PROGRESS = "progress", _("Not happy with the progress")
        MISSED_TARGET = "missed_target", _("Response or repair time missed")
        OTHER = "other", _("Other")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    round = models.PositiveIntegerField(default=1)
    level = models.PositiveSmallIntegerField(_("level"))
    from_level = models.PositiveSmallIntegerField(_("from level"))
    level_ref = models.ForeignKey(
        EscalationLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    is_skipped = models.BooleanField(_("skipped"), default=False)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    account_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "ticket", "round", "level"], name="escalation_event_once"),
        ]
        # The reports: escalations in a period (reports.figures.escalations).
        indexes = [
            models.Index(fields=["tenant", "at"], name="escalationevent_tenant_at_idx"),
            # Account notices not sent yet (their task lost with a worker or the broker): the
            # sweep task hands them on again after a while. Partial, so it holds only those few,
            # and not led by tenant_id on purpose (found across tenants; README, "Timers").
            models.Index(
                fields=["at"],
                condition=Q(account_notified_at__isnull=True, is_skipped=False),
                name="escevent_unnotified_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} → level {self.level} ({self.trigger})"

    @property
    def is_deescalation(self) -> bool:
        return self.level < self.from_level


class EscalationAttempt(TenantOwned):
    """One try to reach a level's contact (by e-mail, and in-app for users), with a link to
    acknowledge. Unanswered within the tenant's time: the next contact; after the tenant's
    number of attempts: the next level. Number ``attempts_per_level + 1`` is the escalation
    manager, told when the top level does not answer."""

    event = models.ForeignKey(EscalationEvent, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    number = models.PositiveSmallIntegerField()
    contact = models.ForeignKey(
        EscalationContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # What the contact was when tried (the matrix may change later).
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    is_manager = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "event", "number"], name="escalation_attempt_once"),
        ]
        indexes = [
            # Attempts not sent yet (their task lost with a worker or the broker), like
            # escevent_unnotified_idx.
            models.Index(fields=["at"], condition=Q(notified_at__isnull=True), name="escattempt_unnotified_idx"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of event {self.event_id}: {self.name}"


class EscalationNotice(TenantOwned):
    """An in-app notice for a user: an escalation that asks them to act, or tells them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    event = models.ForeignKey(EscalationEvent, on_delete=models.CASCADE, related_name="+", db_index=False)
    attempt = models.ForeignKey(
        EscalationAttempt, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "user", "-created_at"], name="escnotice_tenant_user_idx")]

    def __str__(self) -> str:
        return self.text


class DiscoveryWatermark(models.Model):
    """Sweep bookkeeping, not tenant data: tickets created before ``value`` (less a margin)
    have been given their escalation timers."""

    name = models.CharField(max_length=50, unique=True)
    value = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} until {self.value:%Y-%m-%d %H:%M}"
