"""Demo escalation matrices, shaped like the 5-level table of seed 000 (levels 1–2 per product
area, 3–5 for all areas, an escalation manager around the clock), with fictional people and
numbers from the 555 range. Idempotent: rows are found by their natural keys."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from escalation.models import (
    EscalationContact,
    EscalationLevel,
    EscalationMatrix,
    EscalationPolicy,
    EscalationSettings,
)
from servicedesk.models import BusinessCalendar, ProductArea, Tenant, User
from servicedesk.tenancy import tenant_context


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    phone: str
    email: str
    language: str = ""
    user_email: str = ""  # a user of the tenant instead of an external contact


@dataclass(frozen=True)
class Level:
    number: int
    title: str
    areas: tuple[str, ...]  # product area slugs; () = all areas
    people: tuple[Person, ...]


@dataclass(frozen=True)
class Matrix:
    tenant: str
    name: str
    levels: tuple[Level, ...]
    managers: tuple[Person, ...]
    # priority → (minutes per level, business calendar name or "" for wall-clock, breach level)
    thresholds: dict[str, tuple[tuple[int, ...], str, int | None]]


NW = "northwind.example"
MATRICES = (
    Matrix(
        tenant="northwind",
        name="Northwind escalation matrix",
        levels=(
            Level(1, "Operational Supervisor Premium & Bespoke", ("premium-bespoke",), (
                Person("Sabine Krüger", "Operational Supervisor", "+49 69 5550 2101", f"s.krueger@{NW}", "de"),
                Person("Tom Berger", "Deputy Supervisor", "+49 69 5550 2102", f"t.berger@{NW}", "en"),
            )),
            Level(1, "Operational Supervisor Data/IP/ICT", ("data-ip-ict",), (
                Person("Nina Vogel", "Operational Supervisor", "+49 69 5550 2111", f"n.vogel@{NW}", "de"),
                Person("Carlos Ortega", "Deputy Supervisor", "+49 69 5550 2112", f"c.ortega@{NW}", "es"),
            )),
            Level(1, "Operational Supervisor Transmission/Voice", ("transmission", "voice"), (
                Person("Jonas Becker", "Operational Supervisor", "", "", user_email=f"voice.agent@{NW}"),
                Person("Ute Lang", "Deputy Supervisor", "+49 69 5550 2122", f"u.lang@{NW}", "de"),
            )),
            Level(2, "Manager Customer Support Premium & Bespoke", ("premium-bespoke",), (
                Person("Henrik Maier", "Manager Customer Support", "+49 69 5550 2201", f"h.maier@{NW}", "de"),
            )),
            Level(2, "Manager Customer Support Data/IP/ICT", ("data-ip-ict",), (
                Person("Laura Sánchez", "Manager Customer Support", "+49 69 5550 2211", f"l.sanchez@{NW}", "es"),
            )),
            Level(2, "Manager Customer Support Transmission/Voice", ("transmission", "voice"), (
                Person("Peter Wolf", "Manager Customer Support", "+49 69 5550 2221", f"p.wolf@{NW}", "de"),
            )),
            Level(3, "Manager Customer Care Centre", (), (
                Person("Markus Weber", "Manager Customer Care Centre", "+49 69 5550 2300", "", user_email=f"manager@{NW}"),
            )),
            Level(4, "Chief Operating Officer", (), (
                Person("Claudia Neumann", "COO", "+49 69 5550 2400", f"c.neumann@{NW}", "de"),
            )),
            Level(5, "Vice-President Service Operations EMEA", (), (
                Person("Richard Hale", "VP Service Operations EMEA", "+44 20 7946 0500", f"r.hale@{NW}", "en"),
            )),
        ),
        managers=(Person("Escalation manager on duty", "Escalation manager (24×7)", "+49 69 5550 2999",
                         f"escalation@{NW}", "en"),),
        thresholds={
            "P1": ((30, 60, 120, 240, 480), "", 2),
            "P2": ((60, 120, 240, 480, 960), "", 2),
            "P3": ((240, 480, 960, 1920, 3840), "Northwind office hours", 1),
            "P4": ((480, 960, 1920, 3840, 7680), "Northwind office hours", 1),
        },
    ),
    Matrix(
        tenant="bluepeak",
        name="Matriz de escalamiento Bluepeak",
        levels=(
            Level(1, "Supervisora de operaciones", (), (
                Person("Marta Gil", "Supervisora de operaciones", "+34 93 555 0101", "m.gil@bluepeak.example", "es"),
            )),
            Level(2, "Gerente de atención al cliente", (), (
                Person("Andrés Pardo", "Gerente de atención al cliente", "+34 93 555 0102", "a.pardo@bluepeak.example", "es"),
            )),
            Level(3, "Director de operaciones", (), (
                Person("Elena Ruiz", "Directora de operaciones", "+34 93 555 0103", "e.ruiz@bluepeak.example", "es"),
            )),
        ),
        managers=(Person("Gestor de escalamiento", "Gestor de escalamiento (24×7)", "+34 93 555 0199",
                         "escalamiento@bluepeak.example", "es"),),
        thresholds={
            "P1": ((30, 60, 120), "", 2),
            "P2": ((60, 120, 240), "", 2),
            "P3": ((480, 960, 1920), "", 1),
            "P4": ((960, 1920, 3840), "", 1),
        },
    ),
)  # fmt: skip


def _contact(
    tenant: Tenant, matrix: EscalationMatrix, level: EscalationLevel | None, person: Person, position: int
) -> None:
    user = User.objects.filter(email=person.user_email, tenant=tenant).first() if person.user_email else None
    EscalationContact.objects.update_or_create(
        tenant=tenant, matrix=matrix, level=level, position=position,
        defaults={"user": user, "name": "" if user else person.name, "role": person.role, "phone": person.phone,
                  "email": "" if user else person.email, "language": person.language},
    )  # fmt: skip


@transaction.atomic
def seed_escalation(tenant: Tenant) -> None:
    """The tenant's demo escalation settings and matrix (idempotent)."""
    with tenant_context(tenant):
        EscalationSettings.objects.get_or_create(tenant=tenant)
        for spec in MATRICES:
            if spec.tenant != tenant.slug:
                continue
            matrix, _ = EscalationMatrix.objects.get_or_create(
                tenant=tenant, account=None, defaults={"name": spec.name}
            )
            areas = {area.slug: area for area in ProductArea.objects.all()}
            for level_spec in spec.levels:
                for slug in level_spec.areas or (None,):
                    area = areas.get(slug) if slug else None
                    if slug and area is None:
                        continue
                    level, _ = EscalationLevel.objects.update_or_create(
                        tenant=tenant, matrix=matrix, number=level_spec.number, product_area=area,
                        defaults={"title": level_spec.title},
                    )  # fmt: skip
                    for position, person in enumerate(level_spec.people):
                        _contact(tenant, matrix, level, person, position)
            for position, person in enumerate(spec.managers):
                _contact(tenant, matrix, None, person, position)
            calendars = {c.name: c for c in BusinessCalendar.objects.all()}
            for priority, (minutes, calendar, breach_level) in spec.thresholds.items():
                EscalationPolicy.objects.update_or_create(
                    tenant=tenant, matrix=matrix, priority=priority,
                    defaults={"level_minutes": list(minutes), "calendar": calendars.get(calendar) if calendar else None,
                              "breach_level": breach_level},
                )  # fmt: skip


def seed_escalation_matrices() -> None:
    """The demo matrices of every demo tenant that exists."""
    for tenant in Tenant.objects.filter(slug__in=[m.tenant for m in MATRICES]):
        seed_escalation(tenant)
