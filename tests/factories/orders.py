"""Factories of the orders app: the inventory (service types, services, contracts) and the
order rules (suppliers, lead times, the SSR catalogue)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from orders.models import CatalogueItem, Contract, LeadTime, Service, ServiceType, Supplier
from tests.factories import ProductAreaFactory, SiteFactory, TenantOwnedFactory


class ServiceTypeFactory(TenantOwnedFactory):
    class Meta:
        model = ServiceType

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())


class ServiceFactory(TenantOwnedFactory):
    """A service in service at a site, of the site's account."""

    class Meta:
        model = Service

    site = factory.SubFactory(SiteFactory)
    tenant = factory.SelfAttribute("site.tenant")
    account = factory.SelfAttribute("site.account")
    service_type = factory.SubFactory(ServiceTypeFactory, tenant=factory.SelfAttribute("..tenant"))
    product_area = factory.SubFactory(ProductAreaFactory, tenant=factory.SelfAttribute("..tenant"))
    service_id = factory.Sequence(lambda n: f"SVC-{n:04d}")
    product = "Dedicated Internet Access"
    status = Service.Status.IN_SERVICE


class ContractFactory(TenantOwnedFactory):
    """A maintenance contract valid from 400 days before ``today`` to 730 days after it."""

    class Meta:
        model = Contract

    class Params:
        today = factory.LazyFunction(timezone.localdate)

    service = factory.SubFactory(ServiceFactory)
    tenant = factory.SelfAttribute("service.tenant")
    kind = Contract.Kind.MAINTENANCE
    tier = Contract.Tier.BUSINESS_HOURS
    reference = factory.LazyAttribute(lambda o: f"CT-{o.service.service_id}")
    valid_from = factory.LazyAttribute(lambda o: o.today - dt.timedelta(days=400))
    valid_until = factory.LazyAttribute(lambda o: o.today + dt.timedelta(days=730))


class SupplierFactory(TenantOwnedFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} AG")


class LeadTimeFactory(TenantOwnedFactory):
    class Meta:
        model = LeadTime

    country = "DE"
    supplier = None
    min_mbps = None
    max_mbps = None
    business_days = 15


class CatalogueItemFactory(TenantOwnedFactory):
    class Meta:
        model = CatalogueItem

    code = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"Catalogue item {n}")
    price = Decimal("40.00")
    currency = "EUR"
    fields = factory.LazyFunction(list)
    lead_time_hours = 48
    is_active = True
