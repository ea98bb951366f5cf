"""The world every test meets, built from the factories and the apps' provisioning services.

Two tenants, so every test has its outsiders: Northwind (staff of each role, the customer
accounts Acme, with a user restricted to the Madrid site, and Globex) and Bluepeak (another
tenant, with its customer Initech); calendars, product areas and teams; a few services per
site with contracts, one expired; SLA policies; the default priority matrix and intake
questionnaires; an escalation matrix per tenant shaped like seed 000's. The names and e-mail
addresses are those of API.md, which the tests use to name their actors; the rows are the
tests' own (the demo app may change without changing what a test means).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from orders.models import Contract, Supplier
from orders.services.defaults import provision_service_types
from servicedesk.auth import DEMO_PASSWORD
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.factories import (
    AccountFactory,
    AdminFactory,
    BusinessCalendarFactory,
    CustomerUserFactory,
    ManagerFactory,
    OperatorFactory,
    ProductAreaFactory,
    SiteFactory,
    SiteRestrictionFactory,
    TeamFactory,
    TeamMembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.factories.escalation import (
    EscalationContactFactory,
    EscalationLevelFactory,
    EscalationMatrixFactory,
    EscalationPolicyFactory,
    EscalationSettingsFactory,
)
from tests.factories.orders import (
    CatalogueItemFactory,
    ContractFactory,
    LeadTimeFactory,
    ServiceFactory,
    SupplierFactory,
)
from tests.factories.tickets import SlaPolicyFactory
from tickets.services.defaults import provision_intake_defaults

OFFICE_HOURS_NW = {str(day): [["08:30", "17:00"]] for day in range(5)}
OFFICE_HOURS_BCN = {str(day): [["09:00", "18:00"]] for day in range(5)}

# (site, service_id, type, product, product area, circuit, serial, bandwidth, tier, expired)
SERVICES = {
    "northwind": (
        ("Frankfurt", "NW-MPLS-1001", "mpls", "MPLS IP-VPN", "data-ip-ict", "FRA-MPLS-77120", "", "100 Mbit/s", "premium_24x7", False),
        ("Frankfurt", "NW-INET-1002", "internet", "Dedicated Internet Access", "data-ip-ict", "FRA-DIA-40411", "", "1 Gbit/s", "premium_24x7", False),
        ("Frankfurt", "NW-VOICE-1003", "voice", "SIP Trunk 30 channels", "voice", "", "", "", "premium_24x7", False),
        ("Frankfurt", "NW-CPE-1004", "cpe", "Edge router ER-4400", "data-ip-ict", "", "SN-ER4400-0093321", "", "premium_24x7", False),
        ("Madrid", "NW-MPLS-2001", "mpls", "MPLS IP-VPN", "data-ip-ict", "MAD-MPLS-10288", "", "50 Mbit/s", "premium_24x7", False),
        ("Madrid", "NW-SAT-2002", "satellite", "VSAT backup link", "premium-bespoke", "MAD-VSAT-0071", "SN-VS-220014", "20 Mbit/s", "premium_24x7", False),
        ("Madrid", "NW-VOICE-2003", "voice", "Voice line bundle", "voice", "", "", "", "premium_24x7", True),
        ("London", "NW-INET-3001", "internet", "Business Internet", "data-ip-ict", "LON-BI-55120", "", "500 Mbit/s", "business_hours", False),
        ("London", "NW-MPLS-3002", "mpls", "MPLS IP-VPN", "data-ip-ict", "LON-MPLS-90012", "", "200 Mbit/s", "business_hours", False),
        ("London", "NW-VOICE-3003", "voice", "SIP Trunk 10 channels", "voice", "", "", "", "business_hours", False),
    ),
    "bluepeak": (
        ("Barcelona", "BP-INET-0001", "internet", "Colocation uplink", "network", "BCN-UP-0001", "", "10 Gbit/s", "premium_24x7", False),
        ("Barcelona", "BP-VPN-0002", "vpn", "Site-to-site VPN", "network", "", "", "1 Gbit/s", "premium_24x7", False),
    ),
}  # fmt: skip

# (name, contract tier ("" = any), calendar, respond, callback, restore P1–P4), minutes.
SLA_POLICIES = {
    "northwind": (
        ("Premium 24×7", "premium_24x7", "24×7", 15, 120, (240, 480, 1440, 4320)),
        ("Business hours (UK)", "business_hours", "UK business hours", 15, 120, (510, 1020, 1530, 2550)),
        ("Standard", "", "Northwind office hours", 15, 120, (510, 1020, 2550, 5100)),
    ),
    "bluepeak": (
        ("Premium 24×7", "premium_24x7", "24×7", 15, 120, (240, 480, 1440, 4320)),
        ("Standard", "", "Horario de oficina Barcelona", 15, 120, (540, 1080, 2700, 5400)),
    ),
}

NW = "northwind.example"
# (level, title, product area slugs (() = all), [(name, role, phone, e-mail, language, user e-mail)])
NORTHWIND_LEVELS = (
    (1, "Operational Supervisor Premium & Bespoke", ("premium-bespoke",), (
        ("Sabine Krüger", "Operational Supervisor", "+49 69 5550 2101", f"s.krueger@{NW}", "de", ""),
        ("Tom Berger", "Deputy Supervisor", "+49 69 5550 2102", f"t.berger@{NW}", "en", ""),
    )),
    (1, "Operational Supervisor Data/IP/ICT", ("data-ip-ict",), (
        ("Nina Vogel", "Operational Supervisor", "+49 69 5550 2111", f"n.vogel@{NW}", "de", ""),
        ("Carlos Ortega", "Deputy Supervisor", "+49 69 5550 2112", f"c.ortega@{NW}", "es", ""),
    )),
    (1, "Operational Supervisor Transmission/Voice", ("transmission", "voice"), (
        ("", "Operational Supervisor", "", "", "", f"voice.agent@{NW}"),
        ("Ute Lang", "Deputy Supervisor", "+49 69 5550 2122", f"u.lang@{NW}", "de", ""),
    )),
    (2, "Manager Customer Support Premium & Bespoke", ("premium-bespoke",), (
        ("Henrik Maier", "Manager Customer Support", "+49 69 5550 2201", f"h.maier@{NW}", "de", ""),
    )),
    (2, "Manager Customer Support Data/IP/ICT", ("data-ip-ict",), (
        ("Laura Sánchez", "Manager Customer Support", "+49 69 5550 2211", f"l.sanchez@{NW}", "es", ""),
    )),
    (2, "Manager Customer Support Transmission/Voice", ("transmission", "voice"), (
        ("Peter Wolf", "Manager Customer Support", "+49 69 5550 2221", f"p.wolf@{NW}", "de", ""),
    )),
    (3, "Manager Customer Care Centre", (), (
        ("", "Manager Customer Care Centre", "+49 69 5550 2300", "", "", f"manager@{NW}"),
    )),
    (4, "Chief Operating Officer", (), (("Claudia Neumann", "COO", "+49 69 5550 2400", f"c.neumann@{NW}", "de", ""),)),
    (5, "Vice-President Service Operations EMEA", (), (
        ("Richard Hale", "VP Service Operations EMEA", "+44 20 7946 0500", f"r.hale@{NW}", "en", ""),
    )),
)  # fmt: skip
BLUEPEAK_LEVELS = (
    (1, "Supervisora de operaciones", (), (
        ("Marta Gil", "Supervisora de operaciones", "+34 93 555 0101", "m.gil@bluepeak.example", "es", ""),
    )),
    (2, "Gerente de atención al cliente", (), (
        ("Andrés Pardo", "Gerente de atención al cliente", "+34 93 555 0102", "a.pardo@bluepeak.example", "es", ""),
    )),
    (3, "Director de operaciones", (), (
        ("Elena Ruiz", "Directora de operaciones", "+34 93 555 0103", "e.ruiz@bluepeak.example", "es", ""),
    )),
)  # fmt: skip
# name, levels, escalation manager, priority → (minutes per level, calendar name or "", breach level)
MATRICES: dict[str, tuple[str, Any, tuple[str, str, str, str, str], dict[str, Any]]] = {
    "northwind": (
        "Northwind escalation matrix",
        NORTHWIND_LEVELS,
        ("Escalation manager on duty", "Escalation manager (24×7)", "+49 69 5550 2999", f"escalation@{NW}", "en"),
        {
            "P1": ((30, 60, 120, 240, 480), "", 2),
            "P2": ((60, 120, 240, 480, 960), "", 2),
            "P3": ((240, 480, 960, 1920, 3840), "Northwind office hours", 1),
            "P4": ((480, 960, 1920, 3840, 7680), "Northwind office hours", 1),
        },
    ),
    "bluepeak": (
        "Matriz de escalamiento Bluepeak",
        BLUEPEAK_LEVELS,
        ("Gestor de escalamiento", "Gestor de escalamiento (24×7)", "+34 93 555 0199", "escalamiento@bluepeak.example",
         "es"),
        {
            "P1": ((30, 60, 120), "", 2),
            "P2": ((60, 120, 240), "", 2),
            "P3": ((480, 960, 1920), "", 1),
            "P4": ((960, 1920, 3840), "", 1),
        },
    ),
}  # fmt: skip


def _northwind() -> dict[str, Any]:
    tenant = TenantFactory(
        slug="northwind", name="Northwind Networks", country="DE", time_zone="Europe/Berlin", default_language="de"
    )
    calendars = {
        "24×7": BusinessCalendarFactory(
            tenant=tenant, name="24×7", always_open=True, weekly_hours={}, country="", subdivision=""
        ),
        "Northwind office hours": BusinessCalendarFactory(tenant=tenant, name="Northwind office hours"),
        "UK business hours": BusinessCalendarFactory(
            tenant=tenant, name="UK business hours", time_zone="Europe/London", country="GB", subdivision="ENG"
        ),
    }
    tenant.business_calendar = calendars["Northwind office hours"]
    tenant.save(update_fields=["business_calendar"])
    areas = {
        slug: ProductAreaFactory(tenant=tenant, slug=slug, name=name)
        for slug, name in (
            ("premium-bespoke", "Premium & Bespoke"),
            ("data-ip-ict", "Data/IP/ICT"),
            ("transmission", "Transmission"),
            ("voice", "Voice"),
        )
    }
    teams = {
        slug: TeamFactory(tenant=tenant, name=f"{area.name} desk", product_area=area) for slug, area in areas.items()
    }
    staff = {"password": DEMO_PASSWORD, "tenant": tenant, "language": "en"}
    AdminFactory(email="admin@northwind.example", full_name="Greta Hoffmann", **staff)
    ManagerFactory(email="manager@northwind.example", full_name="Markus Weber", **staff)
    agent = UserFactory(email="agent@northwind.example", full_name="Lena Fischer", **staff)
    TeamMembershipFactory(team=teams["data-ip-ict"], user=agent)
    voice_agent = UserFactory(
        email="voice.agent@northwind.example", full_name="Jonas Becker", **{**staff, "language": "de"}
    )
    TeamMembershipFactory(team=teams["voice"], user=voice_agent)

    acme = AccountFactory(tenant=tenant, name="Acme Logistics GmbH", reference="C-10001")
    sites = {
        "Frankfurt": SiteFactory(
            account=acme, name="Frankfurt", street="Hafenstraße 12", postcode="60327", city="Frankfurt am Main",
            country="DE", subdivision="HE", time_zone="Europe/Berlin",
        ),
        "Madrid": SiteFactory(
            account=acme, name="Madrid", street="Calle de Alcalá 210", postcode="28028", city="Madrid",
            country="ES", subdivision="MD", time_zone="Europe/Madrid",
        ),
    }  # fmt: skip
    CustomerUserFactory(
        email="alice@acme.example", full_name="Alice Schneider", customer_account=acme, language="en",
        password=DEMO_PASSWORD,
    )  # fmt: skip
    dave = CustomerUserFactory(
        email="dave@acme.example", full_name="Dave Moreno", customer_account=acme, language="es",
        time_zone="Europe/Madrid", password=DEMO_PASSWORD,
    )  # fmt: skip
    SiteRestrictionFactory(user=dave, site=sites["Madrid"])
    globex = AccountFactory(tenant=tenant, name="Globex Retail Ltd", reference="C-10002")
    sites["London"] = SiteFactory(
        account=globex, name="London", street="14 Wharf Road", postcode="N1 7GR", city="London",
        country="GB", subdivision="ENG", time_zone="Europe/London",
    )  # fmt: skip
    CustomerUserFactory(
        email="bob@globex.example", full_name="Bob Taylor", customer_account=globex, language="en",
        time_zone="Europe/London", password=DEMO_PASSWORD,
    )  # fmt: skip
    return {"tenant": tenant, "calendars": calendars, "areas": areas, "sites": sites}


def _bluepeak() -> dict[str, Any]:
    tenant = TenantFactory(
        slug="bluepeak", name="Bluepeak Hosting", country="ES", time_zone="Europe/Madrid", default_language="es"
    )
    calendars = {
        "24×7": BusinessCalendarFactory(
            tenant=tenant, name="24×7", time_zone="Europe/Madrid", always_open=True, weekly_hours={}, country="",
            subdivision="",
        ),
        "Horario de oficina Barcelona": BusinessCalendarFactory(
            tenant=tenant, name="Horario de oficina Barcelona", time_zone="Europe/Madrid",
            weekly_hours=OFFICE_HOURS_BCN, country="ES", subdivision="CT",
        ),
    }  # fmt: skip
    tenant.business_calendar = calendars["Horario de oficina Barcelona"]
    tenant.save(update_fields=["business_calendar"])
    areas = {
        slug: ProductAreaFactory(tenant=tenant, slug=slug, name=name)
        for slug, name in (("hosting", "Hosting"), ("network", "Network"))
    }
    teams = {
        slug: TeamFactory(tenant=tenant, name=f"{area.name} desk", product_area=area) for slug, area in areas.items()
    }
    agent = UserFactory(
        email="agent@bluepeak.example", full_name="Pablo Ruiz", tenant=tenant, language="es", password=DEMO_PASSWORD
    )
    TeamMembershipFactory(team=teams["hosting"], user=agent)
    initech = AccountFactory(tenant=tenant, name="Initech S.A.", reference="C-20001")
    sites = {
        "Barcelona": SiteFactory(
            account=initech, name="Barcelona", street="Carrer de Pallars 99", postcode="08018", city="Barcelona",
            country="ES", subdivision="CT", time_zone="Europe/Madrid",
        )
    }  # fmt: skip
    CustomerUserFactory(
        email="carol@initech.example", full_name="Carol Jiménez", customer_account=initech, language="es",
        password=DEMO_PASSWORD,
    )  # fmt: skip
    return {"tenant": tenant, "calendars": calendars, "areas": areas, "sites": sites}


def _inventory(world: dict[str, Any], today: dt.date) -> None:
    tenant = world["tenant"]
    types = provision_service_types(tenant=tenant)
    for site, service_id, code, product, area, circuit, serial, bandwidth, tier, expired in SERVICES[tenant.slug]:
        service = ServiceFactory(
            site=world["sites"][site], service_id=service_id, service_type=types[code], product=product,
            product_area=world["areas"][area], circuit_id=circuit, serial_number=serial, bandwidth=bandwidth,
        )  # fmt: skip
        if expired:
            ContractFactory(
                service=service, kind=Contract.Kind.WARRANTY, tier=tier,
                valid_from=today - dt.timedelta(days=700), valid_until=today - dt.timedelta(days=30),
            )  # fmt: skip
        else:
            ContractFactory(service=service, tier=tier, today=today)


def _intake(world: dict[str, Any]) -> None:
    tenant = world["tenant"]
    for name, tier, calendar, respond, callback, restore in SLA_POLICIES[tenant.slug]:
        SlaPolicyFactory(
            tenant=tenant, name=name, contract_tier=tier, calendar=world["calendars"][calendar],
            respond_minutes=respond, callback_minutes=callback, restore_minutes_p1=restore[0],
            restore_minutes_p2=restore[1], restore_minutes_p3=restore[2], restore_minutes_p4=restore[3],
        )  # fmt: skip
    provision_intake_defaults(tenant=tenant)


def _escalation(world: dict[str, Any]) -> None:
    tenant = world["tenant"]
    EscalationSettingsFactory(tenant=tenant)
    name, levels, manager, thresholds = MATRICES[tenant.slug]
    matrix = EscalationMatrixFactory(tenant=tenant, name=name)
    for number, title, areas, people in levels:
        for slug in areas or (None,):
            level = EscalationLevelFactory(
                matrix=matrix, number=number, title=title, product_area=world["areas"][slug] if slug else None
            )
            for position, (person, role, phone, email, language, user_email) in enumerate(people):
                user = User.objects.get(email=user_email) if user_email else None
                EscalationContactFactory(
                    level=level, user=user, name=person, role=role, phone=phone, email=email, language=language,
                    position=position,
                )  # fmt: skip
    person, role, phone, email, language = manager
    EscalationContactFactory(
        matrix=matrix, level=None, name=person, role=role, phone=phone, email=email, language=language
    )
    for priority, (minutes, calendar, breach_level) in thresholds.items():
        EscalationPolicyFactory(
            matrix=matrix, priority=priority, level_minutes=list(minutes),
            calendar=world["calendars"][calendar] if calendar else None, breach_level=breach_level,
        )  # fmt: skip


@transaction.atomic
def build_world(today: dt.date | None = None) -> None:
    """Build the world unless it is there (a transactional test flushes it; the next builds it
    again). Contracts run from 400 days before ``today`` to 730 after; one expired 30 days ago."""
    if Tenant.objects.filter(slug="northwind").exists():
        return
    today = today or timezone.localdate()
    worlds = [_northwind(), _bluepeak()]
    OperatorFactory(email="operator@desk.example", full_name="Platform Operator", password=DEMO_PASSWORD)
    for world in worlds:
        _inventory(world, today)
        _intake(world)
        _escalation(world)


# --- Order rules: suppliers, the lead-time table, the SSR catalogue ----------------------------

SUPPLIERS = {
    "northwind": ("Carrier Nord AG", "Meseta Access S.L.", "Albion Linkworks Ltd"),
    "bluepeak": ("Red Mediterránea de Acceso S.A.",),
}
# (country, supplier or "", from Mbit/s, up to Mbit/s, business days)
LEAD_TIMES = {
    "northwind": (
        ("DE", "", None, None, 15), ("DE", "", 1, 100, 20), ("DE", "", 101, 1000, 30), ("DE", "", 1001, None, 45),
        ("DE", "Carrier Nord AG", None, None, 35),
        ("ES", "", None, None, 15), ("ES", "", 1, 100, 25), ("ES", "", 101, None, 40),
        ("ES", "Meseta Access S.L.", None, None, 45),
        ("GB", "", None, None, 15), ("GB", "", 1, 1000, 25), ("GB", "", 1001, None, 45),
        ("GB", "Albion Linkworks Ltd", None, None, 40),
    ),
    "bluepeak": (("ES", "", None, None, 20),),
}  # fmt: skip


def _field(name: str, field_type: str, en: str, de: str, es: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": field_type, "labels": {"en": en, "de": de, "es": es}, **extra}


# (code, name, description, price, lead time in business hours, fields)
CATALOGUE = {
    "northwind": (
        ("port-config", "Port configuration change", "A change to one port of your router or switch: VLAN, speed, description.",
         "95.00", 48, [_field("port", "text", "Port", "Port", "Puerto", required=True),
                       _field("vlan", "number", "VLAN", "VLAN", "VLAN", min=1, max=4094)]),
        ("onsite-visit", "On-site technician visit (2 hours)", "A technician at your site for up to two hours, e.g. to patch or label cables.",
         "180.00", 48, [_field("contact_name", "text", "Contact on site", "Ansprechpartner vor Ort", "Contacto en la sede", required=True),
                        _field("access_notes", "text", "Access notes", "Hinweise zum Zugang", "Indicaciones de acceso")]),
        ("firewall-rule", "Firewall rule change", "Add, change or remove one rule of your managed firewall.",
         "75.00", 72, [_field("source", "text", "Source", "Quelle", "Origen", required=True),
                       _field("destination", "text", "Destination", "Ziel", "Destino", required=True),
                       _field("rule_action", "choice", "Allow or deny", "Erlauben oder sperren", "Permitir o denegar", required=True,
                              choices=["allow", "deny"])]),
        ("cpe-reboot", "Supervised CPE restart", "A restart of your router while our engineers watch the line.",
         "40.00", 48, []),
    ),
    "bluepeak": (
        ("dns-change", "Cambio de registros DNS", "Alta, cambio o baja de registros DNS de sus dominios.",
         "40.00", 48, [_field("records", "text", "Records", "Einträge", "Registros", required=True)]),
        ("remote-reboot", "Reinicio remoto supervisado", "Reinicio de un servidor con supervisión de nuestro equipo.",
         "30.00", 48, []),
    ),
}  # fmt: skip


@transaction.atomic
def build_order_rules() -> None:
    """Each tenant's suppliers, lead-time table and SSR catalogue, unless they are there."""
    for slug in ("northwind", "bluepeak"):
        tenant = Tenant.objects.get(slug=slug)
        with tenant_context(tenant):
            if Supplier.objects.exists():
                continue
        suppliers = {name: SupplierFactory(tenant=tenant, name=name) for name in SUPPLIERS[slug]}
        for country, supplier, low, high, days in LEAD_TIMES[slug]:
            LeadTimeFactory(
                tenant=tenant, country=country, supplier=suppliers.get(supplier), min_mbps=low, max_mbps=high,
                business_days=days,
            )  # fmt: skip
        for position, (code, name, description, price, lead, fields) in enumerate(CATALOGUE[slug]):
            CatalogueItemFactory(
                tenant=tenant, code=code, name=name, description=description, price=Decimal(price),
                lead_time_hours=lead, fields=fields, position=position,
            )  # fmt: skip
