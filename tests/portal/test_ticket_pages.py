"""The ticket pages: the customer's list, the new-ticket form with its questionnaire, the
ticket page with its conversation, files and actions, and the agents' queue and ticket page.

Outsiders on every path: bob (Globex, another customer account), carol (Initech, the other
tenant) and dave (Acme, but Madrid only) meet an Acme Frankfurt ticket and get a 404, and
nothing about it changes. The tickets come from ``tests.factories.histories.open_tickets``:

    Northwind  INC-000001  Acme, Frankfurt MPLS, in progress, a public reply and an internal note
               INC-000002  Acme, Frankfurt Internet, waiting for the customer
               CMP-000001  Acme, Frankfurt Voice, resolved
               INC-000003  Acme, Madrid Voice, new, not entitled (the contract has expired)
               INC-000004  Globex, London Internet, acknowledged
               ENQ-000001  Globex, closed
    Bluepeak   INC-000001  Initech, Barcelona VPN, acknowledged
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.factories.histories import open_tickets
from tests.tickets.conftest import desk  # noqa: F401 - the fixture, shared with the tickets tests
from tickets.api import ENTITLEMENT_NOTICE
from tickets.models import Attachment, Comment, Ticket, TicketEvent
from tickets.services.attachments import add_attachment
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.updates import assign_ticket, reassess_ticket

ACME_FRANKFURT = "INC-000002"  # Acme's Frankfurt Internet ticket; Bluepeak has no INC-000002
XSS = '<script>alert("x")</script>'


# --- helpers --------------------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.content.decode())


def main(response) -> str:
    """The page's <main>, raw (the header carries a fresh CSRF token on every page)."""
    found = re.search(r"<main\b.*?</main>", response.content.decode(), re.S)
    assert found, "no <main>"
    return found.group(0)


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def numbers_listed(response) -> list[str]:
    """The ticket numbers of the list's rows, in order."""
    return re.findall(r'class="ticket-link" href="[^"]+">([A-Z]+-\d{6})</a>', response.content.decode())


def field_block(response, name: str) -> str:
    """The HTML of the form field (or fieldset) whose control is named ``name``."""
    html = response.content.decode()
    for match in re.finditer(r'<(div|fieldset) class="(?:field|field choice-group)[^"]*"[^>]*>.*?</\1>', html, re.S):
        if f'name="{name}"' in match.group(0):
            return match.group(0)
    raise AssertionError(f"no field named {name!r}")


def errors_of(response, name: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'<p class="error" role="alert">(.*?)</p>', field_block(response, name))]


def ticket(number: str, tenant) -> Ticket:
    with tenant_context(tenant):
        return Ticket.objects.get(number=number)


def snapshot(number: str, tenant) -> tuple:
    """What must not change when an outsider knocks: the row's version and status, and the
    number of replies, files and timeline events."""
    with tenant_context(tenant):
        found = Ticket.objects.get(number=number)
        return (
            found.version,
            found.status,
            Comment.objects.filter(ticket=found).count(),
            Attachment.objects.filter(ticket=found).count(),
            TicketEvent.objects.filter(ticket=found).count(),
        )


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def world(desk):  # noqa: F811 - the imported fixture, requested by name
    """The world with its tickets, and one file on the Acme Frankfurt ticket."""
    open_tickets(desk.northwind)
    open_tickets(desk.bluepeak)
    with tenant_context(desk.northwind):
        found = Ticket.objects.get(number=ACME_FRANKFURT)
        alice = User.objects.get(email="alice@acme.example")
        desk.log = add_attachment(
            ticket=found, actor=alice, upload=SimpleUploadedFile("trace.txt", b"traceroute to 198.51.100.20\n")
        )
        agent = User.objects.get(email="agent@northwind.example")
        desk.staff_file = add_attachment(
            ticket=found,
            actor=agent,
            upload=SimpleUploadedFile("carrier.txt", b"carrier notes\n"),
            internal=True,
        )
    return desk


def new_ticket_data(**changes) -> dict[str, str]:
    """A valid incident on Acme's Frankfurt Internet service, as the form posts it."""
    data = {
        "kind": "incident",
        "service": "NW-INET-1002",
        "subject": "Slow uplink in the warehouse",
        "description": "Uploads crawl since this morning.",
        "impact": "degradation",
        "urgency": "medium",
        "problem_started_at": "2025-03-10T09:30",
        "occurrence": "permanent",
        "customer_reference": "ACME-7781",
        "contact_callback_name": "Alice Schneider",
        "contact_callback_email": "alice@acme.example",
        "contact_callback_phone": "+49 69 5550 1234",
        "answer_power_at_site": "yes",
        "answer_symptom": "slowness",
        "answer_source_ip": "10.20.1.15",
        "answer_destination_ip": "198.51.100.20",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- the customer's list ----------------------------------------------------------------------


def test_alice_lists_her_accounts_tickets_newest_first(world):
    response = signed_in("alice@acme.example").get("/portal/tickets/")

    assert response.status_code == 200
    assert numbers_listed(response) == ["INC-000003", "CMP-000001", "INC-000002", "INC-000001"]
    page = text(response)
    assert "4 tickets" in page
    for outsider in ("INC-000004", "ENQ-000001", "Globex", "Packet loss", "VPN tunnel"):
        assert outsider not in page


def test_dave_lists_only_the_madrid_ticket(world):
    response = signed_in("dave@acme.example").get("/portal/tickets/")

    assert numbers_listed(response) == ["INC-000003"]
    assert "Frankfurt" not in text(response)


def test_the_list_filters_by_status_and_kind_and_sorts_oldest_first(world):
    alice = signed_in("alice@acme.example")

    open_ones = alice.get("/portal/tickets/", {"status": "open"})
    finished = alice.get("/portal/tickets/", {"status": "closed"})
    complaints = alice.get("/portal/tickets/", {"kind": "complaint"})
    oldest_first = alice.get("/portal/tickets/", {"sort": "created"})
    nonsense = alice.get("/portal/tickets/", {"status": "bogus", "kind": "bogus", "sort": "bogus", "page": "x"})

    assert numbers_listed(open_ones) == ["INC-000003", "INC-000002", "INC-000001"]
    assert numbers_listed(finished) == ["CMP-000001"]
    assert numbers_listed(complaints) == ["CMP-000001"]
    assert numbers_listed(oldest_first) == ["INC-000001", "INC-000002", "CMP-000001", "INC-000003"]
    assert nonsense.status_code == 200  # a bad filter is ignored, never an error page
    assert numbers_listed(nonsense) == ["INC-000003", "CMP-000001", "INC-000002", "INC-000001"]


def test_search_finds_the_customers_own_tickets_and_nothing_behind_the_walls(world):
    alice = signed_in("alice@acme.example")

    afternoon = alice.get("/portal/tickets/", {"q": "afternoon"})
    payment = alice.get("/portal/tickets/", {"q": "payment"})  # Globex's ticket says "payment provider"
    tunnel = signed_in("carol@initech.example").get("/portal/tickets/", {"q": "MPLS"})

    assert numbers_listed(afternoon) == ["INC-000002"]
    assert numbers_listed(payment) == []
    assert "No tickets match these filters." in text(payment)
    assert numbers_listed(tunnel) == []


def test_a_customer_without_tickets_sees_the_empty_state(desk):  # noqa: F811
    response = signed_in("bob@globex.example").get("/portal/tickets/")

    assert response.status_code == 200
    assert numbers_listed(response) == []
    assert "You have no tickets yet." in text(response)
    assert 'href="/portal/tickets/new/"' in main(response)


def _link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', response.content.decode())
    return unescape(found.group(1)) if found else None


def test_the_list_pages_by_25_forwards_and_back(desk):  # noqa: F811
    with tenant_context(desk.northwind):
        bob = User.objects.get(email="bob@globex.example")
        for n in range(27):
            open_ticket(actor=bob, draft=TicketDraft(kind="enquiry", subject=f"Question {n}", description="?"))
    bob_client = signed_in("bob@globex.example")

    first = bob_client.get("/portal/tickets/", {"kind": "enquiry"})
    second = bob_client.get("/portal/tickets/" + _link(first, "next"))
    back = bob_client.get("/portal/tickets/" + _link(second, "prev"))

    assert len(numbers_listed(first)) == 25
    assert numbers_listed(first)[0] == "ENQ-000027"
    assert _link(first, "prev") is None
    assert "kind=enquiry" in _link(first, "next")  # the filters stay with the page
    assert numbers_listed(second) == ["ENQ-000002", "ENQ-000001"]
    assert _link(second, "next") is None
    assert numbers_listed(back) == numbers_listed(first)
    assert "27 tickets" in text(second)


def test_pages_neither_skip_nor_repeat_tickets_opened_in_the_same_instant(desk):  # noqa: F811
    with tenant_context(desk.northwind):
        bob = User.objects.get(email="bob@globex.example")
        for n in range(60):
            open_ticket(actor=bob, draft=TicketDraft(kind="enquiry", subject=f"Question {n}", description="?"))
        same = timezone.now().replace(microsecond=0)
        Ticket.objects.filter(number__startswith="ENQ-").update(created_at=same, updated_at=same)
    agent = signed_in("agent@northwind.example")

    for sort in ("-created", "created", "-updated", "updated", "priority", "due"):
        seen, url, pages = [], f"/console/tickets/?kind=enquiry&sort={sort}", 0
        while url:
            response = agent.get(url)
            seen += numbers_listed(response)
            pages += 1
            link = _link(response, "next")
            url = f"/console/tickets/{link}" if link else None
        assert pages == 2
        assert sorted(seen) == sorted(f"ENQ-{n:06d}" for n in range(1, 61)), sort
        assert len(seen) == 60


def test_a_cursor_the_list_did_not_hand_out_shows_the_first_page(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")
    first = numbers_listed(alice.get("/portal/tickets/"))

    for cursor in (
        "x",
        "WzFd",
        "WyIyMDI2LTEzLTQ1Il0",
        "WyJcdTAwMDAiLDFd",
        "eyJhIjoxfQ",
        "W10",
        "%00",
        "W1tbW1tbW1tbW10=",
    ):
        for direction in ("after", "before"):
            response = alice.get("/portal/tickets/", {direction: cursor})
            assert response.status_code == 200, (direction, cursor)
            assert numbers_listed(response) == first


# --- opening a ticket ---------------------------------------------------------------------------


def test_the_form_offers_alices_services_and_marks_the_one_without_a_contract(desk):  # noqa: F811
    response = signed_in("alice@acme.example").get("/portal/tickets/new/")

    assert response.status_code == 200
    options = re.findall(r'<option value="(NW-[A-Z]+-\d+)"[^>]*>([^<]*)</option>', response.content.decode())
    assert [value for value, _ in options] == [
        "NW-CPE-1004", "NW-INET-1002", "NW-MPLS-1001", "NW-VOICE-1003",  # Frankfurt
        "NW-MPLS-2001", "NW-SAT-2002", "NW-VOICE-2003",  # Madrid
    ]  # fmt: skip
    labels = dict(options)
    assert unescape(labels["NW-VOICE-2003"]) == "NW-VOICE-2003 · Voice line bundle (Madrid) — no current contract"
    assert "no current contract" not in labels["NW-MPLS-1001"]
    # Alice's own details are the call-back contact until she changes them.
    assert 'value="Alice Schneider"' in field_block(response, "contact_callback_name")
    assert "London" not in text(response)


def test_dave_is_offered_the_madrid_services_only(desk):  # noqa: F811
    response = signed_in("dave@acme.example").get("/portal/tickets/new/")

    assert re.findall(r'<option value="(NW-[A-Z]+-\d+)"', response.content.decode()) == [
        "NW-MPLS-2001",
        "NW-SAT-2002",
        "NW-VOICE-2003",
    ]


def test_a_valid_submission_opens_exactly_one_ticket_and_shows_its_number(desk):  # noqa: F811
    with tenant_context(desk.northwind):
        before = Ticket.objects.count()
    alice = signed_in("alice@acme.example")

    response = alice.post("/portal/tickets/new/", new_ticket_data())

    assert response.status_code == 302
    assert response["Location"] == "/portal/tickets/INC-000001/"
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == before + 1
        opened = Ticket.objects.select_related("service").get(number="INC-000001")
    assert opened.subject == "Slow uplink in the warehouse"
    assert opened.service.service_id == "NW-INET-1002"
    assert opened.channel == "portal"
    assert opened.priority == "P2"  # degradation × medium
    # 09:30 in Frankfurt (alice has no zone of her own; Northwind's is Europe/Berlin) in winter.
    assert opened.problem_started_at == dt.datetime(2025, 3, 10, 8, 30, tzinfo=dt.UTC)
    assert opened.answers == {
        "power_at_site": "yes",
        "symptom": "slowness",
        "source_ip": "10.20.1.15",
        "destination_ip": "198.51.100.20",
    }
    assert opened.contacts == {
        "callback": {"name": "Alice Schneider", "email": "alice@acme.example", "phone": "+49 69 5550 1234"}
    }
    page = alice.get(response["Location"])
    assert "Ticket INC-000001 is open." in text(page)
    assert '<span class="ticket-number">INC-000001</span>' in page.content.decode()


def test_an_invalid_submission_shows_each_error_beside_its_field_keeps_the_input_and_opens_nothing(desk):  # noqa: F811
    with tenant_context(desk.northwind):
        before = Ticket.objects.count()
    data = new_ticket_data(answer_power_at_site=None, answer_source_ip="10.20.1", answer_destination_ip="")

    response = signed_in("alice@acme.example").post("/portal/tickets/new/", data)

    assert response.status_code == 400
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == before
    assert errors_of(response, "answer_power_at_site") == ["This answer is required."]
    assert errors_of(response, "answer_source_ip") == ["Give an IPv4 or IPv6 address, e.g. 192.0.2.10."]
    assert errors_of(response, "answer_destination_ip") == ["This answer is required."]
    assert errors_of(response, "subject") == []
    # Everything typed is still there.
    assert 'value="Slow uplink in the warehouse"' in field_block(response, "subject")
    assert "Uploads crawl since this morning.</textarea>" in field_block(response, "description")
    assert 'value="10.20.1"' in field_block(response, "answer_source_ip")
    assert 'value="2025-03-10T09:30"' in field_block(response, "problem_started_at")
    assert re.search(r'<option value="slowness" selected>', field_block(response, "answer_symptom"))
    assert re.search(r'<option value="NW-INET-1002" selected>', field_block(response, "service"))
    assert 'value="ACME-7781"' in field_block(response, "customer_reference")
    assert "The ticket is not open yet." in text(response)


def test_an_incident_without_subject_service_impact_or_start_lists_every_problem_at_once(desk):  # noqa: F811
    data = {"kind": "incident", "urgency": "high", "contact_test_name": "Tom", "contact_test_email": "not-an-address"}

    response = signed_in("alice@acme.example").post("/portal/tickets/new/", data)

    assert response.status_code == 400
    assert errors_of(response, "subject") == ["A short description is required."]
    assert errors_of(response, "description") == ["Describe the problem or request."]
    assert errors_of(response, "service") == ["An incident names the affected service."]
    assert errors_of(response, "impact") == ["Say whether the service is down, degraded or not affected."]
    assert errors_of(response, "problem_started_at") == ["Say when the problem started."]
    # The contact's error sits on its group, which is unfolded.
    assert "Enter a valid e-mail address." in text(response)
    assert '<details class="more-contacts" open>' in response.content.decode()
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == 0


def test_a_problem_start_in_the_future_or_malformed_is_refused(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")

    future = alice.post("/portal/tickets/new/", new_ticket_data(problem_started_at="2999-01-01T10:00"))
    malformed = alice.post("/portal/tickets/new/", new_ticket_data(problem_started_at="yesterday"))

    assert errors_of(future, "problem_started_at") == ["The problem cannot start in the future."]
    assert errors_of(malformed, "problem_started_at") == ["Enter a valid date/time."]
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == 0


def test_another_accounts_service_cannot_be_chosen(desk):  # noqa: F811
    response = signed_in("alice@acme.example").post("/portal/tickets/new/", new_ticket_data(service="NW-INET-3001"))

    assert response.status_code == 400
    assert errors_of(response, "service") == [
        "Select a valid choice. NW-INET-3001 is not one of the available choices."
    ]
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == 0


def test_a_ticket_on_a_service_without_a_contract_is_opened_with_the_notice(desk):  # noqa: F811
    data = new_ticket_data(
        service="NW-VOICE-2003",
        subject="No calls from Madrid",
        answer_symptom=None,
        answer_source_ip=None,
        answer_destination_ip=None,
        answer_voice_problem="no_calls",
        answer_calling_number="+34 91 555 0100",
        answer_called_number="+34 91 555 0199",
    )
    alice = signed_in("alice@acme.example")

    response = alice.post("/portal/tickets/new/", data, follow=True)

    assert response.status_code == 200
    assert ticket("INC-000001", desk.northwind).is_entitled is False
    assert ENTITLEMENT_NOTICE in text(response)


# --- the questionnaire fragment -----------------------------------------------------------------


def question_names(response) -> list[str]:
    """The questions shown (the ones hidden until they apply are left out)."""
    html = response.content.decode()
    shown = re.findall(r'<div class="question">(.*?)</div>\s*(?=<div class="question|</fieldset>)', html, re.S)
    return [re.search(r'name="answer_([a-z_]+)"', block).group(1) for block in shown]


def test_the_questionnaire_follows_the_service_and_the_answers(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")

    mpls = alice.get("/portal/tickets/new/questions/", {"service": "NW-MPLS-1001"})
    slowness = alice.get(
        "/portal/tickets/new/questions/",
        {"service": "NW-MPLS-1001", "answer_symptom": "slowness", "answer_raining": "no"},
    )
    voice = alice.get(
        "/portal/tickets/new/questions/", {"service": "NW-VOICE-1003", "answer_voice_problem": "failed_calls"}
    )
    nothing = alice.get("/portal/tickets/new/questions/", {"service": ""})

    common = ["site_opening_hours", "power_at_site", "power_outage", "raining", "devices_connected", "equipment_restarted", "backup_line"]  # fmt: skip
    assert mpls.status_code == 200
    assert question_names(mpls) == [*common, "symptom"]
    assert question_names(slowness) == [*common, "symptom", "source_ip", "destination_ip"]
    assert re.search(r'value="no" id="id_answer_raining_1" checked', slowness.content.decode())  # answers so far kept
    assert question_names(voice) == [*common, "voice_problem", "calling_number", "called_number", "failed_call_times"]
    assert question_names(nothing) == []
    assert "<html" not in mpls.content.decode()  # a fragment, not a page
    # The answers that other questions depend on reload the fragment when they change (see ticket_new.html).
    reloading = re.findall(
        r'<(?:select|input)[^>]*\bname="answer_([a-z_]+)"[^>]*\bdata-reloads="true"', mpls.content.decode()
    )
    assert sorted(set(reloading)) == ["backup_line", "symptom"]


def test_the_questionnaire_fragment_shows_the_entitlement_notice_for_a_service_without_contract(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")

    covered = alice.get("/portal/tickets/new/questions/", {"service": "NW-VOICE-1003"})
    expired = alice.get("/portal/tickets/new/questions/", {"service": "NW-VOICE-2003"})

    assert ENTITLEMENT_NOTICE not in text(covered)
    assert ENTITLEMENT_NOTICE in text(expired)
    assert "NW-VOICE-2003 has no current maintenance contract or warranty." in text(expired)


@pytest.mark.parametrize(
    ("email", "service"),
    [
        ("alice@acme.example", "NW-INET-3001"),
        ("dave@acme.example", "NW-MPLS-1001"),
        ("alice@acme.example", "BP-VPN-0002"),
    ],
    ids=["other-account", "other-site", "other-tenant"],
)
def test_the_questionnaire_of_a_service_behind_the_walls_does_not_exist(desk, email, service):  # noqa: F811
    response = signed_in(email).get("/portal/tickets/new/questions/", {"service": service})

    assert response.status_code == 404


def test_without_javascript_the_page_shows_every_question_and_says_when_each_applies(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")

    response = alice.post(
        "/portal/tickets/new/", {**new_ticket_data(answer_symptom="", answer_source_ip=""), "show_questions": "1"}
    )

    assert response.status_code == 200  # only the questions were refreshed; nothing is opened
    html = response.content.decode()
    assert 'name="answer_source_ip"' in html
    assert re.search(r'<div class="question is-off">\s*<div class="field">\s*<label for="id_answer_source_ip">', html)
    # (hidden by CSS until it applies; a <noscript> style shows it when there is no JavaScript)
    assert "Only if “What do you observe?” is Slowness or Packet loss." in text(response)
    assert 'value="Slow uplink in the warehouse"' in html
    with tenant_context(desk.northwind):
        assert Ticket.objects.count() == 0


# --- the customer's ticket page -----------------------------------------------------------------


def test_alice_reads_her_ticket_with_its_answers_reply_files_and_history_but_no_internal_notes(world):
    response = signed_in("alice@acme.example").get("/portal/tickets/INC-000001/")

    assert response.status_code == 200
    page = text(response)
    assert "MPLS link to the data centre is down" in page
    assert "Since 08:10 the Frankfurt warehouse cannot reach the data centre." in page
    assert "What do you observe?" in page
    assert "No service at all" in page
    assert "NW-MPLS-1001 · MPLS IP-VPN" in page
    assert "Alice Schneider" in page
    assert "+49 69 5550 1234" in page
    assert "We see the line down at our side too" in page  # the desk's public reply
    assert "Work on the ticket started." in page  # the timeline, in words
    assert "Carrier ticket C-88213" not in page  # the internal note
    assert "An internal note was added." not in page
    assert ENTITLEMENT_NOTICE not in page


def test_alice_sees_her_file_but_not_the_staff_only_one(world):
    alice = signed_in("alice@acme.example")

    page = alice.get(f"/portal/tickets/{ACME_FRANKFURT}/")
    download = alice.get(f"/portal/tickets/{ACME_FRANKFURT}/attachments/{world.log.pk}/")
    staff_file = alice.get(f"/portal/tickets/{ACME_FRANKFURT}/attachments/{world.staff_file.pk}/")

    assert "trace.txt" in text(page)
    assert "carrier.txt" not in text(page)
    assert f'href="/portal/tickets/{ACME_FRANKFURT}/attachments/{world.log.pk}/"' in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="trace.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"traceroute to 198.51.100.20\n"
    assert staff_file.status_code == 404


def test_a_ticket_without_contract_shows_the_entitlement_notice(world):
    response = signed_in("dave@acme.example").get("/portal/tickets/INC-000003/")

    assert response.status_code == 200
    assert in_language("es", ENTITLEMENT_NOTICE) in text(response)  # dave reads Spanish


# --- walls ------------------------------------------------------------------------------------


OUTSIDERS = ["bob@globex.example", "carol@initech.example", "dave@acme.example"]


@pytest.mark.parametrize("email", OUTSIDERS, ids=["other-account", "other-tenant", "other-site"])
def test_an_outsider_gets_a_404_for_every_path_of_an_acme_frankfurt_ticket_and_nothing_changes(world, email):
    before = snapshot(ACME_FRANKFURT, world.northwind)
    outsider = signed_in(email)
    base = f"/portal/tickets/{ACME_FRANKFURT}"

    responses = {
        "page": outsider.get(f"{base}/"),
        "download": outsider.get(f"{base}/attachments/{world.log.pk}/"),
        "reply": outsider.post(f"{base}/reply/", {"reply-body": "Let me in"}),
        "attach": outsider.post(f"{base}/attach/", {"file": SimpleUploadedFile("x.txt", b"hello\n")}),
        "transition": outsider.post(f"{base}/transition/", {"action": "resume"}),
        "cancel": outsider.post(f"{base}/transition/", {"action": "cancel", "reason": "mine now"}),
    }

    assert {name: response.status_code for name, response in responses.items()} == dict.fromkeys(responses, 404)
    assert snapshot(ACME_FRANKFURT, world.northwind) == before
    for response in responses.values():
        assert "Slow internet" not in text(response)


def test_carol_asking_for_inc_000001_sees_her_own_ticket_never_acmes(world):
    response = signed_in("carol@initech.example").get("/portal/tickets/INC-000001/")

    assert response.status_code == 200
    page = text(response)
    assert "VPN tunnel flaps every few minutes" in page
    assert "MPLS" not in page
    assert "Acme" not in page


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("agent@northwind.example", f"/portal/tickets/{ACME_FRANKFURT}/"),
        ("agent@northwind.example", "/portal/tickets/"),
        ("agent@northwind.example", "/portal/tickets/new/"),
        ("alice@acme.example", "/console/tickets/"),
        ("alice@acme.example", f"/console/tickets/{ACME_FRANKFURT}/"),
        ("agent@bluepeak.example", f"/console/tickets/{ACME_FRANKFURT}/"),
        ("agent@bluepeak.example", f"/console/tickets/{ACME_FRANKFURT}/attachments/1/"),
        ("operator@desk.example", "/console/tickets/"),
    ],
)
def test_a_ticket_page_outside_the_users_role_or_tenant_does_not_exist(world, email, path):
    response = signed_in(email).get(path)

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["reply/", "note/", "attach/", "transition/", "assign/", "priority/"])
def test_the_other_tenants_agent_cannot_post_to_a_northwind_ticket(world, suffix):
    before = snapshot(ACME_FRANKFURT, world.northwind)

    response = signed_in("agent@bluepeak.example").post(
        f"/console/tickets/{ACME_FRANKFURT}/{suffix}",
        {
            "reply-body": "x",
            "note-body": "x",
            "action": "resume",
            "version": "1",
            "priority": "P1",
            "priority_reason": "x",
        },
    )

    assert response.status_code == 404
    assert snapshot(ACME_FRANKFURT, world.northwind) == before


def test_a_customer_cannot_post_to_the_consoles_endpoints(world):
    before = snapshot(ACME_FRANKFURT, world.northwind)
    alice = signed_in("alice@acme.example")

    note = alice.post(f"/console/tickets/{ACME_FRANKFURT}/note/", {"note-body": "internal?"})
    assign = alice.post(f"/console/tickets/{ACME_FRANKFURT}/assign/", {"version": "1", "assignee": ""})

    assert (note.status_code, assign.status_code) == (404, 404)
    assert snapshot(ACME_FRANKFURT, world.northwind) == before


def test_an_anonymous_visitor_is_sent_to_sign_in_from_a_ticket_page(world):
    response = Client().get(f"/portal/tickets/{ACME_FRANKFURT}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/portal/tickets/{ACME_FRANKFURT}/"


# --- the conversation and files ----------------------------------------------------------------


def test_alices_reply_to_a_ticket_waiting_for_her_resumes_it(world):
    alice = signed_in("alice@acme.example")

    response = alice.post(f"/portal/tickets/{ACME_FRANKFURT}/reply/", {"reply-body": "Traceroute attached."})

    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ACME_FRANKFURT}/#conversation"
    found = ticket(ACME_FRANKFURT, world.northwind)
    assert found.status == Ticket.Status.IN_PROGRESS
    with tenant_context(world.northwind):
        assert list(Comment.objects.filter(ticket=found).values_list("body", "internal")) == [
            ("Could you run a traceroute to 198.51.100.20 during the slow period and attach it?", False),
            ("Traceroute attached.", False),
        ]
    page = text(alice.get(response["Location"]))
    assert "Your reply was added." in page
    assert "Traceroute attached." in page


def test_an_empty_reply_is_refused_beside_the_box_and_nothing_is_added(world):
    before = snapshot(ACME_FRANKFURT, world.northwind)

    response = signed_in("alice@acme.example").post(f"/portal/tickets/{ACME_FRANKFURT}/reply/", {"reply-body": "  "})

    assert response.status_code == 400
    assert errors_of(response, "reply-body") == ["Write something."]
    assert snapshot(ACME_FRANKFURT, world.northwind) == before


def test_a_reply_to_a_closed_ticket_is_refused_and_the_text_is_kept(world):
    bob = signed_in("bob@globex.example")

    response = bob.post("/portal/tickets/ENQ-000001/reply/", {"reply-body": "One more thing"})

    # The page of a closed ticket has no reply box; a stale tab still gets a clear answer.
    assert response.status_code == 409
    assert "This ticket is closed. Open a new ticket and mention ENQ-000001." in text(response)


def test_alice_attaches_a_log_and_a_web_page_is_refused(world):
    alice = signed_in("alice@acme.example")
    before = snapshot(ACME_FRANKFURT, world.northwind)

    log = alice.post(
        f"/portal/tickets/{ACME_FRANKFURT}/attach/", {"file": SimpleUploadedFile("ping.txt", b"64 bytes from ...\n")}
    )
    page = alice.post(
        f"/portal/tickets/{ACME_FRANKFURT}/attach/",
        {"file": SimpleUploadedFile("evil.txt", b"<html><script>alert(1)</script></html>")},
    )
    nothing = alice.post(f"/portal/tickets/{ACME_FRANKFURT}/attach/", {})

    assert log.status_code == 302
    assert page.status_code == 400
    assert errors_of(page, "file") == ["Web pages and markup are not accepted; attach a PDF or a screenshot."]
    assert nothing.status_code == 400
    assert errors_of(nothing, "file") == ["Choose a file to attach."]
    with tenant_context(world.northwind):
        names = list(Attachment.objects.filter(ticket__number=ACME_FRANKFURT).values_list("name", "internal"))
    assert names == [("trace.txt", False), ("carrier.txt", True), ("ping.txt", False)]
    assert snapshot(ACME_FRANKFURT, world.northwind)[3] == before[3] + 1


# --- lifecycle actions by role ------------------------------------------------------------------


def action_names(response) -> list[str]:
    return re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', main(response))


def action_errors(response) -> list[str]:
    """The refusals shown at the top of the page's actions."""
    actions = re.search(r'<section class="card" id="actions">(.*?)</section>', response.content.decode(), re.S)
    assert actions, "no actions section"
    box = re.search(r'<div class="form-errors" role="alert"[^>]*>(.*?)</div>', actions.group(1), re.S)
    return [unescape(p) for p in re.findall(r"<p>(.*?)</p>", box.group(1))] if box else []


def test_each_role_is_offered_the_actions_it_may_take_now(world):
    alice = signed_in("alice@acme.example")
    agent = signed_in("agent@northwind.example")

    assert action_names(alice.get("/portal/tickets/INC-000003/")) == ["cancel"]  # new
    assert action_names(alice.get("/portal/tickets/INC-000001/")) == []  # in progress: the desk works
    assert action_names(alice.get("/portal/tickets/CMP-000001/")) == ["close", "reopen"]  # resolved
    assert action_names(agent.get("/console/tickets/INC-000003/")) == ["acknowledge", "start_work", "cancel"]
    assert action_names(agent.get("/console/tickets/INC-000001/")) == ["wait_for_customer", "resolve", "cancel"]


def test_a_customer_cancels_a_new_ticket_only_with_a_reason(world):
    dave = signed_in("dave@acme.example")
    before = snapshot("INC-000003", world.northwind)

    refused = dave.post("/portal/tickets/INC-000003/transition/", {"action": "cancel", "reason": ""})
    after_refusal = snapshot("INC-000003", world.northwind)
    done = dave.post("/portal/tickets/INC-000003/transition/", {"action": "cancel", "reason": "Works again."})

    assert refused.status_code == 400
    assert in_language("es", "Say why; the customer sees it.") in text(refused)
    assert '<details class="action" open>' in refused.content.decode()  # the form stays open
    assert after_refusal == before
    assert done.status_code == 302
    assert ticket("INC-000003", world.northwind).status == Ticket.Status.CANCELLED


def test_a_customer_confirms_a_resolution_and_cannot_acknowledge(world):
    alice = signed_in("alice@acme.example")
    before = snapshot("INC-000003", world.northwind)

    acknowledge = alice.post("/portal/tickets/INC-000003/transition/", {"action": "acknowledge"})
    bogus = alice.post("/portal/tickets/INC-000003/transition/", {"action": "explode"})
    close = alice.post("/portal/tickets/CMP-000001/transition/", {"action": "close"}, follow=True)

    assert acknowledge.status_code == 403
    assert len(action_errors(acknowledge)) == 1
    assert "acknowledge" in action_errors(acknowledge)[0]
    assert bogus.status_code == 400
    assert action_errors(bogus) == ["That action is not available."]
    assert snapshot("INC-000003", world.northwind) == before
    assert close.status_code == 200
    assert "CMP-000001 is now Closed." in text(close)
    assert ticket("CMP-000001", world.northwind).status == Ticket.Status.CLOSED


def test_an_action_no_longer_possible_is_explained_not_an_error_page(world):
    alice = signed_in("alice@acme.example")

    response = alice.post("/portal/tickets/INC-000001/transition/", {"action": "cancel", "reason": "Never mind"})

    # A customer may cancel only before work starts; whether the service calls this a refusal
    # of the role (403) or of the state (409), the page says so next to the actions.
    assert response.status_code in (403, 409)
    assert len(action_errors(response)) == 1
    assert "cancel" in action_errors(response)[0]
    assert ticket("INC-000001", world.northwind).status == Ticket.Status.IN_PROGRESS


# --- the agents' queue ----------------------------------------------------------------------------


def test_the_queue_lists_the_tenants_open_tickets_with_priority_and_entitlement_at_a_glance(world):
    response = signed_in("agent@northwind.example").get("/console/tickets/?sort=-created")

    assert response.status_code == 200
    assert numbers_listed(response) == ["INC-000004", "INC-000003", "INC-000002", "INC-000001"]
    html = main(response)
    row = re.search(r"<tr data-queue-row>(?:(?!</tr>).)*>INC-000003</a>.*?</tr>", html, re.S).group(0)
    assert '<span class="badge not-entitled"' in row
    assert '<span class="badge priority-p2">P2</span>' in row
    assert html.count('class="badge not-entitled"') == 1
    page = text(response)
    for outsider in ("VPN tunnel", "Initech"):
        assert outsider not in page


def test_the_queue_filters_stay_inside_the_tenant(world):
    agent = signed_in("agent@northwind.example")
    with tenant_context(world.northwind):
        mine = Ticket.objects.get(number="INC-000001")
        lena = User.objects.get(email="agent@northwind.example")
        assign_ticket(ticket=mine, actor=lena, version=mine.version, team_id=mine.team_id, assignee_id=lena.pk)

    def numbers(**params):
        return numbers_listed(agent.get("/console/tickets/", {"sort": "-created", **params}))

    assert numbers(assignee="mine") == ["INC-000001"]
    assert numbers(assignee="unassigned") == ["INC-000004", "INC-000003", "INC-000002"]
    assert numbers(priority="P1") == ["INC-000001"]
    assert numbers(account=str(world.globex.pk)) == ["INC-000004"]
    assert numbers(account=str(world.globex.pk), status="all") == ["ENQ-000001", "INC-000004"]
    assert numbers(status="resolved") == ["CMP-000001"]
    assert numbers(kind="complaint", status="all") == ["CMP-000001"]
    assert numbers(q="payment") == ["INC-000004"]
    assert numbers(q="tunnel", status="all") == []  # Initech's ticket, the other tenant
    # Bluepeak's account id is not a choice here: the filter is ignored, the walls hold.
    assert numbers(account=str(world.initech.pk)) == ["INC-000004", "INC-000003", "INC-000002", "INC-000001"]
    assert numbers(sort="priority") == ["INC-000001", "INC-000004", "INC-000003", "INC-000002"]


def test_the_bluepeak_agent_sees_only_initechs_ticket(world):
    response = signed_in("agent@bluepeak.example").get("/console/tickets/", {"status": "all"})

    assert numbers_listed(response) == ["INC-000001"]
    page = text(response)
    for outsider in ("Acme", "Globex", "MPLS", "payment"):
        assert outsider not in page


def test_the_queue_costs_the_same_number_of_queries_for_5_or_40_tickets(desk, django_assert_num_queries):  # noqa: F811
    agent = signed_in("agent@northwind.example")
    alice = User.objects.get(email="alice@acme.example")

    def open_some(count):
        with tenant_context(desk.northwind):
            for n in range(count):
                draft = TicketDraft(
                    kind="enquiry", subject=f"Question {n}", description="?", service_id="NW-MPLS-1001",
                    answers={"power_at_site": "yes", "symptom": "other"},
                )  # fmt: skip
                open_ticket(actor=alice, draft=draft)

    open_some(5)
    agent.get("/console/tickets/")  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        agent.get("/console/tickets/")
    open_some(35)
    with django_assert_num_queries(len(few.captured_queries)):
        response = agent.get("/console/tickets/")
    assert len(numbers_listed(response)) == 40


def test_the_empty_queue_says_so(desk):  # noqa: F811
    response = signed_in("manager@northwind.example").get("/console/tickets/")

    assert response.status_code == 200
    assert "No tickets in this queue. It is clear." in text(response)


# --- the agents' ticket page ---------------------------------------------------------------------


def test_the_agent_sees_internal_notes_staff_files_and_the_desks_fields(world):
    response = signed_in("agent@northwind.example").get(f"/console/tickets/{ACME_FRANKFURT}/")

    assert response.status_code == 200
    page = text(response)
    assert "carrier.txt" in page
    assert "Staff only" in page
    assert f'href="/console/tickets/{ACME_FRANKFURT}/attachments/{world.staff_file.pk}/"' in response.content.decode()
    assert "Acme Logistics GmbH" in page
    assert "The matrix gives P2 for Degradation × Medium." in page
    assert re.search(r'<input type="hidden" name="version" value="\d+"', response.content.decode())
    notes = signed_in("agent@northwind.example").get("/console/tickets/INC-000001/")
    assert "Carrier ticket C-88213" in text(notes)


def test_an_internal_note_is_never_shown_to_the_customer(world):
    agent = signed_in("agent@northwind.example")

    response = agent.post(f"/console/tickets/{ACME_FRANKFURT}/note/", {"note-body": "Customer's CPE looks flaky."})

    assert response.status_code == 302
    with tenant_context(world.northwind):
        assert Comment.objects.filter(ticket__number=ACME_FRANKFURT, internal=True).count() == 1
    assert "CPE looks flaky" in text(agent.get(f"/console/tickets/{ACME_FRANKFURT}/"))
    customer_page = text(signed_in("alice@acme.example").get(f"/portal/tickets/{ACME_FRANKFURT}/"))
    assert "CPE looks flaky" not in customer_page
    assert "An internal note was added." not in customer_page
    # Nor did it move the ticket: an internal note does not answer the customer.
    assert ticket(ACME_FRANKFURT, world.northwind).status == Ticket.Status.WAITING_FOR_CUSTOMER


def test_the_agents_public_reply_reaches_the_customer(world):
    agent = signed_in("agent@northwind.example")

    agent.post(f"/console/tickets/{ACME_FRANKFURT}/reply/", {"reply-body": "Any news on the traceroute?"})

    assert "Any news on the traceroute?" in text(
        signed_in("alice@acme.example").get(f"/portal/tickets/{ACME_FRANKFURT}/")
    )


def test_the_agent_attaches_a_staff_only_file(world):
    agent = signed_in("agent@northwind.example")

    agent.post(
        f"/console/tickets/{ACME_FRANKFURT}/attach/",
        {"file": SimpleUploadedFile("lab.txt", b"lab results\n"), "internal": "on"},
    )

    with tenant_context(world.northwind):
        assert Attachment.objects.get(name="lab.txt").internal is True
    assert "lab.txt" not in text(signed_in("alice@acme.example").get(f"/portal/tickets/{ACME_FRANKFURT}/"))


def test_the_agent_acknowledges_and_resolves_only_with_a_reason(world):
    agent = signed_in("agent@northwind.example")

    acknowledged = agent.post("/console/tickets/INC-000003/transition/", {"action": "acknowledge"})
    no_reason = agent.post("/console/tickets/INC-000003/transition/", {"action": "resolve", "reason": " "})
    resolved = agent.post("/console/tickets/INC-000003/transition/", {"action": "resolve", "reason": "Trunk reset."})

    assert acknowledged.status_code == 302
    assert no_reason.status_code == 400
    assert "Say why; the customer sees it." in text(no_reason)
    assert resolved.status_code == 302
    assert ticket("INC-000003", world.northwind).status == Ticket.Status.RESOLVED
    customer_page = text(signed_in("dave@acme.example").get("/portal/tickets/INC-000003/"))
    assert "Trunk reset." in customer_page  # the reason, on the customer's timeline


def test_a_manager_works_the_queue_too(world):
    manager = signed_in("manager@northwind.example")

    response = manager.post("/console/tickets/INC-000004/transition/", {"action": "start_work"})

    assert response.status_code == 302
    assert ticket("INC-000004", world.northwind).status == Ticket.Status.IN_PROGRESS


def assignment_of(number: str, tenant) -> tuple[str | None, str | None]:
    with tenant_context(tenant):
        found = Ticket.objects.select_related("team", "assignee").get(number=number)
        return (found.team.name if found.team else None, found.assignee.email if found.assignee else None)


def test_the_agent_assigns_a_ticket(world):
    agent = signed_in("agent@northwind.example")
    found = ticket("INC-000004", world.northwind)
    jonas = User.objects.get(email="voice.agent@northwind.example")

    response = agent.post(
        "/console/tickets/INC-000004/assign/",
        {"version": found.version, "team": found.team_id, "assignee": jonas.pk},
    )

    assert response.status_code == 302
    assert assignment_of("INC-000004", world.northwind) == ("Data/IP/ICT desk", "voice.agent@northwind.example")


def test_a_stale_assignment_says_someone_else_changed_the_ticket_and_keeps_the_choice(world):
    agent = signed_in("agent@northwind.example")
    loaded = ticket("INC-000004", world.northwind)
    jonas = User.objects.get(email="voice.agent@northwind.example")
    with tenant_context(world.northwind):
        manager = User.objects.get(email="manager@northwind.example")
        reassess_ticket(ticket=loaded, actor=manager, version=loaded.version, urgency="low")
    before = snapshot("INC-000004", world.northwind)

    response = agent.post(
        "/console/tickets/INC-000004/assign/",
        {"version": loaded.version, "team": loaded.team_id, "assignee": jonas.pk},
    )

    assert response.status_code == 409
    assert "Someone else changed this ticket after you loaded it." in text(response)
    assert snapshot("INC-000004", world.northwind) == before
    assert assignment_of("INC-000004", world.northwind) == ("Data/IP/ICT desk", None)
    form = re.search(
        r'<form method="post" action="/console/tickets/INC-000004/assign/".*?</form>', main(response), re.S
    )
    assert re.search(rf'<option value="{jonas.pk}" selected>', form.group(0))  # the choice is kept
    # …and now names the current version: saving again applies it, deliberately.
    assert f'name="version" value="{before[0]}"' in form.group(0)
    again = agent.post(
        "/console/tickets/INC-000004/assign/", {"version": before[0], "team": loaded.team_id, "assignee": jonas.pk}
    )
    assert again.status_code == 302
    assert assignment_of("INC-000004", world.northwind) == ("Data/IP/ICT desk", "voice.agent@northwind.example")


def test_a_priority_override_needs_a_reason_and_shows_on_the_timeline(world):
    agent = signed_in("agent@northwind.example")
    version = ticket("INC-000004", world.northwind).version

    refused = agent.post("/console/tickets/INC-000004/priority/", {"version": version, "priority": "P1"})
    done = agent.post(
        "/console/tickets/INC-000004/priority/",
        {"version": version, "priority": "P1", "priority_reason": "Payments down in every store."},
    )

    assert refused.status_code == 400
    assert errors_of(refused, "priority_reason") == ["Say why the priority differs from the matrix."]
    assert done.status_code == 302
    found = ticket("INC-000004", world.northwind)
    assert (found.priority, found.priority_overridden) == ("P1", True)
    page = text(agent.get("/console/tickets/INC-000004/"))
    assert "The desk set the priority to “P1 – critical” (it was “P2 – major”)." in page
    assert "Payments down in every store." in page


# --- escaping: what people type is shown, never run ---------------------------------------------


def test_a_script_typed_anywhere_is_escaped_on_every_page(desk):  # noqa: F811
    alice = signed_in("alice@acme.example")
    agent = signed_in("agent@northwind.example")
    created = alice.post(
        "/portal/tickets/new/",
        new_ticket_data(subject=XSS, description=XSS, answer_site_opening_hours=XSS, customer_reference=XSS,
                        contact_callback_name=XSS),
    )  # fmt: skip
    assert created.status_code == 302
    number = created["Location"].rstrip("/").rsplit("/", 1)[-1]
    alice.post(f"/portal/tickets/{number}/reply/", {"reply-body": XSS})
    agent.post(f"/console/tickets/{number}/note/", {"note-body": XSS})
    refused_form = alice.post("/portal/tickets/new/", new_ticket_data(subject=XSS, answer_source_ip=XSS))

    pages = {
        "list": alice.get("/portal/tickets/"),
        "search": alice.get("/portal/tickets/", {"q": XSS}),
        "ticket": alice.get(f"/portal/tickets/{number}/"),
        "refused form": refused_form,
        "fragment": alice.get(
            "/portal/tickets/new/questions/", {"service": "NW-MPLS-1001", "answer_site_opening_hours": XSS}
        ),
        "queue": agent.get("/console/tickets/"),
        "queue search": agent.get("/console/tickets/", {"q": XSS}),
        "console ticket": agent.get(f"/console/tickets/{number}/"),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert "<script>alert" not in html, name
    assert "&lt;script&gt;alert" in pages["ticket"].content.decode()
    assert text(pages["ticket"]).count(XSS) >= 5  # subject, description, answer, reference, contact, reply
    assert text(pages["console ticket"]).count(XSS) >= 6  # and the internal note


@pytest.mark.django_db
def test_the_ticket_page_shows_the_service_level_targets(demo, time_machine):
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)  # Friday, London
    bob = demo.user("bob@globex.example")
    with tenant_context(demo.northwind):
        ticket = open_ticket(
            actor=bob,
            draft=TicketDraft(
                kind="incident", service_id="NW-INET-3001", subject="Down", description="Down.", impact="outage",
                problem_started_at=timezone.now() - dt.timedelta(hours=1), answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
    client = Client()
    client.force_login(bob)
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    section = page[page.index('id="service-levels"') :]
    # Bob reads English in London time: respond due Monday 08:40.
    assert '<time class="when" datetime="2026-11-23T08:40:00+00:00">' in section
    assert "Response (ticket number confirmed)" in section
    assert "On track" in section


def test_the_assignment_form_offers_active_teams_and_people_and_refuses_an_inactive_team_next_to_it(world):
    from servicedesk.models import Team

    agent = signed_in("agent@northwind.example")
    found = ticket("INC-000004", world.northwind)
    jonas = User.objects.get(email="voice.agent@northwind.example")
    with tenant_context(world.northwind):
        retired = Team.objects.create(tenant=world.northwind, name="Retired desk", is_active=False)
    User.objects.filter(pk=jonas.pk).update(is_active=False)
    before = snapshot("INC-000004", world.northwind)

    page = agent.get("/console/tickets/INC-000004/")
    form = re.search(r'<form method="post" action="/console/tickets/INC-000004/assign/".*?</form>', main(page), re.S)
    refused = agent.post(
        "/console/tickets/INC-000004/assign/", {"version": found.version, "team": retired.pk, "assignee": ""}
    )
    refused_agent = agent.post(
        "/console/tickets/INC-000004/assign/", {"version": found.version, "team": found.team_id, "assignee": jonas.pk}
    )

    people = re.search(r'<select name="assignee".*?</select>', form.group(0), re.S).group(0)
    assert "Retired desk" not in form.group(0)
    assert "Lena Fischer" in people
    assert f'<option value="{jonas.pk}"' not in people
    assert f'<option value="{found.team_id}" selected>' in form.group(0)
    assert refused.status_code == 400
    assert errors_of(refused, "team") == ["Retired desk is inactive: choose an active team."]
    assert refused_agent.status_code == 400
    assert errors_of(refused_agent, "assignee") == ["Jonas Becker is deactivated: choose an active agent or manager."]
    assert snapshot("INC-000004", world.northwind) == before


def test_a_ticket_shows_its_own_inactive_team_and_keeps_it_when_saved(world):
    agent = signed_in("agent@northwind.example")
    found = ticket("INC-000004", world.northwind)
    with tenant_context(world.northwind):
        type(found.team).objects.filter(pk=found.team_id).update(is_active=False)
    me = User.objects.get(email="agent@northwind.example")

    page = agent.get("/console/tickets/INC-000004/")
    saved = agent.post(
        "/console/tickets/INC-000004/assign/", {"version": found.version, "team": found.team_id, "assignee": me.pk}
    )

    assert f'<option value="{found.team_id}" selected>Data/IP/ICT desk (inactive)</option>' in text(page)
    assert saved.status_code == 302
    assert assignment_of("INC-000004", world.northwind) == ("Data/IP/ICT desk", "agent@northwind.example")
