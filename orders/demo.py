"""Demo inventory: service types, a few services per demo site, their contracts (one expired)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from orders.models import Contract, Service, ServiceType
from servicedesk.models import ProductArea, Site, Tenant
from servicedesk.tenancy import tenant_context

SERVICE_TYPES = (
    ("mpls", "MPLS"),
    ("internet", "Internet"),
    ("voice", "Voice"),
    ("satellite", "Satellite"),
    ("vpn", "VPN"),
    ("access-line", "Access line"),
    ("cpe", "CPE"),
)

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
            types = {}
            for code, name in SERVICE_TYPES:
                types[code], _ = ServiceType.objects.update_or_create(tenant=tenant, code=code, defaults={"name": name})
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
