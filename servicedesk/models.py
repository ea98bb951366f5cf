"""The core every app builds on: tenants, users and roles, customer accounts and sites,
product areas and teams.

Every tenant-owned table has a non-null ``tenant`` and every index and unique constraint on
it starts with ``tenant_id``: that lets the tables be distributed by tenant later without a
rewrite. Other foreign keys on tenant-owned tables therefore carry no single-column index of
their own; a composite ``(tenant, …)`` index serves them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.reference_data import ReferenceData
from servicedesk.tenancy import TenantManager, tenant_context
from servicedesk.validators import validate_country_code, validate_time_zone
from servicedesk.walls import CustomerOwnedManager, CustomerWall


class Tenant(ReferenceData, models.Model):
    """A provider organisation: one desk, walled off from every other."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code])
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    default_language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # Where customers write to the desk: the Reply-To of every mail the desk sends, and the
    # mailbox the mail room reads (mailroom.Mailbox says how).
    desk_address = models.EmailField(_("desk address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Branding: the colour of links and buttons (refused when it fails WCAG AA contrast).
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, blank=True, help_text=_("#RRGGBB; empty: the desk's blue.")
    )
    # Branding: the logo in the page header (servicedesk.branding checks and stores it).
    logo = models.FileField(_("logo"), upload_to="tenants/branding/", max_length=300, blank=True)
    reopen_window_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"), default=7, help_text=_("How long after resolution a customer may reopen a ticket.")
    )
    # The agents' "breaching soon" queue: tickets warned, or due within this many minutes.
    breaching_soon_minutes = models.PositiveSmallIntegerField(
        _("breaching soon within (minutes)"),
        default=60,
        help_text=_("The agents' queue of tickets breaching soon shows those due within this many minutes."),
    )
    # The desk's own office hours: RFO deadlines, deferring non-service-affecting faults raised
    # outside business hours. (A tenant-owned row; set once the calendar exists.)
    business_calendar = models.ForeignKey(
        "BusinessCalendar", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    def _reference_tenant_id(self) -> int | None:
        return self.pk  # its office calendar is reference data


class TenantOwned(models.Model):
    """Base of every model whose rows belong to one tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"))

    objects: ClassVar[TenantManager[Any]] = TenantManager()

    class Meta:
        abstract = True


def tenant_owned_models() -> list[type[models.Model]]:
    """Every installed model whose rows belong to one tenant."""
    return [m for m in apps.get_models() if issubclass(m, TenantOwned)]


class CustomerOwned(TenantOwned):
    """Base of every model whose rows belong to one customer account: its ``wall`` says how a
    row reaches the account, its site and who opened it, and ``objects.visible_to(actor)``
    keeps the one customer wall (``servicedesk.walls``)."""

    wall: ClassVar[CustomerWall]

    objects: ClassVar[CustomerOwnedManager[Any]] = CustomerOwnedManager()

    class Meta:
        abstract = True


class CustomerAccount(ReferenceData, CustomerOwned):
    """A customer company of the tenant; its users see only its own data. Reference data: the
    agents' filters offer the tenant's accounts from the cache (``account_choices``)."""

    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(_("customer number"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    wall = CustomerWall(account="pk")

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="account_name_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class Site(ReferenceData, CustomerOwned):
    """A customer location; its country and subdivision decide its public holidays."""

    account = models.ForeignKey(
        CustomerAccount,
        on_delete=models.PROTECT,
        related_name="sites",
        db_index=False,
        verbose_name=_("customer account"),
    )
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code])
    subdivision = models.CharField(
        _("subdivision"), max_length=10, blank=True, help_text=_("State or region code for public holidays, e.g. HE.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    wall = CustomerWall(account="account", site="pk")

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "account", "name"], name="site_name_unique_per_account")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.account_id and self.tenant_id and self.account.tenant_id != self.tenant_id:
            raise ValidationError({"account": _("The customer account belongs to another tenant.")})


class ProductArea(ReferenceData, TenantOwned):
    """A product area (e.g. Data/IP/ICT); routes work to teams and escalation levels."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, db_index=False)
    # Inactive: kept with its history, offered for nothing new.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product area")
        verbose_name_plural = _("product areas")
        constraints = [models.UniqueConstraint(fields=["tenant", "slug"], name="product_area_slug_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class Team(ReferenceData, TenantOwned):
    name = models.CharField(_("name"), max_length=100)
    product_area = models.ForeignKey(
        ProductArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams",
        db_index=False,
        verbose_name=_("product area"),
    )
    # Inactive: new tickets are not routed to it nor assigned to it; its tickets keep it.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="team_name_unique_per_tenant")]
        indexes = [models.Index(fields=["tenant", "product_area"], name="team_tenant_area_idx")]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user_object(self, username: Any, email: Any, password: Any, **extra: Any) -> User:
        email = self.normalize_email(email or username).lower()
        user = self.model(email=email, **extra)
        user.password = ""
        user.set_password(password)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_superuser", False)
        extra.setdefault("is_staff", False)
        user = self._create_user_object(None, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        """A platform operator: no tenant, no role, the Django admin."""
        extra.update(is_superuser=True, is_staff=True, tenant=None, role="")
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a member of exactly one tenant with one role.

    The user table is the identity directory, read before any tenant is known (sign-in,
    session and token look-ups), so it is not behind the tenant manager or row-level
    security. Everything that lists users goes through ``servicedesk.selectors``, which
    scopes to the actor's tenant.
    """

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer user")
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Manager")
        ADMIN = "admin", _("Tenant administrator")

    #: The desk's own people: they see their whole tenant.
    STAFF_ROLES: ClassVar[frozenset[str]] = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("tenant")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    customer_account = models.ForeignKey(
        CustomerAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("customer account"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: the tenant's default.")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone], help_text=_("Empty: the tenant's.")
    )
    # The kinds of notification mail (servicedesk.notifications.MailKind) the user turned off.
    mail_opt_outs = models.JSONField(_("mail notifications turned off"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Platform operators are superusers outside every tenant; everyone else has a tenant and a role.
            models.CheckConstraint(
                condition=(Q(tenant__isnull=True) & Q(is_superuser=True) & Q(role=""))
                | (Q(tenant__isnull=False) & ~Q(role="")),
                name="user_tenant_and_role_or_operator",
            ),
            # Customer users belong to one customer account; staff to none.
            models.CheckConstraint(
                condition=(Q(role="customer") & Q(customer_account__isnull=False))
                | (~Q(role="customer") & Q(customer_account__isnull=True)),
                name="user_account_iff_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        if self.customer_account_id and self.tenant_id:
            # Looked for inside the user's tenant: an account of another tenant is not there.
            with tenant_context(self.tenant_id):
                in_tenant = CustomerAccount.objects.filter(pk=self.customer_account_id).exists()
            if not in_tenant:
                raise ValidationError({"customer_account": _("The customer account belongs to another tenant.")})

    @property
    def is_customer(self) -> bool:
        return self.role == self.Role.CUSTOMER

    @property
    def is_agent(self) -> bool:
        return self.role == self.Role.AGENT

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_desk_staff(self) -> bool:
        """Agents, managers and tenant administrators: they see their whole tenant."""
        return self.role in self.STAFF_ROLES

    @property
    def is_platform_operator(self) -> bool:
        return self.is_superuser and self.tenant_id is None


class SiteRestriction(ReferenceData, TenantOwned):
    """Limits a customer user to some of the account's sites; a user with none sees them all.
    Reference data: the walls read a tenant's restrictions from its cache
    (``walls.site_restrictions_of``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="site_restrictions", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("site restriction")
        verbose_name_plural = _("site restrictions")
        constraints = [models.UniqueConstraint(fields=["tenant", "user", "site"], name="site_restriction_unique")]
        indexes = [models.Index(fields=["tenant", "site"], name="siterestr_tenant_site_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → site {self.site_id}"


class TeamMembership(TenantOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships", db_index=False)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["tenant", "team", "user"], name="team_membership_unique")]
        indexes = [models.Index(fields=["tenant", "user"], name="teammember_tenant_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in team {self.team_id}"


class ApiToken(models.Model):
    """An API token. Only its SHA-256 digest is stored; the token is shown once, when issued.

    Part of the identity directory (looked up before the tenant is known), like ``User``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.digest[:8]}… for {self.user}"


class BusinessCalendar(ReferenceData, TenantOwned):
    """When a desk counts time: weekly opening hours in a time zone, the public holidays of a
    country (and subdivision), the tenant's own closures (bridge days) and extra opening days.
    24×7 is a calendar too. The arithmetic lives in ``servicedesk.calendars``."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    always_open = models.BooleanField(_("always open (24×7)"), default=False)
    # {"0": [["08:30", "17:00"]], …, "6": []}: local wall-clock intervals per weekday, Monday = 0.
    weekly_hours = models.JSONField(_("weekly opening hours"), default=dict, blank=True)
    country = models.CharField(_("holidays of country"), max_length=2, blank=True)
    subdivision = models.CharField(_("and subdivision"), max_length=10, blank=True)
    # An inactive calendar keeps counting for the policies that use it but is offered for none.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="calendar_name_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name

    def as_calendar(self) -> Any:
        """The pure calendar for ``servicedesk.calendars`` (closures and extra days included)."""
        from servicedesk import calendars  # noqa: PLC0415 - keeps the model import light

        if self.always_open:
            return calendars.BusinessCalendar.always_open(self.time_zone)
        return calendars.BusinessCalendar.weekly_hours(
            self.time_zone,
            {int(day): [tuple(interval) for interval in intervals] for day, intervals in self.weekly_hours.items()},
            country=self.country or None,
            subdivision=self.subdivision or None,
            closures=[closure.date for closure in self.closures.all()],
            extra_days={extra.date: [tuple(i) for i in extra.intervals] for extra in self.extra_days.all()},
        )


class CalendarClosure(ReferenceData, TenantOwned):
    """A date the desk is closed although the weekly hours say open (e.g. a bridge day)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures", db_index=False)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["tenant", "calendar", "date"], name="closure_unique_date")]

    def __str__(self) -> str:
        return f"{self.calendar} closed {self.date}"


class CalendarExtraDay(ReferenceData, TenantOwned):
    """A date the desk opens with its own hours (even on a weekend or holiday)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="extra_days", db_index=False)
    date = models.DateField(_("date"))
    intervals = models.JSONField(_("opening hours"), default=list)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["tenant", "calendar", "date"], name="extra_day_unique_date")]

    def __str__(self) -> str:
        return f"{self.calendar} open {self.date}"


class IdempotencyKey(TenantOwned):
    """A creating request sent with an ``Idempotency-Key`` header, and the answer it got: the
    same key from the same user within a day gets the same answer instead of a second ticket,
    comment, order or SSR (``servicedesk.idempotency``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body: the key reused for another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} of user {self.user_id}"


class AuditEntry(TenantOwned):
    """One change made in the desk's administration: who made it, when, to which object, and
    each field before and after (``changes``: ``[{"field", "label", "before", "after"}]``, the
    values as words). Written in the change's own transaction (``servicedesk.audit``), never
    edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DEACTIVATE = "deactivate", _("Deactivated")
        ACTIVATE = "activate", _("Reactivated")
        DELETE = "delete", _("Deleted")
        INVITE = "invite", _("Invited")

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, verbose_name=_("by")
    )
    actor_name = models.CharField(_("by"), max_length=200)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("kind of object"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=40)
    object_name = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        # The audit log page: the newest entries of one tenant first.
        indexes = [models.Index(fields=["tenant", "-at", "-id"], name="auditentry_tenant_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_name}"


# The kinds of mail the desk sends on its own account (``servicedesk.notifications`` says who
# gets which).
class MailKind(models.TextChoices):
    SLA_ALERT = "sla_alert", _("Service-level warnings and breaches of tickets I handle")
    ESCALATION_CONTACT = "escalation_contact", _("Escalations where I am a contact")
    ESCALATION_ACCOUNT = "escalation_account", _("Escalation levels reached by my account's tickets")
    PLANNED_WORK = "planned_work", _("Planned work at my sites")
    SURVEY = "survey", _("Satisfaction surveys after a repair or a delivery")
    TICKET_REPLY = "ticket_reply", _("The desk's replies to my tickets")


class MailTemplate(TenantOwned):
    """The desk's own words around one kind of notification mail in one language: an opening
    before the message the desk generates and a closing after it (a greeting, a signature, a
    hotline number). Without an active one, the mail is the generated message alone."""

    MAX_TEXT = 2_000

    kind = models.CharField(_("kind of mail"), max_length=32, choices=MailKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    opening = models.TextField(_("opening"), max_length=MAX_TEXT, blank=True)
    closing = models.TextField(_("closing"), max_length=MAX_TEXT, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "language"], name="mail_template_unique_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"

    def wrap(self, body: str) -> str:
        return "\n\n".join(part for part in (self.opening.strip(), body, self.closing.strip()) if part)
