"""What the reports app records: which monthly report went to which customer account."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.models import CustomerAccount, CustomerOwned
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
