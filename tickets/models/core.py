"""Tickets and what hangs off them: the lifecycle, the timeline, the conversation, the
attachments; and the tenant's intake rules: the priority matrix and the questionnaires."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from orders.models import Service, ServiceType
from servicedesk.models import CustomerAccount, CustomerOwned, ProductArea, Site, Team, TenantOwned, User
from servicedesk.reference_data import ReferenceData
from servicedesk.timeline import TimelineEntry
from servicedesk.walls import CustomerWall


class Impact(models.TextChoices):
    OUTAGE = "outage", _("Service-affecting (outage)")
    DEGRADATION = "degradation", _("Degradation")
    NONE = "none", _("Not service-affecting")


class Urgency(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – critical")
    P2 = "P2", _("P2 – major")
    P3 = "P3", _("P3 – minor")
    P4 = "P4", _("P4 – low")


class PriorityRule(ReferenceData, TenantOwned):
    """One cell of the tenant's impact × urgency matrix."""

    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "impact", "urgency"], name="priority_rule_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.priority}"


class QuestionnaireField(ReferenceData, TenantOwned):
    """One question of the intake questionnaire of a service type."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        YES_NO = "yes_no", _("Yes / no")
        CHOICE = "choice", _("Choice")
        IP_ADDRESS = "ip_address", _("IP address")
        PHONE = "phone", _("Phone number")
        DATETIME_LIST = "datetime_list", _("Dates and times")

    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="questions", db_index=False)
    name = models.SlugField(_("field name"), max_length=60, db_index=False)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    # {"de": …, "en": …, "es": …}
    labels = models.JSONField(_("labels"), default=dict)
    help_texts = models.JSONField(_("help texts"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # [{"value": "slowness", "labels": {"de": …, "en": …, "es": …}}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # {"field": "symptom", "in": ["slowness", "packet_loss"]}: asked only when that answer matches.
    shown_when = models.JSONField(_("shown when"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Inactive: not asked in new intake forms; the answers tickets already have stay with them.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("questionnaire field")
        verbose_name_plural = _("questionnaire fields")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "service_type", "name"], name="question_name_unique_per_type"),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return str(self.labels.get(language) or self.labels.get("en") or self.name)


class TicketSequence(TenantOwned):
    """The last number given out per tenant and prefix. Incremented under a row lock inside
    the creating transaction, so numbers are unique and, because a rolled-back ticket rolls
    its increment back too, gap-free."""

    prefix = models.CharField(max_length=8)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "prefix"], name="ticket_sequence_unique_prefix")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.last_value:06d}"


#: The open statuses (``Ticket.OPEN_STATUSES``) as the partial indexes' condition; the class's
#: Meta cannot read the class's own attributes.
_OPEN = models.Q(status__in=["new", "acknowledged", "in_progress", "waiting_for_customer"])


class Ticket(ConcurrentTransitionMixin, CustomerOwned):
    """An incident, complaint or enquiry of a customer account. (Simple service requests and
    change requests are records of the orders app, with their own numbers and lifecycles.)"""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        COMPLAINT = "complaint", _("Complaint")
        ENQUIRY = "enquiry", _("General enquiry")

    NUMBER_PREFIX = {
        Kind.INCIDENT: "INC",
        Kind.COMPLAINT: "CMP",
        Kind.ENQUIRY: "ENQ",
    }

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_FOR_CUSTOMER = "waiting_for_customer", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER)

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        API = "api", _("API")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    class Occurrence(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        INTERMITTENT = "intermittent", _("Intermittent")

    # The limits of what a ticket says, in one place: the columns below, the services' checks
    # and the API's serializers read them.
    MAX_SUBJECT = 200
    MAX_DESCRIPTION = 20_000
    MAX_CUSTOMER_REFERENCE = 100
    MAX_PRIORITY_REASON = 500

    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = FSMField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW, protected=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", db_index=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", db_index=False
    )
    # The product area of the service when the ticket was opened (tickets.services.intake), carried
    # on the ticket so the reports and the queue narrow by it without joining every ticket to its
    # service (index ticket_tenant_area_idx).
    product_area = models.ForeignKey(
        ProductArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    description = models.TextField(_("description"))
    description_html = models.TextField(editable=False, default="")
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices, default=Impact.NONE)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    priority_overridden = models.BooleanField(_("priority overridden"), default=False)
    priority_reason = models.CharField(_("reason for the priority"), max_length=MAX_PRIORITY_REASON, blank=True)

    problem_started_at = models.DateTimeField(_("problem started"), null=True, blank=True)
    occurrence = models.CharField(_("occurrence"), max_length=16, choices=Occurrence.choices, blank=True)
    customer_reference = models.CharField(_("your reference"), max_length=MAX_CUSTOMER_REFERENCE, blank=True)
    # {"callback": {"name", "email", "phone"}, "test": {…}, "closure": {…}, "onsite": {…}}
    contacts = models.JSONField(_("contacts"), default=dict, blank=True)
    answers = models.JSONField(_("questionnaire answers"), default=dict, blank=True)

    # Logged by an agent from a phone call.
    caller_name = models.CharField(_("caller name"), max_length=200, blank=True)
    caller_company = models.CharField(_("caller company"), max_length=200, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=40, blank=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)

    is_entitled = models.BooleanField(_("entitled to support"), default=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_tickets", db_index=False
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Optimistic concurrency: every update names the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    # Subject, description and public replies as plain text: what full-text search reads
    # (a GIN expression index on PostgreSQL, see migration 0002).
    search_document = models.TextField(editable=False, default="")
    # The earliest due and warning instants among the ticket's counting clocks (running or
    # breached, neither met, paused nor stopped); NULL when none counts. Written by
    # tickets.services.sla in the transaction that changes the clocks (the sweep's breach
    # changes neither: a breached clock still counts, overdue). The agents' queues sort by
    # next_due_at and find "breaching soon" by both, through the indexes below.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    next_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # next_due_at - next_warn_at, written with them: the longest of the open tickets (one step
    # of ticket_open_warn_lead_idx) bounds how far after now a warned ticket can be due, so
    # "breaching soon" reads a bounded range of next_due_at (tickets.selectors.narrow_to_queue).
    next_warn_lead = models.DurationField(null=True, blank=True, editable=False)

    wall = CustomerWall(account="account", site="site", opener="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="ticket_number_unique_per_tenant")]
        # Every list the pages and the API offer is read in one of these orders, so a page is
        # a range scan of its own length (keyset pagination) whatever the tenant's size.
        indexes = [
            # Staff lists of every status, newest or oldest first.
            models.Index(fields=["tenant", "-created_at", "-id"], name="ticket_tenant_created_idx"),
            # The staff's default queue: the open tickets only, newest or oldest first.
            models.Index(fields=["tenant", "-created_at", "-id"], name="ticket_open_created_idx", condition=_OPEN),
            # Open tickets by priority (the "most urgent" queue; a priority filter).
            models.Index(
                fields=["tenant", "priority", "-created_at", "-id"], name="ticket_open_priority_idx", condition=_OPEN
            ),
            # Staff lists by last update.
            models.Index(fields=["tenant", "-updated_at", "-id"], name="ticket_tenant_updated_idx"),
            # One status (a status filter), newest first.
            models.Index(fields=["tenant", "status", "-created_at"], name="ticket_tenant_status_idx"),
            # The customer's list: one account's tickets, newest or last updated first.
            models.Index(fields=["tenant", "account", "-created_at", "-id"], name="ticket_tenant_account_idx"),
            models.Index(fields=["tenant", "account", "-updated_at", "-id"], name="ticket_account_updated_idx"),
            models.Index(fields=["tenant", "site"], name="ticket_tenant_site_idx"),
            models.Index(fields=["tenant", "service"], name="ticket_tenant_service_idx"),
            # One product area's tickets, newest first: the queue's product-area filter and the
            # reports' semi-join of a product area (index-only: the id is a key column).
            models.Index(fields=["tenant", "product_area", "-created_at", "-id"], name="ticket_tenant_area_idx"),
            models.Index(fields=["tenant", "assignee", "status"], name="ticket_tenant_assignee_idx"),
            models.Index(fields=["tenant", "team", "status"], name="ticket_tenant_team_idx"),
            # The reports: tickets resolved in a period.
            models.Index(
                fields=["tenant", "resolved_at"],
                name="ticket_tenant_resolved_idx",
                condition=models.Q(resolved_at__isnull=False),
            ),
            # Availability: outages restored after a period's start, or not yet, with what the
            # downtime is computed from and what the dashboard filters them by
            # (reports.figures.outage_downtime): index-only, whatever the filter.
            models.Index(
                fields=["tenant", "resolved_at"],
                name="ticket_outage_restored_idx",
                condition=models.Q(kind="incident", impact="outage", service__isnull=False),
                include=[
                    "service",
                    "problem_started_at",
                    "created_at",
                    "status",
                    "account",
                    "site",
                    "product_area",
                    "priority",
                    "team",
                ],
            ),
            # The agents' queues (portal.views.console_queue), each in its default order, the
            # next due instant first (NULLs last, as PostgreSQL sorts them ascending): all open
            # (also "breaching soon" and "breached", a range of next_due_at), mine, my team's,
            # unassigned, waiting for the customer. No index reads escalation_level (the escalated
            # queue starts from the escalation timers: tickets.selectors.serve_escalated_queue_from).
            models.Index(fields=["tenant", "next_due_at", "id"], name="ticket_open_due_idx", condition=_OPEN),
            models.Index(
                fields=["tenant", "assignee", "next_due_at", "id"], name="ticket_assignee_due_idx", condition=_OPEN
            ),
            models.Index(fields=["tenant", "team", "next_due_at", "id"], name="ticket_team_due_idx", condition=_OPEN),
            models.Index(fields=["tenant", "next_warn_lead"], name="ticket_open_warn_lead_idx", condition=_OPEN),
            models.Index(
                fields=["tenant", "next_due_at", "id"],
                name="ticket_unassigned_due_idx",
                condition=_OPEN & models.Q(assignee__isnull=True),
            ),
            models.Index(
                fields=["tenant", "next_due_at", "id"],
                name="ticket_waiting_due_idx",
                condition=models.Q(status="waiting_for_customer"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # --- Lifecycle ----------------------------------------------------------------------------
    # The graph below is the one source of the actions the pages offer and the API accepts.
    # Transitions only change the state; tickets.services.lifecycle locks the row, runs one,
    # saves, and writes the timeline event.

    @transition(field=status, source=Status.NEW, target=Status.ACKNOWLEDGED, permission=lambda t, u: u.is_desk_staff)
    def acknowledge(self) -> None:
        pass

    @transition(
        field=status,
        source=[Status.NEW, Status.ACKNOWLEDGED],
        target=Status.IN_PROGRESS,
        permission=lambda t, u: u.is_desk_staff,
    )
    def start_work(self) -> None:
        pass

    @transition(
        field=status,
        source=Status.IN_PROGRESS,
        target=Status.WAITING_FOR_CUSTOMER,
        permission=lambda t, u: u.is_desk_staff,
    )
    def wait_for_customer(self) -> None:
        pass

    @transition(field=status, source=Status.WAITING_FOR_CUSTOMER, target=Status.IN_PROGRESS)
    def resume(self) -> None:
        """By the desk, or by the customer (a reply while waiting resumes the ticket)."""

    @transition(
        field=status,
        source=[Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER],
        target=Status.RESOLVED,
        permission=lambda t, u: u.is_desk_staff,
    )
    def resolve(self) -> None:
        self.resolved_at = timezone.now()

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED)
    def close(self) -> None:
        """The customer confirms the resolution, or the desk closes it."""
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=Status.RESOLVED,
        target=Status.IN_PROGRESS,
        conditions=[lambda ticket: ticket.within_reopen_window()],  # type: ignore[attr-defined]
    )
    def reopen(self) -> None:
        self.resolved_at = None

    @transition(
        field=status,
        source=[Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER],
        target=Status.CANCELLED,
        permission=lambda t, u: u.is_desk_staff or t.status in (Ticket.Status.NEW, Ticket.Status.ACKNOWLEDGED),
    )
    def cancel(self) -> None:
        """Staff cancel any open ticket; a customer only before work has started."""
        self.closed_at = timezone.now()

    @transition(field=status, source=list(OPEN_STATUSES), target=Status.CLOSED, permission=lambda t, u: u.is_desk_staff)
    def close_as_duplicate(self) -> None:
        """Merged into another ticket (tickets.services.merging, TicketMerge): not one of the
        actions a page offers, the merge is its only way in."""
        self.closed_at = timezone.now()

    def within_reopen_window(self, now: dt.datetime | None = None) -> bool:
        if self.resolved_at is None:
            return False
        window = dt.timedelta(days=self.tenant.reopen_window_days)
        return (now or timezone.now()) <= self.resolved_at + window


class TicketEvent(TimelineEntry):
    """One line of a ticket's timeline (the columns and the order: servicedesk.timeline)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("Status changed")
        FIELD_CHANGED = "field_changed", _("Field changed")
        PRIORITY_OVERRIDDEN = "priority_overridden", _("Priority overridden")
        ASSIGNED = "assigned", _("Assigned")
        COMMENTED = "commented", _("Reply or note")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        CALLBACK = "callback", _("Called back")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breached")
        # A duplicate merged into another ticket: on the duplicate (field "into") and on the
        # ticket it went into (field "from"), each naming the other's number.
        MERGED = "merged", _("Merged")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # Internal events (e.g. about an internal note) are shown to staff only.
    internal = models.BooleanField(default=False)

    class Meta(TimelineEntry.Meta):
        indexes = [
            models.Index(fields=["tenant", "ticket", "at"], name="ticketevent_tenant_ticket_idx"),
            # The reports' reopen rate: reopenings in a period (reports.figures.reopenings).
            models.Index(
                fields=["tenant", "at"],
                name="ticketevent_reopen_idx",
                condition=models.Q(kind="transition", from_value="resolved"),
                include=["ticket", "to_value", "field"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.field}"


class Comment(TenantOwned):
    """A public reply (seen by the customer) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments", db_index=False)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket", "created_at"], name="comment_tenant_ticket_idx")]

    def __str__(self) -> str:
        return f"{'note' if self.internal else 'reply'} on {self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours, never the uploader's: no traversal, no collisions, no guessing.
    return f"tenants/{instance.tenant_id}/tickets/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(TenantOwned):
    """A file on a ticket. Served only through the permission-checked download view, always
    as a download (Content-Disposition: attachment), never from a public URL."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", db_index=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    internal = models.BooleanField(_("staff only"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket", "created_at"], name="attachment_tenant_ticket_idx")]

    def __str__(self) -> str:
        return self.name


class TicketMerge(TenantOwned):
    """A duplicate (``source``) merged into another ticket of the same account (``target``):
    the duplicate is closed and this row is its pointer, so its number still leads to the
    conversation it became part of."""

    # Unique per tenant (the constraint below): a ticket is merged once.
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    target = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="+", db_index=False)
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "source"], name="ticket_merge_once")]
        # The numbers merged into a ticket (its search document).
        indexes = [models.Index(fields=["tenant", "target"], name="ticketmerge_tenant_target_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class TicketParticipant(TenantOwned):
    """A user of the ticket's customer account who took part in its conversation by mail (in
    To or Cc of a message that opened or answered it): they get the desk's replies too. The
    opener and the account's users who wrote on the ticket take part without a row."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "ticket", "user"], name="ticket_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.user_id}"


def contact_fields() -> dict[str, Any]:
    """The contact roles a ticket carries (seed 001): call-back, tests, closure, on site."""
    return {
        "callback": _("Call-back contact"),
        "test": _("Contact for tests"),
        "closure": _("Contact for closure"),
        "onsite": _("On-site contact"),
    }
