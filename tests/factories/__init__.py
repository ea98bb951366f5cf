"""factory_boy factories. Tenant-owned rows are created inside their tenant's context, so
the tenant manager and row-level security see the tenant they belong to.

This module holds the core (tenants, people, accounts, sites, calendars); ``orders``,
``tickets`` and ``escalation`` hold those apps' rows, and ``world`` builds the world every
test meets from them."""

from __future__ import annotations

from typing import Any

import factory

from servicedesk.models import (
    BusinessCalendar,
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


class ManagerFactory(UserFactory):
    role = User.Role.MANAGER


class AdminFactory(UserFactory):
    """A tenant administrator."""

    role = User.Role.ADMIN


class OperatorFactory(UserFactory):
    """A platform operator: no tenant, the admin at /platform-admin/."""

    tenant = None
    role = ""
    is_staff = True
    is_superuser = True


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


class BusinessCalendarFactory(TenantOwnedFactory):
    """Monday to Friday, 08:30–17:00 in Frankfurt with Hesse's holidays; ``always_open=True``
    and no hours for 24×7."""

    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Berlin"
    weekly_hours = factory.LazyFunction(lambda: {str(day): [["08:30", "17:00"]] for day in range(5)})
    country = "DE"
    subdivision = "HE"
