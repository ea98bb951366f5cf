"""Canned responses: a tenant's ready-made replies, one per title and language, that agents
insert into a reply and adapt before sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import TenantOwned


class CannedResponse(TenantOwned):
    MAX_BODY = 5_000

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=MAX_BODY)
    # Inactive: no longer offered in the ticket workspace; kept for the audit log.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        constraints = [
            # Also the index of the workspace's list: one tenant's responses by language and title.
            models.UniqueConstraint(fields=["tenant", "language", "title"], name="canned_response_unique_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
