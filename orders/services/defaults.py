"""What every new tenant's inventory starts with: the service types of the seeds."""

from __future__ import annotations

from django.db import transaction

from orders.models import ServiceType
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context

# (code, name): the kinds of service the seeds' intake questionnaires are written for, and the
# access lines and customer equipment orders deliver.
DEFAULT_SERVICE_TYPES: tuple[tuple[str, str], ...] = (
    ("mpls", "MPLS"),
    ("internet", "Internet"),
    ("voice", "Voice"),
    ("satellite", "Satellite"),
    ("vpn", "VPN"),
    ("access-line", "Access line"),
    ("cpe", "CPE"),
)


@transaction.atomic
def provision_service_types(*, tenant: Tenant) -> dict[str, ServiceType]:
    """Create the default service types the tenant does not have yet (by code) and return the
    tenant's service types by code. Idempotent; a type the tenant renamed keeps its name."""
    with tenant_context(tenant):
        for code, name in DEFAULT_SERVICE_TYPES:
            ServiceType.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name})
        return {service_type.code: service_type for service_type in ServiceType.objects.all()}
