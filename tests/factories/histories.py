"""Tickets and orders with a history, for the tests of the pages that list and show them: made
and moved through the same services as real ones, on the world of tests/factories/world.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from orders.models import Order
from orders.services.delivery import transition_order
from orders.services.ordering import LineDraft, OrderDraft, place_order
from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tickets.models import Ticket
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

AGENT = "agent@northwind.example"
CHECKS = {"power_at_site": "yes", "devices_connected": "yes", "equipment_restarted": "yes", "backup_line": "no"}

# Per customer account, in the order they are opened: (draft, [(who, action, reason)],
# [(who, body, internal)]), "customer" being the account's first user.
TICKETS: dict[str, list[tuple[dict[str, Any], list[tuple[str, str, str]], list[tuple[str, str, bool]]]]] = {
    "Acme Logistics GmbH": [
        (
            {"kind": "incident", "service_id": "NW-MPLS-1001", "subject": "MPLS link to the data centre is down",
             "description": "Since 08:10 the Frankfurt warehouse cannot reach the data centre. Scanners are offline.",
             "impact": "outage", "urgency": "high", "started": 2, "customer_reference": "ACME-INC-4471",
             "contacts": {"callback": {"name": "Alice Schneider", "email": "alice@acme.example",
                                       "phone": "+49 69 5550 1234"}},
             "answers": {**CHECKS, "symptom": "no_service"}},
            [(AGENT, "acknowledge", ""), (AGENT, "start_work", "")],
            [(AGENT, "We see the line down at our side too and have dispatched a field engineer.", False),
             (AGENT, "Carrier ticket C-88213 opened with the access provider.", True)],
        ),
        (
            {"kind": "incident", "service_id": "NW-INET-1002", "subject": "Slow internet in the afternoon",
             "description": "Downloads drop to a few Mbit/s every afternoon between 14:00 and 16:00.",
             "impact": "degradation", "urgency": "medium", "started": 30,
             "answers": {**CHECKS, "symptom": "slowness", "source_ip": "10.20.1.15",
                         "destination_ip": "198.51.100.20"}},
            [(AGENT, "acknowledge", ""), (AGENT, "start_work", ""), (AGENT, "wait_for_customer", "")],
            [(AGENT, "Could you run a traceroute to 198.51.100.20 during the slow period and attach it?", False)],
        ),
        (
            {"kind": "complaint", "service_id": "NW-VOICE-1003", "subject": "The new extensions are a week late",
             "description": "The five extensions for the dispatch team were promised for Monday last week.",
             "urgency": "low",
             "answers": {"power_at_site": "yes", "voice_problem": "other", "calling_number": "+49 69 5550 1000",
                         "called_number": "+49 69 5550 1001"}},
            [(AGENT, "acknowledge", ""), (AGENT, "start_work", ""),
             (AGENT, "resolve", "Extensions 240–244 are live; sorry for the wait.")],
            [],
        ),
        (
            {"kind": "incident", "service_id": "NW-VOICE-2003", "subject": "Madrid office: calls drop after a minute",
             "description": "Outgoing calls from Madrid drop after about 60 seconds.", "impact": "degradation",
             "urgency": "medium", "started": 5,
             "answers": {"power_at_site": "yes", "voice_problem": "failed_calls", "calling_number": "+34 91 555 0100",
                         "called_number": "+34 91 555 0199", "failed_call_times": ["2026-11-19T09:14:00+01:00"]}},
            [],
            [],
        ),
    ],
    "Globex Retail Ltd": [
        (
            {"kind": "incident", "service_id": "NW-INET-3001", "subject": "Packet loss towards the payment provider",
             "description": "Card payments time out in the London store; we measure 8 % packet loss.",
             "impact": "degradation", "urgency": "high", "started": 3,
             "answers": {**CHECKS, "symptom": "packet_loss", "source_ip": "172.16.4.20",
                         "destination_ip": "203.0.113.45"}},
            [(AGENT, "acknowledge", "")],
            [],
        ),
        (
            {"kind": "enquiry", "subject": "Copy of last month's invoice",
             "description": "Could you send us the October invoice again? Our copy went missing."},
            [(AGENT, "acknowledge", ""), (AGENT, "resolve", "Sent to accounts payable."), ("customer", "close", "")],
            [],
        ),
    ],
    "Initech S.A.": [
        (
            {"kind": "incident", "service_id": "BP-VPN-0002", "subject": "VPN tunnel flaps every few minutes",
             "description": "The site-to-site tunnel to Barcelona re-negotiates every 3–5 minutes.",
             "impact": "degradation", "urgency": "medium", "started": 1,
             "answers": {"power_at_site": "yes", "symptom": "intermittent"}},
            [("agent@bluepeak.example", "acknowledge", "")],
            [],
        ),
    ],
}  # fmt: skip


def open_tickets(tenant: Tenant, now: dt.datetime | None = None) -> None:
    """Open the tickets of ``TICKETS`` for the tenant's accounts and move them along.

    Northwind: INC-000001 (Acme, Frankfurt MPLS, in progress, a reply and an internal note),
    INC-000002 (Acme, Frankfurt Internet, waiting for the customer), CMP-000001 (Acme,
    Frankfurt Voice, resolved), INC-000003 (Acme, Madrid Voice, not entitled), INC-000004 (Globex,
    London Internet, acknowledged), ENQ-000001 (Globex, closed). Bluepeak: INC-000001
    (Initech, Barcelona VPN, acknowledged)."""
    now = now or timezone.now()
    with tenant_context(tenant):
        for account in CustomerAccount.objects.order_by("name"):
            customer = User.objects.filter(customer_account=account).order_by("id").first()
            for spec, steps, comments in TICKETS.get(account.name, []):
                draft = dict(spec)
                started = draft.pop("started", None)
                ticket = open_ticket(
                    actor=customer,
                    draft=TicketDraft(
                        channel=Ticket.Channel.PORTAL,
                        problem_started_at=now - dt.timedelta(hours=started) if started else None,
                        **draft,
                    ),
                )
                for who, action, reason in steps:
                    actor = customer if who == "customer" else User.objects.get(email=who)
                    ticket = transition_ticket(ticket=ticket, actor=actor, action=action, reason=reason)
                for who, body, internal in comments:
                    add_comment(ticket=ticket, actor=User.objects.get(email=who), body=body, internal=internal)


# (who places, site, days ago, title, line, [(days ago, action)]); the desk's manager acts.
ORDERS = (
    ("alice@acme.example", "Frankfurt", 12, "Second internet line for the Frankfurt warehouse",
     {"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 500},
     [(11, "validate"), (10, "start_coordination")]),
    ("alice@acme.example", "Madrid", 36, "Voice line bundle for the Madrid reception",
     {"service_type": "voice", "product": "Voice line bundle (8 lines)"},
     [(34, "validate"), (33, "start_coordination")]),
    ("bob@globex.example", "London", 1, "Gigabit internet for the London store",
     {"service_type": "internet", "product": "Business Internet", "bandwidth_mbps": 1000},
     []),
)  # fmt: skip


def place_orders(tenant: Tenant, now: dt.datetime | None = None) -> list[Order]:
    """Place the orders of ``ORDERS`` in Northwind: Acme's Frankfurt order in customer
    coordination, Acme's Madrid order late for its delivery-date confirmation (placed 36 days
    ago), Globex's London order just received."""
    now = now or timezone.now()
    placed = []
    with tenant_context(tenant):
        manager = User.objects.get(email="manager@northwind.example")
        for who, site_name, days_ago, title, line, steps in ORDERS:
            site = Site.objects.get(name=site_name)
            order = place_order(
                actor=User.objects.get(email=who),
                draft=OrderDraft(title=title, site_id=site.pk, lines=[LineDraft(**line)]),
                now=now - dt.timedelta(days=days_ago),
            )
            for step_days_ago, action in steps:
                order = transition_order(
                    order=order, actor=manager, action=action, now=now - dt.timedelta(days=step_days_ago)
                )
            placed.append(order)
    return placed
