"""The orders app's API, split by subdomain: the inventory, orders and their delivery, the
suppliers and lead-time table, simple service requests (catalogue, requests, billing) and
change requests. The root URLconf registers these viewsets."""

from orders.api.changes import ChangeRequestViewSet
from orders.api.delivery import OrderViewSet
from orders.api.inventory import ServiceViewSet
from orders.api.lead_times import LeadTimeViewSet, SupplierViewSet
from orders.api.ssr import CatalogueViewSet, SsrBillingViewSet, SsrViewSet

__all__ = [
    "CatalogueViewSet",
    "ChangeRequestViewSet",
    "LeadTimeViewSet",
    "OrderViewSet",
    "ServiceViewSet",
    "SsrBillingViewSet",
    "SsrViewSet",
    "SupplierViewSet",
]
