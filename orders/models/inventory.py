"""The inventory: services at customer sites, their types, and the contracts that entitle
support. Delivered orders create and change it (``orders.services.delivery.hand_over``).
All three are the tenant's reference data (``servicedesk.reference_data``): opening a ticket
reads its service from the cache."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import CustomerAccount, CustomerOwned, ProductArea, Site, TenantOwned
from servicedesk.reference_data import ReferenceData
from servicedesk.walls import CustomerWall


class ServiceType(ReferenceData, TenantOwned):
    """A kind of service (MPLS, Internet, Voice, Satellite, …); each has its intake questionnaire."""

    code = models.SlugField(_("code"), max_length=40, db_index=False)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="service_type_code_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class Service(ReferenceData, CustomerOwned):
    """A service delivered to a customer site: an access line, a VPN, a voice trunk, a CPE…"""

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("In service")
        SUSPENDED = "suspended", _("Suspended")
        CEASED = "ceased", _("Ceased")

    service_id = models.CharField(_("service ID"), max_length=40)
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="services", db_index=False, verbose_name=_("type")
    )
    product = models.CharField(_("product"), max_length=200)
    product_area = models.ForeignKey(
        ProductArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The account is the site's; kept on the row so account-scoped lists need no join.
    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="services", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="services", db_index=False)
    circuit_id = models.CharField(_("circuit ID"), max_length=60, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    bandwidth = models.CharField(_("bandwidth"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_SERVICE)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    wall = CustomerWall(account="account", site="site")

    class Meta:
        ordering = ["service_id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [models.UniqueConstraint(fields=["tenant", "service_id"], name="service_id_unique_per_tenant")]
        indexes = [
            # The customer's inventory list: services of one account, by site.
            models.Index(fields=["tenant", "account", "site"], name="service_tenant_account_idx"),
            models.Index(fields=["tenant", "site"], name="service_tenant_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} ({self.product})"


class Contract(ReferenceData, TenantOwned):
    """A maintenance contract or warranty on a service; only a current one entitles support."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance contract")
        WARRANTY = "warranty", _("Warranty")

    class Tier(models.TextChoices):
        PREMIUM_24X7 = "premium_24x7", _("Premium 24×7")
        BUSINESS_HOURS = "business_hours", _("Business hours")
        BASIC = "basic", _("Basic")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contracts", db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MAINTENANCE)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BUSINESS_HOURS)
    reference = models.CharField(_("contract reference"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: open-ended."))

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="contract_valid_until_after_from",
            )
        ]
        indexes = [models.Index(fields=["tenant", "service", "valid_from"], name="contract_tenant_service_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference or self.pk}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def current_contract(contracts: list[Contract], day: dt.date) -> Contract | None:
    """The contract that entitles support on ``day``: the valid one that runs longest."""
    valid = [c for c in contracts if c.is_valid_on(day)]
    return max(valid, key=lambda c: c.valid_until or dt.date.max, default=None)
