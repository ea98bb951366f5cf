"""The console's ticket workspace: the ticket page with the desk's whole job on it, and the
actions it adds to those of portal.views.console: taking the ticket, logging a call-back,
merging a duplicate, linking a problem, and who else has the ticket open.

Each handler parses input, fetches through the tenant-scoped accessors (another tenant's or
another account's ticket, canned response or problem is a 404), calls one service and
renders; a refusal shows the page again with the message next to the form that caused it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.selectors import get_service_for
from portal.forms.phone import PhoneTicketForm
from portal.forms.tickets import CommentForm
from portal.forms.workspace import CallbackForm, MergeForm, ProblemLinkForm, TakeForm
from portal.views.access import signed_in_user, staff_required
from portal.views.shared import CONSOLE, back_to_ticket, intake_page, language_of_request, refuse, ticket_page
from portal.workspace import changes_since
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from tickets.api import ENTITLEMENT_NOTICE
from tickets.models import Problem, Ticket
from tickets.selectors import (
    get_canned_response_for,
    get_merge_target_for,
    get_problem_for,
    get_ticket_for,
    other_open_tickets,
    problems_visible_to,
)
from tickets.services import presence
from tickets.services.conversation import log_callback
from tickets.services.merging import merge_ticket
from tickets.services.problems import link_incident, open_problem
from tickets.services.updates import assign_ticket


@staff_required
@require_GET
def workspace(request: HttpRequest, number: str) -> HttpResponseBase:
    """The ticket page; ``?canned=<id>`` puts that canned response into the reply (the way to
    insert one without JavaScript)."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    bound: dict[str, Any] = {}
    canned_id = request.GET.get("canned", "")
    if canned_id:
        canned = get_canned_response_for(actor=actor, pk=int(canned_id) if canned_id.isdigit() else 0)
        bound["reply_form"] = CommentForm(prefix="reply", initial={"body": canned.body})
        bound["chosen_canned"] = canned.pk
    presence.mark_present(ticket=ticket, actor=actor)
    return ticket_page(request, CONSOLE, actor, ticket, **bound)


def _stale_message() -> str:
    return _(
        "Someone else changed this ticket after you loaded it. The page now shows the ticket as it is, with "
        "what changed listed below: check it and save again to apply your change."
    )


@staff_required
@require_POST
def take(request: HttpRequest, number: str) -> HttpResponseBase:
    """Assign the ticket to me (the team stays as it is)."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    form = TakeForm(request.POST)
    if not form.is_valid():
        return ticket_page(request, CONSOLE, actor, ticket, status=400, take_form=form)
    try:
        assign_ticket(
            ticket=ticket, actor=actor, version=form.cleaned_data["version"], team_id=ticket.team_id,
            assignee_id=actor.pk,
        )  # fmt: skip
    except Conflict as conflict:
        if conflict.code == "stale_version":
            changes = changes_since(actor, ticket, form.cleaned_data.get("seen_at"))
            fresh = get_ticket_for(actor=actor, number=number)
            again = TakeForm({"version": fresh.version, "seen_at": timezone.now().isoformat()})
            again.is_valid()
            again.add_error(None, _stale_message())
            return ticket_page(request, CONSOLE, actor, fresh, status=409, take_form=again, other_changes=changes)
        status = refuse(form, conflict)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, take_form=form)
    except (InvalidInput, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, take_form=form)
    messages.success(request, _("%(number)s is assigned to you.") % {"number": ticket.number})
    return back_to_ticket(CONSOLE, ticket)


@staff_required
@require_POST
def callback(request: HttpRequest, number: str) -> HttpResponseBase:
    """A specialist called the customer back: on the history; meets the call-back target."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    form = CallbackForm(request.POST)
    form.is_valid()
    try:
        log_callback(ticket=ticket, actor=actor, note=form.cleaned_data.get("note", ""))
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, callback_form=form)
    messages.success(request, _("The call-back is logged."))
    return back_to_ticket(CONSOLE, ticket, "service-levels")


@staff_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponseBase:
    """Merge this ticket into another open ticket of the same account, once confirmed."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    form = MergeForm(request.POST, candidates=other_open_tickets(actor=actor, ticket=ticket))
    target_number = str(request.POST.get("target", "")).strip()
    target = None
    if target_number:
        # Another tenant's or another account's number: no such ticket here (404).
        target = get_merge_target_for(actor=actor, ticket=ticket, number=target_number)
        if target.number not in dict(form.fields["target"].choices):  # type: ignore[attr-defined]
            form.fields["target"].choices.append((target.number, f"{target.number} · {target.subject}"))  # type: ignore[attr-defined]
    if not form.is_valid() or target is None:
        return ticket_page(request, CONSOLE, actor, ticket, status=400, merge_form=form)
    try:
        merged = merge_ticket(ticket=ticket, into=target, actor=actor, version=form.cleaned_data["version"])
    except Conflict as conflict:
        if conflict.code == "stale_version":
            form.add_error(None, _stale_message())
            changes = changes_since(actor, ticket, form.cleaned_data.get("seen_at"))
            fresh = get_ticket_for(actor=actor, number=number)
            return ticket_page(request, CONSOLE, actor, fresh, status=409, merge_form=form, other_changes=changes)
        status = refuse(form, conflict)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, merge_form=form)
    except (InvalidInput, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, merge_form=form)
    messages.success(
        request,
        _("%(old)s is merged into %(new)s and closed; the customer was told.")
        % {"old": ticket.number, "new": merged.number},
    )
    return back_to_ticket(CONSOLE, merged, "conversation")


@staff_required
@require_POST
def problem(request: HttpRequest, number: str) -> HttpResponseBase:
    """Link the incident to an existing problem of the tenant, or to a new one made from it."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    offered = list(problems_visible_to(actor=actor).exclude(status=Problem.Status.RESOLVED)[:50])
    chosen = str(request.POST.get("problem", "")).strip()
    found = None
    if chosen:
        found = get_problem_for(actor=actor, number=chosen)  # another tenant's problem: 404
        if found not in offered:
            offered.append(found)
    form = ProblemLinkForm(request.POST, problems=offered)
    if not form.is_valid():
        return ticket_page(request, CONSOLE, actor, ticket, status=400, problem_form=form)
    try:
        record = found or open_problem(actor=actor, title=form.cleaned_data["title"])
        link_incident(problem=record, actor=actor, ticket=ticket)
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, CONSOLE, actor, ticket, status=status, problem_form=form)
    messages.success(
        request, _("%(number)s is linked to %(problem)s.") % {"number": ticket.number, "problem": record.number}
    )
    return back_to_ticket(CONSOLE, ticket, "problems")


@staff_required
@require_POST
def presence_poll(request: HttpRequest, number: str) -> HttpResponse:
    """Renew my mark on the ticket (typing or not) and show who else is on it (htmx, polled)."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    presence.mark_present(ticket=ticket, actor=actor, is_typing=request.POST.get("typing") == "1")
    return render(
        request, "partials/ticket_presence.html", {"others": presence.others_present(ticket=ticket, actor=actor)}
    )


# --- phone intake ---------------------------------------------------------------------------------


@staff_required
def phone_intake(request: HttpRequest) -> HttpResponse:
    """Log a call: the ticket opens on channel ``phone`` under the portal's intake rules."""
    return intake_page(
        request,
        form_class=PhoneTicketForm,
        initial={"kind": Ticket.Kind.INCIDENT, "account": request.GET.get("account", "")},
        template="console/ticket_new.html",
        opened=_("Ticket %(number)s is open. Give the caller this number."),
        ticket_url="portal:console-ticket",
    )


@staff_required
@require_GET
def phone_questions(request: HttpRequest) -> HttpResponse:
    """The account's part of the call form (``part=scope``: its users, services and questions)
    or only the questionnaire of the chosen service (htmx)."""
    actor = signed_in_user(request)
    service_id = request.GET.get("service", "")
    if service_id:
        get_service_for(actor=actor, service_id=service_id)  # another tenant's service: 404
    form = PhoneTicketForm(initial=request.GET.dict(), actor=actor, language=language_of_request())
    template = "partials/phone_scope.html" if request.GET.get("part") == "scope" else "partials/questionnaire.html"
    return render(request, template, {"form": form, "fragment": True, "entitlement_notice": _(ENTITLEMENT_NOTICE)})
