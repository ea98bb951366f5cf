"""The customer's ticket page, as issue 12 asks for it: a reply with its files in one form,
the service-level targets in the reader's zone, escalation offered only when the rules allow
it (with its reasons in words, its errors next to the fields and its limit in the reader's
zone), and the walls: bob (another account) and dave (Acme, Madrid only) meet 404s and
change nothing.

Tickets: tests.factories.histories.open_tickets (see tests/portal/test_ticket_pages.py).
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from escalation.models import EscalationEvent
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.factories.histories import open_tickets
from tickets.models import Attachment, Comment, Ticket

FRANKFURT = "INC-000002"  # Acme, Frankfurt Internet, waiting for the customer
MADRID = "INC-000003"  # Acme, Madrid Voice, new


@pytest.fixture
def world(demo):
    open_tickets(demo.northwind)
    return demo


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def text(response) -> str:
    return unescape(response.content.decode())


def counts(number: str, tenant) -> tuple:
    with tenant_context(tenant):
        ticket = Ticket.objects.get(number=number)
        return (
            ticket.version,
            ticket.escalation_level,
            Comment.objects.filter(ticket=ticket).count(),
            Attachment.objects.filter(ticket=ticket).count(),
            EscalationEvent.objects.filter(ticket_id=ticket.pk).count(),
        )


# --- reply with files ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_alice_replies_with_two_files_in_one_form(world):
    alice = signed_in("alice@acme.example")
    response = alice.post(
        f"/portal/tickets/{FRANKFURT}/reply/",
        {
            "reply-body": "Traceroutes attached.",
            "reply-attachments": [
                SimpleUploadedFile("trace-1.txt", b"traceroute 1\n"),
                SimpleUploadedFile("trace-2.txt", b"traceroute 2\n"),
            ],
        },
    )

    assert response.status_code == 302
    with tenant_context(world.northwind):
        ticket = Ticket.objects.get(number=FRANKFURT)
        assert Comment.objects.filter(ticket=ticket, body="Traceroutes attached.").count() == 1
        assert sorted(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True)) == [
            "trace-1.txt",
            "trace-2.txt",
        ]
        assert ticket.status == Ticket.Status.IN_PROGRESS  # her reply answered the desk
    page = text(alice.get(f"/portal/tickets/{FRANKFURT}/"))
    assert "Your reply was added. Files attached: 2." in page
    assert "A file was attached: trace-2.txt." in page


@pytest.mark.django_db
def test_a_refused_file_refuses_the_whole_reply_and_keeps_the_text(world):
    alice = signed_in("alice@acme.example")
    before = counts(FRANKFURT, world.northwind)

    response = alice.post(
        f"/portal/tickets/{FRANKFURT}/reply/",
        {
            "reply-body": "Here is the page I see.",
            "reply-attachments": [
                SimpleUploadedFile("ok.txt", b"fine\n"),
                SimpleUploadedFile("page.txt", b"<html><script>x</script></html>"),
            ],
        },
    )

    assert response.status_code == 400
    page = text(response)
    assert "page.txt: Web pages and markup are not accepted; attach a PDF or a screenshot." in page
    assert "Here is the page I see." in page  # what she typed is kept
    assert 'aria-invalid="true"' in page
    assert counts(FRANKFURT, world.northwind) == before


@pytest.mark.django_db
def test_files_alone_are_a_reply_and_an_empty_reply_is_refused(world):
    alice = signed_in("alice@acme.example")

    empty = alice.post(f"/portal/tickets/{FRANKFURT}/reply/", {"reply-body": ""})
    files_only = alice.post(
        f"/portal/tickets/{FRANKFURT}/reply/",
        {"reply-body": "", "reply-attachments": [SimpleUploadedFile("a.txt", b"a")]},
    )

    assert empty.status_code == 400
    assert "Write something." in text(empty)
    assert files_only.status_code == 302
    with tenant_context(world.northwind):
        assert Attachment.objects.filter(ticket__number=FRANKFURT, name="a.txt").count() == 1


# --- escalation ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ticket_page_offers_escalation_when_allowed_and_then_says_when_again(world):
    alice = signed_in("alice@acme.example")
    page = text(alice.get(f"/portal/tickets/{FRANKFURT}/"))
    assert f'href="/portal/tickets/{FRANKFURT}/escalate/"' in page
    assert 'href="/portal/escalation-matrix/"' in page
    assert "This ticket has not been escalated." in page

    form = text(alice.get(f"/portal/tickets/{FRANKFURT}/escalate/"))
    # The reasons in words, as radio buttons; no codes on the page.
    assert "Not happy with the progress" in form
    assert "Response or repair time missed" in form
    assert "missed_target<" not in form
    assert ">progress<" not in form

    done = alice.post(f"/portal/tickets/{FRANKFURT}/escalate/", {"reason": "progress", "comment": "No news."})

    assert done.status_code == 302
    assert counts(FRANKFURT, world.northwind)[1] == 1
    page = text(alice.get(f"/portal/tickets/{FRANKFURT}/"))
    assert "Raised to level 1" in page
    assert "Not happy with the progress" in page
    assert "The ticket was escalated from level 0 to level 1." in page  # the timeline
    assert f'href="/portal/tickets/{FRANKFURT}/escalate/"' not in page  # too soon for another
    assert "You can escalate it again from" in page
    again = text(alice.get(f"/portal/tickets/{FRANKFURT}/escalate/"))
    assert '<form method="post" novalidate>' not in again
    assert "UTC" not in again


@pytest.mark.django_db
def test_the_escalation_limit_is_in_the_readers_zone(world, time_machine):
    time_machine.move_to("2026-12-01T12:00:00Z", tick=False)
    dave = signed_in("dave@acme.example")  # Madrid, Spanish
    assert dave.post(f"/portal/tickets/{MADRID}/escalate/", {"reason": "progress"}).status_code == 302

    page = text(dave.get(f"/portal/tickets/{MADRID}/"))

    with tenant_context(world.northwind):
        from escalation.models import EscalationSettings  # noqa: PLC0415

        minutes = EscalationSettings.objects.get().customer_interval_minutes
    local = f"{13 + minutes // 60:02d}:{minutes % 60:02d}"  # Madrid is UTC+1 in December
    assert re.search(rf'<time class="when" datetime="[^"]+"><span>01/12/2026</span> <span>{local}</span></time>', page)
    assert "Puede volver a escalarlo a partir de" in page


@pytest.mark.django_db
def test_escalation_errors_sit_next_to_their_fields(world):
    alice = signed_in("alice@acme.example")
    before = counts(FRANKFURT, world.northwind)

    response = alice.post(f"/portal/tickets/{FRANKFURT}/escalate/", {"reason": "other", "comment": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_comment_errors"' in html
    assert '<div id="id_comment_errors"><p class="error">Say why you escalate.</p></div>' in html
    assert '<div class="form-errors" role="alert" tabindex="-1"' in html
    assert 'href="#id_comment"' in html  # the summary links to the field
    assert 'value="other" required id="id_reason_2" checked' in html  # what was chosen is kept
    assert counts(FRANKFURT, world.northwind) == before


@pytest.mark.django_db
def test_a_closed_ticket_offers_no_escalation(world):
    with tenant_context(world.northwind):
        number = Ticket.objects.get(kind=Ticket.Kind.COMPLAINT, account=world.acme).number  # resolved
    page = text(signed_in("alice@acme.example").get(f"/portal/tickets/{number}/"))
    assert f"/portal/tickets/{number}/escalate/" not in page
    form = text(signed_in("alice@acme.example").get(f"/portal/tickets/{number}/escalate/"))
    assert "Only an open ticket can be escalated." in form


# --- walls --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["bob@globex.example", "dave@acme.example", "carol@initech.example"])
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/portal/tickets/{n}/", {}),
        ("get", "/portal/tickets/{n}/escalate/", {}),
        ("post", "/portal/tickets/{n}/escalate/", {"reason": "progress"}),
        ("post", "/portal/tickets/{n}/reply/", {"reply-body": "hello"}),
    ],
)
def test_outsiders_get_404_for_an_acme_frankfurt_ticket_and_change_nothing(world, email, method, path, data):
    before = counts(FRANKFURT, world.northwind)
    response = getattr(signed_in(email), method)(path.format(n=FRANKFURT), data)
    assert response.status_code == 404
    assert counts(FRANKFURT, world.northwind) == before


# --- the new-ticket form: the fault questionnaire is for incidents ---------------------------------


@pytest.mark.django_db
def test_a_complaint_is_not_asked_the_fault_questions_and_opens_without_them(demo):
    alice = signed_in("alice@acme.example")
    incident = text(alice.get("/portal/tickets/new/questions/", {"kind": "incident", "service": "NW-INET-1002"}))
    complaint = text(alice.get("/portal/tickets/new/questions/", {"kind": "complaint", "service": "NW-INET-1002"}))
    form = text(alice.get("/portal/tickets/new/"))

    assert 'name="answer_power_at_site"' in incident
    assert 'name="answer_power_at_site"' not in complaint
    assert "/portal/requests/catalogue/" in form  # requests are pointed to the catalogue

    response = alice.post(
        "/portal/tickets/new/",
        {
            "kind": "complaint", "service": "NW-INET-1002", "subject": "Invoice twice",
            "description": "We were billed twice.", "urgency": "low",
            "contact_callback_name": "Alice", "contact_callback_email": "alice@acme.example",
        },
    )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(demo.northwind):
        opened = Ticket.objects.get(subject="Invoice twice")
    assert (opened.kind, opened.answers) == ("complaint", {})


# --- the list's filters ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_by_priority_site_and_service_inside_the_walls(world):
    alice = signed_in("alice@acme.example")
    dave = signed_in("dave@acme.example")
    with tenant_context(world.northwind):
        from servicedesk.models import Site  # noqa: PLC0415

        frankfurt, madrid = Site.objects.get(name="Frankfurt").pk, Site.objects.get(name="Madrid").pk

    by_site = text(alice.get("/portal/tickets/", {"site": madrid}))
    by_service = text(alice.get("/portal/tickets/", {"service": "NW-INET-1002"}))
    dave_frankfurt = text(dave.get("/portal/tickets/", {"site": frankfurt}))

    assert MADRID in by_site
    assert FRANKFURT not in by_site
    assert FRANKFURT in by_service
    assert "INC-000001" not in by_service
    assert FRANKFURT not in dave_frankfurt  # another site's id finds nothing
    assert "Frankfurt" not in dave_frankfurt.split('id="id_site"')[1].split("</select>")[0]


@pytest.mark.django_db
def test_a_resolved_ticket_says_until_when_it_can_be_reopened_in_the_readers_zone(world):
    with tenant_context(world.northwind):
        resolved = Ticket.objects.select_related("tenant").get(number="CMP-000001")
        until = resolved.resolved_at + dt.timedelta(days=resolved.tenant.reopen_window_days)

    page = signed_in("alice@acme.example").get("/portal/tickets/CMP-000001/").content.decode()

    assert "You can reopen it until" in page
    assert f'<time class="when" datetime="{until.astimezone(ZoneInfo("Europe/Berlin")).isoformat()}">' in page


@pytest.mark.django_db
def test_the_list_sorts_by_priority_most_urgent_first(world):
    page = text(signed_in("alice@acme.example").get("/portal/tickets/", {"status": "all", "sort": "priority"}))
    with tenant_context(world.northwind):
        expected = list(
            Ticket.objects.filter(account=world.acme)
            .order_by("priority", "-created_at", "-id")
            .values_list("number", flat=True)
        )
    shown = re.findall(r'class="ticket-link" href="/portal/tickets/([A-Z]+-\d+)/"', page)
    assert shown == expected
