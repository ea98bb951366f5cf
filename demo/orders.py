"""Demo data of the orders app: the inventory (the default service types, a few services per
demo site, their contracts, one expired); suppliers, lead times, the SSR catalogue; orders in
several states, SSRs and change requests, placed and moved through the same services as real
ones."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orders import dates
from orders.models import (
    CatalogueItem,
    ChangeRequest,
    Contract,
    LeadTime,
    Order,
    Service,
    SimpleServiceRequest,
    Supplier,
)
from orders.services.changes import (
    ChangeDraft,
    open_change_request,
    quote_change_request,
    transition_change_request,
)
from orders.services.defaults import provision_service_types
from orders.services.delivery import confirm_delivery_date, transition_order
from orders.services.editing import LineIds, plan_order_delivery
from orders.services.ordering import LineDraft, OrderDraft, place_order
from orders.services.ssr import SsrDraft, complete_ssr, submit_ssr
from servicedesk import calendars
from servicedesk.models import CustomerAccount, ProductArea, Site, Tenant, User
from servicedesk.tenancy import tenant_context

# (tenant, site, service_id, type, product, product area, circuit, serial, bandwidth, tier, expired)
SERVICES = (
    ("northwind", "Frankfurt", "NW-MPLS-1001", "mpls", "MPLS IP-VPN", "data-ip-ict", "FRA-MPLS-77120", "", "100 Mbit/s", "premium_24x7", False),
    ("northwind", "Frankfurt", "NW-INET-1002", "internet", "Dedicated Internet Access", "data-ip-ict", "FRA-DIA-40411", "", "1 Gbit/s", "premium_24x7", False),
    ("northwind", "Frankfurt", "NW-VOICE-1003", "voice", "SIP Trunk 30 channels", "voice", "", "", "", "premium_24x7", False),
    ("northwind", "Frankfurt", "NW-CPE-1004", "cpe", "Edge router ER-4400", "data-ip-ict", "", "SN-ER4400-0093321", "", "premium_24x7", False),
    ("northwind", "Madrid", "NW-MPLS-2001", "mpls", "MPLS IP-VPN", "data-ip-ict", "MAD-MPLS-10288", "", "50 Mbit/s", "premium_24x7", False),
    ("northwind", "Madrid", "NW-SAT-2002", "satellite", "VSAT backup link", "premium-bespoke", "MAD-VSAT-0071", "SN-VS-220014", "20 Mbit/s", "premium_24x7", False),
    ("northwind", "Madrid", "NW-VOICE-2003", "voice", "Voice line bundle", "voice", "", "", "", "premium_24x7", True),
    ("northwind", "London", "NW-INET-3001", "internet", "Business Internet", "data-ip-ict", "LON-BI-55120", "", "500 Mbit/s", "business_hours", False),
    ("northwind", "London", "NW-MPLS-3002", "mpls", "MPLS IP-VPN", "data-ip-ict", "LON-MPLS-90012", "", "200 Mbit/s", "business_hours", False),
    ("northwind", "London", "NW-VOICE-3003", "voice", "SIP Trunk 10 channels", "voice", "", "", "", "business_hours", False),
    ("bluepeak", "Barcelona", "BP-INET-0001", "internet", "Colocation uplink", "network", "BCN-UP-0001", "", "10 Gbit/s", "premium_24x7", False),
    ("bluepeak", "Barcelona", "BP-VPN-0002", "vpn", "Site-to-site VPN", "network", "", "", "1 Gbit/s", "premium_24x7", False),
)  # fmt: skip


def seed_inventory(today: dt.date | None = None) -> None:
    """Create the demo inventory (idempotent). Contract dates are set when a contract is first
    created, relative to that day, so a fresh demo always has current contracts and exactly
    one expired one."""
    today = today or timezone.localdate()
    for tenant in Tenant.objects.filter(slug__in={row[0] for row in SERVICES}):
        with tenant_context(tenant):
            types = provision_service_types(tenant=tenant)
            for (
                slug,
                site_name,
                service_id,
                type_code,
                product,
                area,
                circuit,
                serial,
                bandwidth,
                tier,
                expired,
            ) in SERVICES:
                if slug != tenant.slug:
                    continue
                site = Site.objects.get(name=site_name)
                service, _ = Service.objects.update_or_create(
                    tenant=tenant,
                    service_id=service_id,
                    defaults={
                        "service_type": types[type_code],
                        "product": product,
                        "product_area": ProductArea.objects.get(slug=area),
                        "account": site.account,
                        "site": site,
                        "circuit_id": circuit,
                        "serial_number": serial,
                        "bandwidth": bandwidth,
                        "status": Service.Status.IN_SERVICE,
                    },
                )
                Contract.objects.get_or_create(
                    tenant=tenant,
                    service=service,
                    reference=f"CT-{service_id}",
                    defaults={
                        "kind": Contract.Kind.WARRANTY if expired else Contract.Kind.MAINTENANCE,
                        "tier": tier,
                        "valid_from": today - dt.timedelta(days=700 if expired else 400),
                        "valid_until": today - dt.timedelta(days=30) if expired else today + dt.timedelta(days=730),
                    },
                )


# --- Orders, the SSR catalogue, SSRs and change requests -----------------------------------

SUPPLIERS = {
    "northwind": ("Carrier Nord AG", "Meseta Access S.L.", "Albion Linkworks Ltd"),
    "bluepeak": ("Red Mediterránea de Acceso S.A.",),
}

# (tenant, country, supplier or "", from Mbit/s, up to Mbit/s, business days)
LEAD_TIMES = (
    ("northwind", "DE", "", None, None, 15),
    ("northwind", "DE", "", 1, 100, 20),
    ("northwind", "DE", "", 101, 1000, 30),
    ("northwind", "DE", "", 1001, None, 45),
    ("northwind", "DE", "Carrier Nord AG", None, None, 35),
    ("northwind", "ES", "", None, None, 15),
    ("northwind", "ES", "", 1, 100, 25),
    ("northwind", "ES", "", 101, None, 40),
    ("northwind", "ES", "Meseta Access S.L.", None, None, 45),
    ("northwind", "GB", "", None, None, 15),
    ("northwind", "GB", "", 1, 1000, 25),
    ("northwind", "GB", "", 1001, None, 45),
    ("northwind", "GB", "Albion Linkworks Ltd", None, None, 40),
    ("bluepeak", "ES", "", None, None, 20),
)


def _field(name: str, field_type: str, en: str, de: str, es: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": field_type, "labels": {"en": en, "de": de, "es": es}, **extra}


# (tenant, code, name, description, price, lead time in business hours, fields)
CATALOGUE: tuple[tuple[str, str, str, str, str, int, list[dict[str, Any]]], ...] = (
    ("northwind", "port-config", "Port configuration change", "A change to one port of your router or switch: VLAN, speed, description.",
     "95.00", 48, [_field("port", "text", "Port", "Port", "Puerto", required=True),
                   _field("vlan", "number", "VLAN", "VLAN", "VLAN", min=1, max=4094)]),
    ("northwind", "onsite-visit", "On-site technician visit (2 hours)", "A technician at your site for up to two hours, e.g. to patch or label cables.",
     "180.00", 48, [_field("contact_name", "text", "Contact on site", "Ansprechpartner vor Ort", "Contacto en la sede", required=True),
                    _field("access_notes", "text", "Access notes", "Hinweise zum Zugang", "Indicaciones de acceso")]),
    ("northwind", "firewall-rule", "Firewall rule change", "Add, change or remove one rule of your managed firewall.",
     "75.00", 72, [_field("source", "text", "Source", "Quelle", "Origen", required=True),
                   _field("destination", "text", "Destination", "Ziel", "Destino", required=True),
                   _field("rule_action", "choice", "Allow or deny", "Erlauben oder sperren", "Permitir o denegar", required=True,
                          choices=["allow", "deny"])]),
    ("northwind", "cpe-reboot", "Supervised CPE restart", "A restart of your router while our engineers watch the line.",
     "40.00", 48, []),
    ("bluepeak", "dns-change", "Cambio de registros DNS", "Alta, cambio o baja de registros DNS de sus dominios.",
     "40.00", 48, [_field("records", "text", "Records", "Einträge", "Registros", required=True)]),
    ("bluepeak", "remote-reboot", "Reinicio remoto supervisado", "Reinicio de un servidor con supervisión de nuestro equipo.",
     "30.00", 48, []),
)  # fmt: skip


# The items' names and descriptions per language: (name, description) by code and language.
CATALOGUE_LANGUAGES: dict[str, dict[str, tuple[str, str]]] = {
    "port-config": {
        "de": ("Änderung der Port-Konfiguration", "Eine Änderung an einem Port Ihres Routers oder Switches: VLAN, Geschwindigkeit, Beschreibung."),
        "es": ("Cambio de configuración de puerto", "Un cambio en un puerto de su router o switch: VLAN, velocidad, descripción."),
    },
    "onsite-visit": {
        "de": ("Technikereinsatz vor Ort (2 Stunden)", "Ein Techniker bis zu zwei Stunden an Ihrem Standort, z. B. zum Patchen oder Beschriften von Kabeln."),
        "es": ("Visita de un técnico in situ (2 horas)", "Un técnico en su sede durante hasta dos horas, p. ej. para conectar o etiquetar cables."),
    },
    "firewall-rule": {
        "de": ("Änderung einer Firewall-Regel", "Eine Regel Ihrer verwalteten Firewall hinzufügen, ändern oder entfernen."),
        "es": ("Cambio de regla de cortafuegos", "Añadir, cambiar o quitar una regla de su cortafuegos gestionado."),
    },
    "cpe-reboot": {
        "de": ("Überwachter Neustart des CPE", "Ein Neustart Ihres Routers, während unsere Techniker die Leitung beobachten."),
        "es": ("Reinicio supervisado del CPE", "Un reinicio de su router mientras nuestros técnicos vigilan la línea."),
    },
    "dns-change": {
        "en": ("DNS record change", "Add, change or remove DNS records of your domains."),
        "de": ("Änderung von DNS-Einträgen", "DNS-Einträge Ihrer Domains anlegen, ändern oder löschen."),
    },
    "remote-reboot": {
        "en": ("Supervised remote restart", "A restart of one server while our team watches."),
        "de": ("Überwachter Neustart aus der Ferne", "Ein Neustart eines Servers unter Aufsicht unseres Teams."),
    },
}  # fmt: skip


def _item_languages(code: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for language, (name, description) in CATALOGUE_LANGUAGES.get(code, {}).items():
        values[f"name_{language}"], values[f"description_{language}"] = name, description
    return values


def seed_order_rules(tenant: Tenant) -> None:
    """Suppliers, the lead-time table and the SSR catalogue of a demo tenant (idempotent)."""
    with tenant_context(tenant):
        suppliers = {}
        for name in SUPPLIERS.get(tenant.slug, ()):
            suppliers[name], _ = Supplier.objects.get_or_create(tenant=tenant, name=name)
        for slug, country, supplier, low, high, days in LEAD_TIMES:
            if slug == tenant.slug:
                LeadTime.objects.update_or_create(
                    tenant=tenant,
                    country=country,
                    supplier=suppliers.get(supplier),
                    min_mbps=low,
                    max_mbps=high,
                    defaults={"business_days": days},
                )
        for position, (slug, code, name, description, price, lead, fields) in enumerate(CATALOGUE):
            if slug == tenant.slug:
                CatalogueItem.objects.update_or_create(
                    tenant=tenant,
                    code=code,
                    defaults={
                        "name": name,
                        "description": description,
                        **_item_languages(code),
                        "price": Decimal(price),
                        "currency": "EUR",
                        "fields": fields,
                        "lead_time_hours": lead,
                        "is_active": True,
                        "position": position,
                    },
                )


def _business_day(site: Site, day: dt.date, n: int) -> dt.date:
    return calendars.business_days_after(dates.site_calendar(site), day, n)


def _at(site: Site, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(site.time_zone))


def _order_scripts(tenant: Tenant, now: dt.datetime) -> list[dict[str, Any]]:
    """Orders in several states: (who places, draft, [(days ago, who, action, reason or date)])."""
    sites = {site.name: site for site in Site.objects.all()}
    meseta = Supplier.objects.filter(name="Meseta Access S.L.").first()
    if tenant.slug != "northwind" or not {"Frankfurt", "Madrid", "London"} <= set(sites) or meseta is None:
        return []
    today = dates.local_date("Europe/Berlin", now)
    madrid_commitment = _business_day(sites["Madrid"], today, 20)
    return [
        {
            "account": "Acme", "by": "alice@acme.example", "ago": 12,
            "draft": {"kind": Order.Kind.STANDARD, "title": "Second internet line for the Frankfurt warehouse",
                      "site": "Frankfurt", "customer_reference": "ACME-PO-7781",
                      "lines": [{"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 500}]},
            "steps": [(11, "manager@northwind.example", "validate", ""),
                      (10, "manager@northwind.example", "start_coordination", "")],
        },
        {
            "account": "Acme", "by": "alice@acme.example", "ago": 30,
            "draft": {"kind": Order.Kind.ICB, "title": "Redundant MPLS for the new Madrid data room", "site": "Madrid",
                      "lines": [{"service_type": "mpls", "product": "MPLS IP-VPN, dual-homed", "bandwidth_mbps": 1000}]},
            "steps": [(28, "manager@northwind.example", "validate", ""),
                      (27, "manager@northwind.example", "start_coordination", ""),
                      (20, "manager@northwind.example", "delivery_date", madrid_commitment),
                      (19, "agent@northwind.example", "start_delivery", ""),
                      (5, "agent@northwind.example", "start_configuration", "")],
        },
        {
            "account": "Acme", "by": "agent@northwind.example", "ago": 5,
            "draft": {"kind": Order.Kind.LEASED_LINE, "title": "Leased access line for the Madrid office", "site": "Madrid",
                      "supplier": meseta.pk,
                      "lines": [{"service_type": "access-line", "product": "Ethernet access line", "bandwidth_mbps": 1000}]},
            "steps": [(4, "agent@northwind.example", "validate", ""),
                      (2, "agent@northwind.example", "hold", "Waiting for the building owner's permission to lay the fibre.")],
        },
        {
            "account": "Acme", "by": "alice@acme.example", "ago": 40,
            "draft": {"kind": Order.Kind.STANDARD, "title": "Backup internet line for Frankfurt", "site": "Frankfurt",
                      "lines": [{"service_type": "internet", "product": "Business Internet (backup)", "bandwidth_mbps": 100}]},
            "lines": [{"service_id": "NW-INET-1005", "circuit_id": "FRA-BI-41230"}],
            "steps": [(39, "manager@northwind.example", "validate", ""),
                      (38, "manager@northwind.example", "start_coordination", ""),
                      (30, "manager@northwind.example", "delivery_date", "+6"),
                      (29, "agent@northwind.example", "start_delivery", ""),
                      (27, "agent@northwind.example", "start_configuration", ""),
                      (25, "agent@northwind.example", "start_commissioning", ""),
                      (22, "agent@northwind.example", "hand_over", ""),
                      (21, "manager@northwind.example", "start_billing", "")],
        },
        {
            "account": "Acme", "by": "alice@acme.example", "ago": 36,
            "draft": {"kind": Order.Kind.STANDARD, "title": "Voice line bundle for the Madrid reception", "site": "Madrid",
                      "lines": [{"service_type": "voice", "product": "Voice line bundle (8 lines)"}]},
            "steps": [(34, "agent@northwind.example", "validate", ""),
                      (33, "agent@northwind.example", "start_coordination", "")],
        },
        {
            "account": "Globex", "by": "bob@globex.example", "ago": 1,
            "draft": {"kind": Order.Kind.STANDARD, "title": "Gigabit internet for the London store", "site": "London",
                      "lines": [{"service_type": "internet", "product": "Business Internet", "bandwidth_mbps": 1000}]},
            "steps": [],
        },
        {
            "account": "Globex", "by": "agent@northwind.example", "ago": 20,
            "draft": {"kind": Order.Kind.AUTOMATED, "title": "Additional SIP channels (batch 2026/47)", "site": "London",
                      "lines": [{"service_type": "voice", "product": "SIP Trunk, 10 more channels", "service": "NW-VOICE-3003"}]},
            "steps": [(19, "agent@northwind.example", "validate", ""),
                      (18, "agent@northwind.example", "start_coordination", ""),
                      (15, "agent@northwind.example", "delivery_date", "+9"),
                      (14, "agent@northwind.example", "start_delivery", "")],
        },
    ]  # fmt: skip


def seed_orders(now: dt.datetime | None = None) -> None:
    """Suppliers, lead times and the SSR catalogue of every demo tenant; orders in several
    states for Acme and Globex, SSRs (some completed, so billed) and change requests (one
    awaiting the customer's acceptance, one accepted and waiting to be scheduled). Orders, SSRs
    and change requests go only into an account that has none yet, so a second run changes
    nothing."""
    now = now or timezone.now()
    for tenant in Tenant.objects.filter(slug__in=list(SUPPLIERS)):
        seed_order_rules(tenant)
        with tenant_context(tenant):
            _seed_order_history(tenant, now)
            _seed_requests(tenant, now)


def _seed_order_history(tenant: Tenant, now: dt.datetime) -> None:
    users = {user.email: user for user in User.objects.filter(tenant=tenant)}
    sites = {site.name: site for site in Site.objects.all()}
    seeded: set[int] = set()
    for script in _order_scripts(tenant, now):
        account = CustomerAccount.objects.filter(name__startswith=script["account"]).first()
        if account is None or (account.pk not in seeded and Order.objects.filter(account=account).exists()):
            continue
        seeded.add(account.pk)
        draft = dict(script["draft"])
        site = sites[draft.pop("site")]
        lines = [LineDraft(**line) for line in draft.pop("lines")]
        placed_at = now - dt.timedelta(days=script["ago"])
        order = place_order(
            actor=users[script["by"]],
            draft=OrderDraft(site_id=site.pk, lines=lines, supplier_id=draft.pop("supplier", None), **draft),
            now=placed_at,
        )
        if script.get("lines"):
            ids = list(order.lines.values_list("pk", flat=True))
            identified = [LineIds(id=pk, **values) for pk, values in zip(ids, script["lines"], strict=True)]
            order = plan_order_delivery(order=order, actor=users["agent@northwind.example"], version=order.version,
                                        lines=identified, now=placed_at)  # fmt: skip
        for days_ago, who, action, argument in script["steps"]:
            at = now - dt.timedelta(days=days_ago)
            if action == "delivery_date":
                day = argument
                if isinstance(argument, str):
                    day = _business_day(site, dates.local_date(site.time_zone, at), int(argument))
                order = confirm_delivery_date(order=order, actor=users[who], day=day, now=at)
            else:
                order = transition_order(order=order, actor=users[who], action=action, reason=argument, now=at)


def _seed_requests(tenant: Tenant, now: dt.datetime) -> None:
    users = {user.email: user for user in User.objects.filter(tenant=tenant)}
    items = {item.code: item for item in CatalogueItem.objects.all()}
    sites = {site.name: site for site in Site.objects.select_related("account")}
    if tenant.slug != "northwind" or not {"Frankfurt", "Madrid", "London"} <= set(sites):
        return

    def start(site: Site, item: CatalogueItem, asked: dt.datetime, extra_days: int = 1) -> dt.datetime:
        earliest = dates.earliest_ssr_start(
            dates.site_calendar(site), asked, item.lead_time_hours, on_business_day=True
        )
        return _at(site, _business_day(site, dates.local_date(site.time_zone, earliest), extra_days), 9)

    # (who, site, service, item, days ago asked, completed?, answers)
    requests: tuple[tuple[str, str, str, str, int, bool, dict[str, Any]], ...] = (
        ("alice@acme.example", "Frankfurt", "NW-MPLS-1001", "port-config", 25, True, {"port": "ge-0/0/3", "vlan": 120}),
        ("alice@acme.example", "Madrid", "", "onsite-visit", 12, True, {"contact_name": "Lucía Ortega"}),
        ("alice@acme.example", "Frankfurt", "NW-CPE-1004", "cpe-reboot", 1, False, {}),
        ("bob@globex.example", "London", "", "firewall-rule", 2, False,
         {"source": "10.40.0.0/24", "destination": "203.0.113.45", "rule_action": "allow"}),
    )  # fmt: skip
    for who, site_name, service, code, days_ago, completed, answers in requests:
        site = sites[site_name]
        if SimpleServiceRequest.objects.filter(account=site.account, created_by=users[who], item__code=code).exists():
            continue
        asked = now - dt.timedelta(days=days_ago)
        ssr = submit_ssr(
            actor=users[who],
            draft=SsrDraft(item=code, site_id=site.pk, service=service, answers=answers,
                           requested_start=start(site, items[code], asked)),
            now=asked,
        )  # fmt: skip
        if completed:
            complete_ssr(
                ssr=ssr, actor=users["agent@northwind.example"], now=ssr.requested_start + dt.timedelta(hours=2)
            )

    madrid, london = sites["Madrid"], sites["London"]
    if not ChangeRequest.objects.filter(account=madrid.account).exists():
        asked = now - dt.timedelta(days=6)
        change = open_change_request(
            actor=users["alice@acme.example"],
            draft=ChangeDraft(
                title="Move the VSAT antenna on the Madrid roof",
                description="The roof is being renovated in January; the antenna has to move about 12 m north.",
                service="NW-SAT-2002",
            ),
            now=asked,
        )
        window = _at(madrid, _business_day(madrid, dates.local_date(madrid.time_zone, now), 10), 8)
        quote_change_request(
            change_request=change, actor=users["agent@northwind.example"], cost=Decimal("1450.00"), currency="EUR",
            planned_start=window, planned_end=window + dt.timedelta(hours=4),
            note="Crane and two technicians; the VSAT backup is down for about an hour.",
            now=now - dt.timedelta(days=2),
        )  # fmt: skip
        # More extensions on the trunk change the service: a change request, not a ticket.
        extensions = open_change_request(
            actor=users["alice@acme.example"],
            draft=ChangeDraft(
                title="Add 5 extensions to the SIP trunk",
                description="Please add five extensions for the new dispatch team.",
                service="NW-VOICE-1003",
            ),
            now=now - dt.timedelta(days=4),
        )
        frankfurt = extensions.site
        window = _at(frankfurt, _business_day(frankfurt, dates.local_date(frankfurt.time_zone, now), 3), 9)
        quote_change_request(
            change_request=extensions, actor=users["agent@northwind.example"], cost=Decimal("0.00"), currency="EUR",
            planned_start=window, planned_end=window + dt.timedelta(hours=1),
            note="Extensions 240–244, within the trunk's 30 channels: no charge.", now=now - dt.timedelta(days=3),
        )  # fmt: skip
        transition_change_request(
            change_request=extensions, actor=users["alice@acme.example"], action="accept",
            now=now - dt.timedelta(days=2),
        )  # fmt: skip
    _schedule_demo_work(users, now)
    if not ChangeRequest.objects.filter(account=london.account).exists():
        open_change_request(
            actor=users["bob@globex.example"],
            draft=ChangeDraft(
                title="Relocate the comms rack to room 2.14",
                description="The store's back office is being rebuilt; the rack and its patch panel move one floor up.",
                site_id=london.pk,
            ),
            now=now - dt.timedelta(days=1),
        )


def _schedule_demo_work(users: dict[str, User], now: dt.datetime) -> None:
    """The accepted SIP-trunk change is scheduled, so the portal's home shows planned work
    (idempotent: a database seeded before keeps its change request and gets it scheduled,
    in a window still ahead)."""
    extensions = ChangeRequest.objects.filter(
        title="Add 5 extensions to the SIP trunk", status=ChangeRequest.Status.ACCEPTED
    ).first()
    if extensions is None:
        return
    site = extensions.site
    start = extensions.planned_start
    if start is None or start <= now:
        start = _at(site, _business_day(site, dates.local_date(site.time_zone, now), 3), 9)
    transition_change_request(
        change_request=extensions, actor=users["agent@northwind.example"], action="schedule",
        planned_start=start, planned_end=start + dt.timedelta(hours=1), now=now - dt.timedelta(days=1),
    )  # fmt: skip
