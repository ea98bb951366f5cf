"""What a new mail is about: which of the sender's services it names, and what kind of ticket
it is, where the words make it clear. Anything unclear becomes a general enquiry, which an
agent reclassifies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orders.models import Service
from orders.selectors import services_visible_to
from servicedesk.models import User
from tickets.models import Impact, Ticket

# Words that make a fault clear, in the desk's three languages (lower case, whole words or
# phrases). An outage word also says the service is down; the others say it is degraded.
_OUTAGE = (
    "down", "outage", "not working", "no connection", "no service", "offline", "dead", "unreachable",
    "ausgefallen", "ausfall", "störung", "funktioniert nicht", "keine verbindung", "nicht erreichbar",
    "caída", "caido", "caído", "no funciona", "sin servicio", "sin conexión", "avería", "corte",
)  # fmt: skip
_DEGRADATION = (
    "slow", "packet loss", "latency", "jitter", "intermittent", "degraded", "drops", "dropping",
    "langsam", "paketverlust", "latenz", "abbrüche", "unterbrochen",
    "lento", "lenta", "pérdida de paquetes", "latencia", "intermitente", "cortes",
)  # fmt: skip
_COMPLAINT = ("complaint", "complain", "beschwerde", "reklamation", "queja", "reclamación", "reclamacion")


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words)


@dataclass
class Reading:
    kind: str
    impact: str | None
    service: Service | None


def find_service(*, actor: User, subject: str, body: str) -> Service | None:
    """The sender's service whose service ID or circuit ID the subject names, else the body
    (the first named there). Only services the sender may see are looked for."""
    services = list(services_visible_to(actor=actor))
    for text in (subject, body):
        best: tuple[int, Service] | None = None
        for service in services:
            for identifier in (service.service_id, service.circuit_id):
                if not identifier:
                    continue
                found = re.search(rf"(?<![\w-]){re.escape(identifier)}(?![\w-])", text, re.IGNORECASE)
                if found and (best is None or found.start() < best[0]):
                    best = (found.start(), service)
        if best is not None:
            return best[1]
    return None


def read_mail(*, actor: User, subject: str, body: str) -> Reading:
    """Kind, impact and service of a new mail."""
    service = find_service(actor=actor, subject=subject, body=body)
    words = f"{subject}\n{body}".lower()
    if _has(words, _COMPLAINT):
        return Reading(Ticket.Kind.COMPLAINT, None, service)
    if service is not None and _has(words, _OUTAGE):
        return Reading(Ticket.Kind.INCIDENT, Impact.OUTAGE, service)
    if service is not None and _has(words, _DEGRADATION):
        return Reading(Ticket.Kind.INCIDENT, Impact.DEGRADATION, service)
    return Reading(Ticket.Kind.ENQUIRY, None, service)
