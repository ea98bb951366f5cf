"""Demo SLA policies and a realistic handful of tickets per demo account, opened and moved
through the same services as real ones. The priority matrix and the questionnaires are the
product's defaults (tickets.services.defaults)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servicedesk.models import BusinessCalendar, CustomerAccount, Tenant, User
from servicedesk.tenancy import tenant_context
from tickets.models import CannedResponse, Problem, SlaPolicy, Ticket
from tickets.services.conversation import add_comment
from tickets.services.defaults import provision_intake_defaults
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.problems import open_problem, request_rfo
from tickets.services.saved_views import save_queue_view

# (tenant, name, contract tier ("" = any), calendar, respond, callback, restore P1–P4), minutes.
# Business-hours budgets count opening minutes: 510 a day at 08:30–17:00.
SLA_POLICIES = (
    ("northwind", "Premium 24×7", "premium_24x7", "24×7", 15, 120, (240, 480, 1440, 4320)),
    ("northwind", "Business hours (UK)", "business_hours", "UK business hours", 15, 120, (510, 1020, 1530, 2550)),
    ("northwind", "Standard", "", "Northwind office hours", 15, 120, (510, 1020, 2550, 5100)),
    ("bluepeak", "Premium 24×7", "premium_24x7", "24×7", 15, 120, (240, 480, 1440, 4320)),
    ("bluepeak", "Standard", "", "Horario de oficina Barcelona", 15, 120, (540, 1080, 2700, 5400)),
)


def seed_sla_policies(tenant: Tenant) -> None:
    with tenant_context(tenant):
        for slug, name, tier, calendar, respond, callback, restore in SLA_POLICIES:
            if slug != tenant.slug:
                continue
            SlaPolicy.objects.update_or_create(
                tenant=tenant,
                contract_tier=tier,
                ticket_kind="",
                defaults={
                    "name": name,
                    "calendar": BusinessCalendar.objects.get(name=calendar),
                    "respond_minutes": respond,
                    "callback_minutes": callback,
                    "restore_minutes_p1": restore[0],
                    "restore_minutes_p2": restore[1],
                    "restore_minutes_p3": restore[2],
                    "restore_minutes_p4": restore[3],
                    "warning_percent": 80,
                },
            )


# (title, body) per language: the replies agents send most, the same set in each language.
CANNED_RESPONSES = {
    "en": (
        ("We are on it", "Thank you for your report. An engineer is working on it now; we will update this ticket "
         "within the hour."),
        ("Line test", "We are testing your line from our side now. Please leave your equipment switched on; we will "
         "call you back with the result."),
        ("Please restart the router", "Could you switch your router off, wait 30 seconds and switch it on again? "
         "Please tell us here whether the service is back."),
        ("Resolved: please confirm", "The fault is cleared on our side. Please check that everything works and confirm "
         "here; the ticket closes itself otherwise."),
    ),
    "de": (
        ("Wir kümmern uns", "Vielen Dank für Ihre Meldung. Ein Techniker arbeitet daran; wir melden uns innerhalb "
         "einer Stunde in diesem Ticket."),
        ("Leitungstest", "Wir testen Ihre Leitung jetzt von unserer Seite. Bitte lassen Sie Ihre Geräte eingeschaltet; "
         "wir rufen Sie mit dem Ergebnis zurück."),
        ("Bitte Router neu starten", "Könnten Sie Ihren Router ausschalten, 30 Sekunden warten und wieder einschalten? "
         "Bitte schreiben Sie uns hier, ob der Dienst wieder läuft."),
        ("Behoben: bitte bestätigen", "Die Störung ist auf unserer Seite behoben. Bitte prüfen Sie, ob alles "
         "funktioniert, und bestätigen Sie es hier; sonst schließt sich das Ticket von selbst."),
    ),
    "es": (
        ("Estamos en ello", "Gracias por su aviso. Un técnico está trabajando en ello; actualizaremos este ticket en "
         "menos de una hora."),
        ("Prueba de línea", "Estamos probando su línea desde nuestro lado. Deje sus equipos encendidos; le llamaremos "
         "con el resultado."),
        ("Reinicie el router, por favor", "¿Podría apagar el router, esperar 30 segundos y volver a encenderlo? "
         "Indíquenos aquí si el servicio ha vuelto."),
        ("Resuelto: confirme, por favor", "La avería está resuelta por nuestra parte. Compruebe que todo funciona y "
         "confírmelo aquí; si no, el ticket se cerrará solo."),
    ),
}  # fmt: skip


def seed_canned_responses(tenant: Tenant) -> None:
    """The demo's canned responses in German, English and Spanish (idempotent)."""
    with tenant_context(tenant):
        for language, responses in CANNED_RESPONSES.items():
            for title, body in responses:
                CannedResponse.objects.update_or_create(
                    tenant=tenant, language=language, title=title, defaults={"body": body}
                )


def seed_intake_rules(tenant: Tenant) -> None:
    """The default priority matrix and questionnaires, the demo SLA policies and canned
    responses (idempotent)."""
    seed_sla_policies(tenant)
    provision_intake_defaults(tenant=tenant)
    seed_canned_responses(tenant)


def _ago(now: dt.datetime, **delta: float) -> dt.datetime:
    return now - dt.timedelta(**delta)


def seed_tickets(tenant: Tenant, now: dt.datetime | None = None) -> None:
    """A handful of tickets per demo account, in different states; only into an account that
    has no tickets yet, so a second run changes nothing."""
    now = now or timezone.now()
    with tenant_context(tenant):
        agents = {u.email: u for u in User.objects.filter(tenant=tenant, role__in=["agent", "manager"])}
        for account in CustomerAccount.objects.all():
            if Ticket.objects.filter(account=account).exists():
                continue
            customer = User.objects.filter(customer_account=account).order_by("id").first()
            if customer is None:
                continue
            for script in _scripts(account.name):
                _play(script, customer=customer, agents=agents, now=now)


def _scripts(account: str) -> list[dict[str, Any]]:
    base_answers = {
        "power_at_site": "yes",
        "devices_connected": "yes",
        "equipment_restarted": "yes",
        "backup_line": "no",
    }
    if account.startswith("Acme"):
        return [
            {
                "draft": {
                    "kind": "incident",
                    "service_id": "NW-MPLS-1001",
                    "subject": "MPLS link to the data centre is down",
                    "description": "Since 08:10 the Frankfurt warehouse cannot reach the data centre. Scanners are offline.",
                    "impact": "outage",
                    "urgency": "high",
                    "started": 2,
                    "customer_reference": "ACME-INC-4471",
                    "contacts": {
                        "callback": {
                            "name": "Alice Schneider",
                            "email": "alice@acme.example",
                            "phone": "+49 69 5550 1234",
                        }
                    },
                    "answers": {**base_answers, "symptom": "no_service"},
                },
                "steps": [
                    ("agent@northwind.example", "acknowledge", ""),
                    ("agent@northwind.example", "start_work", ""),
                ],
                "comments": [
                    (
                        "agent@northwind.example",
                        "We see the line down at our side too and have dispatched a field engineer.",
                        False,
                    ),
                    ("agent@northwind.example", "Carrier ticket C-88213 opened with the access provider.", True),
                ],
            },
            {
                "draft": {
                    "kind": "incident",
                    "service_id": "NW-INET-1002",
                    "subject": "Slow internet in the afternoon",
                    "description": "Downloads drop to a few Mbit/s every afternoon between 14:00 and 16:00.",
                    "impact": "degradation",
                    "urgency": "medium",
                    "started": 30,
                    "answers": {
                        **base_answers,
                        "symptom": "slowness",
                        "source_ip": "10.20.1.15",
                        "destination_ip": "198.51.100.20",
                    },
                },
                "steps": [
                    ("agent@northwind.example", "acknowledge", ""),
                    ("agent@northwind.example", "start_work", ""),
                    ("agent@northwind.example", "wait_for_customer", ""),
                ],
                "comments": [
                    (
                        "agent@northwind.example",
                        "Could you run a traceroute to 198.51.100.20 during the slow period and attach it?",
                        False,
                    )
                ],
            },
            {
                "draft": {
                    "kind": "incident",
                    "service_id": "NW-VOICE-2003",
                    "subject": "Madrid office: calls drop after a minute",
                    "description": "Outgoing calls from Madrid drop after about 60 seconds.",
                    "impact": "degradation",
                    "urgency": "medium",
                    "started": 5,
                    "answers": {
                        "power_at_site": "yes",
                        "voice_problem": "failed_calls",
                        "calling_number": "+34 91 555 0100",
                        "called_number": "+34 91 555 0199",
                        "failed_call_times": ["2026-11-19T09:14:00+01:00"],
                    },
                },
                "steps": [],
            },
        ]
    if account.startswith("Globex"):
        return [
            {
                "draft": {
                    "kind": "incident",
                    "service_id": "NW-INET-3001",
                    "subject": "Packet loss towards the payment provider",
                    "description": "Card payments time out in the London store; we measure 8 % packet loss.",
                    "impact": "degradation",
                    "urgency": "high",
                    "started": 3,
                    "answers": {
                        **base_answers,
                        "symptom": "packet_loss",
                        "source_ip": "172.16.4.20",
                        "destination_ip": "203.0.113.45",
                    },
                },
                "steps": [("agent@northwind.example", "acknowledge", "")],
            },
            {
                "draft": {
                    "kind": "enquiry",
                    "subject": "Copy of last month's invoice",
                    "description": "Could you send us the October invoice again? Our copy went missing.",
                },
                "steps": [
                    ("agent@northwind.example", "acknowledge", ""),
                    ("agent@northwind.example", "resolve", "Sent to accounts payable."),
                    ("customer", "close", ""),
                ],
            },
        ]
    if account.startswith("Initech"):
        return [
            {
                "draft": {
                    "kind": "incident",
                    "service_id": "BP-VPN-0002",
                    "subject": "VPN tunnel flaps every few minutes",
                    "description": "The site-to-site tunnel to Barcelona re-negotiates every 3–5 minutes.",
                    "impact": "degradation",
                    "urgency": "medium",
                    "started": 1,
                    "answers": {"power_at_site": "yes", "symptom": "intermittent"},
                },
                "steps": [("agent@bluepeak.example", "acknowledge", "")],
            },
        ]
    return []


def _play(script: dict[str, Any], *, customer: User, agents: dict[str, User], now: dt.datetime) -> None:
    spec = dict(script["draft"])
    started = spec.pop("started", None)
    ticket = open_ticket(
        actor=customer,
        draft=TicketDraft(
            channel=Ticket.Channel.PORTAL, problem_started_at=_ago(now, hours=started) if started else None, **spec
        ),
    )
    for who, action, reason in script.get("steps", []):
        actor = customer if who == "customer" else agents[who]
        ticket = transition_ticket(ticket=ticket, actor=actor, action=action, reason=reason)
    for who, body, internal in script.get("comments", []):
        add_comment(ticket=ticket, actor=agents[who], body=body, internal=internal)


def seed_problems(tenant: Tenant, now: dt.datetime | None = None) -> None:
    """Northwind's problem behind a resolved major outage at Acme, whose reason for outage the
    customer asked for (it waits under Problems → Reasons for outage); only once."""
    if tenant.slug != "northwind":
        return
    now = now or timezone.now()
    with tenant_context(tenant):
        if Problem.objects.exists():
            return
        customer = User.objects.get(email="alice@acme.example")
        agent = User.objects.get(email="agent@northwind.example")
        ticket = open_ticket(
            actor=customer,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="MPLS link down again after the storm",
                description="The Frankfurt warehouse lost the data centre link for two hours.", impact="outage",
                urgency="high", channel=Ticket.Channel.PORTAL, problem_started_at=_ago(now, hours=30),
                answers={"power_at_site": "yes", "devices_connected": "yes", "equipment_restarted": "yes",
                         "backup_line": "no", "symptom": "no_service"},
            ),
        )  # fmt: skip
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        ticket = transition_ticket(
            ticket=ticket, actor=agent, action="resolve", reason="Line card replaced in the PoP."
        )
        request_rfo(ticket=ticket, actor=customer)
        open_problem(
            actor=agent, title="Line cards in the Frankfurt PoP fail in heat and storms", incidents=[ticket],
            root_cause="The line cards' fans fail above 40 °C; the storm's power cut restarted them hot.",
        )  # fmt: skip


def seed_queue_views(tenant: Tenant) -> None:
    """Two saved queue views for each agent of the desk (the console's "Your saved views");
    saving again under the same names changes nothing."""
    with tenant_context(tenant):
        for agent in User.objects.filter(tenant=tenant, role="agent"):
            save_queue_view(actor=agent, name="My tickets, most urgent first", query="queue=mine&sort=priority")
            save_queue_view(actor=agent, name="Critical, breaching soon", query="queue=breaching&priority=P1")
