"""Reads of escalation: the matrix as the caller may see it, a ticket's escalation events, a
user's in-app notices; each inside the actor's walls."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from escalation.models import (
    EscalationAttempt,
    EscalationContact,
    EscalationEvent,
    EscalationLevel,
    EscalationMatrix,
    EscalationNotice,
    EscalationPolicy,
)
from orders.selectors import services_visible_to
from servicedesk.models import User
from tickets.models import Ticket


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str
    phone: str
    email: str
    # Staff only: which user the contact is and the language they are written to in.
    user_id: int | None = None
    language: str = ""


@dataclass
class LevelView:
    number: int
    title: str
    product_area: str | None
    product_area_id: int | None
    contacts: list[ContactView] = field(default_factory=list)


@dataclass
class ThresholdView:
    priority: str
    level_minutes: list[int]
    business_calendar: str | None
    breach_level: int | None


@dataclass
class MatrixView:
    id: int
    name: str
    account: str | None
    levels: list[LevelView]
    escalation_managers: list[ContactView]
    thresholds: list[ThresholdView]


def _contact(contact: EscalationContact, staff: bool) -> ContactView:
    return ContactView(
        name=contact.display_name, role=contact.role, phone=contact.display_phone, email=contact.display_email,
        user_id=contact.user_id if staff else None, language=contact.language if staff else "",
    )  # fmt: skip


def _matrices(actor: User) -> QuerySet[EscalationMatrix]:
    """The matrices the actor may see: staff every one of the tenant, a customer user their
    account's own and the tenant's default."""
    contacts = EscalationContact.objects.select_related("user")
    return (
        EscalationMatrix.objects.visible_to(actor)
        .select_related("account")
        .prefetch_related(
            Prefetch("levels", queryset=EscalationLevel.objects.select_related("product_area")),
            Prefetch("contacts", queryset=contacts),
            Prefetch("policies", queryset=EscalationPolicy.objects.select_related("calendar")),
        )
    )


def _view(matrix: EscalationMatrix, *, staff: bool, areas: set[int] | None) -> MatrixView:
    contacts: dict[int | None, list[ContactView]] = {}
    for contact in matrix.contacts.all():
        contacts.setdefault(contact.level_id, []).append(_contact(contact, staff))
    levels = [
        LevelView(
            number=level.number,
            title=level.title,
            product_area=level.product_area.name if level.product_area else None,
            product_area_id=level.product_area_id,
            contacts=contacts.get(level.pk, []),
        )  # fmt: skip
        for level in sorted(
            matrix.levels.all(), key=lambda lv: (lv.number, lv.product_area.name if lv.product_area else "")
        )
        if areas is None or level.product_area_id is None or level.product_area_id in areas
    ]
    thresholds = [
        ThresholdView(
            priority=policy.priority,
            level_minutes=list(policy.level_minutes),
            business_calendar=policy.calendar.name if policy.calendar else None,
            breach_level=policy.breach_level,
        )  # fmt: skip
        for policy in sorted(matrix.policies.all(), key=lambda p: p.priority)
    ]
    return MatrixView(
        id=matrix.pk, name=matrix.name, account=matrix.account.name if matrix.account else None, levels=levels,
        escalation_managers=contacts.get(None, []), thresholds=thresholds,
    )  # fmt: skip


def matrices_for(*, actor: User) -> list[MatrixView]:
    """Staff: every matrix of the tenant, whole. A customer user: the matrix that applies to
    their account (its own, else the tenant's default), with the levels of the product areas
    of the services they can see and the levels for all areas; contacts without user ids."""
    if actor.is_desk_staff:
        return [_view(m, staff=True, areas=None) for m in _matrices(actor)]
    if not actor.is_customer:
        return []
    candidates = list(_matrices(actor))
    chosen = sorted(candidates, key=lambda m: m.account_id is None)[:1]
    areas = set(
        services_visible_to(actor=actor).exclude(product_area__isnull=True).values_list("product_area_id", flat=True)
    )
    return [_view(m, staff=False, areas=areas) for m in chosen]


def escalations_for(*, actor: User, ticket: Ticket) -> QuerySet[EscalationEvent]:
    """The ticket's escalation events, oldest first, with the attempts to reach each level
    (``ticket`` comes from an accessor that checked the actor's walls)."""
    return (
        EscalationEvent.objects.filter(ticket_id=ticket.pk)
        .select_related("actor")
        .prefetch_related(Prefetch("attempts", queryset=EscalationAttempt.objects.order_by("number")))
        .order_by("at", "id")
    )


def notices_for(*, actor: User) -> QuerySet[EscalationNotice]:
    """The actor's own in-app escalation notices, newest first."""
    return EscalationNotice.objects.filter(user_id=actor.pk).select_related("event__ticket")
