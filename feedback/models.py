"""Satisfaction surveys: one 1–5 question with a comment, asked after a ticket is resolved
and after an order is handed over."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models import Order
from servicedesk.models import CustomerAccount, CustomerOwned, Site, User
from servicedesk.walls import CustomerWall
from tickets.models import Ticket


class Survey(CustomerOwned):
    """One question to one customer user about one resolution of a ticket or one handover of
    an order. Answered once (``answered_at`` with ``score``); never changed afterwards."""

    class About(models.TextChoices):
        TICKET = "ticket", _("Ticket")
        ORDER = "order", pgettext_lazy("what a survey is about", "Order")

    SCORES = (1, 2, 3, 4, 5)

    about = models.CharField(_("about"), max_length=8, choices=About.choices)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False)
    # The account and site are the ticket's or order's; kept on the row for the walls and CSAT filters.
    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="+", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The resolution (ticket's resolved_at) or handover (order's handed_over_at) asked about.
    occasion_at = models.DateTimeField(_("resolved or handed over"))
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    invited_at = models.DateTimeField(_("invitation mailed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    wall = CustomerWall(account="account", site="site", opener="user")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # Once per resolution: a duplicate event (or a retried handler) creates nothing.
            models.UniqueConstraint(
                fields=["tenant", "ticket", "occasion_at"],
                condition=Q(ticket__isnull=False),
                name="survey_once_per_ticket_resolution",
            ),
            models.UniqueConstraint(
                fields=["tenant", "order"], condition=Q(order__isnull=False), name="survey_once_per_order_handover"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_one_to_five"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, score__isnull=True)
                | Q(answered_at__isnull=False, score__isnull=False),
                name="survey_answer_has_a_score",
            ),
        ]
        indexes = [
            # "My surveys" (the portal page, the API, the home's block): one user's, newest first.
            models.Index(fields=["tenant", "user", "-created_at"], name="survey_tenant_user_idx"),
            # CSAT: the surveys answered in a period.
            models.Index(
                fields=["tenant", "answered_at"], condition=Q(answered_at__isnull=False), name="survey_answered_idx"
            ),
            models.Index(fields=["tenant", "ticket"], condition=Q(ticket__isnull=False), name="survey_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_about_display()} {self.about_number}"

    @property
    def about_number(self) -> str:
        """The number of the ticket or order asked about (select_related them)."""
        if self.ticket_id is not None and self.ticket is not None:
            return self.ticket.number
        if self.order_id is not None and self.order is not None:
            return self.order.number
        return ""

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
