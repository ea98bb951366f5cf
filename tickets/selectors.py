"""Reads of tickets and their conversation, each inside the actor's walls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from servicedesk.db.keys import keyed_among
from servicedesk.db.search import full_text_match
from servicedesk.keyset import capped_count
from servicedesk.models import TeamMembership, User
from servicedesk.walls import get_visible_or_404
from tickets.models import (
    PREFETCHED_CLOCKS,
    Attachment,
    CannedResponse,
    Comment,
    Problem,
    ProblemEvent,
    ProblemIncident,
    Rfo,
    SavedQueueView,
    SlaClock,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketMerge,
)

LIST_RELATED = ("tenant", "account", "site", "service", "service__service_type", "team", "assignee")
#: What a ticket in a list refers to and shows (the API's items): no tenant row.
LISTED_RELATED = tuple(name for name in LIST_RELATED if name != "tenant")
#: What no list shows: the text search reads (subject, description and every public reply).
UNLISTED = ("search_document",)
#: What the pages' lists show of a ticket and its relations (and nothing more is read).
PAGE_LIST_RELATED = ("account", "site", "service", "team", "assignee")
PAGE_LIST_COLUMNS = (
    "number", "kind", "status", "priority", "subject", "is_entitled", "created_at", "updated_at",
    "next_due_at", "escalation_level", "version",
    *PAGE_LIST_RELATED, "account__name", "site__name", "service__service_id", "team__name", "assignee__full_name",
)  # fmt: skip


def tickets_visible_to(*, actor: User) -> QuerySet[Ticket]:
    """Staff see their tenant's tickets. A customer user sees the account's; a user restricted
    to some sites sees the tickets of those sites and the ones they opened themselves."""
    return Ticket.objects.visible_to(actor).select_related(*LIST_RELATED).prefetch_related("sla_clocks")


def get_ticket_for(*, actor: User, number: str, for_update: bool = False) -> Ticket:
    """The ticket with that number, if the actor may see it; otherwise 404, as if it did not
    exist. With ``for_update`` the row is locked (call inside a transaction)."""
    return get_visible_or_404(tickets_visible_to(actor=actor), for_update=for_update, number=number)


# The orders a ticket list offers, by name (the pages' "sort"; the API's cursor pagination
# orders by its own "ordering" parameter). The id breaks ties, so pages never overlap.
TICKET_ORDERINGS: dict[str, tuple[str, ...]] = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "priority": ("priority", "-created_at", "-id"),
    # The next service-level due instant first (tickets with nothing due last): the agents' queues.
    "due": ("next_due_at", "id"),
}


@dataclass(frozen=True)
class TicketFilters:
    """What a ticket list is narrowed to (the API's list and the portal's and console's
    lists); an empty field does not filter. An id that is not a number on input is -1,
    which matches nothing."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    account_id: int | None = None
    site_id: int | None = None
    service_id: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    product_area_id: int | None = None
    #: created (or, with ``by_resolution``, last resolved) in [dates_from, dates_until)
    dates_from: dt.datetime | None = None
    dates_until: dt.datetime | None = None
    by_resolution: bool = False
    #: only the tickets among these (a query of ticket ids: the tickets behind one of the
    #: dashboard's figures, ``reports.behind``); None does not filter
    among: QuerySet[Any] | None = None
    #: created after ``created_after`` (exclusive) and no later than ``created_not_after``: an
    #: age bucket of the dashboard's backlog
    created_after: dt.datetime | None = None
    created_not_after: dt.datetime | None = None
    q: str = ""
    #: a key of TICKET_ORDERINGS; empty: the caller orders
    sort: str = ""


def filter_tickets(*, actor: User, filters: TicketFilters) -> QuerySet[Ticket]:
    """The tickets the actor may see, narrowed to ``filters`` and, if they name a sort, in that
    order, without the columns no list shows (``UNLISTED``) and without their SLA clocks (a
    list that shows them prefetches ``sla_clocks``). Each filter and order is served by an index
    led by ``tenant_id`` (``Ticket.Meta.indexes``)."""
    tickets = Ticket.objects.visible_to(actor).select_related(*LISTED_RELATED).defer(*UNLISTED)
    if filters.statuses:
        tickets = tickets.filter(status__in=filters.statuses)
    if filters.priorities:
        tickets = tickets.filter(priority__in=filters.priorities)
    if filters.kinds:
        tickets = tickets.filter(kind__in=filters.kinds)
    if filters.account_id is not None:
        tickets = tickets.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        tickets = tickets.filter(site_id=filters.site_id)
    if filters.service_id:
        tickets = tickets.filter(service__service_id=filters.service_id)
    if filters.team_id is not None:
        tickets = tickets.filter(team_id=filters.team_id)
    if filters.assignee_id is not None:
        tickets = tickets.filter(assignee_id=filters.assignee_id)
    if filters.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if filters.product_area_id is not None:
        tickets = tickets.filter(product_area_id=filters.product_area_id)
    if filters.among is not None:
        tickets = tickets.filter(pk__in=filters.among)
    instant = "resolved_at" if filters.by_resolution else "created_at"
    if filters.dates_from is not None:
        tickets = tickets.filter(**{f"{instant}__gte": filters.dates_from})
    if filters.dates_until is not None:
        tickets = tickets.filter(**{f"{instant}__lt": filters.dates_until})
    if filters.created_after is not None:
        tickets = tickets.filter(created_at__gt=filters.created_after)
    if filters.created_not_after is not None:
        tickets = tickets.filter(created_at__lte=filters.created_not_after)
    tickets = search_tickets(tickets, filters.q)
    if filters.sort:
        tickets = tickets.order_by(*TICKET_ORDERINGS[filters.sort])
    return tickets


def for_page_list(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``tickets`` with only the columns and relations the pages' lists show
    (``PAGE_LIST_COLUMNS``): every other column stays in the database."""
    return tickets.select_related(None).select_related(*PAGE_LIST_RELATED).only(*PAGE_LIST_COLUMNS)


#: What an API list item shows of what a ticket refers to (``tickets.api.TicketSerializer``).
API_LIST_RELATED_COLUMNS = (
    "account__name", "site__name", "service__service_id", "service__product", "service__service_type__code",
    "team__name", "assignee__full_name",
)  # fmt: skip


def for_api_list(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``tickets`` (from ``filter_tickets``) with every column an API list item shows and, of
    the rows they refer to, only the names it shows: a page of 50 builds about 300 related
    model instances, and each column not read is one less attribute set on each."""
    own = [field.name for field in Ticket._meta.concrete_fields if field.name not in UNLISTED]
    return tickets.only(*own, *API_LIST_RELATED_COLUMNS)


def with_clocks(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``tickets`` with their SLA clocks, in one query, as a plain list on each ticket
    (``PREFETCHED_CLOCKS``): a prefetch into the related manager builds a filtered queryset per
    ticket, about a third of a 50-ticket API page's time."""
    return tickets.prefetch_related(Prefetch("sla_clocks", queryset=SlaClock.objects.all(), to_attr=PREFETCHED_CLOCKS))


class ClockSummary(NamedTuple):
    """What the API's ``sla`` object shows of a clock (``tickets.services.sla.summary``)."""

    target: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    state: str


def attach_clock_summaries(tickets: Sequence[Ticket]) -> None:
    """Give each ticket of an API list's page its clocks' summaries (``PREFETCHED_CLOCKS``), in
    the clocks' order, from one query of their rows: a prefetch built a model instance per clock,
    about 150 per page of 50, which the ``sla`` object never needed."""
    by_ticket: dict[int, list[ClockSummary]] = {ticket.pk: [] for ticket in tickets}
    if by_ticket:
        # By due instant, the clocks' own ordering (the prefetch's), then by id.
        rows = SlaClock.objects.filter(ticket_id__in=list(by_ticket)).order_by("due_at", "id")
        for ticket_id, target, due_at, met_at, state in rows.values_list(
            "ticket_id", "target", "due_at", "met_at", "state"
        ):
            by_ticket[ticket_id].append(ClockSummary(target, due_at, met_at, state))
    for ticket in tickets:
        setattr(ticket, PREFETCHED_CLOCKS, by_ticket[ticket.pk])


def share_actor_tenant(tickets: Iterable[Ticket], actor: User) -> None:
    """Give each ticket of the actor's tenant the tenant row read with the actor, so what a
    listed ticket asks of its tenant (a resolved ticket's reopen window, for the actions it
    offers) reads no row per ticket."""
    tenant = actor.tenant if actor.tenant_id is not None else None
    if tenant is None:
        return
    field = Ticket._meta.get_field("tenant")
    for ticket in tickets:
        if ticket.tenant_id == tenant.pk and not field.is_cached(ticket):
            field.set_cached_value(ticket, tenant)


def search_tickets(tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Full text over subject, description and public replies (the ticket's search document;
    on PostgreSQL through the GIN expression index of migration 0002)."""
    return full_text_match(tickets, field="search_document", query=query)


def comments_visible_to(*, actor: User, ticket: Ticket) -> QuerySet[Comment]:
    comments = Comment.objects.filter(ticket=ticket).select_related("author")
    return comments if actor.is_desk_staff else comments.filter(internal=False)


def attachments_visible_to(*, actor: User, ticket: Ticket) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(ticket=ticket).select_related("uploaded_by")
    return attachments if actor.is_desk_staff else attachments.filter(internal=False)


def get_attachment_for(*, actor: User, ticket: Ticket, pk: int) -> Attachment:
    return get_visible_or_404(attachments_visible_to(actor=actor, ticket=ticket), pk=pk)


def timeline_for(*, actor: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    return events if actor.is_desk_staff else events.filter(internal=False)


def problems_visible_to(*, actor: User) -> QuerySet[Problem]:
    """Problem records are the desk's own: staff only."""
    problems = Problem.objects.select_related("created_by")
    return problems if actor.is_desk_staff else problems.none()


def get_problem_for(*, actor: User, number: str) -> Problem:
    return get_visible_or_404(problems_visible_to(actor=actor), number=number)


def search_problems(problems: QuerySet[Problem], query: str) -> QuerySet[Problem]:
    """Problems whose number or title contains ``query`` (a desk holds few problems: no index)."""
    query = query.strip()
    if not query:
        return problems
    return problems.filter(Q(number__icontains=query) | Q(title__icontains=query))


def problem_timeline(*, actor: User, problem: Problem) -> QuerySet[ProblemEvent]:
    """The problem's lines in order (the problem came through get_problem_for: staff only)."""
    return ProblemEvent.objects.filter(problem=problem).select_related("actor")


def incidents_of(*, actor: User, problem: Problem) -> QuerySet[Ticket]:
    """The incidents linked to the problem, newest first, with their RFOs."""
    return (
        tickets_visible_to(actor=actor)
        .filter(problem_links__problem=problem)
        .prefetch_related("rfos")
        .order_by("-created_at", "-id")
    )


def rfos_visible_to(*, actor: User) -> QuerySet[Rfo]:
    """The reasons for outage customers asked for (staff only), with the ticket and its account;
    each carries ``due_at`` and ``met_at`` of its ``rfo`` clock."""
    if not actor.is_desk_staff:
        return Rfo.objects.none()
    clock = SlaClock.objects.filter(ticket=OuterRef("ticket"), target=SlaTarget.RFO)
    return Rfo.objects.select_related("ticket", "ticket__account", "problem").annotate(
        due_at=Subquery(clock.values("due_at")[:1]), met_at=Subquery(clock.values("met_at")[:1])
    )


def rfo_of(*, actor: User, ticket: Ticket) -> Rfo:
    """The ticket's RFO (the ticket came through get_ticket_for, so the walls hold); 404 if none."""
    return get_visible_or_404(Rfo.objects.select_related("problem"), ticket=ticket)


def get_ticket_to_write(*, actor: User, number: str, lock: bool = False) -> Ticket:
    """The ticket a write (a reply) is about, inside the actor's walls like ``get_ticket_for``
    (404 otherwise), without what only reading it needs (related rows, SLA clocks): the use
    case locks the row and reads it again. (The lifecycle's mixin reads the status as the
    row loads: it comes with the id.) With ``lock`` (inside the use case's transaction): the
    whole row, locked, for a use case that takes it as read (``comment_on_locked``)."""
    if lock:
        return get_visible_or_404(Ticket.objects.visible_to(actor), number=number, for_update=True)
    return get_visible_or_404(
        Ticket.objects.visible_to(actor).only("id", "tenant_id", "number", "status"), number=number
    )


# --- the console's workspace ----------------------------------------------------------------------

#: How many of an account's other open tickets the workspace's sidebar lists.
OTHER_OPEN_TICKETS_SHOWN = 10


def other_open_tickets(*, actor: User, ticket: Ticket, limit: int = OTHER_OPEN_TICKETS_SHOWN) -> list[Ticket]:
    """The account's other open tickets the actor may see, newest first, at most ``limit``
    (served by ``ticket_tenant_account_idx``)."""
    rows = (
        for_page_list(Ticket.objects.visible_to(actor).filter(account_id=ticket.account_id))
        .filter(status__in=Ticket.OPEN_STATUSES)
        .exclude(pk=ticket.pk)
        .order_by("-created_at", "-id")
    )
    return list(rows[:limit])


def get_merge_target_for(*, actor: User, ticket: Ticket, number: str) -> Ticket:
    """The ticket ``ticket`` may be merged into: another ticket of the same customer account
    that the actor may see; otherwise 404 (another account's ticket does not exist here)."""
    tickets = Ticket.objects.visible_to(actor).filter(account_id=ticket.account_id).exclude(pk=ticket.pk)
    return get_visible_or_404(tickets, number=number)


def canned_responses_for(*, actor: User) -> QuerySet[CannedResponse]:
    """The tenant's active canned responses (the desk's own: staff only), by language and title."""
    responses = CannedResponse.objects.filter(is_active=True).order_by("language", "title")
    return responses if actor.is_desk_staff else responses.none()


def get_canned_response_for(*, actor: User, pk: int) -> CannedResponse:
    return get_visible_or_404(canned_responses_for(actor=actor), pk=pk)


def problems_of_ticket(*, actor: User, ticket: Ticket) -> QuerySet[Problem]:
    """The problems the ticket is linked to (staff only)."""
    linked = ProblemIncident.objects.filter(ticket=ticket).values("problem_id")
    return problems_visible_to(actor=actor).filter(pk__in=linked).order_by("number")


def merged_into_number(*, actor: User, ticket: Ticket) -> str | None:
    """The number of the ticket ``ticket`` was merged into, if the actor may see it (only a
    closed ticket can have been merged: other tickets cost no query)."""
    if ticket.status != Ticket.Status.CLOSED:
        return None
    visible = Ticket.objects.visible_to(actor).values("pk")
    return (
        TicketMerge.objects.filter(source=ticket, target__in=visible).values_list("target__number", flat=True).first()
    )


# --- the agents' queues ---------------------------------------------------------------------


#: The agents' queues, by name, in the order the console shows them.
QUEUES = ("mine", "team", "unassigned", "breaching", "breached", "escalated", "waiting", "open")

#: Where the escalated queue finds its tickets: a function giving the current tenant's rows,
#: one per ticket at a level above 0 whose escalation runs, each with its ``ticket_id`` (the
#: escalation app's timers, registered in its ``AppConfig.ready()``; the timer's level is the
#: ticket's, written in the same transaction). Not ``Ticket.escalation_level`` through an index
#: of the tickets table: an index whose key or condition reads the level makes every change of
#: it a non-HOT update, which writes a new entry into each of the table's indexes, the
#: full-text one included (``record_escalation_levels``).
_escalated_tickets: Callable[[], QuerySet[Any]] | None = None


def serve_escalated_queue_from(source: Callable[[], QuerySet[Any]]) -> None:
    global _escalated_tickets  # noqa: PLW0603 - set once, when the apps are ready
    _escalated_tickets = source


def narrow_to_queue(tickets: QuerySet[Ticket], *, queue: str, actor: User, now: dt.datetime) -> QuerySet[Ticket]:
    """``tickets`` narrowed to one of the agents' ``QUEUES`` (an unknown name: all open). Each
    queue in the next-due order is served by one of the partial indexes of ``Ticket.Meta``
    (the escalated one by the escalation timers' ``ticketesc_escalated_idx``, see
    ``serve_escalated_queue_from``):
    "breaching soon" (nothing overdue, and warned or due within the tenant's window) and
    "breached" (something overdue) are ranges of the open tickets' next due instants (the
    first one bounded by ``_breaching_range``)."""
    if queue == "waiting":
        return tickets.filter(status=Ticket.Status.WAITING_FOR_CUSTOMER)
    tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    if queue == "mine":
        return tickets.filter(assignee=actor)
    if queue == "team":
        teams = list(TeamMembership.objects.filter(user=actor).values_list("team_id", flat=True))
        return tickets.filter(team_id__in=teams)
    if queue == "unassigned":
        return tickets.filter(assignee__isnull=True)
    if queue == "breaching":
        return tickets.filter(**_breaching_range(actor=actor, now=now)).filter(
            Q(next_due_at__lte=now + _breaching_window(actor)) | Q(next_warn_at__lte=now)
        )
    if queue == "breached":
        return tickets.filter(next_due_at__lte=now)
    if queue == "escalated":
        if _escalated_tickets is None:
            raise ImproperlyConfigured("The escalated queue has no source: the escalation app gives it one.")
        return _escalated_among(tickets, _escalated_tickets())
    return tickets


def _escalated_among(tickets: QuerySet[Ticket], escalated: QuerySet[Any]) -> QuerySet[Ticket]:
    """``tickets`` narrowed to the escalated ones, read by key: the escalated tickets' keys are
    gathered first (one array, before the query, from the timers' index) and each ticket is
    read by its key; a page sorts what it read, a count stops at its cap. Its cost grows with
    the tenant's escalated tickets, not with its open ones (README, "Load").

    As one join (``pk IN (subquery)``), the planner hashed every open ticket of the queue's
    index against the timers: 137-179 ms at 166,000 open tickets, 0.7-10 % of them escalated,
    while recent inserts had left the index's pages unmarked in the visibility map."""
    return keyed_among(tickets, escalated.order_by().values("ticket_id"))


def _breaching_window(actor: User) -> dt.timedelta:
    return dt.timedelta(minutes=actor.tenant.breaching_soon_minutes if actor.tenant else 60)


def _breaching_range(*, actor: User, now: dt.datetime) -> dict[str, dt.datetime]:
    """The range of next due instants that holds "breaching soon": after now, up to the end of
    the tenant's window or, if later, as far as a ticket warned by now can be due (one warned
    early in a long budget is due well after the window). The queue reads this range of
    ticket_open_due_idx, never every open ticket due after now (nor every one warned before
    now, breached ones included, as a range of next_warn_at would)."""
    end = now + _breaching_window(actor)
    # A ticket warned by now is due at most its lead after now (warned at or before now, due
    # its lead after that): the longest lead of the tenant's open tickets, the last entry of
    # ticket_open_warn_lead_idx, bounds the range.
    longest = (
        Ticket.objects.visible_to(actor)
        .filter(status__in=Ticket.OPEN_STATUSES, next_warn_lead__isnull=False)
        .order_by("-next_warn_lead")
        .values_list("next_warn_lead", flat=True)
        .first()
    )
    return {"next_due_at__gt": now, "next_due_at__lte": max(end, now + longest) if longest else end}


def queue_counts(*, actor: User, now: dt.datetime) -> dict[str, tuple[int, bool]]:
    """Each queue's size, counted up to ``COUNT_CAP`` (and whether it holds more): one short
    index scan per queue, whatever the desk's size (the escalated one: its tickets by key)."""
    visible = Ticket.objects.visible_to(actor)
    return {queue: capped_count(narrow_to_queue(visible, queue=queue, actor=actor, now=now)) for queue in QUEUES}


#: What a queue's row says of its ticket's clocks: the counting ones (the next target).
#: What a queue's row shows of a ticket and what it refers to, read as plain values: a page of
#: 50 tickets as model instances was about 400 of them (each ticket, its account, site,
#: service, team, assignee and counting clocks), a third of the page's CPU. ``next_target``: the
#: target of the clock due first of those that count (not met, running or breached), read in
#: the same statement.
QUEUE_ROW_VALUES = (
    "id", "number", "version", "kind", "status", "priority", "subject", "is_entitled", "next_due_at",
    "escalation_level", "created_at", "updated_at", "service_id", "service__service_id", "account_id",
    "account__name", "site_id", "site__name", "team_id", "team__name", "assignee_id", "assignee__full_name",
    "next_target",
)  # fmt: skip


def as_queue_rows(tickets: QuerySet[Ticket]) -> QuerySet[Any]:
    """``tickets`` as the queue's rows: dictionaries of ``QUEUE_ROW_VALUES`` (for
    ``keyset_page``, which reads them as it reads instances)."""
    first_due = (
        SlaClock.objects.filter(
            ticket=OuterRef("pk"), met_at__isnull=True, state__in=[SlaClock.State.RUNNING, SlaClock.State.BREACHED]
        )
        .order_by("due_at", "id")
        .values("target")[:1]
    )
    return tickets.select_related(None).annotate(next_target=Subquery(first_due)).values(*QUEUE_ROW_VALUES)


def saved_queue_views_of(*, actor: User) -> QuerySet[SavedQueueView]:
    """The actor's own saved queue views (nobody sees another's), by name."""
    return SavedQueueView.objects.filter(user=actor)


def get_saved_queue_view_for(*, actor: User, pk: int) -> SavedQueueView:
    return get_visible_or_404(saved_queue_views_of(actor=actor), pk=pk)
