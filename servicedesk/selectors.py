"""Queries that pages and the API read, each inside the actor's walls."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from servicedesk.models import CustomerAccount, Site, User


def accounts_visible_to(*, actor: User) -> QuerySet[CustomerAccount]:
    """Staff see every account of their tenant; a customer user sees their own."""
    accounts = CustomerAccount.objects.all()
    if actor.is_desk_staff:
        return accounts
    if actor.is_customer:
        return accounts.filter(pk=actor.customer_account_id)
    return accounts.none()


def sites_visible_to(*, actor: User) -> QuerySet[Site]:
    """Staff see every site of their tenant; a customer user sees the account's sites, or
    only the sites they are restricted to."""
    sites = Site.objects.select_related("account")
    if actor.is_desk_staff:
        return sites
    if not actor.is_customer:
        return sites.none()
    sites = sites.filter(account_id=actor.customer_account_id)
    restricted_to = list(actor.site_restrictions.values_list("site_id", flat=True))
    if restricted_to:
        sites = sites.filter(pk__in=restricted_to)
    return sites


def get_account_for(*, actor: User, pk: int) -> CustomerAccount:
    """The account, if the actor may see it; otherwise 404, as if it did not exist."""
    account = accounts_visible_to(actor=actor).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def get_site_for(*, actor: User, pk: int) -> Site:
    """The site, if the actor may see it; otherwise 404, as if it did not exist."""
    site = sites_visible_to(actor=actor).filter(pk=pk).first()
    if site is None:
        raise Http404
    return site


def staff_of_tenant(*, actor: User) -> QuerySet[User]:
    """The actor's tenant's agents, managers and administrators."""
    if actor.tenant_id is None:
        return User.objects.none()
    return User.objects.filter(
        tenant_id=actor.tenant_id, role__in=[User.Role.AGENT, User.Role.MANAGER, User.Role.ADMIN]
    )
