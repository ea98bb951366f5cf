"""Ticket pages of the customer portal, and the handlers the agents' console shares with them.

Each view parses input, fetches through a tenant-scoped selector (``get_ticket_for``: what is
not the actor's is a 404), calls one service and renders. A domain refusal (InvalidInput,
Conflict, PermissionRefused) never becomes an error page: the ticket page is shown again with
the refusal next to the form that caused it and everything the user typed still in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.selectors import get_service_for
from portal.intake_forms import NewTicketForm
from portal.ticket_display import actions_for_page, answers_for_page, contacts_for_page, timeline_line
from portal.ticket_forms import (
    AssignmentForm,
    AttachmentForm,
    CommentForm,
    PriorityForm,
    ServiceErrorsMixin,
    StaffAttachmentForm,
    TicketListForm,
    TransitionForm,
)
from portal.views import role_required, signed_in_user
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.api import ENTITLEMENT_NOTICE, attachment_response
from tickets.models import Rfo, Ticket
from tickets.selectors import (
    attachments_visible_to,
    comments_visible_to,
    filter_tickets,
    get_attachment_for,
    get_ticket_for,
    timeline_for,
)
from tickets.services.attachments import add_attachment
from tickets.services.conversation import add_comment
from tickets.services.intake import open_ticket, priority_for
from tickets.services.lifecycle import available_actions, transition_ticket
from tickets.services.problems import may_request_rfo, request_rfo

CUSTOMER_PAGE_SIZE = 25

DomainRefusal = InvalidInput | Conflict | PermissionRefused


@dataclass(frozen=True)
class Desk:
    """Where a ticket page lives: the customer portal or the agents' console."""

    template: str
    detail_url: str
    is_console: bool
    # The ticket page's forms post to ``<detail_url>-<name>``.
    posts: tuple[str, ...]

    @property
    def download_url(self) -> str:
        return f"{self.detail_url}-download"

    def post_urls(self, ticket: Ticket) -> dict[str, str]:
        return {name: reverse(f"{self.detail_url}-{name}", args=[ticket.number]) for name in self.posts}


PORTAL = Desk(
    template="portal/ticket_detail.html",
    detail_url="portal:customer-ticket",
    is_console=False,
    posts=("reply", "attach", "transition"),
)
CONSOLE = Desk(
    template="console/ticket_detail.html",
    detail_url="portal:console-ticket",
    is_console=True,
    posts=("reply", "note", "attach", "transition", "assign", "priority"),
)


def language_of_request() -> str:
    return (translation.get_language() or "en").split("-")[0]


def refuse(form: forms.Form, refusal: DomainRefusal) -> int:
    """Put a service's refusal onto ``form``; return the status to render the page with."""
    if isinstance(refusal, InvalidInput):
        assert isinstance(form, ServiceErrorsMixin)  # noqa: S101 - every ticket form has the mixin
        form.add_service_errors(refusal.errors)
        return 400
    form.add_error(None, refusal.detail)
    return 409 if isinstance(refusal, Conflict) else 403


def back_to_ticket(desk: Desk, ticket: Ticket, anchor: str = "") -> HttpResponseBase:
    url = reverse(desk.detail_url, args=[ticket.number])
    return redirect(f"{url}#{anchor}" if anchor else url)


def ticket_page(
    request: HttpRequest, desk: Desk, actor: User, ticket: Ticket, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The ticket page; ``bound`` holds the form that was just refused, with its input."""
    context: dict[str, Any] = {
        "desk": desk,
        "urls": desk.post_urls(ticket),
        "ticket": ticket,
        "entitlement_notice": None if ticket.is_entitled else _(ENTITLEMENT_NOTICE),
        "answers": answers_for_page(ticket, language_of_request()),
        "contacts": contacts_for_page(ticket),
        "comments": comments_visible_to(actor=actor, ticket=ticket),
        "attachments": attachments_visible_to(actor=actor, ticket=ticket),
        "timeline": [timeline_line(event) for event in timeline_for(actor=actor, ticket=ticket)],
        "actions": actions_for_page(available_actions(ticket=ticket, actor=actor), customer=not desk.is_console),
        "is_closed": ticket.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED),
        "reply_form": bound.get("reply_form") or CommentForm(prefix="reply"),
        "upload_form": bound.get("upload_form") or (StaffAttachmentForm() if desk.is_console else AttachmentForm()),
        "transition_form": bound.get("transition_form"),
        "rfo": Rfo.objects.filter(ticket=ticket).first(),
        "rfo_possible": may_request_rfo(ticket),
    }
    refused_transition = bound.get("transition_form")
    context["refused_action"] = refused_transition.data.get("action", "") if refused_transition else ""
    if desk.is_console:
        version = {"version": ticket.version}
        context.update(
            note_form=bound.get("note_form") or CommentForm(prefix="note"),
            assignment_form=bound.get("assignment_form")
            or AssignmentForm(
                actor=actor,
                initial={**version, "team": ticket.team_id or "", "assignee": ticket.assignee_id or ""},
            ),
            priority_form=bound.get("priority_form")
            or PriorityForm(
                initial={**version, "priority": ticket.priority, "priority_reason": ticket.priority_reason}
            ),
            matrix_priority=priority_for(impact=ticket.impact, urgency=ticket.urgency),
        )
    return render(request, desk.template, context, status=status)


# --- handlers shared by the portal and the console -------------------------------------------


def show_ticket(request: HttpRequest, desk: Desk, number: str) -> HttpResponse:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    return ticket_page(request, desk, actor, ticket)


def post_comment(request: HttpRequest, desk: Desk, number: str, *, internal: bool) -> HttpResponseBase:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    prefix = "note" if internal else "reply"
    form = CommentForm(request.POST, prefix=prefix)
    form.is_valid()
    try:
        add_comment(ticket=ticket, actor=actor, body=form.cleaned_data.get("body", ""), internal=internal)
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, desk, actor, ticket, status=status, **{f"{prefix}_form": form})
    messages.success(request, _("Your internal note was added.") if internal else _("Your reply was added."))
    return back_to_ticket(desk, ticket, "conversation")


def post_attachment(request: HttpRequest, desk: Desk, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    form = (StaffAttachmentForm if desk.is_console else AttachmentForm)(request.POST, request.FILES)
    if not form.is_valid():
        return ticket_page(request, desk, actor, ticket, status=400, upload_form=form)
    try:
        attachment = add_attachment(
            ticket=ticket,
            actor=actor,
            upload=form.cleaned_data["file"],
            internal=bool(form.cleaned_data.get("internal", False)),
        )
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, desk, actor, ticket, status=status, upload_form=form)
    messages.success(request, _("%(name)s is attached.") % {"name": attachment.name})
    return back_to_ticket(desk, ticket, "attachments")


def post_transition(request: HttpRequest, desk: Desk, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    form = TransitionForm(request.POST)
    if not form.is_valid():  # an action that does not exist: one plain sentence, not the field's jargon
        form.errors.pop("action", None)
        form.add_error(None, _("That action is not available."))
        return ticket_page(request, desk, actor, ticket, status=400, transition_form=form)
    try:
        ticket = transition_ticket(
            ticket=ticket, actor=actor, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
        )
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, desk, actor, ticket, status=status, transition_form=form)
    messages.success(
        request,
        _("%(number)s is now %(status)s.") % {"number": ticket.number, "status": ticket.get_status_display()},
    )
    return back_to_ticket(desk, ticket)


def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    return attachment_response(get_attachment_for(actor=actor, ticket=ticket, pk=attachment_id))


# --- the customer portal ----------------------------------------------------------------------

customer_only = role_required(User.Role.CUSTOMER)


@customer_only
@require_GET
def customer_tickets(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = TicketListForm(request.GET)
    tickets = filter_tickets(actor=actor, filters=form.filters())
    page = Paginator(tickets, CUSTOMER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "portal/ticket_list.html", {"form": form, "page": page, "sort": form.value("sort", "-created")}
    )


@customer_only
def customer_ticket_new(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    language = language_of_request()
    status = 200
    if request.method == "POST" and "show_questions" in request.POST:
        # Without JavaScript the questionnaire follows the chosen service on this round trip;
        # everything typed so far comes back as the form's initial values.
        form = NewTicketForm(initial=request.POST.dict(), actor=actor, language=language)
    elif request.method == "POST":
        form = NewTicketForm(request.POST, actor=actor, language=language)
        if form.is_valid():
            try:
                ticket = open_ticket(actor=actor, draft=form.to_draft())
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                messages.success(
                    request,
                    _("Ticket %(number)s is open. Quote this number whenever you contact the desk about it.")
                    % {"number": ticket.number},
                )
                return redirect("portal:customer-ticket", number=ticket.number)
        status = 400
    else:
        initial = {
            "kind": request.GET.get("kind", Ticket.Kind.INCIDENT),
            "service": request.GET.get("service", ""),
            "contact_callback_name": actor.full_name,
            "contact_callback_email": actor.email,
            "contact_callback_phone": actor.phone,
        }
        form = NewTicketForm(initial=initial, actor=actor, language=language)
    return render(
        request,
        "portal/ticket_new.html",
        {"form": form, "entitlement_notice": _(ENTITLEMENT_NOTICE)},
        status=status,
    )


@customer_only
@require_GET
def customer_ticket_questions(request: HttpRequest) -> HttpResponse:
    """The questionnaire fragment for the chosen service and the answers given so far (htmx)."""
    actor = signed_in_user(request)
    service_id = request.GET.get("service", "")
    if service_id:
        get_service_for(actor=actor, service_id=service_id)  # another account's service: 404
    form = NewTicketForm(initial=request.GET.dict(), actor=actor, language=language_of_request())
    return render(
        request,
        "portal/_questionnaire.html",
        {"form": form, "fragment": True, "entitlement_notice": _(ENTITLEMENT_NOTICE)},
    )


@customer_only
@require_GET
def customer_ticket(request: HttpRequest, number: str) -> HttpResponse:
    return show_ticket(request, PORTAL, number)


@customer_only
@require_POST
def customer_ticket_reply(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, PORTAL, number, internal=False)


@customer_only
@require_POST
def customer_ticket_attach(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_attachment(request, PORTAL, number)


@customer_only
@require_POST
def customer_ticket_transition(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_transition(request, PORTAL, number)


@customer_only
@require_GET
def customer_ticket_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    return download_attachment(request, number, attachment_id)


@require_POST
@customer_only
def customer_request_rfo(request: HttpRequest, number: str) -> HttpResponseBase:
    """Ask for the reason for outage of a resolved P1/P2 incident."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    try:
        request_rfo(ticket=ticket, actor=actor)
    except Conflict as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, _("The desk will send the reason for outage within 5 business days."))
    return back_to_ticket(PORTAL, ticket, "reason-for-outage")
