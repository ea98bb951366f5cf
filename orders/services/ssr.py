"""Simple service requests: submitted from the catalogue far enough ahead, confirmed with an
SSR ID, completed (and so billed) or cancelled."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from orders import dates
from orders.models import CatalogueItem, SimpleServiceRequest, unmet_guards
from orders.selectors import catalogue_visible_to
from orders.services import numbering
from orders.services.targets import service_and_site
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import Site, User

ACTIONS = ("complete", "cancel")
FIELD_TYPES = ("text", "number", "choice", "yes_no")


class StartTooEarly(InvalidInput):
    """The requested start is sooner than the rules allow; carries the earliest allowed start,
    which the API returns next to the field error as ``earliest_allowed``."""

    def __init__(self, message: str, earliest: dt.datetime) -> None:
        super().__init__({"requested_start": [message]})
        self.earliest_allowed = earliest
        # A sibling of the field errors (a value, not a list of messages): clients read it as is.
        self.errors["earliest_allowed"] = utc_iso(earliest)  # type: ignore[assignment]


def utc_iso(instant: dt.datetime) -> str:
    """2026-11-24T14:00:00Z: ISO 8601 in UTC, as the API writes times."""
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class SsrDraft:
    """What a caller asks for. ``item`` is a catalogue code, ``service`` a service ID."""

    item: str
    requested_start: dt.datetime | None
    site_id: int | None = None
    service: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    customer_reference: str = ""
    notes: str = ""


def _label(spec: dict[str, Any]) -> str:
    labels = spec.get("labels") or {}
    language = (translation.get_language() or "en")[:2]
    return str(labels.get(language) or labels.get("en") or spec.get("name", ""))


def _number(value: Any) -> float | None:
    """A finite number (``nan``, ``inf`` and ``1e999`` are none: JSON cannot store them)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _out_of_bounds(spec: dict[str, Any], number: float) -> str | None:
    """Why ``number`` is outside the field's ``min`` and ``max`` (each optional), if it is."""
    low, high = spec.get("min"), spec.get("max")
    if low is not None and high is not None and not low <= number <= high:
        return _("Give a number from %(min)s to %(max)s.") % {"min": low, "max": high}
    if low is not None and number < low:
        return _("Give a number of at least %(min)s.") % {"min": low}
    if high is not None and number > high:
        return _("Give a number of at most %(max)s.") % {"max": high}
    return None


def validate_answers(item: CatalogueItem, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The answers to the item's fields, cleaned, and the errors keyed ``answers.<name>``."""
    errors: dict[str, list[str]] = {}
    specs = {str(spec.get("name")): spec for spec in item.fields or [] if isinstance(spec, dict)}
    if not isinstance(answers, dict):
        return {}, {"answers": [_("Give the details as an object keyed by field name.")]}
    for unknown in sorted(set(answers) - set(specs)):
        errors[f"answers.{unknown}"] = [_("This request has no such field.")]
    cleaned: dict[str, Any] = {}
    for name, spec in specs.items():
        value = answers.get(name)
        key = f"answers.{name}"
        if value in (None, ""):
            if spec.get("required"):
                errors[key] = [_("%(label)s is required.") % {"label": _label(spec)}]
            continue
        kind = spec.get("type", "text")
        if kind == "number":
            number = _number(value)
            if number is None:
                errors[key] = [_("Give a number.")]
            elif bounds := _out_of_bounds(spec, number):
                errors[key] = [bounds]
            cleaned[name] = number
        elif kind == "choice":
            choices = [str(choice) for choice in spec.get("choices") or []]
            if str(value) not in choices:
                errors[key] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]
            cleaned[name] = str(value)
        elif kind == "yes_no":
            if value not in ("yes", "no", True, False):
                errors[key] = [_("Answer yes or no.")]
            cleaned[name] = "yes" if value in ("yes", True) else "no"
        else:
            text = str(value).strip()
            if len(text) > 1000:
                errors[key] = [_("At most 1,000 characters.")]
            cleaned[name] = text
    return cleaned, errors


def check_requested_start(*, site: Site, item: CatalogueItem, start: dt.datetime, now: dt.datetime) -> None:
    """Refuse a start sooner than the item's lead time on the site's business days, or, for
    work on a weekend or public holiday at the site, sooner than 5 days (StartTooEarly)."""
    calendar = dates.site_calendar(site)
    allowed, earliest = dates.ssr_start_allowed(
        calendar, now, item.lead_time_hours, start, weekend_notice=dt.timedelta(days=item.weekend_notice_days)
    )
    if allowed:
        return
    if dates.starts_on_business_day(calendar, start):
        message = _(
            "Too early: this request needs %(hours)d hours' notice, counted on business days at %(site)s. "
            "The earliest allowed start is %(earliest)s."
        ) % {"hours": item.lead_time_hours, "site": site.name, "earliest": utc_iso(earliest)}
    else:
        message = _(
            "Too early: work on a weekend or public holiday at %(site)s needs %(days)d days' notice (and "
            "%(hours)d hours counted on business days). The earliest allowed start is %(earliest)s."
        ) % {
            "days": item.weekend_notice_days,
            "hours": item.lead_time_hours,
            "site": site.name,
            "earliest": utc_iso(earliest),
        }
    raise StartTooEarly(message, earliest)


@dataclass(frozen=True)
class EarliestStarts:
    """The earliest allowed starts of an item's work at a site, asked for now: on a business
    day there, and on a weekend or public holiday there (the item's weekend notice)."""

    business_day: dt.datetime
    weekend: dt.datetime


def earliest_starts(*, site: Site, item: CatalogueItem, now: dt.datetime | None = None) -> EarliestStarts:
    """What check_requested_start would allow at the earliest, for a catalogue or a form to
    show before the request is made."""
    now = now or timezone.now()
    calendar = dates.site_calendar(site)
    return EarliestStarts(
        business_day=dates.earliest_ssr_start(calendar, now, item.lead_time_hours, on_business_day=True),
        weekend=dates.earliest_ssr_start(
            calendar,
            now,
            item.lead_time_hours,
            on_business_day=False,
            weekend_notice=dt.timedelta(days=item.weekend_notice_days),
        ),
    )


@transaction.atomic
def submit_ssr(*, actor: User, draft: SsrDraft, now: dt.datetime | None = None) -> SimpleServiceRequest:
    """Validate ``draft`` inside the actor's walls and confirm the request with its SSR ID, or
    raise InvalidInput naming every bad field (StartTooEarly for a start sooner than allowed)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    item = catalogue_visible_to(actor=actor).filter(code=draft.item, is_active=True).first() if draft.item else None
    if item is None:
        errors["item"] = [_("There is no such item in the catalogue.")]
    service, site = service_and_site(
        actor=actor,
        service_id=draft.service,
        site_id=draft.site_id,
        errors=errors,
        unnamed=_("Name the site (or the service) the work is for."),
    )
    start = draft.requested_start
    if start is None:
        errors["requested_start"] = [_("Say when the work should start.")]
    elif timezone.is_naive(start):
        errors["requested_start"] = [_("Give the time with its time zone.")]
    answers: dict[str, Any] = {}
    if item is not None:
        answers, answer_errors = validate_answers(item, draft.answers or {})
        errors.update(answer_errors)
    if errors or item is None or site is None or start is None:
        raise InvalidInput(errors)
    check_requested_start(site=site, item=item, start=start, now=now)

    return SimpleServiceRequest.objects.create(
        tenant_id=site.tenant_id,
        number=numbering.next_number(prefix=numbering.SSR),
        item=item,
        account_id=site.account_id,
        site=site,
        service=service,
        requested_start=start,
        answers=answers,
        customer_reference=(draft.customer_reference or "").strip()[:100],
        notes=(draft.notes or "").strip()[:10_000],
        quoted_price=item.price,
        currency=item.currency,
        created_by=actor,
        created_at=now,
    )


def available_actions(*, ssr: SimpleServiceRequest, actor: User) -> list[str]:
    return [
        name for name in ACTIONS if can_proceed(getattr(ssr, name)) and has_transition_perm(getattr(ssr, name), actor)
    ]


def _run(ssr: SimpleServiceRequest, actor: User, action: str, now: dt.datetime) -> SimpleServiceRequest:
    locked = SimpleServiceRequest.objects.select_for_update().get(pk=ssr.pk)
    if action not in available_actions(ssr=locked, actor=actor):
        if not can_proceed(getattr(locked, action), False):
            raise Conflict(
                _("A request that is %(status)s cannot be %(action)s.")
                % {"status": locked.get_status_display().lower(), "action": action},
                code="transition_not_allowed",
                status=locked.status,
            )
        transition = getattr(SimpleServiceRequest, action)._django_fsm.get_transition(locked.status)
        if not transition.has_perm(locked, actor):
            raise PermissionRefused(_("You may not %(action)s this request.") % {"action": action})
        raise Conflict(
            " ".join(unmet_guards(SimpleServiceRequest, locked, action, locked.status)),
            code="transition_guard",
            status=locked.status,
        )
    getattr(locked, action)(now)
    return locked


@transaction.atomic
def complete_ssr(
    *,
    ssr: SimpleServiceRequest,
    actor: User,
    price: Decimal | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SimpleServiceRequest:
    """Record the work as done and the price to bill (default: the quoted price). A price
    other than the quote needs a note, which the customer reads."""
    now = now or timezone.now()
    note = (note or "").strip()
    if price is not None:
        try:
            price = Decimal(price).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            raise InvalidInput.single("price", _("Give the price as a number.")) from None
        if price < 0:
            raise InvalidInput.single("price", _("The price cannot be negative."))
        if price != ssr.quoted_price and not note:
            raise InvalidInput.single("note", _("Say why the price differs from the quote."))
    locked = _run(ssr, actor, "complete", now)
    locked.price = price if price is not None else locked.quoted_price
    locked.completed_by = actor
    locked.completion_note = note[:2000]
    locked.save(update_fields=["status", "completed_at", "completed_by", "price", "completion_note"])
    return locked


@transaction.atomic
def cancel_ssr(
    *, ssr: SimpleServiceRequest, actor: User, reason: str, now: dt.datetime | None = None
) -> SimpleServiceRequest:
    """Cancel a confirmed request (nothing is billed)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.single("reason", _("Say why."))
    locked = _run(ssr, actor, "cancel", now or timezone.now())
    locked.cancel_reason = reason[:2000]
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return locked
