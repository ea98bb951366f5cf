"""The agents' queues and home page: the queues driven by the service levels (mine, my
teams', unassigned, breaching soon, breached, escalated, waiting for the customer, all open),
each in the order of the next due instant by default; their counts, kept current by polling a
small fragment; an agent's saved views; bulk actions on the chosen rows, confirmed first and
reported ticket by ticket.

Every list is a keyset page over a partial index led by ``tenant_id`` (``Ticket.Meta``), every
count is capped (``servicedesk.keyset.capped_count``): a page costs the same on a desk of a
thousand tickets and of a million.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.display import ACTION_LABELS
from portal.forms.filter_choices import offered_accounts, offered_sites
from portal.forms.queue import QUEUE_LABELS, BulkActionForm, ConsoleQueueForm, SavedViewForm
from portal.forms.widgets import LongSelect
from portal.views.access import role_required, signed_in_user, staff_required
from portal.views.shared import refuse
from servicedesk.errors import InvalidInput, PermissionRefused
from servicedesk.keyset import keyset_page
from servicedesk.models import TeamMembership, User
from servicedesk.selectors import staff_filter_choices
from tickets.models import Ticket
from tickets.selectors import (
    QUEUES,
    TICKET_ORDERINGS,
    as_queue_rows,
    filter_tickets,
    get_saved_queue_view_for,
    narrow_to_queue,
    queue_counts,
    saved_queue_views_of,
)
from tickets.services.bulk import Change, apply_in_bulk, assign_change, note_change, transition_change
from tickets.services.saved_views import delete_queue_view, save_queue_view

QUEUE_PAGE_SIZE = 50

TARGET_LABELS = {
    "respond": gettext_lazy("Response"),
    "callback": gettext_lazy("Call-back"),
    "restore": gettext_lazy("Restoration"),
    "rfo": gettext_lazy("Reason for outage"),
}


def _tabs(counts: dict[str, tuple[int, bool]] | None, current: str) -> list[dict[str, Any]]:
    base = reverse("portal:console-queue")
    return [
        {
            "name": name,
            "label": QUEUE_LABELS[name],
            "url": f"{base}?queue={name}",
            "count": counts[name] if counts else None,
            "current": name == current,
        }
        for name in QUEUES
    ]


# --- the agent's home -----------------------------------------------------------------------


@role_required(User.Role.AGENT)
def console_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    memberships = TeamMembership.objects.filter(user=user).select_related("team__product_area").order_by("team__name")
    return render(
        request,
        "console/home.html",
        {
            "teams": [m.team for m in memberships],
            # Counted up to COUNT_CAP each: the page costs the same however long the queues are.
            "tabs": _tabs(queue_counts(actor=user, now=timezone.now()), current=""),
            "views": saved_queue_views_of(actor=user),
        },
    )


# --- the queue --------------------------------------------------------------------------------


def _queue_page(
    request: HttpRequest, actor: User, query: QueryDict, *, status: int = 200, **bound: Any
) -> HttpResponse:
    form = ConsoleQueueForm(query, actor=actor)
    filters = form.filters()
    tickets = filter_tickets(actor=actor, filters=filters)
    if form.queue_name != "open":  # all open: the status filter (open by default) says which, "all" included
        tickets = narrow_to_queue(tickets, queue=form.queue_name, actor=actor, now=timezone.now())
    page = keyset_page(
        tickets,
        ordering=TICKET_ORDERINGS[filters.sort],
        after=query.get("after"),
        before=query.get("before"),
        size=QUEUE_PAGE_SIZE,
        read=as_queue_rows,
    )
    rows = page.object_list
    for row in rows:
        row["target"] = TARGET_LABELS.get(row["next_target"] or "", "")
    own_query = query.copy()
    for key in ("after", "before"):
        own_query.pop(key, None)
    return render(
        request,
        "console/ticket_queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "sort": form.value("sort", "due"),
            "queue": form.queue_name,
            "queue_label": QUEUE_LABELS[form.queue_name],
            "tabs": _tabs(None, form.queue_name),
            "views": saved_queue_views_of(actor=actor),
            "view_form": bound.get("view_form") or SavedViewForm(initial={"query": own_query.urlencode()}),
            "bulk_form": BulkActionForm(actor=actor, with_choices=False),
        },
        status=status,
    )


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, signed_in_user(request), request.GET)


@staff_required
@require_GET
def queue_counts_fragment(request: HttpRequest) -> HttpResponse:
    """The queues' tabs with their counts (polled by the queue and home pages)."""
    actor = signed_in_user(request)
    current = request.GET.get("current", "")
    counts = queue_counts(actor=actor, now=timezone.now())
    return render(request, "console/partials/queue_tabs.html", {"tabs": _tabs(counts, current)})


@staff_required
@require_GET
def filter_options(request: HttpRequest, name: str) -> HttpResponse:
    """The options of the queue's (and the managers' dashboard's) site or account filter for
    what the form holds (``site_q`` and the account, or ``account_q``), as the page asks while
    the user types or picks an account: at most ``MATCHES_OFFERED`` of the user's own tenant,
    and the line that says what is offered (into its status element, out of band). Agents,
    managers and tenant administrators; an account or a site that is not the tenant's: 404, as
    if it did not exist."""
    actor = signed_in_user(request)
    if name not in ("site", "account") or actor.tenant_id is None:
        raise Http404
    choices = staff_filter_choices(tenant_id=actor.tenant_id)
    query = request.GET
    account, site = query.get("account", "").strip(), query.get("site", "").strip()
    if account and account not in dict(choices.accounts):
        raise Http404
    if site and site not in dict(choices.sites):
        raise Http404
    if name == "site":
        if account and site and choices.site_accounts[[pk for pk, _label in choices.sites].index(site)] != account:
            site = ""  # another account was picked: its sites, none of them chosen yet
        offered = offered_sites(choices, account=account, query=query.get("site_q", "")[:100], chosen=site)
        everything, chosen = _("All sites"), site
    else:
        offered = offered_accounts(choices, query=query.get("account_q", "")[:100], chosen=account)
        everything, chosen = _("All accounts"), account
    options = LongSelect(choices=[("", everything), *offered.choices]).options_html(chosen)
    status = format_html('<span id="{}-matches" hx-swap-oob="innerHTML">{}</span>', name, offered.status)
    return HttpResponse(options + status)


# --- saved views ------------------------------------------------------------------------------


@staff_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponseBase:
    actor = signed_in_user(request)
    form = SavedViewForm(request.POST)
    form.is_valid()
    query = str(form.cleaned_data.get("query") or "")
    try:
        view = save_queue_view(actor=actor, name=str(form.cleaned_data.get("name") or ""), query=query)
    except (InvalidInput, PermissionRefused) as refusal:
        if isinstance(refusal, InvalidInput):
            form.add_service_errors(refusal.errors)
        else:
            form.add_error(None, str(refusal))
        return _queue_page(request, actor, QueryDict(query), status=400, view_form=form)
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect(f"{reverse('portal:console-queue')}?{view.query}")


@staff_required
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponseBase:
    actor = signed_in_user(request)
    view = get_saved_queue_view_for(actor=actor, pk=view_id)
    delete_queue_view(actor=actor, view=view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect("portal:console-queue")


# --- bulk actions ------------------------------------------------------------------------------


def _change(form: BulkActionForm, actor: User) -> Change:
    data = form.cleaned_data
    action = data["action"]
    if action == "assign_me":
        return assign_change(actor=actor, assignee_id=actor.pk, keep="team")
    if action == "assign_team":
        return assign_change(actor=actor, team_id=int(data["team"]), keep="assignee")
    if action == "assign_agent":
        return assign_change(actor=actor, assignee_id=int(data["assignee"]), keep="team")
    if action == "transition":
        return transition_change(actor=actor, action=data["transition"], reason=data.get("reason", ""))
    return note_change(actor=actor, body=data["body"])


def _describe(form: BulkActionForm) -> str:
    data = form.cleaned_data
    action = data["action"]
    if action == "assign_team":
        return _("Assign to the team %(name)s") % {"name": dict(form.fields["team"].choices).get(data["team"], "")}  # type: ignore[attr-defined]
    if action == "assign_agent":
        names = dict(form.fields["assignee"].choices)  # type: ignore[attr-defined]
        return _("Assign to %(name)s") % {"name": names.get(data["assignee"], "")}
    if action == "transition":
        return _("Change the status: %(action)s") % {"action": ACTION_LABELS[data["transition"]]}
    if action == "note":
        return _("Add an internal note")
    return _("Assign to me")


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Review first (the chosen tickets and the change, to confirm), then apply and report one
    outcome per ticket."""
    actor = signed_in_user(request)
    form = BulkActionForm(request.POST, actor=actor)
    selection = form.selection()
    shown = {
        ticket.number: ticket
        for ticket in Ticket.objects.visible_to(actor)
        .filter(number__in=[chosen.number for chosen in selection])
        .only("number", "subject", "version")
    }
    chosen = [
        {
            "number": item.number,
            "version": item.version,
            "subject": shown[item.number].subject if item.number in shown else "",
        }
        for item in selection
    ]
    context: dict[str, Any] = {"form": form, "selection": selection, "chosen": chosen}
    if not form.is_valid():
        return render(request, "console/bulk_confirm.html", context, status=400)
    context["description"] = _describe(form)
    if request.POST.get("confirm") != "yes":
        return render(request, "console/bulk_confirm.html", context)
    try:
        outcomes = apply_in_bulk(actor=actor, selection=selection, change=_change(form, actor))
    except InvalidInput as invalid:
        refuse(form, invalid)
        return render(request, "console/bulk_confirm.html", context, status=400)
    context.update(outcomes=outcomes, done=sum(outcome.is_done for outcome in outcomes))
    return render(request, "console/bulk_result.html", context)
