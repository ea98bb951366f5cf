"""Opening tickets: from the portal, the API, or an agent logging a phone call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Service
from orders.selectors import entitlement_of, service_named_by_ticket
from servicedesk.db.names import Table
from servicedesk.errors import InvalidInput
from servicedesk.models import CustomerAccount, Site, User
from servicedesk.selectors import accounts_visible_to, sites_visible_to
from servicedesk.tenancy import require_tenant_id
from tickets.events import ticket_opened
from tickets.models import (
    Impact,
    Priority,
    Ticket,
    TicketSequence,
    Urgency,
    contact_fields,
)
from tickets.questionnaires import validate_answers
from tickets.rendering import render_markdown
from tickets.services import sla, timeline
from tickets.services.reference import IntakeReference, intake_reference

# The default impact × urgency matrix, provisioned for every tenant (services/defaults.py) and
# used where a tenant has removed a cell. Rows: impact; columns: urgency.
DEFAULT_PRIORITY_MATRIX: dict[str, dict[str, str]] = {
    Impact.OUTAGE: {Urgency.HIGH: Priority.P1, Urgency.MEDIUM: Priority.P1, Urgency.LOW: Priority.P2},
    Impact.DEGRADATION: {Urgency.HIGH: Priority.P2, Urgency.MEDIUM: Priority.P2, Urgency.LOW: Priority.P3},
    Impact.NONE: {Urgency.HIGH: Priority.P3, Urgency.MEDIUM: Priority.P4, Urgency.LOW: Priority.P4},
}

# A clock a few minutes fast on the customer's side is not an error.
_CLOCK_SKEW = dt.timedelta(minutes=5)


def priority_for(*, impact: str, urgency: str) -> str:
    """The tenant's matrix cell for impact × urgency (call inside the tenant)."""
    rule = intake_reference().priority_cell(impact, urgency)
    return rule or DEFAULT_PRIORITY_MATRIX[impact][urgency]


# One statement: the first number of a prefix inserts its counter, every later one increments
# it; either way the row stays locked until the creating transaction ends.
_NEXT_NUMBER_SQL = """
INSERT INTO {s} ({s.tenant}, {s.prefix}, {s.last_value}) VALUES (%s, %s, 1)
ON CONFLICT ({s.tenant}, {s.prefix}) DO UPDATE SET {s.last_value} = {s}.{s.last_value} + 1
RETURNING {s.last_value}
""".format(s=Table(TicketSequence))


def next_ticket_number(*, prefix: str) -> str:
    """The next number for ``prefix`` in the current tenant, e.g. ``INC-000042``.

    Call inside the creating transaction: the counter row stays locked until it commits, so
    concurrent creators queue here, and a rollback returns the number (no gaps)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [require_tenant_id(), prefix])
        (value,) = cursor.fetchone()
    return f"{prefix}-{value:06d}"


@dataclass
class TicketDraft:
    """What a caller asks to open. References are ids as given; the service resolves them
    inside the actor's walls."""

    kind: str
    subject: str
    description: str
    service_id: str | None = None
    site_id: int | None = None
    account_id: int | None = None
    impact: str | None = None
    urgency: str = Urgency.MEDIUM
    problem_started_at: dt.datetime | None = None
    occurrence: str = ""
    customer_reference: str = ""
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    channel: str = Ticket.Channel.PORTAL
    caller_name: str = ""
    caller_company: str = ""
    caller_phone: str = ""
    product_name: str = ""
    serial_number: str = ""


def clean_contacts(contacts: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    roles = contact_fields()
    for role, contact in (contacts or {}).items():
        key = f"contacts.{role}"
        if role not in roles:
            errors[key] = [_("Unknown contact role; use one of: %(roles)s.") % {"roles": ", ".join(roles)}]
            continue
        if not isinstance(contact, dict) or set(contact) - {"name", "email", "phone"}:
            errors[key] = [_("Give name, email and phone.")]
            continue
        entry = {k: str(contact.get(k, "")).strip()[:200] for k in ("name", "email", "phone")}
        if not entry["name"]:
            errors[key] = [_("A contact needs a name.")]
            continue
        if not (entry["email"] or entry["phone"]):
            errors[key] = [_("Give an e-mail address or a phone number to reach this contact.")]
            continue
        if entry["email"]:
            try:
                validate_email(entry["email"])
            except ValidationError:
                errors[key] = [_("Enter a valid e-mail address.")]
                continue
        cleaned[role] = entry
    return cleaned


def _resolve_scope(
    actor: User, draft: TicketDraft, errors: dict[str, list[str]]
) -> tuple[CustomerAccount | None, Site | None, Service | None]:
    """Service, site and account, each looked up inside the actor's walls: another tenant's or
    account's object is reported as not existing."""
    service = site = account = None
    if draft.service_id:
        service = service_named_by_ticket(actor=actor, service_id=draft.service_id)
        if service is None:
            errors["service"] = [_("There is no service %(id)s.") % {"id": draft.service_id}]
    if draft.site_id is not None:
        site = sites_visible_to(actor=actor).filter(pk=draft.site_id).first()
        if site is None:
            errors["site"] = [_("There is no such site.")]
        elif service is not None and service.site_id != site.pk:
            errors["site"] = [_("The service is at another site.")]
    if service is not None:
        site = service.site
    if actor.is_customer and service is not None:
        # The service came through the actor's walls, its account with it (read inside the tenant).
        account = service.account
        if draft.account_id is not None and draft.account_id != account.pk:
            errors["account"] = [_("There is no such customer account.")]
    elif actor.is_customer:
        # By id, inside the tenant: a cached relation may have been loaded before the tenant was set.
        account = accounts_visible_to(actor=actor).first()
        if account is None or (draft.account_id is not None and draft.account_id != account.pk):
            errors["account"] = [_("There is no such customer account.")]
    elif service is not None:
        account = service.account
    elif site is not None:
        account = site.account
    elif draft.account_id is not None:
        account = accounts_visible_to(actor=actor).filter(pk=draft.account_id).first()
        if account is None:
            errors["account"] = [_("There is no such customer account.")]
    else:
        errors["account"] = [_("Name the customer account, site or service this ticket is for.")]
    if account is not None and draft.account_id is not None and account.pk != draft.account_id:
        errors["account"] = [_("The service or site belongs to another customer account.")]
    return account, site, service


def _validate(
    actor: User, draft: TicketDraft, now: dt.datetime, *, by_mail: bool = False
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if draft.kind not in Ticket.Kind.values:
        # Service requests and changes are records of the orders app, with their own numbers.
        errors["kind"] = [
            _(
                "Choose one of: %(kinds)s. A service request is a simple service request from the "
                "catalogue, a change a change request; neither is a ticket."
            )
            % {"kinds": ", ".join(Ticket.Kind.values)}
        ]
    subject = (draft.subject or "").strip()
    if not subject:
        errors["subject"] = [_("A short description is required.")]
    elif len(subject) > Ticket.MAX_SUBJECT:
        errors["subject"] = [_("At most 200 characters.")]
    description = (draft.description or "").strip()
    if not description:
        errors["description"] = [_("Describe the problem or request.")]
    elif len(description) > Ticket.MAX_DESCRIPTION:
        errors["description"] = [_("At most %(max)d characters.") % {"max": Ticket.MAX_DESCRIPTION}]
    if draft.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose high, medium or low.")]
    if draft.impact is not None and draft.impact not in Impact.values:
        errors["impact"] = [_("Choose outage, degradation or none.")]
    if draft.occurrence and draft.occurrence not in Ticket.Occurrence.values:
        errors["occurrence"] = [_("Choose permanent or intermittent.")]
    if draft.channel not in Ticket.Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    elif draft.channel == Ticket.Channel.EMAIL and by_mail:
        pass  # the mail room opens it for the customer who wrote
    elif draft.channel in (Ticket.Channel.PHONE, Ticket.Channel.EMAIL) and not actor.is_desk_staff:
        errors["channel"] = [_("Only the desk logs calls and e-mails.")]
    if draft.kind == Ticket.Kind.INCIDENT:
        # Seed 002: an incident names the service, when the problem started and its impact.
        if not draft.service_id:
            errors.setdefault("service", []).append(_("An incident names the affected service."))
        if draft.impact is None:
            errors.setdefault("impact", []).append(_("Say whether the service is down, degraded or not affected."))
        if draft.problem_started_at is None:
            errors.setdefault("problem_started_at", []).append(_("Say when the problem started."))
    if draft.problem_started_at is not None:
        if timezone.is_naive(draft.problem_started_at):
            errors["problem_started_at"] = [_("Give the time with its time zone.")]
        elif draft.problem_started_at > now + _CLOCK_SKEW:
            errors["problem_started_at"] = [_("The problem cannot start in the future.")]
    if draft.channel == Ticket.Channel.PHONE and not draft.caller_name.strip():
        errors["caller_name"] = [_("Who called?")]
    out["contacts"] = clean_contacts(draft.contacts, errors)
    out["subject"], out["description"] = subject, description
    return errors, out


@dataclass
class _Checked:
    errors: dict[str, list[str]]
    cleaned: dict[str, Any]
    account: CustomerAccount | None
    site: Site | None
    service: Service | None
    answers: dict[str, Any]


def _check(
    actor: User,
    draft: TicketDraft,
    now: dt.datetime,
    *,
    by_mail: bool = False,
    reference: IntakeReference | None = None,
) -> _Checked:
    errors, cleaned = _validate(actor, draft, now, by_mail=by_mail)
    account, site, service = _resolve_scope(actor, draft, errors)
    answers: dict[str, Any] = {}
    # The questionnaire is the fault diagnosis of an incident: other kinds answer it only if
    # they choose to (and then the answers are checked like an incident's). A mail answers no
    # questionnaire: the agent asks what is missing.
    if service is not None and by_mail and not draft.answers:
        pass
    elif service is not None and (draft.kind == Ticket.Kind.INCIDENT or draft.answers):
        questions = (reference or intake_reference()).questions_for(service.service_type_id)
        try:
            answers = validate_answers(questions, draft.answers)
        except InvalidInput as invalid:
            errors.update(invalid.errors)
    elif draft.answers and "service" not in errors:  # (a service not found is the error to fix)
        errors["answers"] = [_("Questionnaire answers need a service.")]
    if not errors and account is None:
        errors["account"] = [_("There is no such customer account.")]
    return _Checked(errors, cleaned, account, site, service, answers)


def draft_errors(*, actor: User, draft: TicketDraft, now: dt.datetime | None = None) -> dict[str, list[str]]:
    """Every bad field of ``draft``, named as ``open_ticket`` names them, writing nothing: for a
    caller whose own checks refused some fields and who reports the rest at the same time."""
    return _check(actor, draft, now or timezone.now()).errors


@transaction.atomic
def open_ticket(*, actor: User, draft: TicketDraft, now: dt.datetime | None = None, by_mail: bool = False) -> Ticket:
    """Validate ``draft`` inside the actor's walls and open the ticket, or raise InvalidInput
    naming every bad field. Nothing is written unless everything is valid. ``by_mail``: the
    mail room opens it for the customer who wrote (channel ``email``), not the caller's claim."""
    now = now or timezone.now()
    reference = intake_reference()  # read once for the whole intake (each read asks the cache)
    checked = _check(actor, draft, now, by_mail=by_mail, reference=reference)
    if checked.errors or checked.account is None:
        raise InvalidInput(checked.errors)
    cleaned, account, site, service, answers = (
        checked.cleaned,
        checked.account,
        checked.site,
        checked.service,
        checked.answers,
    )

    impact = draft.impact or Impact.NONE
    ticket = Ticket(
        tenant_id=account.tenant_id,
        kind=draft.kind,
        channel=draft.channel,
        account=account,
        site=site,
        service=service,
        product_area_id=service.product_area_id if service else None,
        subject=cleaned["subject"],
        description=cleaned["description"],
        description_html=render_markdown(cleaned["description"]),
        impact=impact,
        urgency=draft.urgency,
        priority=reference.priority_cell(impact, draft.urgency) or DEFAULT_PRIORITY_MATRIX[impact][draft.urgency],
        problem_started_at=draft.problem_started_at,
        occurrence=draft.occurrence,
        customer_reference=draft.customer_reference.strip()[: Ticket.MAX_CUSTOMER_REFERENCE],
        contacts=cleaned["contacts"],
        answers=answers,
        caller_name=draft.caller_name.strip()[:200] if actor.is_desk_staff else "",
        caller_company=draft.caller_company.strip()[:200] if actor.is_desk_staff else "",
        caller_phone=draft.caller_phone.strip()[:40] if actor.is_desk_staff else "",
        product_name=draft.product_name.strip()[:200] or (service.product if service else ""),
        serial_number=draft.serial_number.strip()[:60] or (service.serial_number if service else ""),
        # Seed 004: support needs a current contract or warranty. The ticket is logged either
        # way; the flag tells the customer and the agents.
        is_entitled=service is None or entitlement_of(service, now) is not None,
        team=reference.default_team_for(service),
        created_by=actor,
        created_at=now,
        updated_at=now,
        search_document=f"{cleaned['subject']}\n{cleaned['description']}",
    )
    clocks = sla.plan_clocks(ticket, reference)
    # Numbered last, right before the insert: the counter's row stays locked from here until the
    # transaction ends, and another intake of the tenant waits for it (the Markdown, the
    # entitlement and the clocks' plan above no longer run under the lock).
    ticket.number = next_ticket_number(prefix=Ticket.NUMBER_PREFIX[Ticket.Kind(draft.kind)])
    ticket.save()
    clocks = sla.start_clocks(clocks)
    # What the caller shows next (the API's 201) needs no second read.
    ticket._prefetched_objects_cache = {"sla_clocks": clocks}
    ticket_opened(ticket, now)
    timeline.record_opening(ticket=ticket, actor=actor, at=now)
    return ticket
