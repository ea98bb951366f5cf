"""Demo intake rules (priority matrix, questionnaires from seed 001) and a realistic handful
of tickets per demo account, opened and moved through the same services as real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from orders.models import ServiceType
from servicedesk.models import BusinessCalendar, CustomerAccount, Tenant, User
from servicedesk.tenancy import tenant_context
from tickets.models import PriorityRule, QuestionnaireField, SlaPolicy, Ticket
from tickets.services.conversation import add_comment
from tickets.services.intake import DEFAULT_PRIORITY_MATRIX, TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

FT = QuestionnaireField.FieldType


def _q(name: str, field_type: str, en: str, de: str, es: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "field_type": field_type, "labels": {"en": en, "de": de, "es": es}, **extra}


def _choice(value: str, en: str, de: str, es: str) -> dict[str, Any]:
    return {"value": value, "labels": {"en": en, "de": de, "es": es}}


# Seed 001's intake questions, asked for every service type.
COMMON = [
    _q("site_opening_hours", FT.TEXT, "Site opening hours", "Öffnungszeiten des Standorts", "Horario de apertura de la sede",
       help_texts={"en": "When can a technician get in? e.g. Mon–Fri 07:00–19:00",
                   "de": "Wann kommt ein Techniker hinein? z. B. Mo–Fr 07:00–19:00",
                   "es": "¿Cuándo puede acceder un técnico? p. ej. L–V 07:00–19:00"}),
    _q("power_at_site", FT.YES_NO, "Is there power at the site now?", "Gibt es am Standort derzeit Strom?",
       "¿Hay suministro eléctrico en la sede ahora?", required=True),
    _q("power_outage", FT.YES_NO, "Was there a power outage?", "Gab es einen Stromausfall?",
       "¿Ha habido un corte de suministro eléctrico?"),
    _q("raining", FT.YES_NO, "Is it raining, or has it rained, at the site?", "Regnet es am Standort oder hat es geregnet?",
       "¿Llueve o ha llovido en la sede?"),
    _q("devices_connected", FT.YES_NO, "Are all devices connected?", "Sind alle Geräte angeschlossen?",
       "¿Están conectados todos los equipos?"),
    _q("equipment_restarted", FT.YES_NO, "Was the equipment restarted?", "Wurden die Geräte neu gestartet?",
       "¿Se han reiniciado los equipos?"),
    _q("backup_line", FT.YES_NO, "Is there a backup (contingency) line?", "Gibt es eine Backup-Leitung?",
       "¿Existe una línea de respaldo (contingencia)?"),
    _q("backup_line_works", FT.YES_NO, "Does the backup line work?", "Funktioniert die Backup-Leitung?",
       "¿Funciona la línea de respaldo?", shown_when={"field": "backup_line", "in": ["yes"]}),
]  # fmt: skip

# Data services: source and destination IP only for slowness or packet loss.
DATA = [
    _q("symptom", FT.CHOICE, "What do you observe?", "Was beobachten Sie?", "¿Qué observa?", required=True, choices=[
        _choice("no_service", "No service at all", "Gar kein Dienst", "Sin servicio"),
        _choice("slowness", "Slowness", "Langsamkeit", "Lentitud"),
        _choice("packet_loss", "Packet loss", "Paketverlust", "Pérdida de paquetes"),
        _choice("intermittent", "Intermittent drops", "Zeitweise Unterbrechungen", "Cortes intermitentes"),
        _choice("other", "Something else", "Etwas anderes", "Otra cosa"),
    ]),
    _q("source_ip", FT.IP_ADDRESS, "Source IP address", "Quell-IP-Adresse", "Dirección IP de origen", required=True,
       shown_when={"field": "symptom", "in": ["slowness", "packet_loss"]}),
    _q("destination_ip", FT.IP_ADDRESS, "Destination IP address", "Ziel-IP-Adresse", "Dirección IP de destino",
       required=True, shown_when={"field": "symptom", "in": ["slowness", "packet_loss"]}),
]  # fmt: skip

# Voice: calling and called number, and the times of failed calls.
VOICE = [
    _q("voice_problem", FT.CHOICE, "What is wrong with the calls?", "Was stimmt mit den Anrufen nicht?",
       "¿Qué ocurre con las llamadas?", required=True, choices=[
        _choice("no_calls", "No calls possible", "Keine Anrufe möglich", "No se puede llamar"),
        _choice("failed_calls", "Some calls fail", "Einzelne Anrufe scheitern", "Algunas llamadas fallan"),
        _choice("poor_quality", "Poor call quality", "Schlechte Sprachqualität", "Mala calidad de llamada"),
        _choice("other", "Something else", "Etwas anderes", "Otra cosa"),
    ]),
    _q("calling_number", FT.PHONE, "Calling number", "Anrufende Nummer", "Número de origen", required=True),
    _q("called_number", FT.PHONE, "Called number", "Angerufene Nummer", "Número de destino", required=True),
    _q("failed_call_times", FT.DATETIME_LIST, "Dates and times of failed calls", "Datum und Uhrzeit gescheiterter Anrufe",
       "Fechas y horas de las llamadas fallidas", required=True,
       shown_when={"field": "voice_problem", "in": ["failed_calls"]}),
]  # fmt: skip

QUESTIONNAIRES = {
    "mpls": COMMON + DATA,
    "internet": COMMON + DATA,
    "satellite": COMMON + DATA,
    "vpn": COMMON + DATA,
    "voice": COMMON + VOICE,
}


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


def seed_intake_rules(tenant: Tenant) -> None:
    """The default priority matrix, the questionnaires and the SLA policies (idempotent)."""
    seed_sla_policies(tenant)
    with tenant_context(tenant):
        for impact, row in DEFAULT_PRIORITY_MATRIX.items():
            for urgency, priority in row.items():
                PriorityRule.objects.update_or_create(
                    tenant=tenant, impact=impact, urgency=urgency, defaults={"priority": priority}
                )
        for code, questions in QUESTIONNAIRES.items():
            service_type = ServiceType.objects.filter(code=code).first()
            if service_type is None:
                continue
            for position, question in enumerate(questions):
                fields = {k: v for k, v in question.items() if k != "name"}
                fields.setdefault("help_texts", {})
                fields.setdefault("required", False)
                fields.setdefault("choices", [])
                fields.setdefault("shown_when", None)
                QuestionnaireField.objects.update_or_create(
                    tenant=tenant,
                    service_type=service_type,
                    name=question["name"],
                    defaults={**fields, "position": position},
                )


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
                    "kind": "service_request",
                    "service_id": "NW-VOICE-1003",
                    "subject": "Add 5 extensions to the SIP trunk",
                    "description": "Please add five extensions for the new dispatch team.",
                    "urgency": "low",
                    "answers": {
                        "power_at_site": "yes",
                        "voice_problem": "other",
                        "calling_number": "+49 69 5550 1000",
                        "called_number": "+49 69 5550 1001",
                    },
                },
                "steps": [
                    ("agent@northwind.example", "acknowledge", ""),
                    ("agent@northwind.example", "start_work", ""),
                    ("agent@northwind.example", "resolve", "Extensions 240–244 are live."),
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
