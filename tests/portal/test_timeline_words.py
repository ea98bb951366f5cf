"""A ticket's timeline in words (portal.timeline): every kind of line the tickets and
escalation apps write reads as a sentence in the reader's language, never as stored codes;
desk-only lines stay with the desk; lines keep the order they happened in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from portal.timeline import CUSTOMER, DESK, audience_of, lines_for, sentence, timeline_line
from servicedesk.models import User
from tickets.models import Ticket, TicketEvent

Kind = TicketEvent.Kind
AT = dt.datetime(2026, 12, 1, 17, 30, 12, tzinfo=dt.UTC)


def event(kind: str, *, field: str = "", before: str = "", after: str = "", reason: str = "", internal: bool = False):
    return TicketEvent(
        kind=kind, field=field, from_value=before, to_value=after, reason=reason, internal=internal, at=AT
    )


# Every kind of line, and every field a field_changed line names in the code.
EVERY_LINE = [
    event(Kind.CREATED, after="new", reason="Portal"),
    event(Kind.TRANSITION, field="status", before="new", after="acknowledged"),
    event(Kind.TRANSITION, field="status", before="acknowledged", after="in_progress"),
    event(Kind.TRANSITION, field="status", before="in_progress", after="waiting_for_customer"),
    event(Kind.TRANSITION, field="status", before="waiting_for_customer", after="in_progress"),
    event(Kind.TRANSITION, field="status", before="in_progress", after="resolved"),
    event(Kind.TRANSITION, field="status", before="resolved", after="in_progress"),
    event(Kind.TRANSITION, field="status", before="resolved", after="closed"),
    event(Kind.TRANSITION, field="status", before="new", after="cancelled"),
    event(Kind.FIELD_CHANGED, field="subject", before="Old", after="New subject"),
    event(Kind.FIELD_CHANGED, field="description", before="a", after="b"),
    event(Kind.FIELD_CHANGED, field="contacts", before="{}", after="{}"),
    event(Kind.FIELD_CHANGED, field="impact", before="degradation", after="outage"),
    event(Kind.FIELD_CHANGED, field="urgency", before="low", after="high"),
    event(Kind.FIELD_CHANGED, field="priority", before="P3", after="P2"),
    event(Kind.FIELD_CHANGED, field="rfo", before="", after="requested"),
    event(Kind.FIELD_CHANGED, field="rfo", before="requested", after="published"),
    event(Kind.FIELD_CHANGED, field="problem", after="PRB-000001", internal=True),
    event(Kind.FIELD_CHANGED, field="escalation_level", before="0", after="1"),
    event(Kind.FIELD_CHANGED, field="escalation_level", before="2", after="1"),
    event(Kind.FIELD_CHANGED, field="kind", before="service_request", after="enquiry"),
    event(Kind.PRIORITY_OVERRIDDEN, field="priority", before="P2", after="P1"),
    event(Kind.ASSIGNED, field="team", after="Data/IP/ICT desk"),
    event(Kind.ASSIGNED, field="assignee", after="Lena Fischer"),
    event(Kind.ASSIGNED, field="assignee", before="Lena Fischer", after=""),
    event(Kind.COMMENTED, after="reply"),
    event(Kind.COMMENTED, after="internal note", internal=True),
    event(Kind.ATTACHMENT_ADDED, after="trace.txt"),
    event(Kind.CALLBACK),
    event(Kind.FIELD_CHANGED, field="problem", before="PRB-000001", after="", internal=True),
    event(Kind.MERGED, field="into", before="in_progress", after="INC-000001"),
    event(Kind.MERGED, field="from", after="INC-000002"),
    event(Kind.SLA_WARNING, field="restore", after="2026-12-01T19:30:00.000000+00:00", internal=True),
    event(Kind.SLA_BREACH, field="respond", after="2026-12-01T19:30:00.000000+00:00", internal=True),
]

# What a stored value looks like and a sentence never shows.
CODES = ["_", "→", "2026-12-01T", "+00:00"]

ENGLISH = [
    "The ticket was opened.",
    "The desk acknowledged the ticket.",
    "Work on the ticket started.",
    "The desk is waiting for an answer from the customer.",
    "Work on the ticket resumed.",
    "The ticket was resolved.",
    "The ticket was reopened.",
    "The ticket was closed.",
    "The ticket was cancelled.",
    "The subject was changed to “New subject”.",
    "The description was changed.",
    "The contacts were changed.",
    "The impact changed from “Degradation” to “Service-affecting (outage)”.",
    "The urgency changed from “Low” to “High”.",
    "The priority changed from “P3 – minor” to “P2 – major”.",
    "A reason for outage report was requested.",
    "The reason for outage report was published.",
    "Linked to problem PRB-000001.",
    "The ticket was escalated from level 0 to level 1.",
    "The escalation was lowered from level 2 to level 1.",
    "The kind changed from “Service request” to “General enquiry”.",
    "The desk set the priority to “P1 – critical” (it was “P2 – major”).",
    "The ticket was passed to the team “Data/IP/ICT desk”.",
    "Lena Fischer took the ticket on.",
    "Nobody is assigned to the ticket any more.",
    "A reply was added.",
    "An internal note was added.",
    "A file was attached: trace.txt.",
    "A specialist called the customer back.",
    "Unlinked from problem PRB-000001.",
    "Merged into INC-000001 by the desk.",
    "INC-000002 was merged into this ticket.",
    "The “Restoration” target is close to being missed (due 01/12/2026 20:30).",
    "The “Response (ticket number confirmed)” target was missed (due 01/12/2026 20:30).",
]


def test_every_kind_of_line_the_code_records_has_a_sentence():
    assert {line.kind for line in EVERY_LINE} == set(Kind.values)
    with translation.override("en"), dt_zone("Europe/Berlin"):
        assert [sentence(line) for line in EVERY_LINE] == ENGLISH


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_no_line_shows_a_stored_code_in_any_language(language):
    with translation.override(language), dt_zone("Europe/Berlin"):
        texts = [sentence(line) for line in EVERY_LINE]
    for text in texts:
        assert not [code for code in CODES if code in text], f"{language}: {text!r}"
    if language != "en":  # every sentence is translated
        assert not set(texts) & set(ENGLISH)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["The desk acknowledged the ticket.", "The ticket was escalated from level 0 to level 1.",
                "A reason for outage report was requested."]),
        ("de", ["Der Service Desk hat das Ticket bestätigt.", "Das Ticket wurde von Stufe 0 auf Stufe 1 eskaliert.",
                "Ein Bericht zur Störungsursache wurde angefordert."]),
        ("es", ["El centro de servicio ha confirmado el ticket.", "El ticket se ha escalado del nivel 0 al nivel 1.",
                "Se ha solicitado un informe sobre la causa de la interrupción."]),
    ],
)  # fmt: skip
def test_lines_read_in_the_readers_language(language, expected):
    lines = [EVERY_LINE[1], EVERY_LINE[18], EVERY_LINE[15]]
    with translation.override(language):
        assert [sentence(line) for line in lines] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Merged into INC-000001 by Lena Fischer.", "INC-000002 was merged into this ticket."]),
        ("de", ["Von Lena Fischer mit INC-000001 zusammengeführt.", "INC-000002 wurde mit diesem Ticket zusammengeführt."]),
        ("es", ["Fusionado con INC-000001 por Lena Fischer.", "INC-000002 se ha fusionado con este ticket."]),
    ],
)  # fmt: skip
def test_a_merge_has_a_line_of_its_own_on_both_tickets_naming_who_merged(language, expected):
    lena = User(full_name="Lena Fischer")
    into = event(Kind.MERGED, field="into", before="acknowledged", after="INC-000001")
    into.actor = lena
    came = event(Kind.MERGED, field="from", after="INC-000002")
    came.actor = lena
    with translation.override(language):
        assert [sentence(into), sentence(came)] == expected
        # Not a status line: nothing says the ticket was simply closed.
        assert sentence(into) != sentence(event(Kind.TRANSITION, field="status", before="new", after="closed"))
    assert audience_of(into) == audience_of(came) == CUSTOMER


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "The customer replied."), ("de", "Der Kunde hat geantwortet."), ("es", "El cliente ha respondido.")],
)
def test_a_reason_the_desk_wrote_itself_is_shown_in_the_readers_language(language, expected):
    with translation.override("de"):  # written while a German speaker replied
        stored = translation.gettext("The customer replied.")
    line = event(Kind.TRANSITION, field="status", before="waiting_for_customer", after="in_progress", reason=stored)
    with translation.override(language):
        assert timeline_line(line).reason == expected
    # What a person wrote stays as written.
    own = event(Kind.TRANSITION, field="status", before="new", after="cancelled", reason="Duplicate of INC-7")
    with translation.override(language):
        assert timeline_line(own).reason == "Duplicate of INC-7"


def test_sla_times_are_in_the_readers_zone_and_format():
    breach = EVERY_LINE[-1]
    with translation.override("de"), dt_zone("Europe/Berlin"):
        assert (
            sentence(breach) == "Das Ziel „Reaktion (Ticketnummer bestätigt)“ wurde verfehlt (fällig 01.12.2026 20:30)."
        )


def test_customers_read_only_the_customer_lines_and_staff_read_all():
    with translation.override("en"), dt_zone("UTC"):
        staff = lines_for(EVERY_LINE, staff=True)
        customer = lines_for(EVERY_LINE, staff=False)

    assert len(staff) == len(EVERY_LINE)
    assert {line.audience for line in staff} == {CUSTOMER, DESK}
    desk_only = [line.text for line in staff if line.audience == DESK]
    assert desk_only == [
        "Linked to problem PRB-000001.",
        "An internal note was added.",
        "Unlinked from problem PRB-000001.",
        "The “Restoration” target is close to being missed (due 01/12/2026 19:30).",
        "The “Response (ticket number confirmed)” target was missed (due 01/12/2026 19:30).",
    ]
    assert all(line.audience == CUSTOMER for line in customer)
    assert len(customer) == len(EVERY_LINE) - 5
    # Not flagged internal, still the desk's: an SLA line written without the flag.
    unflagged = event(Kind.SLA_BREACH, field="respond", after="2026-12-01T19:30:00+00:00")
    assert lines_for([unflagged], staff=False) == []


class dt_zone:  # noqa: N801 - reads as a context manager
    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        from django.utils import timezone  # noqa: PLC0415

        timezone.activate(self.name)

    def __exit__(self, *exc: object) -> None:
        from django.utils import timezone  # noqa: PLC0415

        timezone.deactivate()


@pytest.mark.django_db
def test_lines_stay_in_the_order_they_happened_even_when_one_is_stored_without_seconds(demo):
    """A line dated at the whole minute (seconds cut off) belongs before the lines of that
    minute's later seconds, never above lines written earlier: the page reads them by the
    full instant, then by id."""
    from servicedesk.tenancy import tenant_context  # noqa: PLC0415
    from tests.factories.histories import open_tickets  # noqa: PLC0415
    from tickets.selectors import timeline_for  # noqa: PLC0415

    open_tickets(demo.northwind)
    alice = demo.user("alice@acme.example")
    with tenant_context(demo.northwind):
        ticket = Ticket.objects.get(number="INC-000002")
        base = dt.datetime(2026, 12, 1, 10, 0, 40, tzinfo=dt.UTC)
        first = TicketEvent.objects.create(
            tenant_id=ticket.tenant_id, ticket=ticket, kind=Kind.COMMENTED, to_value="reply", at=base, actor=alice
        )
        later = TicketEvent.objects.create(
            tenant_id=ticket.tenant_id, ticket=ticket, kind=Kind.FIELD_CHANGED, field="rfo", to_value="requested",
            at=base.replace(second=0) + dt.timedelta(minutes=1), actor=alice,
        )  # fmt: skip
        lines = lines_for(timeline_for(actor=alice, ticket=ticket), staff=False)
    positions = [line.at for line in lines]
    assert positions == sorted(positions)
    assert positions.index(first.at) < positions.index(later.at)
