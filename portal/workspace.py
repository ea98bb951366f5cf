"""What the console's ticket page (the workspace) shows beside the ticket itself: the
customer sidebar, the contract of the service, canned responses, escalation, problems, the
forms of the workspace's own actions, and what others changed when a save came too late.

Presentation only: every row comes through a selector inside the actor's walls; the lists are
capped, so the page costs the same however large the account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from escalation.selectors import escalations_for
from orders.selectors import entitlement_of, services_visible_to
from portal.forms.workspace import CallbackForm, MergeForm, ProblemLinkForm, TakeForm
from portal.timeline import timeline_line
from servicedesk.models import User
from tickets.models import Problem, Ticket
from tickets.selectors import (
    canned_responses_for,
    merged_into_number,
    other_open_tickets,
    problems_of_ticket,
    problems_visible_to,
    timeline_for,
)
from tickets.services.presence import POLL_SECONDS

SITE_SERVICES_SHOWN = 20
PROBLEMS_OFFERED = 50
ESCALATIONS_SHOWN = 5


def reply_language(ticket: Ticket) -> str:
    """The language the customer reads: the opener's if a customer opened the ticket, else the
    call-back contact's if they are a user of the account, else the desk's (the tenant's
    default)."""
    opener = ticket.created_by
    if opener.is_customer and opener.language:
        return opener.language
    # Logged by the desk (a call): the call-back contact's, when a user of the account.
    contact = ticket.contacts.get("callback") if isinstance(ticket.contacts, dict) else None
    email = contact.get("email") if isinstance(contact, dict) else ""
    if email:
        language = (
            User.objects.filter(customer_account_id=ticket.account_id, email__iexact=email)
            .values_list("language", flat=True)
            .first()
        )
        if language:
            return language
    return ticket.tenant.default_language or settings.LANGUAGE_CODE


def canned_groups(actor: User, ticket: Ticket) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The tenant's canned responses grouped by language, the customer's language first, and
    their texts by id (for inserting them without a round trip)."""
    names = dict(settings.LANGUAGES)
    first = reply_language(ticket)
    groups: dict[str, list[Any]] = {}
    bodies = {}
    for response in canned_responses_for(actor=actor):
        groups.setdefault(response.language, []).append(response)
        bodies[str(response.pk)] = response.body
    order = sorted(groups, key=lambda language: (language != first, language))
    with translation.override(translation.get_language()):
        listed = [{"language": lang, "name": str(names.get(lang, lang)), "responses": groups[lang]} for lang in order]
    return listed, bodies


def site_services(actor: User, ticket: Ticket, now: dt.datetime) -> list[dict[str, Any]]:
    if ticket.site_id is None:
        return []
    services = services_visible_to(actor=actor).filter(site_id=ticket.site_id).order_by("service_id")
    return [
        {"service": service, "contract": entitlement_of(service, now)} for service in services[:SITE_SERVICES_SHOWN]
    ]


def changes_since(actor: User, ticket: Ticket, seen_at: dt.datetime | None) -> list[Any]:
    """The timeline lines others wrote after ``seen_at`` (what made a save stale)."""
    if seen_at is None:
        return []
    events = timeline_for(actor=actor, ticket=ticket).filter(at__gt=seen_at).exclude(actor=actor).order_by("at", "id")
    return [timeline_line(event) for event in events]


def workspace_context(actor: User, ticket: Ticket, bound: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    version = {"version": ticket.version, "seen_at": now}
    others = other_open_tickets(actor=actor, ticket=ticket)
    problems = list(problems_visible_to(actor=actor).exclude(status=Problem.Status.RESOLVED)[:PROBLEMS_OFFERED])
    canned, canned_bodies = canned_groups(actor, ticket)
    escalations = list(escalations_for(actor=actor, ticket=ticket))
    return {
        "other_open_tickets": others,
        "site_services": site_services(actor, ticket, now),
        "service_contract": entitlement_of(ticket.service, now) if ticket.service is not None else None,
        "canned_groups": canned,
        "canned_bodies": canned_bodies,
        "chosen_canned": bound.get("chosen_canned"),
        "escalations": escalations[-ESCALATIONS_SHOWN:],
        "linked_problems": problems_of_ticket(actor=actor, ticket=ticket),
        "take_form": bound.get("take_form") or TakeForm(initial=version),
        "callback_form": bound.get("callback_form") or CallbackForm(),
        "merge_form": bound.get("merge_form") or MergeForm(initial=version, candidates=others),
        "problem_form": bound.get("problem_form") or ProblemLinkForm(problems=problems),
        "other_changes": bound.get("other_changes", []),
        "presence_poll_seconds": POLL_SECONDS,
        "is_mine": ticket.assignee_id == actor.pk,
        "merged_into": merged_into_number(actor=actor, ticket=ticket),
    }


def mark_shortcuts(context: dict[str, Any]) -> None:
    """The reply and note boxes answer the console's keyboard shortcuts (static/js/shortcuts.js:
    an element with ``data-shortcut`` is focused when its key is pressed outside a text field)."""
    for name, key, label in (("reply_form", "r", _("Reply")), ("note_form", "n", _("Internal note"))):
        form = context.get(name)
        if form is not None:
            form.fields["body"].widget.attrs.update(
                # Ctrl+Enter in the box sends it (the form's data-send-shortcut).
                {"data-shortcut": key, "data-shortcut-label": label, "aria-keyshortcuts": f"{key} Control+Enter"}
            )
