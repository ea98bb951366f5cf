"""The handlers the customer portal and the agents' console share: the ticket page and its
forms, the order pages and escalating a ticket. Each audience's view (portal.views.customer,
portal.views.console) admits its users and calls one of these with its ``Desk`` or flag.

Each handler parses input, fetches through a tenant-scoped selector (``get_ticket_for``: what
is not the actor's is a 404), calls one service and renders. A domain refusal (InvalidInput,
Conflict, PermissionRefused) never becomes an error page: the page is shown again with the
refusal next to the form that caused it and everything the user typed still in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from escalation.selectors import escalations_for
from escalation.services.manual import deescalate_ticket, escalate_ticket, escalation_chance
from orders.models import Order
from orders.selectors import OrderFilters, filter_orders, get_order_for, lateness, order_timeline
from portal.display import actions_for_page, answers_for_page, contacts_for_page
from portal.forms.escalation import EscalateForm, StaffEscalationForm
from portal.forms.orders import HandedOverForm
from portal.forms.tickets import (
    AssignmentForm,
    AttachmentForm,
    CommentForm,
    PriorityForm,
    ReplyForm,
    ServiceErrorsMixin,
    StaffAttachmentForm,
    TransitionForm,
)
from portal.order_words import order_lines
from portal.service_levels import LABELS, MEANINGS, target_rows
from portal.timeline import lines_for
from portal.views.access import signed_in_user
from portal.workspace import mark_shortcuts, workspace_context
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.http import attachment_response
from servicedesk.keyset import KeysetPage, keyset_page
from servicedesk.models import User
from tickets.api import ENTITLEMENT_NOTICE
from tickets.models import Rfo, Ticket
from tickets.selectors import (
    TICKET_ORDERINGS,
    TicketFilters,
    attachments_visible_to,
    comments_visible_to,
    filter_tickets,
    for_page_list,
    get_attachment_for,
    get_ticket_for,
    merged_into_number,
    timeline_for,
)
from tickets.services.attachments import add_attachment, reply_with_files
from tickets.services.conversation import add_comment
from tickets.services.intake import open_ticket, priority_for
from tickets.services.lifecycle import available_actions, transition_ticket
from tickets.services.problems import may_request_rfo

ORDER_PAGE_SIZE = 25
#: Newest first, as ``filter_orders`` orders them (served by the orders' indexes).
ORDER_LIST_ORDERING = ("-created_at", "-id")

DomainRefusal = InvalidInput | Conflict | PermissionRefused


# --- ticket lists ---------------------------------------------------------------------------------


def ticket_list_page(request: HttpRequest, actor: User, filters: TicketFilters, *, size: int) -> KeysetPage[Ticket]:
    """One page of the tickets ``filters`` choose, after or before the cursor in the query
    string, without the columns a list does not show."""
    tickets = for_page_list(filter_tickets(actor=actor, filters=filters))
    return keyset_page(
        tickets,
        ordering=TICKET_ORDERINGS[filters.sort or "-created"],
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=size,
    )


# --- the ticket page ------------------------------------------------------------------------------


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
    posts=(
        "reply",
        "note",
        "attach",
        "transition",
        "assign",
        "priority",
        "take",
        "callback",
        "merge",
        "problem",
        "presence",
    ),  # fmt: skip
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
    now = timezone.now()
    context: dict[str, Any] = {
        "desk": desk,
        "urls": desk.post_urls(ticket),
        "ticket": ticket,
        "entitlement_notice": None if ticket.is_entitled else _(ENTITLEMENT_NOTICE),
        "answers": answers_for_page(ticket, language_of_request()),
        "contacts": contacts_for_page(ticket),
        "comments": comments_visible_to(actor=actor, ticket=ticket),
        "attachments": attachments_visible_to(actor=actor, ticket=ticket),
        "timeline": lines_for(timeline_for(actor=actor, ticket=ticket), staff=actor.is_desk_staff),
        "actions": actions_for_page(available_actions(ticket=ticket, actor=actor), customer=not desk.is_console),
        "is_closed": ticket.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED),
        "reply_form": bound.get("reply_form") or ReplyForm(prefix="reply"),
        "upload_form": bound.get("upload_form") or (StaffAttachmentForm() if desk.is_console else AttachmentForm()),
        "transition_form": bound.get("transition_form"),
        "rfo": Rfo.objects.filter(ticket=ticket).first(),
        "rfo_possible": may_request_rfo(ticket),
        "reopen_until": (
            ticket.resolved_at + dt.timedelta(days=ticket.tenant.reopen_window_days)
            if ticket.status == Ticket.Status.RESOLVED and ticket.resolved_at is not None
            else None
        ),
        "sla_rows": target_rows(ticket, now),
        "sla_meanings": [(LABELS[state], MEANINGS[state]) for state in LABELS],
        "escalation": escalation_chance(ticket=ticket, by=actor, now=now),
        "escalations": escalations_for(actor=actor, ticket=ticket),
    }
    refused_transition = bound.get("transition_form")
    context["refused_action"] = refused_transition.data.get("action", "") if refused_transition else ""
    if desk.is_console:
        version = {"version": ticket.version, "seen_at": timezone.now()}
        context.update(
            note_form=bound.get("note_form") or CommentForm(prefix="note"),
            assignment_form=bound.get("assignment_form")
            or AssignmentForm(
                actor=actor,
                ticket=ticket,
                initial={**version, "team": ticket.team_id or "", "assignee": ticket.assignee_id or ""},
            ),
            priority_form=bound.get("priority_form")
            or PriorityForm(
                initial={**version, "priority": ticket.priority, "priority_reason": ticket.priority_reason}
            ),
            matrix_priority=priority_for(impact=ticket.impact, urgency=ticket.urgency),
        )
        context.update(workspace_context(actor, ticket, bound))
        mark_shortcuts(context)
    return render(request, desk.template, context, status=status)


def show_ticket(request: HttpRequest, desk: Desk, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    target = None if desk.is_console else merged_into_number(actor=actor, ticket=ticket)
    if target is not None:
        # A merged duplicate's number leads the customer to where its conversation went (the
        # desk sees the duplicate itself, with a pointer: its history stays there).
        messages.info(request, _("%(old)s was merged into %(new)s.") % {"old": ticket.number, "new": target})
        return redirect(desk.detail_url, number=target)
    return ticket_page(request, desk, actor, ticket)


def post_comment(request: HttpRequest, desk: Desk, number: str, *, internal: bool) -> HttpResponseBase:
    """An internal note, or a public reply with the files attached in the same form."""
    actor = signed_in_user(request)
    ticket = get_ticket_for(actor=actor, number=number)
    prefix = "note" if internal else "reply"
    form = (
        CommentForm(request.POST, prefix=prefix) if internal else ReplyForm(request.POST, request.FILES, prefix=prefix)
    )
    form.is_valid()
    body = form.cleaned_data.get("body", "")
    uploads = form.cleaned_data.get("attachments") or []
    try:
        if internal:
            add_comment(ticket=ticket, actor=actor, body=body, internal=True)
        else:
            reply_with_files(ticket=ticket, actor=actor, body=body, uploads=uploads)
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, desk, actor, ticket, status=status, **{f"{prefix}_form": form})
    if internal:
        messages.success(request, _("Your internal note was added."))
    elif uploads:
        messages.success(request, _("Your reply was added. Files attached: %(count)d.") % {"count": len(uploads)})
    else:
        messages.success(request, _("Your reply was added."))
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


# --- order pages ----------------------------------------------------------------------------------


def order_list_page(request: HttpRequest, *, console: bool) -> HttpResponse:
    actor = signed_in_user(request)
    now = timezone.now()
    shown = request.GET.get("show", "open")
    handed_over = None
    if shown == "on_time" and console:  # the dashboard's orders handed over on their committed date
        handed_over = HandedOverForm(request.GET, actor=actor)
        filters = handed_over.filters()
    elif shown == "open":
        filters = OrderFilters(statuses=Order.OPEN_STATUSES)
    elif shown == "late":
        filters = OrderFilters(late=True)
    else:
        shown, filters = "all", OrderFilters()
    orders = filter_orders(actor=actor, filters=filters, now=now)
    page = keyset_page(
        orders,
        ordering=ORDER_LIST_ORDERING,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=ORDER_PAGE_SIZE,
    )
    rows = [(order, lateness(order, now=now)) for order in page]
    template = "console/order_list.html" if console else "portal/order_list.html"
    context = {"page": page, "rows": rows, "shown": shown, "console": console, "handed_over": handed_over}
    return render(request, template, context)


def order_page(request: HttpRequest, number: str, *, console: bool) -> HttpResponse:
    actor = signed_in_user(request)
    order = get_order_for(actor=actor, number=number)
    context: dict[str, Any] = {
        "order": order,
        "late": lateness(order, now=timezone.now()),
        "steps": sorted(order.steps.all(), key=lambda step: step.position),
        "lines": order.lines.all(),
        "timeline": order_lines(order_timeline(actor=actor, order=order)),
        "console": console,
    }
    template = "console/order_detail.html" if console else "portal/order_detail.html"
    return render(request, template, context)


# --- escalating a ticket --------------------------------------------------------------------------


def escalation_page(request: HttpRequest, number: str, *, detail_url: str, template: str) -> HttpResponseBase:
    user = signed_in_user(request)
    ticket = get_ticket_for(actor=user, number=number)
    form_class = StaffEscalationForm if user.is_desk_staff else EscalateForm
    form: EscalateForm | StaffEscalationForm = form_class(request.POST or None)
    next_allowed_at = None
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            if data.get("direction") == "down":
                deescalate_ticket(ticket=ticket, by=user, comment=data["comment"], level=data.get("level"))
            else:
                escalate_ticket(
                    ticket=ticket, by=user, reason=data["reason"], comment=data["comment"], level=data.get("level")
                )
        except InvalidInput as refusal:
            for field, errors in refusal.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except (Conflict, PermissionRefused) as refusal:
            form.add_error(None, refusal.detail)
            allowed = getattr(refusal, "extra", {}).get("next_allowed_at")
            next_allowed_at = dt.datetime.fromisoformat(str(allowed)) if allowed else None
        else:
            messages.success(request, _("The escalation level was changed."))
            return redirect(detail_url, number=ticket.number)
    form.tie_errors()
    ticket = get_ticket_for(actor=user, number=number)
    return render(
        request,
        template,
        {
            "ticket": ticket,
            "form": form,
            # Customers are offered the form only when the rules allow it now (staff may also lower).
            "chance": None if user.is_desk_staff else escalation_chance(ticket=ticket, by=user),
            "next_allowed_at": next_allowed_at,
            "events": escalations_for(actor=user, ticket=ticket),
        },
        status=400 if form.errors else 200,
    )


# --- opening a ticket (the portal's form and the console's phone intake) ---------------------


def intake_page(
    request: HttpRequest,
    *,
    form_class: Any,
    initial: dict[str, Any],
    template: str,
    opened: str,
    ticket_url: str,
) -> HttpResponse:
    """The intake form's round trips: without JavaScript a POST with ``show_questions`` brings
    back everything typed so far with the questionnaire of the chosen service; a POST opens the
    ticket under the intake rules (errors next to their fields, nothing written otherwise) and
    goes to the new ticket with ``opened`` (a message with ``%(number)s``) shown there."""
    actor = signed_in_user(request)
    language = language_of_request()
    status = 200
    if request.method == "POST" and "show_questions" in request.POST:
        form = form_class(initial=request.POST.dict(), actor=actor, language=language)
    elif request.method == "POST":
        form = form_class(request.POST, actor=actor, language=language)
        if form.is_valid():
            try:
                ticket = open_ticket(actor=actor, draft=form.to_draft())
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                messages.success(request, opened % {"number": ticket.number})
                return redirect(ticket_url, number=ticket.number)
        status = 400
    else:
        form = form_class(initial=initial, actor=actor, language=language)
    return render(request, template, {"form": form, "entitlement_notice": _(ENTITLEMENT_NOTICE)}, status=status)
