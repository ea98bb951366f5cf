"""Demo data of the surveys: the demo's tickets are resolved and closed in one go, before a
survey could be asked, so each customer's resolved ticket gets the survey it would have had
(unanswered). Surveys after handed-over orders come from the orders' own handover."""

from __future__ import annotations

from feedback.models import Survey
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tickets.models import Ticket


def seed_surveys(tenant: Tenant) -> None:
    """One survey per resolved ticket opened by a customer user, unless it has one."""
    with tenant_context(tenant):
        tickets = Ticket.objects.filter(resolved_at__isnull=False, created_by__role=User.Role.CUSTOMER).exclude(
            pk__in=Survey.objects.filter(ticket__isnull=False).values("ticket_id")
        )
        for ticket in tickets:
            Survey.objects.create(
                tenant=tenant, about=Survey.About.TICKET, ticket=ticket, account_id=ticket.account_id,
                site_id=ticket.site_id, user_id=ticket.created_by_id, occasion_at=ticket.resolved_at,
            )  # fmt: skip
