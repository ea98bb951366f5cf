"""Reads of the inventory, each inside the actor's walls."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from orders.models import Contract, Service, current_contract
from servicedesk.models import User
from servicedesk.walls import get_visible_or_404


def services_visible_to(*, actor: User) -> QuerySet[Service]:
    """Staff see their tenant's inventory; a customer user their account's (or their sites')."""
    return (
        Service.objects.visible_to(actor)
        .select_related("service_type", "site", "account", "product_area")
        .prefetch_related(Prefetch("contracts", queryset=Contract.objects.order_by("-valid_from")))
    )


def get_service_for(*, actor: User, service_id: str) -> Service:
    """The service with that service ID, if the actor may see it; otherwise 404."""
    return get_visible_or_404(services_visible_to(actor=actor), service_id=service_id)


def site_today(service: Service, now: dt.datetime | None = None) -> dt.date:
    """Today's date at the service's site: contracts run by the site's calendar days."""
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(service.site.time_zone)).date()


def entitlement_of(service: Service, now: dt.datetime | None = None) -> Contract | None:
    """The contract or warranty that entitles support now, if any (uses prefetched contracts)."""
    return current_contract(list(service.contracts.all()), site_today(service, now))
