"""What every new tenant's intake starts with: the default impact × urgency matrix and the
intake questionnaires of seed 001 for the service types they are written for."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from orders.models import ServiceType
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context
from tickets.models import PriorityRule, QuestionnaireField
from tickets.services.intake import DEFAULT_PRIORITY_MATRIX

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

QUESTIONNAIRES: dict[str, list[dict[str, Any]]] = {
    "mpls": COMMON + DATA,
    "internet": COMMON + DATA,
    "satellite": COMMON + DATA,
    "vpn": COMMON + DATA,
    "voice": COMMON + VOICE,
}


@transaction.atomic
def provision_intake_defaults(*, tenant: Tenant) -> None:
    """Create what the tenant's intake lacks of the defaults: the matrix cells of
    ``DEFAULT_PRIORITY_MATRIX`` and the seed questionnaires of its service types with a code
    in ``QUESTIONNAIRES`` (provision the service types first). Idempotent; a cell or question
    the tenant has changed keeps its value."""
    with tenant_context(tenant):
        for impact, row in DEFAULT_PRIORITY_MATRIX.items():
            for urgency, priority in row.items():
                PriorityRule.objects.get_or_create(
                    tenant=tenant, impact=impact, urgency=urgency, defaults={"priority": priority}
                )
        types = {service_type.code: service_type for service_type in ServiceType.objects.all()}
        for code, questions in QUESTIONNAIRES.items():
            if code not in types:
                continue
            for position, question in enumerate(questions):
                fields = {key: value for key, value in question.items() if key != "name"}
                fields.setdefault("help_texts", {})
                fields.setdefault("required", False)
                fields.setdefault("choices", [])
                fields.setdefault("shown_when", None)
                QuestionnaireField.objects.get_or_create(
                    tenant=tenant,
                    service_type=types[code],
                    name=question["name"],
                    defaults={**fields, "position": position},
                )
