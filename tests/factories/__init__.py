"""factory_boy factories. Tenant-owned rows are created inside their tenant's context, so
the tenant manager and row-level security see the tenant they belong to."""

from __future__ import annotations

from typing import Any

import factory

from servicedesk.models import (
    CustomerAccount,
    ProductArea,
    Site,
    SiteRestriction,
    Team,
    TeamMembership,
    Tenant,
    User,
)
from servicedesk.tenancy import tenant_context

PASSWORD = "correct-horse-battery-staple"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    country = "DE"
    time_zone = "Europe/Berlin"
    default_language = "en"


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    """Creates the row inside its tenant's context."""

    class Meta:
        abstract = True

    tenant = factory.SubFactory(TenantFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with tenant_context(kwargs["tenant"]):
            return model_class._base_manager.create(*args, **kwargs)


class AccountFactory(TenantOwnedFactory):
    class Meta:
        model = CustomerAccount

    name = factory.Sequence(lambda n: f"Customer {n} GmbH")


class SiteFactory(TenantOwnedFactory):
    class Meta:
        model = Site

    account = factory.SubFactory(AccountFactory)
    tenant = factory.SelfAttribute("account.tenant")
    name = factory.Sequence(lambda n: f"Site {n}")
    city = "Frankfurt am Main"
    country = "DE"
    subdivision = "HE"
    time_zone = "Europe/Berlin"


class ProductAreaFactory(TenantOwnedFactory):
    class Meta:
        model = ProductArea

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class TeamFactory(TenantOwnedFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    tenant = factory.SubFactory(TenantFactory)
    role = User.Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save(update_fields=["password"])


class CustomerUserFactory(UserFactory):
    role = User.Role.CUSTOMER
    customer_account = factory.SubFactory(AccountFactory)
    tenant = factory.SelfAttribute("customer_account.tenant")


class SiteRestrictionFactory(TenantOwnedFactory):
    class Meta:
        model = SiteRestriction

    tenant = factory.SelfAttribute("site.tenant")


class TeamMembershipFactory(TenantOwnedFactory):
    class Meta:
        model = TeamMembership

    tenant = factory.SelfAttribute("team.tenant")
