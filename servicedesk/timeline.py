"""The shape every timeline shares: a ticket's, an order's, a change request's.

Each app's timeline is its own table (a concrete model with the foreign key to what it is the
timeline of, its own ``Kind`` choices and its index); this abstract base carries the columns
they have in common and the order they are read in.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from servicedesk.models import TenantOwned, User

# The order every reader of a timeline uses: the models' default and the API's cursor pages.
TIMELINE_ORDERING = ("at", "id")


class TimelineEntry(TenantOwned):
    """One line of a timeline: who did what, when, from what to what, and why.

    Lines are read in the order they happened (``at``, the full instant, never one rounded to
    the minute), and lines of the same instant (one change that writes several) in the order
    they were written (``id``)."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=60, blank=True)
    from_value = models.TextField(blank=True)
    to_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = list(TIMELINE_ORDERING)
