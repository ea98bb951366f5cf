"""The wall around customer-owned records, written once.

A customer-owned model (``servicedesk.models.CustomerOwned``: the customer account itself,
sites, services, orders, simple service requests, change requests, tickets, escalation
matrices, and whatever comes next) declares in ``wall`` how a row reaches its customer
account, its site and the user who opened it. Its default manager then answers
``Model.objects.visible_to(actor)``:

- desk staff (agents, managers, tenant administrators): every row of their tenant (the
  tenant manager and row-level security already keep the tenant wall);
- a customer user: the rows of their account; if they are restricted to some of the
  account's sites, only the rows at those sites, plus, where the model records who opened
  a row, the rows they opened themselves;
- anyone else (a platform operator, a user without a role): nothing.

``get_visible_or_404`` fetches one row of such a queryset, or raises ``Http404``: what is
not the actor's looks exactly like what does not exist.

``tests/servicedesk/test_wall_rule.py`` walks every model with a customer-account foreign
key and fails for one that is not scoped by this rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar, cast

from django.db import models
from django.db.models import Q
from django.http import Http404

from servicedesk.reference_data import cached_reference_data
from servicedesk.tenancy import TenantManager, require_tenant_id

M = TypeVar("M", bound=models.Model)


class Actor(Protocol):
    """What the rule reads of the user (``servicedesk.models.User``, which imports this
    module: naming it here would make an import circle)."""

    @property
    def pk(self) -> Any: ...

    @property
    def tenant_id(self) -> int | None: ...

    @property
    def is_desk_staff(self) -> bool: ...

    @property
    def is_customer(self) -> bool: ...

    @property
    def customer_account_id(self) -> int | None: ...

    @property
    def site_restrictions(self) -> Any: ...


@dataclass(frozen=True)
class CustomerWall:
    """How a customer-owned row reaches what the wall looks at (ORM lookups from the row)."""

    #: the customer account ("account"; "pk" for the account itself)
    account: str
    #: the site the row is at, if it is at one ("site"; "pk" for the site itself)
    site: str | None = None
    #: the user who opened the row, if the model records one ("created_by")
    opener: str | None = None
    #: rows without an account are the tenant's own and apply to every account (the
    #: tenant's default escalation matrix)
    tenant_wide_without_account: bool = False


def wall_condition(wall: CustomerWall, actor: Actor) -> Q | None:
    """The rows of ``wall``'s model that ``actor`` may see, as a condition (``Q()``: every
    row of the tenant), or None for none. Reads the actor's site restrictions once, and only
    when the model has a site."""
    if actor.is_desk_staff:
        return Q()
    if not actor.is_customer:
        return None
    account_id = actor.customer_account_id
    condition = Q(**{wall.account: account_id})
    if wall.tenant_wide_without_account:
        condition |= Q(**{f"{wall.account}__isnull": True})
    if wall.site is None:
        return condition
    restrictions = site_restrictions_of(actor)
    if not restrictions:
        return condition
    # The user is restricted; a restriction to another account's site opens nothing.
    sites = [site_id for site_id, site_account_id in restrictions if site_account_id == account_id]
    reachable = Q(**{f"{wall.site}__in": sites})
    if wall.opener is not None:
        reachable |= Q(**{wall.opener: actor.pk})
    return condition & reachable


def site_restrictions_of(actor: Actor) -> tuple[tuple[int, int], ...]:
    """The sites the actor is restricted to, each with its account: ``(site id, account id)``;
    none if they see every site of their account. Read inside the current tenant from its
    cached reference data (``SiteRestriction`` is reference data: a restriction saved or
    removed gives the tenant's cache a new version, so it holds from the next request on)
    instead of one statement per request."""

    def build() -> dict[int, tuple[tuple[int, int], ...]]:
        by_user: dict[int, list[tuple[int, int]]] = {}
        # The restrictions' model by the relation (the models import this module, not back).
        restriction = actor.site_restrictions.model
        rows = restriction.objects.values_list("user_id", "site_id", "site__account_id")
        for user_id, site_id, account_id in rows.order_by("user_id", "site_id"):
            by_user.setdefault(user_id, []).append((site_id, account_id))
        return {user_id: tuple(sites) for user_id, sites in by_user.items()}

    tenant_id = require_tenant_id()
    return cached_reference_data(tenant_id, "site-restrictions", build).get(actor.pk, ())


class CustomerOwnedQuerySet(models.QuerySet[M]):
    """Rows of a customer-owned model; ``visible_to`` keeps the customer wall."""

    def visible_to(self, actor: Actor) -> Self:
        """The rows ``actor`` may see (the rule in this module's docstring)."""
        wall: CustomerWall = getattr(self.model, "wall")  # noqa: B009 - declared on CustomerOwned models only
        condition = wall_condition(wall, actor)
        return self.none() if condition is None else self.filter(condition)


class CustomerOwnedManager(TenantManager[M]):
    """Default manager of customer-owned models: the current tenant's rows (or an error, as
    every tenant manager), with ``visible_to(actor)`` for the customer wall inside it."""

    _queryset_class = CustomerOwnedQuerySet

    def get_queryset(self) -> CustomerOwnedQuerySet[M]:
        return cast("CustomerOwnedQuerySet[M]", super().get_queryset())  # built from _queryset_class

    def visible_to(self, actor: Actor) -> CustomerOwnedQuerySet[M]:
        return self.get_queryset().visible_to(actor)


def get_visible_or_404(queryset: models.QuerySet[M], *, for_update: bool = False, **lookup: Any) -> M:
    """The row of ``queryset`` (already inside the actor's walls) that matches ``lookup``;
    otherwise ``Http404``, as if it did not exist. With ``for_update`` the row is locked
    (its own table only; call inside a transaction)."""
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    # The lookup names one row (a number, an id): no ORDER BY to compile or to sort by.
    rows = list(queryset.filter(**lookup).order_by()[:1])
    if not rows:
        raise Http404
    return rows[0]
