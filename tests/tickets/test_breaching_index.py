"""The "breaching soon" queue reads ranges of its indexes, never every open ticket: on a desk
of 20,000 open tickets, due from a month ago to a month ahead and each warned between 10
minutes and 2 days before it is due, finding how far the queue reaches (the longest warning
lead, one step of ticket_open_warn_lead_idx), its page and its count read about as many
rows or index entries as the queue holds (EXPLAIN ANALYZE counts what each scan read:
before, the count read every one of the 20,000), and the queue holds exactly the tickets due
within the window or warned and not yet due."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicedesk.tenancy import tenant_context
from tickets.models import Ticket
from tickets.selectors import TICKET_ORDERINGS, TicketFilters, filter_tickets, for_page_list, narrow_to_queue
from tickets.services.intake import TicketDraft, open_ticket

AGENT = "agent@northwind.example"
TICKETS = 20_000
SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Index Scan", "Bitmap Heap Scan")


def _read_by_scans(plan: dict) -> int:
    """The rows (or index entries) every scan of the plan read, those its filters threw away
    included."""
    read = 0
    if plan.get("Node Type") in SCANS:
        loops = plan.get("Actual Loops", 1)
        read += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
        read += plan.get("Rows Removed by Index Recheck", 0)
    return read + sum(_read_by_scans(child) for child in plan.get("Plans", []))


def _explained(queryset) -> int:
    return _read_by_scans(json.loads(queryset.explain(format="json", analyze=True))[0]["Plan"])


def _explained_sql(sql: str) -> int:
    """What a statement the desk sent reads (sent behind its tenant setting, as it was)."""
    statement = sql.split("; ", 1)[1] if sql.startswith("SELECT set_config(") else sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
        plan = cursor.fetchone()[0]
    return _read_by_scans((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])


@pytest.mark.django_db
def test_the_breaching_soon_queue_reads_ranges_of_its_indexes_not_every_open_ticket(demo):
    agent = demo.user(AGENT)
    now = timezone.now()
    with tenant_context(demo.northwind):
        template = open_ticket(
            actor=demo.user("alice@acme.example"),
            draft=TicketDraft(kind="enquiry", subject="Template", description="Copied."),
        )
        columns = [
            field.column
            for field in Ticket._meta.concrete_fields
            if field.column not in ("id", "number", "next_due_at", "next_warn_at", "next_warn_lead", "status")
        ]
        names = ", ".join(f'"{column}"' for column in columns)
        with connection.cursor() as cursor:
            # Due every ~4.3 minutes from 30 days ago to 30 days ahead; warned 10 minutes to 2
            # days before (a pseudo-random lead per row).
            cursor.execute(
                f"""
                INSERT INTO tickets_ticket ({names}, number, status, next_due_at, next_warn_at, next_warn_lead)
                SELECT {names}, 'LOAD-' || g, 'in_progress', due, due - lead, lead
                FROM tickets_ticket, generate_series(1, %s) AS g,
                     LATERAL (SELECT %s::timestamptz + (g - %s / 2) * interval '259 seconds' AS due,
                                     make_interval(mins => 10 + (g * 7919) %% 2870) AS lead) AS d
                WHERE tickets_ticket.id = %s
                """,  # noqa: S608 - the column names are the model's own
                [TICKETS, now, TICKETS, template.pk],
            )
            cursor.execute("ANALYZE tickets_ticket")
        window = dt.timedelta(minutes=demo.northwind.breaching_soon_minutes)
        loaded = Ticket.objects.filter(number__startswith="LOAD-")
        expected = set(
            loaded.filter(next_due_at__gt=now, next_due_at__lte=now + window).values_list("pk", flat=True)
        ) | set(loaded.filter(next_warn_at__lte=now, next_due_at__gt=now).values_list("pk", flat=True))
        assert 50 < len(expected) < 1000  # a queue of a few hundred among 20,000 open tickets

        filters = TicketFilters(statuses=tuple(Ticket.OPEN_STATUSES), sort="due")
        with CaptureQueriesContext(connection) as narrowing:  # how far the range goes
            queue = narrow_to_queue(
                for_page_list(filter_tickets(actor=agent, filters=filters)), queue="breaching", actor=agent, now=now
            )
        page = queue.filter(next_due_at__isnull=False).order_by(*TICKET_ORDERINGS["due"]).values_list("pk", flat=True)
        listed = set(queue.filter(number__startswith="LOAD-").values_list("pk", flat=True))
        first_page = _explained(page[:51])
        count = _explained(queue.order_by().values("pk")[:1001])  # as servicedesk.keyset.capped_count counts
        bounding = sum(_explained_sql(query["sql"]) for query in narrowing.captured_queries)

    assert listed == expected
    # Each reads about the queue (what is due within the window, what is warned and not yet
    # due, and what is due before the longest lead ends), not every open ticket due after now.
    assert first_page < 3 * len(expected) + 100, first_page
    assert count < 3 * len(expected) + 100, count
    assert bounding < 10, bounding  # the tenant's row and the longest lead: a step of an index each
