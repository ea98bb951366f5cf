"""An agent's saved queue views: the queue's filters and order under a name of their own."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import TenantOwned, User


class SavedQueueView(TenantOwned):
    """One agent's named view of the ticket queue. ``query`` is the queue's query string
    (which queue, filters, order), parsed again by the queue's form whenever it is applied, so
    a view saved before a filter changed can never show what the form would refuse."""

    MAX_NAME = 80
    MAX_QUERY = 1000

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(_("name"), max_length=MAX_NAME)
    query = models.CharField(max_length=MAX_QUERY, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved queue view")
        verbose_name_plural = _("saved queue views")
        # Saving under a name the agent already uses replaces that view; the index also
        # serves the list of one agent's views, by name.
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "name"], name="saved_queue_view_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
