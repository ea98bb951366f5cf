"""Change requests: requested, planned and quoted by the desk, accepted or declined by the
customer, scheduled (the account's contacts get a planned-work notice) and done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from orders.models import ChangeRequest, unmet_guards
from orders.services import numbering, timeline
from orders.services.targets import service_and_site
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from servicedesk.tenancy import tenant_context

ACTIONS = ("quote", "accept", "decline", "schedule", "complete", "cancel")
# ``quote`` carries cost and schedule: quote_change_request runs it.
SIMPLE_ACTIONS = ("accept", "decline", "schedule", "complete", "cancel")
REASON_REQUIRED = {"decline", "cancel"}
MAX_DESCRIPTION = 20_000


@dataclass
class ChangeDraft:
    title: str
    description: str
    site_id: int | None = None
    service: str = ""
    customer_reference: str = ""


@transaction.atomic
def open_change_request(*, actor: User, draft: ChangeDraft, now: dt.datetime | None = None) -> ChangeRequest:
    """Record a change request for a site (and optionally a service) the actor may see; it
    starts in planning. Raises InvalidInput naming every bad field."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    title = (draft.title or "").strip()
    description = (draft.description or "").strip()
    if not title or len(title) > 200:
        errors["title"] = [_("Give a short title of at most 200 characters.")]
    if not description or len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("Describe the change (at most %(max)d characters).") % {"max": MAX_DESCRIPTION}]
    service, site = service_and_site(
        actor=actor,
        service_id=draft.service,
        site_id=draft.site_id,
        errors=errors,
        unnamed=_("Name the site (or the service) the change is for."),
    )
    if errors or site is None:
        raise InvalidInput(errors)
    change = ChangeRequest.objects.create(
        tenant_id=site.tenant_id,
        number=numbering.next_number(prefix=numbering.CHANGE_REQUEST),
        account_id=site.account_id,
        site=site,
        service=service,
        title=title,
        description=description,
        customer_reference=(draft.customer_reference or "").strip()[:100],
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    timeline.record_change_requested(change_request=change, actor=actor, at=now)
    return change


def available_actions(*, change_request: ChangeRequest, actor: User) -> list[str]:
    """The lifecycle actions ``actor`` may take now, in graph order."""
    return [
        name
        for name in ACTIONS
        if can_proceed(getattr(change_request, name)) and has_transition_perm(getattr(change_request, name), actor)
    ]


def _lock(change: ChangeRequest, actor: User, action: str, version: int | None = None) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this change request after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=locked.version,
        )
    if action in available_actions(change_request=locked, actor=actor):
        return locked
    transitions = ChangeRequest._meta.get_field("status").get_all_transitions(ChangeRequest)
    if not any(t.name == action and t.has_perm(locked, actor) for t in transitions):
        raise PermissionRefused(_("You may not %(action)s this change request.") % {"action": action})
    unmet = (
        unmet_guards(ChangeRequest, locked, action, locked.status)
        if can_proceed(getattr(locked, action), False)
        else []
    )
    raise Conflict(
        " ".join(unmet)
        or _("A change request that is %(status)s cannot be %(action)s now.")
        % {"status": locked.get_status_display().lower(), "action": action},
        code="transition_guard" if unmet else "transition_not_allowed",
        status=locked.status,
        actions=available_actions(change_request=locked, actor=actor),
    )


def _check_window(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start is None or timezone.is_naive(start):
        errors["planned_start"] = [_("Give the start with its time zone.")]
    elif start <= now:
        errors["planned_start"] = [_("The work is planned for the future.")]
    if end is None or timezone.is_naive(end):
        errors["planned_end"] = [_("Give the end with its time zone.")]
    elif start is not None and not timezone.is_naive(start) and end <= start:
        errors["planned_end"] = [_("The work ends after it starts.")]
    return errors


def _bump(change: ChangeRequest, now: dt.datetime) -> list[str]:
    change.version += 1
    change.updated_at = now
    return ["version", "updated_at"]


@transaction.atomic
def quote_change_request(
    *,
    change_request: ChangeRequest,
    actor: User,
    cost: Decimal | str | float,
    currency: str,
    planned_start: dt.datetime | None,
    planned_end: dt.datetime | None,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ChangeRequest:
    """State the cost and the schedule of the planned work (again, while the customer has not
    decided); the customer then accepts or declines. With ``version`` (the one the caller
    read) a changed request is refused (Conflict ``stale_version``)."""
    now = now or timezone.now()
    errors = _check_window(planned_start, planned_end, now)
    try:
        amount = Decimal(str(cost)).quantize(Decimal("0.01"))
        if amount < 0 or not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["cost"] = [_("Give the cost as a number, zero or more.")]
        amount = Decimal(0)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = [_("Give a three-letter currency code, e.g. EUR.")]
    if errors:
        raise InvalidInput(errors)
    locked = _lock(change_request, actor, "quote", version)
    before = locked.status
    locked.quote(now)
    locked.quoted_cost, locked.currency = amount, currency
    locked.planned_start, locked.planned_end = planned_start, planned_end
    locked.quote_note = (note or "").strip()[:5000]
    locked.save(
        update_fields=[
            "status", "quoted_at", "quoted_cost", "currency", "planned_start", "planned_end", "quote_note",
            *_bump(locked, now),
        ]
    )  # fmt: skip
    timeline.record_change_status_change(change_request=locked, actor=actor, at=now, before=before)
    timeline.record_change_quoted(change_request=locked, actor=actor, at=now)
    return locked


@transaction.atomic
def transition_change_request(
    *,
    change_request: ChangeRequest,
    actor: User,
    action: str,
    reason: str = "",
    planned_start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ChangeRequest:
    """Run ``action`` (accept, decline, schedule, complete, cancel) (on ``version``, if given). Scheduling may move the
    quoted window (``planned_start``/``planned_end``, agreed with the customer) and sends the
    planned-work notice to the account's contacts once the transaction commits."""
    if action not in SIMPLE_ACTIONS:
        message = (
            _("A quote needs cost and schedule: use the quote endpoint.")
            if action == "quote"
            else _("Unknown action; use one of: %(a)s.") % {"a": ", ".join(SIMPLE_ACTIONS)}
        )
        raise InvalidInput.single("action", message)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput.single("reason", _("Say why; the other side reads it."))
    locked = _lock(change_request, actor, action, version)
    fields = ["status", "decided_at", "completed_at", "cancelled_at"]
    if action in ("accept", "decline"):
        locked.decided_by = actor
        fields.append("decided_by")
    if action == "schedule":
        if planned_start is not None or planned_end is not None:
            errors = _check_window(planned_start or locked.planned_start, planned_end or locked.planned_end, now)
            if errors:
                raise InvalidInput(errors)
            locked.planned_start = planned_start or locked.planned_start
            locked.planned_end = planned_end or locked.planned_end
        elif locked.planned_start is None or locked.planned_start <= now:
            raise InvalidInput.single("planned_start", _("The quoted window has passed; give a new one."))
        fields += ["planned_start", "planned_end"]
    before = locked.status
    getattr(locked, action)(now)
    locked.save(update_fields=[*fields, *_bump(locked, now)])
    timeline.record_change_status_change(change_request=locked, actor=actor, at=now, before=before, reason=reason)
    if action == "schedule":
        tenant_id, change_id = locked.tenant_id, locked.pk
        transaction.on_commit(lambda: _send_notice(tenant_id, change_id))
    return locked


def _send_notice(tenant_id: int, change_request_id: int) -> None:
    from orders.tasks import send_planned_work_notice_task  # noqa: PLC0415 - tasks import services

    with tenant_context(tenant_id):
        send_planned_work_notice_task.delay(change_request_id=change_request_id)
