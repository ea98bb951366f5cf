"""Ticket pages of the agents' console: the queue and the ticket page with the desk's tools
(internal notes, staff-only files, assignment, priority override, every lifecycle action).

Agents, managers and tenant administrators work here; for anyone else the pages do not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.ticket_forms import AssignmentForm, PriorityForm, QueueForm
from portal.ticket_views import (
    CONSOLE,
    back_to_ticket,
    download_attachment,
    post_attachment,
    post_comment,
    post_transition,
    refuse,
    show_ticket,
    ticket_page,
)
from portal.views import role_required, signed_in_user
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.models import Ticket
from tickets.selectors import filter_tickets, get_ticket_for
from tickets.services.updates import update_ticket

QUEUE_PAGE_SIZE = 50

staff_only = role_required(User.Role.AGENT, User.Role.MANAGER, User.Role.ADMIN)


@staff_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = QueueForm(request.GET, actor=actor)
    # The selector joins account, site, service, team and assignee: no query per row.
    tickets = filter_tickets(actor=actor, filters=form.filters())
    page = Paginator(tickets, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "console/ticket_queue.html", {"form": form, "page": page, "sort": form.value("sort", "-created")}
    )


@staff_only
@require_GET
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    return show_ticket(request, CONSOLE, number)


@staff_only
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, CONSOLE, number, internal=False)


@staff_only
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, CONSOLE, number, internal=True)


@staff_only
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_attachment(request, CONSOLE, number)


@staff_only
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_transition(request, CONSOLE, number)


@staff_only
@require_GET
def download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    return download_attachment(request, number, attachment_id)


def _update(
    request: HttpRequest, number: str, form: AssignmentForm | PriorityForm, form_name: str, done: str
) -> HttpResponseBase:
    """Apply ``form``'s changes on the version it was made on (one update_ticket call)."""
    actor = signed_in_user(request)
    current = get_ticket_for(actor=actor, number=number)
    if not form.is_valid():
        return ticket_page(request, CONSOLE, actor, current, status=400, **{form_name: form})
    try:
        update_ticket(ticket=current, actor=actor, version=form.cleaned_data["version"], changes=form.changes())
    except Conflict as conflict:
        if conflict.code == "stale_version":
            form = _on_current_version(form, current)
            form.add_error(
                None,
                _(
                    "Someone else changed this ticket after you loaded it. The page now shows the ticket as it is "
                    "and keeps your choice below: check it and save again to apply it."
                ),
            )
            return ticket_page(request, CONSOLE, actor, current, status=409, **{form_name: form})
        status = refuse(form, conflict)
        return ticket_page(request, CONSOLE, actor, current, status=status, **{form_name: form})
    except (InvalidInput, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        return ticket_page(request, CONSOLE, actor, current, status=status, **{form_name: form})
    messages.success(request, done)
    return back_to_ticket(CONSOLE, current)


def _on_current_version(form: AssignmentForm | PriorityForm, current: Ticket) -> AssignmentForm | PriorityForm:
    """The user's input again, now naming the ticket's current version, so that saving it once
    more is a deliberate choice made after seeing the other change."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data["version"] = str(current.version)
    again = AssignmentForm(data, actor=form.actor) if isinstance(form, AssignmentForm) else PriorityForm(data)
    again.is_valid()
    return again


@staff_only
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponseBase:
    form = AssignmentForm(request.POST, actor=signed_in_user(request))
    return _update(request, number, form, "assignment_form", _("The assignment is saved."))


@staff_only
@require_POST
def set_priority(request: HttpRequest, number: str) -> HttpResponseBase:
    form = PriorityForm(request.POST)
    return _update(request, number, form, "priority_form", _("The priority is saved."))
