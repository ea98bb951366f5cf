"""The core demo data of API.md: tenants, staff, customer accounts, sites and users.

Idempotent: every row is found by its natural key and brought to the values below, so a
second run changes nothing. Passwords are set only when a user is created. All names are
fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from servicedesk.auth import DEMO_PASSWORD
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


@dataclass(frozen=True)
class SiteSpec:
    name: str
    street: str
    postcode: str
    city: str
    country: str
    subdivision: str
    time_zone: str


@dataclass(frozen=True)
class UserSpec:
    email: str
    full_name: str
    role: str
    language: str = ""
    team: str = ""
    sites: tuple[str, ...] = ()
    time_zone: str = ""


@dataclass(frozen=True)
class AccountSpec:
    name: str
    reference: str
    sites: tuple[SiteSpec, ...]
    users: tuple[UserSpec, ...]


@dataclass(frozen=True)
class TenantSpec:
    slug: str
    name: str
    country: str
    time_zone: str
    default_language: str
    product_areas: tuple[tuple[str, str], ...]
    staff: tuple[UserSpec, ...]
    accounts: tuple[AccountSpec, ...] = field(default=())
    # (name, time zone, weekly hours Mon–Fri or None for 24×7, country, subdivision); the
    # first with hours is the desk's own office calendar.
    calendars: tuple[tuple[str, str, tuple[str, str] | None, str, str], ...] = field(default=())


R = User.Role

TENANTS = (
    TenantSpec(
        slug="northwind",
        name="Northwind Networks",
        country="DE",
        time_zone="Europe/Berlin",
        default_language="de",
        calendars=(
            ("24×7", "Europe/Berlin", None, "", ""),
            ("Northwind office hours", "Europe/Berlin", ("08:30", "17:00"), "DE", "HE"),
            ("UK business hours", "Europe/London", ("08:30", "17:00"), "GB", "ENG"),
        ),
        product_areas=(
            ("premium-bespoke", "Premium & Bespoke"),
            ("data-ip-ict", "Data/IP/ICT"),
            ("transmission", "Transmission"),
            ("voice", "Voice"),
        ),
        staff=(
            UserSpec("admin@northwind.example", "Greta Hoffmann", R.ADMIN, "en"),
            UserSpec("manager@northwind.example", "Markus Weber", R.MANAGER, "en"),
            UserSpec("agent@northwind.example", "Lena Fischer", R.AGENT, "en", team="data-ip-ict"),
            UserSpec("voice.agent@northwind.example", "Jonas Becker", R.AGENT, "de", team="voice"),
        ),
        accounts=(
            AccountSpec(
                name="Acme Logistics GmbH",
                reference="C-10001",
                sites=(
                    SiteSpec("Frankfurt", "Hafenstraße 12", "60327", "Frankfurt am Main", "DE", "HE", "Europe/Berlin"),
                    SiteSpec("Madrid", "Calle de Alcalá 210", "28028", "Madrid", "ES", "MD", "Europe/Madrid"),
                ),
                users=(
                    UserSpec("alice@acme.example", "Alice Schneider", R.CUSTOMER, "en"),
                    UserSpec(
                        "dave@acme.example",
                        "Dave Moreno",
                        R.CUSTOMER,
                        "es",
                        sites=("Madrid",),
                        time_zone="Europe/Madrid",
                    ),
                ),
            ),
            AccountSpec(
                name="Globex Retail Ltd",
                reference="C-10002",
                sites=(SiteSpec("London", "14 Wharf Road", "N1 7GR", "London", "GB", "ENG", "Europe/London"),),
                users=(UserSpec("bob@globex.example", "Bob Taylor", R.CUSTOMER, "en", time_zone="Europe/London"),),
            ),
        ),
    ),
    TenantSpec(
        slug="bluepeak",
        name="Bluepeak Hosting",
        country="ES",
        time_zone="Europe/Madrid",
        default_language="es",
        calendars=(
            ("24×7", "Europe/Madrid", None, "", ""),
            ("Horario de oficina Barcelona", "Europe/Madrid", ("09:00", "18:00"), "ES", "CT"),
        ),
        product_areas=(("hosting", "Hosting"), ("network", "Network")),
        staff=(UserSpec("agent@bluepeak.example", "Pablo Ruiz", R.AGENT, "es", team="hosting"),),
        accounts=(
            AccountSpec(
                name="Initech S.A.",
                reference="C-20001",
                sites=(
                    SiteSpec("Barcelona", "Carrer de Pallars 99", "08018", "Barcelona", "ES", "CT", "Europe/Madrid"),
                ),
                users=(UserSpec("carol@initech.example", "Carol Jiménez", R.CUSTOMER, "es"),),
            ),
        ),
    ),
)

OPERATOR = UserSpec("operator@desk.example", "Platform Operator", "")


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, description) of every demo user, for printing."""
    logins = []
    for spec in TENANTS:
        for person in spec.staff:
            logins.append((person.email, f"{spec.name}: {User.Role(person.role).label}"))
        for account in spec.accounts:
            for person in account.users:
                where = f" (only {', '.join(person.sites)})" if person.sites else ""
                logins.append((person.email, f"{spec.name}: customer user of {account.name}{where}"))
    logins.append((OPERATOR.email, "platform operator (/platform-admin/)"))
    return logins


def _user(spec: UserSpec, *, tenant: Tenant | None, account: CustomerAccount | None) -> User:
    defaults = {
        "full_name": spec.full_name,
        "tenant": tenant,
        "role": spec.role,
        "customer_account": account,
        "language": spec.language,
        "time_zone": spec.time_zone,
        "is_active": True,
        "is_superuser": tenant is None,
        "is_staff": tenant is None,
    }
    user, created = User.objects.update_or_create(email=spec.email, defaults=defaults)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _seed_calendars(tenant: Tenant, spec: TenantSpec) -> None:
    office = None
    for name, zone, hours, country, subdivision in spec.calendars:
        weekly = {str(day): [list(hours)] for day in range(5)} if hours else {}
        calendar, _ = BusinessCalendar.objects.update_or_create(
            tenant=tenant,
            name=name,
            defaults={
                "time_zone": zone,
                "always_open": hours is None,
                "weekly_hours": weekly,
                "country": country,
                "subdivision": subdivision,
            },
        )
        if hours and office is None:
            office = calendar
    if office is not None and tenant.business_calendar_id != office.pk:
        tenant.business_calendar = office
        tenant.save(update_fields=["business_calendar"])


@transaction.atomic
def seed_core() -> None:
    """Create or update the core demo data."""
    for spec in TENANTS:
        tenant, _ = Tenant.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "country": spec.country,
                "time_zone": spec.time_zone,
                "default_language": spec.default_language,
                "is_active": True,
            },
        )
        with tenant_context(tenant):
            _seed_calendars(tenant, spec)
            areas = {}
            for slug, name in spec.product_areas:
                areas[slug], _ = ProductArea.objects.update_or_create(tenant=tenant, slug=slug, defaults={"name": name})
            teams = {}
            for slug, area in areas.items():
                teams[slug], _ = Team.objects.update_or_create(
                    tenant=tenant, name=f"{area.name} desk", defaults={"product_area": area}
                )
            for person in spec.staff:
                user = _user(person, tenant=tenant, account=None)
                if person.team:
                    TeamMembership.objects.get_or_create(tenant=tenant, team=teams[person.team], user=user)
            for account_spec in spec.accounts:
                account, _ = CustomerAccount.objects.update_or_create(
                    tenant=tenant,
                    name=account_spec.name,
                    defaults={"reference": account_spec.reference, "is_active": True},
                )
                sites = {}
                for site in account_spec.sites:
                    sites[site.name], _ = Site.objects.update_or_create(
                        tenant=tenant,
                        account=account,
                        name=site.name,
                        defaults={
                            "street": site.street,
                            "postcode": site.postcode,
                            "city": site.city,
                            "country": site.country,
                            "subdivision": site.subdivision,
                            "time_zone": site.time_zone,
                        },
                    )
                for person in account_spec.users:
                    user = _user(person, tenant=tenant, account=account)
                    for site_name in person.sites:
                        SiteRestriction.objects.get_or_create(tenant=tenant, user=user, site=sites[site_name])
    _user(OPERATOR, tenant=None, account=None)
