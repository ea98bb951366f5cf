"""Queries that pages and the API read, each inside the actor's walls."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from servicedesk.models import CustomerAccount, ProductArea, Site, Team, User
from servicedesk.reference_data import cached_reference_data
from servicedesk.walls import get_visible_or_404


def accounts_visible_to(*, actor: User) -> QuerySet[CustomerAccount]:
    """Staff see every account of their tenant; a customer user sees their own."""
    return CustomerAccount.objects.visible_to(actor)


def account_choices(*, actor: User) -> list[tuple[str, str]]:
    """The accounts the actor sees as ``(id, name)`` choices, by name. A staff member's (every
    account of the tenant: hundreds on a large desk, on every queue page) come from the tenant's
    cached reference data, read afresh after any account is saved or deleted."""

    def build() -> list[tuple[str, str]]:
        rows = accounts_visible_to(actor=actor).order_by("name").values_list("pk", "name")
        return [(str(pk), name) for pk, name in rows]

    if actor.is_desk_staff and actor.tenant_id is not None:
        return cached_reference_data(actor.tenant_id, "account-choices", build)
    return build()


@dataclass(frozen=True)
class StaffFilterChoices:
    """What the agents' filters offer, read with one look at the tenant's cache version: teams,
    accounts and product areas as ``(id, name)`` pairs by name; sites as ``(id, "site
    (account)")`` by account and name, with each site's account (``site_accounts``) and each
    label folded for matching (``site_keys``); each account's name folded (``account_keys``)."""

    teams: list[tuple[str, str]]
    accounts: list[tuple[str, str]]
    account_keys: list[str]
    sites: list[tuple[str, str]]
    site_accounts: list[str]
    site_keys: list[str]
    product_areas: list[tuple[str, str]]


def staff_filter_choices(*, tenant_id: int) -> StaffFilterChoices:
    """The tenant's choices for staff's filters (the queue's and the dashboard's), from its
    cached reference data in one read."""

    def build() -> StaffFilterChoices:
        accounts = [(str(pk), name) for pk, name in CustomerAccount.objects.order_by("name").values_list("pk", "name")]
        rows = Site.objects.order_by("account__name", "name").values_list("pk", "name", "account_id", "account__name")
        sites = [(str(pk), f"{name} ({account})", str(account_id)) for pk, name, account_id, account in rows]
        return StaffFilterChoices(
            teams=[(str(pk), name) for pk, name in Team.objects.order_by("name").values_list("pk", "name")],
            accounts=accounts,
            account_keys=[name.casefold() for _pk, name in accounts],
            sites=[(pk, label) for pk, label, _account in sites],
            site_accounts=[account for _pk, _label, account in sites],
            site_keys=[label.casefold() for _pk, label, _account in sites],
            product_areas=[
                (str(pk), name) for pk, name in ProductArea.objects.order_by("name").values_list("pk", "name")
            ],
        )

    return cached_reference_data(tenant_id, "staff-filter-choices", build)


def sites_visible_to(*, actor: User) -> QuerySet[Site]:
    """Staff see every site of their tenant; a customer user sees the account's sites, or
    only the sites they are restricted to."""
    return Site.objects.visible_to(actor).select_related("account")


def get_account_for(*, actor: User, pk: int) -> CustomerAccount:
    """The account, if the actor may see it; otherwise 404, as if it did not exist."""
    return get_visible_or_404(accounts_visible_to(actor=actor), pk=pk)


def get_site_for(*, actor: User, pk: int) -> Site:
    """The site, if the actor may see it; otherwise 404, as if it did not exist."""
    return get_visible_or_404(sites_visible_to(actor=actor), pk=pk)


def staff_of_tenant(*, actor: User) -> QuerySet[User]:
    """The actor's tenant's agents, managers and administrators."""
    if actor.tenant_id is None:
        return User.objects.none()
    return User.objects.filter(tenant_id=actor.tenant_id, role__in=User.STAFF_ROLES)
