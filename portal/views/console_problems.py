"""The console's problem pages: the desk's problem records (list, new from incidents, the
problem with its incidents, root cause and measures, and its timeline) and the reasons for
outage customers asked for (written and published here; the customer reads them on the
ticket).

Each view parses the form, fetches through a tenant-scoped selector (another tenant's problem
or ticket is a 404), calls one service of tickets.services.problems and renders. A refusal
shows the page again with the error next to its field and the input kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms.problems import LinkIncidentForm, NewProblemForm, ProblemForm, ProblemListForm, RfoForm
from portal.views.access import signed_in_user, staff_required
from portal.views.shared import refuse
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.keyset import keyset_page
from servicedesk.models import User
from tickets.models import Problem, ProblemEvent, Rfo, Ticket
from tickets.selectors import (
    get_problem_for,
    get_ticket_for,
    incidents_of,
    problem_timeline,
    problems_visible_to,
    rfos_visible_to,
    search_problems,
    tickets_visible_to,
)
from tickets.services.problems import (
    check_problem_fields,
    link_incident,
    open_problem,
    publish_rfo,
    unlink_incident,
    update_problem,
)

PROBLEM_PAGE_SIZE = 25
PROBLEM_ORDERING = ("-created_at", "-id")
RFO_PAGE_SIZE = 25
#: How many of the tenant's newest incidents the new-problem form offers to tick.
RECENT_INCIDENTS = 20

DomainRefusal = InvalidInput | Conflict | PermissionRefused


def _incident_or_none(actor: User, number: str) -> Ticket | None:
    """The incident with that number inside the actor's walls (None: none such, or another
    tenant's or account's: the form says "no such incident" and reveals nothing)."""
    try:
        return get_ticket_for(actor=actor, number=number)
    except Http404:
        return None


# --- the list and a new problem -------------------------------------------------------------------


@staff_required
@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = ProblemListForm(request.GET)
    problems = search_problems(problems_visible_to(actor=actor), form.value("q"))
    if form.statuses():
        problems = problems.filter(status__in=form.statuses())
    page = keyset_page(
        problems,
        ordering=PROBLEM_ORDERING,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PROBLEM_PAGE_SIZE,
    )
    waiting = rfos_visible_to(actor=actor).filter(status=Rfo.Status.REQUESTED).count()
    return render(request, "console/problems/list.html", {"form": form, "page": page, "rfos_waiting": waiting})


def _recent_incidents(actor: User) -> list[tuple[str, str]]:
    rows = (
        tickets_visible_to(actor=actor)
        .filter(kind=Ticket.Kind.INCIDENT)
        .order_by("-created_at", "-id")
        .values_list("number", "priority", "subject", "account__name")[:RECENT_INCIDENTS]
    )
    return [(number, f"{number} · {priority} · {subject} ({account})") for number, priority, subject, account in rows]


@staff_required
@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse | HttpResponseBase:
    actor = signed_in_user(request)
    recent = _recent_incidents(actor)
    if request.method == "GET":
        # From a ticket: /console/problems/new/?incident=INC-000042 ticks it.
        initial = {"incidents": request.GET.getlist("incident")}
        form = NewProblemForm(initial=initial, recent=recent)
        return render(request, "console/problems/new.html", {"form": form})
    form = NewProblemForm(request.POST, recent=recent)
    if form.is_valid():
        numbers = form.incident_numbers()
        incidents = [(number, _incident_or_none(actor, number)) for number in numbers]
        unknown = [number for number, ticket in incidents if ticket is None]
        if unknown:
            # One submission names every problem: the fields' too, not only the incidents'.
            try:
                check_problem_fields(**form.changes())
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            form.add_error("other_incidents", _("There is no incident %(numbers)s.") % {"numbers": ", ".join(unknown)})
        else:
            try:
                problem = open_problem(
                    actor=actor, incidents=[ticket for _number, ticket in incidents if ticket], **form.changes()
                )
            except (InvalidInput, Conflict, PermissionRefused) as refusal:
                status = refuse(form, refusal)
                return render(request, "console/problems/new.html", {"form": form}, status=status)
            messages.success(request, _("The problem %(number)s is recorded.") % {"number": problem.number})
            return redirect("portal:console-problem", number=problem.number)
    return render(request, "console/problems/new.html", {"form": form}, status=400)


# --- one problem ----------------------------------------------------------------------------------


def _shown(field: str, value: str) -> str:
    """A field's value in words: a choice by its label, a long text shortened."""
    choices = {"status": Problem.Status, "analysis": Problem.Analysis}.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return Truncator(value).chars(200) if value else _("(empty)")


def _timeline_line(event: ProblemEvent) -> dict[str, Any]:
    """One line of the problem's timeline in words."""
    kind = ProblemEvent.Kind
    if event.kind == kind.OPENED:
        text = _("Opened the problem “%(title)s”.") % {"title": event.to_value}
    elif event.kind == kind.FIELD_CHANGED:
        label = str(getattr(Problem._meta.get_field(event.field), "verbose_name", event.field)).capitalize()
        text = _("%(field)s: %(value)s") % {"field": label, "value": _shown(event.field, event.to_value)}
    elif event.kind == kind.INCIDENT_LINKED:
        text = _("Linked the incident %(ticket)s.") % {"ticket": event.to_value}
    elif event.kind == kind.INCIDENT_UNLINKED:
        text = _("Unlinked the incident %(ticket)s.") % {"ticket": event.from_value}
    else:
        text = _("Published the reason for outage of %(ticket)s.") % {"ticket": event.to_value}
    actor = event.actor
    return {"at": event.at, "actor": (actor.full_name or actor.email) if actor else "", "text": text}


def _problem_page(
    request: HttpRequest, actor: User, problem: Problem, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The problem page; ``bound`` holds the form that was just refused, with its input."""
    incidents = list(incidents_of(actor=actor, problem=problem))
    rfo_tickets = {rfo.ticket_id for ticket in incidents for rfo in ticket.rfos.all()}
    rfos = list(rfos_visible_to(actor=actor).filter(ticket_id__in=rfo_tickets).order_by("requested_at"))
    context = {
        "problem": problem,
        "incidents": incidents,
        "rfos": rfos,
        "timeline": [_timeline_line(event) for event in problem_timeline(actor=actor, problem=problem)],
        "form": bound.get("form")
        or ProblemForm(
            initial={
                "version": problem.version,
                "title": problem.title,
                "status": problem.status,
                "analysis": problem.analysis,
                "root_cause": problem.root_cause,
                "workaround": problem.workaround,
                "preventive_measures": problem.preventive_measures,
            }
        ),
        "link_form": bound.get("link_form") or LinkIncidentForm(),
    }
    return render(request, "console/problems/detail.html", context, status=status)


@staff_required
@require_GET
def problem_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = signed_in_user(request)
    return _problem_page(request, actor, get_problem_for(actor=actor, number=number))


@staff_required
@require_POST
def problem_edit(request: HttpRequest, number: str) -> HttpResponseBase:
    """Save the problem's fields (root cause, workaround, measures, status) on the version the
    form was made on; a stale save is refused and the page shows the problem as it is now with
    the input kept."""
    actor = signed_in_user(request)
    problem = get_problem_for(actor=actor, number=number)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        return _problem_page(request, actor, problem, status=400, form=form)
    try:
        update_problem(problem=problem, actor=actor, version=form.cleaned_data["version"], changes=form.changes())
    except Conflict as conflict:
        if conflict.code != "stale_version":
            return _problem_page(request, actor, problem, status=refuse(form, conflict), form=form)
        data = QueryDict(mutable=True)
        data.update(request.POST)
        data["version"] = str(problem.version)
        again = ProblemForm(data)
        again.is_valid()
        again.add_error(
            None,
            _(
                "Someone else changed this problem after you loaded it. The page now shows it as it is; your text "
                "is kept in the form: check it and save again to apply it."
            ),
        )
        return _problem_page(request, actor, problem, status=409, form=again)
    except (InvalidInput, PermissionRefused) as refusal:
        return _problem_page(request, actor, problem, status=refuse(form, refusal), form=form)
    messages.success(request, _("The problem is saved."))
    return redirect("portal:console-problem", number=problem.number)


@staff_required
@require_POST
def problem_link(request: HttpRequest, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    problem = get_problem_for(actor=actor, number=number)
    form = LinkIncidentForm(request.POST)
    if not form.is_valid():
        return _problem_page(request, actor, problem, status=400, link_form=form)
    ticket = _incident_or_none(actor, form.cleaned_data["ticket"])
    if ticket is None:
        form.add_error("ticket", _("There is no incident %(numbers)s.") % {"numbers": form.cleaned_data["ticket"]})
        return _problem_page(request, actor, problem, status=400, link_form=form)
    try:
        link_incident(problem=problem, actor=actor, ticket=ticket)
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        return _problem_page(request, actor, problem, status=refuse(form, refusal), link_form=form)
    messages.success(request, _("%(ticket)s is linked to this problem.") % {"ticket": ticket.number})
    return redirect("portal:console-problem", number=problem.number)


@staff_required
@require_POST
def problem_unlink(request: HttpRequest, number: str, ticket: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    problem = get_problem_for(actor=actor, number=number)
    incident = get_ticket_for(actor=actor, number=ticket)
    unlink_incident(problem=problem, actor=actor, ticket=incident)
    messages.success(request, _("%(ticket)s is no longer linked to this problem.") % {"ticket": incident.number})
    return redirect("portal:console-problem", number=problem.number)


# --- reasons for outage ---------------------------------------------------------------------------


@staff_required
@require_GET
def rfo_list(request: HttpRequest) -> HttpResponse:
    """The reports customers asked for: the ones still to write first, soonest due first."""
    actor = signed_in_user(request)
    shown = "published" if request.GET.get("show") == "published" else "requested"
    rfos = rfos_visible_to(actor=actor).filter(status=shown)
    ordering = ("-published_at", "-id") if shown == "published" else ("requested_at", "id")
    page = keyset_page(
        rfos, ordering=ordering, after=request.GET.get("after"), before=request.GET.get("before"), size=RFO_PAGE_SIZE
    )
    return render(request, "console/problems/rfo_list.html", {"page": page, "shown": shown, "now": timezone.now()})


def _problem_choices(actor: User, rfo: Rfo) -> list[tuple[str, str]]:
    """The problems the report may name: those its incident is linked to first, then the rest."""
    rows = list(
        problems_visible_to(actor=actor).order_by("-created_at").values_list("number", "title", "links__ticket_id")
    )
    linked = [(number, f"{number} · {title}") for number, title, ticket_id in rows if ticket_id == rfo.ticket_id]
    others = {number: f"{number} · {title}" for number, title, _ticket in rows}
    return [*linked, *((number, label) for number, label in others.items() if (number, label) not in linked)]


@staff_required
@require_http_methods(["GET", "POST"])
def rfo_detail(request: HttpRequest, ticket: str) -> HttpResponse | HttpResponseBase:
    """Write and publish the reason for outage of one incident (its ``rfo`` target is met)."""
    actor = signed_in_user(request)
    incident = get_ticket_for(actor=actor, number=ticket)
    rfo = rfos_visible_to(actor=actor).filter(ticket=incident).first()
    if rfo is None:
        raise Http404
    choices = _problem_choices(actor, rfo)
    if request.method == "GET":
        linked = next(iter(choices), ("", ""))[0] if incident.problem_links.exists() else ""
        problem = rfo.problem.number if rfo.problem else linked
        measures = rfo.preventive_measures
        if not measures and problem:
            measures = get_problem_for(actor=actor, number=problem).preventive_measures
        form = RfoForm(
            initial={"summary": rfo.summary, "preventive_measures": measures, "problem": problem}, problems=choices
        )
        return _rfo_page(request, rfo, form)
    form = RfoForm(request.POST, problems=choices)
    if not form.is_valid():
        return _rfo_page(request, rfo, form, status=400)
    number = form.cleaned_data.get("problem")
    try:
        publish_rfo(
            rfo=rfo,
            actor=actor,
            summary=form.cleaned_data.get("summary", ""),
            preventive_measures=form.cleaned_data.get("preventive_measures", ""),
            problem=get_problem_for(actor=actor, number=number) if number else None,
        )
    except (InvalidInput, Conflict, PermissionRefused) as refusal:
        status = refuse(form, refusal)
        fresh = rfos_visible_to(actor=actor).get(pk=rfo.pk)
        return _rfo_page(request, fresh, form, status=status)
    messages.success(request, _("The reason for outage is published; the customer reads it on the ticket."))
    return redirect("portal:console-rfo", ticket=incident.number)


def _rfo_page(request: HttpRequest, rfo: Rfo, form: RfoForm, *, status: int = 200) -> HttpResponse:
    return render(request, "console/problems/rfo_detail.html", {"rfo": rfo, "form": form}, status=status)
