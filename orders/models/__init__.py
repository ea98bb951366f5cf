"""Orders' models, split by subdomain: the inventory (services, their types and contracts),
delivery (orders, their steps and timeline, suppliers, lead times) and requests (the SSR
catalogue, simple service requests, change requests)."""

from orders.models.common import Guard, OrderSequence, unmet_guards
from orders.models.delivery import LeadTime, Order, OrderEvent, OrderLine, OrderStep, Supplier
from orders.models.inventory import Contract, Service, ServiceType, current_contract
from orders.models.requests import (
    MIN_SSR_LEAD_HOURS,
    CatalogueItem,
    ChangeRequest,
    ChangeRequestEvent,
    SimpleServiceRequest,
)

__all__ = [
    "MIN_SSR_LEAD_HOURS",
    "CatalogueItem",
    "ChangeRequest",
    "ChangeRequestEvent",
    "Contract",
    "Guard",
    "LeadTime",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderSequence",
    "OrderStep",
    "Service",
    "ServiceType",
    "SimpleServiceRequest",
    "Supplier",
    "current_contract",
    "unmet_guards",
]
