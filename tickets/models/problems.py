"""Problem management (seed 002): problem records behind incidents, and reasons for outage
(RFOs) that customers may ask for after a critical or major incident."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import TenantOwned, User
from servicedesk.timeline import TimelineEntry
from tickets.models.core import Ticket


class Problem(TenantOwned):
    """The cause behind one or more incidents: found after a fault (reactive) or looked for
    before one happens (proactive)."""

    class Analysis(models.TextChoices):
        REACTIVE = "reactive", _("Reactive (after a fault)")
        PROACTIVE = "proactive", _("Proactive (before a fault)")

    class Status(models.TextChoices):
        OPEN = "open", _("Under investigation")
        KNOWN_ERROR = "known_error", _("Known error (cause found)")
        RESOLVED = "resolved", _("Resolved")

    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    analysis = models.CharField(_("analysis"), max_length=10, choices=Analysis.choices, default=Analysis.REACTIVE)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    preventive_measures = models.TextField(_("preventive measures"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="problem_number_unique_per_tenant")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProblemIncident(TenantOwned):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links", db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="problem_links", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "problem", "ticket"], name="problem_incident_unique")]
        indexes = [models.Index(fields=["tenant", "ticket"], name="probinc_tenant_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} ↔ {self.ticket_id}"


class Rfo(TenantOwned):
    """A reason-for-outage report on one resolved P1/P2 incident, due within 5 business days
    of the customer's request (its ``rfo`` clock on the ticket)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PUBLISHED = "published", _("Published")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rfos", db_index=False)
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="rfos", db_index=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    requested_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(_("what happened and why"), blank=True)
    summary_html = models.TextField(editable=False, default="")
    preventive_measures = models.TextField(_("preventive measures"), blank=True)
    published_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reason for outage")
        verbose_name_plural = _("reasons for outage")
        constraints = [models.UniqueConstraint(fields=["tenant", "ticket"], name="rfo_one_per_ticket")]

    def __str__(self) -> str:
        return f"RFO for {self.ticket_id}"


class ProblemEvent(TimelineEntry):
    """One line of a problem's timeline (the columns and the order: servicedesk.timeline):
    opened, a field changed (root cause, measures, status…), an incident linked or unlinked,
    a reason for outage published from it. Problems are the desk's: every line is internal."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        FIELD_CHANGED = "field_changed", _("Field changed")
        INCIDENT_LINKED = "incident_linked", _("Incident linked")
        INCIDENT_UNLINKED = "incident_unlinked", _("Incident unlinked")
        RFO_PUBLISHED = "rfo_published", _("Reason for outage published")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(TimelineEntry.Meta):
        # The problem page's timeline: one problem's lines in order.
        indexes = [models.Index(fields=["tenant", "problem", "at"], name="problemevent_problem_at_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.field}"
