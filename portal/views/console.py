"""The agents' console: the ticket page with the desk's
tools (internal notes, staff-only files, assignment, priority override, every lifecycle
action), the tenant's orders with late ones flagged (one order's workspace:
portal.views.console_orders), and escalating a ticket up or down.

Agents, managers and tenant administrators work here (the home page is the agents'); for
anyone else the pages do not exist. The ticket page's handlers are shared with the customer
portal (portal.views.shared).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms.tickets import AssignmentForm, PriorityForm
from portal.views.access import signed_in_user, staff_required
from portal.views.shared import (
    CONSOLE,
    back_to_ticket,
    download_attachment,
    escalation_page,
    order_list_page,
    post_attachment,
    post_comment,
    post_transition,
    refuse,
    ticket_page,
)
from portal.workspace import changes_since
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from tickets.models import Ticket
from tickets.selectors import get_ticket_for
from tickets.services.updates import assign_ticket, override_priority

# --- tickets (the home page and the queue: portal.views.console_queue) ---------------------------


@staff_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, CONSOLE, number, internal=False)


@staff_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_comment(request, CONSOLE, number, internal=True)


@staff_required
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_attachment(request, CONSOLE, number)


@staff_required
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponseBase:
    return post_transition(request, CONSOLE, number)


@staff_required
@require_GET
def download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    return download_attachment(request, number, attachment_id)


def _update(
    request: HttpRequest,
    number: str,
    make_form: Callable[[Ticket], AssignmentForm | PriorityForm],
    form_name: str,
    done: str,
    use_case: Callable[..., Ticket],
) -> HttpResponseBase:
    """Apply ``form``'s changes on the version it was made on (one ``use_case`` call)."""
    actor = signed_in_user(request)
    current = get_ticket_for(actor=actor, number=number)
    form = make_form(current)
    if not form.is_valid():
        return ticket_page(request, CONSOLE, actor, current, status=400, **{form_name: form})
    try:
        use_case(ticket=current, actor=actor, version=form.cleaned_data["version"], **form.changes())
    except Conflict as conflict:
        if conflict.code == "stale_version":
            changes = changes_since(actor, current, form.cleaned_data.get("seen_at"))
            form = _on_current_version(form, current)
            form.add_error(
                None,
                _(
                    "Someone else changed this ticket after you loaded it. The page now shows the ticket as it is "
                    "and keeps your choice below: check it and save again to apply it."
                ),
            )
            return ticket_page(request, CONSOLE, actor, current, status=409, other_changes=changes, **{form_name: form})
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
    data["seen_at"] = timezone.now().isoformat()
    again = (
        AssignmentForm(data, actor=form.actor, ticket=current)
        if isinstance(form, AssignmentForm)
        else PriorityForm(data)
    )
    again.is_valid()
    return again


@staff_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    return _update(
        request,
        number,
        lambda ticket: AssignmentForm(request.POST, actor=actor, ticket=ticket),
        "assignment_form",
        _("The assignment is saved."),
        assign_ticket,
    )


@staff_required
@require_POST
def set_priority(request: HttpRequest, number: str) -> HttpResponseBase:
    return _update(
        request, number, lambda ticket: PriorityForm(request.POST), "priority_form", _("The priority is saved."),
        override_priority,
    )  # fmt: skip


# --- orders ---------------------------------------------------------------------------------------


@staff_required
def console_orders(request: HttpRequest) -> HttpResponse:
    return order_list_page(request, console=True)


# --- escalation -----------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def console_escalate(request: HttpRequest, number: str) -> HttpResponseBase:
    return escalation_page(request, number, detail_url="portal:console-ticket", template="console/ticket_escalate.html")
