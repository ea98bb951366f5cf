"""The tenant's lead-time table and its suppliers, kept by the tenant's administrators.

A changed table applies to orders confirmed afterwards; an order keeps the estimate it got
at confirmation (re-estimated only when its supplier changes)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import LeadTime, Supplier
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from servicedesk.tenancy import require_tenant_id

MAX_LEAD_DAYS = 750  # three years of business days


def _require_admin(actor: User) -> None:
    if not actor.is_tenant_admin:
        raise PermissionRefused(_("Only the desk's administrators change the lead-time table."))


@transaction.atomic
def define_lead_time(
    *,
    actor: User,
    country: str,
    business_days: int,
    min_mbps: int | None = None,
    max_mbps: int | None = None,
    supplier_id: int | None = None,
    lead_time: LeadTime | None = None,
) -> LeadTime:
    """Add a row to the table, or (with ``lead_time``) change one. Two rows with the same
    country, band and supplier would make the calculator's choice arbitrary, so a second one
    is refused."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        errors["country"] = [_("Use a two-letter ISO 3166 country code, e.g. DE.")]
    if not isinstance(business_days, int) or not 0 < business_days <= MAX_LEAD_DAYS:
        errors["business_days"] = [_("Between 1 and %(max)d business days.") % {"max": MAX_LEAD_DAYS}]
    if min_mbps is not None and max_mbps is not None and max_mbps < min_mbps:
        errors["max_mbps"] = [_("The band ends above where it starts.")]
    supplier = None
    if supplier_id is not None:
        supplier = Supplier.objects.filter(pk=supplier_id).first()
        if supplier is None:
            errors["supplier"] = [_("There is no such supplier.")]
    if errors:
        raise InvalidInput(errors)
    twins = LeadTime.objects.select_for_update().filter(
        country=country, supplier=supplier, min_mbps=min_mbps, max_mbps=max_mbps
    )
    if lead_time is not None:
        twins = twins.exclude(pk=lead_time.pk)
    if twins.exists():
        raise Conflict(_("The table already has a row for this country, band and supplier."), code="duplicate")
    row = lead_time or LeadTime(tenant_id=require_tenant_id())
    row.country, row.supplier, row.business_days = country, supplier, business_days
    row.min_mbps, row.max_mbps = min_mbps, max_mbps
    row.save()
    return row


@transaction.atomic
def remove_lead_time(*, actor: User, lead_time: LeadTime) -> None:
    """Delete a row of the table."""
    _require_admin(actor)
    LeadTime.objects.filter(pk=lead_time.pk).delete()


@transaction.atomic
def add_supplier(*, actor: User, name: str) -> Supplier:
    """Register a supplier the desk orders leased lines from (names are unique per tenant)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput.single("name", _("Give the supplier's name (at most 200 characters)."))
    if Supplier.objects.filter(name__iexact=name).exists():
        raise Conflict(_("There is already a supplier of that name."), code="duplicate")
    return Supplier.objects.create(tenant_id=require_tenant_id(), name=name)
