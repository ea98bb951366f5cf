"""The customer portal: the home page, the tickets (list, new ticket with the questionnaire,
ticket page), the orders and escalating a ticket. Customer users only; for anyone else the
pages do not exist. The ticket page's handlers are shared with the console (portal.views.shared).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.models import ChangeRequest, Order
from orders.selectors import OrderFilters, change_requests_visible_to, filter_orders, get_service_for, lateness
from portal.forms.intake import NewTicketForm
from portal.forms.tickets import CustomerTicketListForm
from portal.service_levels import LABELS, MEANINGS, ticket_level
from portal.views.access import customer_required, signed_in_user
from portal.views.shared import (
    PORTAL,
    back_to_ticket,
    download_attachment,
    escalation_page,
    intake_page,
    language_of_request,
    order_list_page,
    order_page,
    post_attachment,
    post_comment,
    post_transition,
    show_ticket,
    ticket_list_page,
)
from portal.views.surveys import surveys_waiting
from servicedesk.errors import Conflict
from servicedesk.keyset import capped_count
from servicedesk.selectors import sites_visible_to
from tickets.api import ENTITLEMENT_NOTICE
from tickets.models import Ticket
from tickets.selectors import TicketFilters, filter_tickets, get_ticket_for, tickets_visible_to, with_clocks
from tickets.services.problems import request_rfo

CUSTOMER_PAGE_SIZE = 25


HOME_ROWS = 10


@customer_required
def customer_home(request: HttpRequest) -> HttpResponse:
    """What needs the user's attention: open tickets with their service-level state and
    escalation level, orders in flight with their next date, planned work at their sites."""
    user = signed_in_user(request)
    now = timezone.now()
    open_filter = TicketFilters(statuses=tuple(Ticket.OPEN_STATUSES), sort="-created")
    tickets = list(
        with_clocks(filter_tickets(actor=user, filters=open_filter).order_by("-created_at", "-id"))[:HOME_ROWS]
    )
    orders = list(
        filter_orders(actor=user, filters=OrderFilters(statuses=tuple(Order.OPEN_STATUSES)), now=now)[:HOME_ROWS]
    )
    planned = list(
        change_requests_visible_to(actor=user)
        .filter(status=ChangeRequest.Status.SCHEDULED, planned_end__gte=now)
        .order_by("planned_start", "id")[:HOME_ROWS]
    )
    return render(
        request,
        "portal/home.html",
        {
            "account": user.customer_account,
            "sites": sites_visible_to(actor=user),
            "restricted": user.site_restrictions.exists(),
            "open_tickets": capped_count(tickets_visible_to(actor=user).filter(status__in=Ticket.OPEN_STATUSES)),
            "ticket_rows": [(ticket, ticket_level(ticket, now)) for ticket in tickets],
            "order_rows": [(order, lateness(order, now=now)) for order in orders],
            "planned_work": planned,
            "sla_meanings": [(LABELS[state], MEANINGS[state]) for state in LABELS],
            "surveys_waiting": surveys_waiting(user),
        },
    )


# --- tickets --------------------------------------------------------------------------------------


@customer_required
@require_GET
def customer_tickets(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = CustomerTicketListForm(request.GET, actor=actor)
    page = ticket_list_page(request, actor, form.filters(), size=CUSTOMER_PAGE_SIZE)
    return render(
        request, "portal/ticket_list.html", {"form": form, "page": page, "sort": form.value("sort", "-created")}
    )


@customer_required
def customer_ticket_new(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    return intake_page(
        request,
        form_class=NewTicketForm,
        initial={
            "kind": request.GET.get("kind", Ticket.Kind.INCIDENT),
            "service": request.GET.get("service", ""),
            "contact_callback_name": actor.full_name,
            "contact_callback_email": actor.email,
            "contact_callback_phone": actor.phone,
        },
        template="portal/ticket_new.html",
        opened=_("Ticket %(number)s is open. Quote this number whenever you contact the desk about it."),
        ticket_url="portal:customer-ticket",
    )


@customer_required
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
        "partials/questionnaire.html",
        {"form": form, "fragment": True, "entitlement_notice": _(ENTITLEMENT_NOTICE)},
    )


@customer_required
@require_GET
def customer_ticket(request: HttpRequest, number: str) -> HttpResponseBase:
    return show_ticket(request, PORTAL, number)


@customer_required
@require_POST
def customer_ticket_reply(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, PORTAL, number, internal=False)


@customer_required
@require_POST
def customer_ticket_attach(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_attachment(request, PORTAL, number)


@customer_required
@require_POST
def customer_ticket_transition(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_transition(request, PORTAL, number)


@customer_required
@require_GET
def customer_ticket_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    return download_attachment(request, number, attachment_id)


@require_POST
@customer_required
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


# --- orders ---------------------------------------------------------------------------------------


@customer_required
def customer_orders(request: HttpRequest) -> HttpResponse:
    return order_list_page(request, console=False)


@customer_required
def customer_order(request: HttpRequest, number: str) -> HttpResponse:
    return order_page(request, number, console=False)


# --- escalation -----------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def customer_escalate(request: HttpRequest, number: str) -> HttpResponseBase:
    return escalation_page(request, number, detail_url="portal:customer-ticket", template="portal/ticket_escalate.html")
