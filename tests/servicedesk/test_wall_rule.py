"""The one customer wall covers every customer-owned model.

Customer-owned models are found in the app registry, not listed by hand: every concrete
model with a foreign key to the customer account (and the account itself). Each must be a
``CustomerOwned`` model whose default manager keeps ``servicedesk.walls``' rule; a model added
later with an account foreign key and without the rule fails here. The rows are built
generically from the model's fields (``_row``), so the new model needs no entry in this file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from servicedesk.models import CustomerAccount, CustomerOwned, Site, Tenant, TenantOwned, User
from servicedesk.tenancy import tenant_context
from servicedesk.walls import CustomerOwnedQuerySet
from tests.factories import (
    AccountFactory,
    CustomerUserFactory,
    SiteFactory,
    SiteRestrictionFactory,
    TenantFactory,
    UserFactory,
)

# The identity directory is read before any tenant is known (sign-in, tokens): not tenant-owned,
# never listed to a customer (servicedesk.selectors lists the tenant's staff only). See User.
IDENTITY_DIRECTORY = {User}


def _has_account_key(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is CustomerAccount
        for field in model._meta.concrete_fields
    )


def customer_owned_models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models() if m is CustomerAccount or _has_account_key(m)]
    return sorted(set(found) - IDENTITY_DIRECTORY, key=lambda m: m._meta.label)


MODELS = customer_owned_models()


def test_the_registry_walk_finds_the_customer_owned_models():
    """A sanity floor for the walk itself (it finds more as models are added)."""
    labels = {model._meta.label for model in MODELS}
    assert {
        "servicedesk.CustomerAccount",
        "servicedesk.Site",
        "orders.Service",
        "orders.Order",
        "orders.SimpleServiceRequest",
        "orders.ChangeRequest",
        "tickets.Ticket",
    } <= labels


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_with_a_customer_account_is_behind_the_wall(model):
    assert issubclass(model, CustomerOwned), f"{model._meta.label} has an account key but is not CustomerOwned"
    wall = model.wall
    for lookup in (wall.account, wall.site, wall.opener):
        if lookup not in (None, "pk"):
            model._meta.get_field(lookup)  # a declared lookup names a real field
    with tenant_context(0):
        queryset = model._default_manager.all()
    assert isinstance(queryset, CustomerOwnedQuerySet)
    assert hasattr(queryset, "visible_to")


# --- Generic rows ---------------------------------------------------------------------------

_counter = itertools.count(1)


def _value(field: models.Field) -> Any:
    """A valid value for a required field that is not a relation."""
    if field.choices:
        return field.choices[0][0]
    n = next(_counter)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.IntegerField):
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return dt.date(2026, 1, 5)
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.FileField):
        return f"wall/file{n}"
    if isinstance(field, models.EmailField):
        return f"wall{n}@example.org"
    if isinstance(field, models.CharField | models.TextField):
        value = f"Wall{n}"
        if field.name == "time_zone":
            return "Europe/Berlin"
        if field.name == "country":
            return "DE"
        return value[: field.max_length] if field.max_length else value
    raise NotImplementedError(f"teach _value about {field!r}")


def _row(model: type[models.Model], *, tenant: Tenant, account: CustomerAccount, site: Site, opener: User) -> Any:
    """A row of ``model`` in ``tenant`` for ``account`` at ``site``, opened by ``opener``; other
    required relations are built the same way."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        related = field.related_model if field.is_relation else None
        if related is Tenant:
            values[field.name] = tenant
        elif related is CustomerAccount:
            values[field.name] = account
        elif related is Site:
            values[field.name] = site
        elif related is User:
            values[field.name] = opener
        elif field.null or field.has_default():
            continue
        elif related is not None:
            values[field.name] = _row(related, tenant=tenant, account=account, site=site, opener=opener)
        else:
            values[field.name] = _value(field)
    if issubclass(model, TenantOwned):
        with tenant_context(tenant):
            return model._base_manager.create(**values)
    return model._base_manager.create(**values)


@pytest.fixture
def world(db):
    tenant = TenantFactory()
    mine, theirs = AccountFactory(tenant=tenant), AccountFactory(tenant=tenant)
    here, elsewhere = SiteFactory(account=mine), SiteFactory(account=mine)
    customer = CustomerUserFactory(customer_account=mine)
    restricted = CustomerUserFactory(customer_account=mine)
    SiteRestrictionFactory(user=restricted, site=elsewhere)
    return {
        "tenant": tenant,
        "account": mine,
        "site": here,
        "customer": customer,
        "restricted": restricted,
        "outsider": CustomerUserFactory(customer_account=theirs),
        "staff": UserFactory(tenant=tenant, role=User.Role.AGENT),
        "operator": User.objects.create_superuser("operator.wall@example.org", "x", full_name="Operator"),
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_customer_owned_row_is_seen_only_inside_the_wall(world, model):
    """Given a row of the account at one of its sites, opened by one of its users: the tenant's
    staff and the account's users see it; a user of another account, a user restricted to
    another site of the account and a platform operator see none of it."""
    account = world["account"]
    if model is CustomerAccount:
        row = account
    else:
        row = _row(model, tenant=world["tenant"], account=account, site=world["site"], opener=world["customer"])

    def sees(actor: User) -> bool:
        with tenant_context(world["tenant"]):
            return model._default_manager.visible_to(actor).filter(pk=row.pk).exists()

    assert sees(world["staff"])
    assert sees(world["customer"])
    assert not sees(world["outsider"])
    assert not sees(world["operator"])
    # A restricted user sees what is at their sites (or what they opened): not this row,
    # unless the model is not at a site at all.
    assert sees(world["restricted"]) is (model.wall.site is None)
