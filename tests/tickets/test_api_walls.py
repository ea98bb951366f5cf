"""Crossing the walls on every ticket path: another tenant (carol, agent@bluepeak), another
customer account (bob) and a site-restricted user (dave, Madrid only, against a Frankfurt
ticket). "Not yours" is a 404 with exactly the body of "does not exist", and a refused write
changes nothing: same version, same status, no new comment, attachment, event or file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from servicedesk.models import Team
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Attachment, Comment, Ticket, TicketEvent

ALICE = "alice@acme.example"
DAVE = "dave@acme.example"
BOB = "bob@globex.example"
CAROL = "carol@initech.example"
AGENT = "agent@northwind.example"
BLUEPEAK_AGENT = "agent@bluepeak.example"
NORTHWIND_STAFF = ["agent@northwind.example", "manager@northwind.example", "admin@northwind.example"]

# Everyone who must not reach Alice's Frankfurt ticket.
OUTSIDERS = [CAROL, BLUEPEAK_AGENT, BOB, DAVE]

FRANKFURT_WORD = "zanzibar"  # only in the Frankfurt ticket's description
NOTE_WORD = "kestrel"  # only in an internal note on the Frankfurt ticket
MISSING = "INC-999999"

SUBJECTS = {
    "frankfurt": "MPLS link down in Frankfurt",
    "madrid": "VSAT backup flapping in Madrid",
    "london": "London internet down",
    "dave_enquiry": "Question from Dave about invoices",
    "alice_enquiry": "Question from Alice about the contract",
    "barcelona": "Barcelona uplink complaint",
}


@dataclass
class Walls:
    demo: Any
    frankfurt: str  # ticket numbers
    madrid: str
    london: str
    dave_enquiry: str
    alice_enquiry: str
    barcelona: str  # in tenant bluepeak
    public_attachment: int  # on the Frankfurt ticket, uploaded by Alice
    internal_attachment: int  # on the Frankfurt ticket, staff only
    london_attachment: int


def _open(client, **fields) -> dict[str, Any]:
    response = client.post("/api/v1/tickets/", {**INCIDENT, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _enquiry(client, subject: str) -> dict[str, Any]:
    payload = {"kind": "enquiry", "subject": subject, "description": "When is the next invoice due?"}
    response = client.post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _upload(client, number: str, name: str = "router.log", internal: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, b"08:10:01 BGP neighbour down\n")}
    if internal:
        data["internal"] = "true"
    response = client.post(f"/api/v1/tickets/{number}/attachments/", data, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def _comment(client, number: str, body: str, internal: bool = False) -> dict[str, Any]:
    response = client.post(f"/api/v1/tickets/{number}/comments/", {"body": body, "internal": internal}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def walls(desk) -> Walls:
    """Tickets on every side of the walls. Northwind: Alice's Frankfurt incident (with a reply,
    an internal note, a public and a staff-only attachment), Alice's Madrid incident, Bob's
    London incident, a site-less enquiry each from Dave and Alice. Bluepeak: Carol's complaint
    (CMP-…, so no Bluepeak number equals a Northwind one)."""
    alice, agent = desk.api(ALICE), desk.api(AGENT)
    frankfurt = _open(
        alice,
        subject=SUBJECTS["frankfurt"],
        description=f"Since 08:10 the warehouse in {FRANKFURT_WORD.title()} hall cannot reach the data centre.",
    )["number"]
    public_attachment = _upload(alice, frankfurt)["id"]
    _comment(agent, frankfurt, "We see the line down too; a field engineer is on the way.")
    _comment(agent, frankfurt, f"Carrier ticket C-88213, contact {NOTE_WORD} desk.", internal=True)
    internal_attachment = _upload(agent, frankfurt, name="carrier-trace.log", internal=True)["id"]
    madrid = _open(
        alice,
        service="NW-SAT-2002",
        subject=SUBJECTS["madrid"],
        description="The VSAT backup drops every few minutes.",
    )["number"]
    bob = desk.api(BOB)
    london = _open(
        bob,
        service="NW-INET-3001",
        subject=SUBJECTS["london"],
        description="The shop in London has no internet.",
    )["number"]
    london_attachment = _upload(bob, london)["id"]
    dave_enquiry = _enquiry(desk.api(DAVE), SUBJECTS["dave_enquiry"])["number"]
    alice_enquiry = _enquiry(alice, SUBJECTS["alice_enquiry"])["number"]
    barcelona = _open(
        desk.api(CAROL),
        kind="complaint",
        service="BP-INET-0001",
        subject=SUBJECTS["barcelona"],
        description="The uplink upgrade to 20 Gbit/s was promised for last week.",
    )["number"]
    assert barcelona.startswith("CMP-")
    return Walls(
        desk, frankfurt, madrid, london, dave_enquiry, alice_enquiry, barcelona,
        public_attachment, internal_attachment, london_attachment,
    )  # fmt: skip


def _stored_files() -> list[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _state(demo, number: str, tenant=None) -> dict[str, Any]:
    """Everything a refused write must leave as it was."""
    with tenant_context(tenant or demo.northwind):
        ticket = Ticket.objects.get(number=number)
        return {
            "version": ticket.version,
            "status": ticket.status,
            "subject": ticket.subject,
            "updated_at": ticket.updated_at,
            "comments": Comment.objects.filter(ticket=ticket).count(),
            "attachments": Attachment.objects.filter(ticket=ticket).count(),
            "events": TicketEvent.objects.filter(ticket=ticket).count(),
            "files": _stored_files(),
        }


def _ticket_counts(demo) -> dict[str, int]:
    counts = {}
    for tenant in (demo.northwind, demo.bluepeak):
        with tenant_context(tenant):
            counts[tenant.slug] = Ticket.objects.count()
    return counts


def _version(demo, number: str) -> int:
    with tenant_context(demo.northwind):
        return Ticket.objects.get(number=number).version


def _subjects(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {ticket["subject"] for ticket in response.json()["results"]}


# --- Reading a ticket and what hangs off it -------------------------------------------------

READ_PATHS = {
    "detail": "/api/v1/tickets/{number}/",
    "comments": "/api/v1/tickets/{number}/comments/",
    "attachments": "/api/v1/tickets/{number}/attachments/",
    "download": "/api/v1/tickets/{number}/attachments/{attachment}/",
    "timeline": "/api/v1/tickets/{number}/timeline/",
}


@pytest.mark.parametrize("path", READ_PATHS)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_the_same_404_as_for_a_missing_ticket_on_every_read_path(walls, outsider, path):
    # Given Alice's Frankfurt ticket and an outsider
    client = walls.demo.api(outsider)
    url = READ_PATHS[path]
    before = _state(walls.demo, walls.frankfurt)

    # When the outsider reads it, and a ticket that does not exist
    response = client.get(url.format(number=walls.frankfurt, attachment=walls.public_attachment))
    missing = client.get(url.format(number=MISSING, attachment=walls.public_attachment))

    # Then both answers are the same 404, with no hint that the ticket exists
    assert response.status_code == 404
    assert missing.status_code == 404
    assert response.json() == missing.json()
    assert response.json()["code"] == "not_found"
    assert SUBJECTS["frankfurt"] not in response.content.decode()
    assert _state(walls.demo, walls.frankfurt) == before


@pytest.mark.parametrize("user", [ALICE, *NORTHWIND_STAFF])
def test_the_owner_and_the_desk_reach_every_read_path(walls, user):
    client = walls.demo.api(user)
    for name, url in READ_PATHS.items():
        response = client.get(url.format(number=walls.frankfurt, attachment=walls.public_attachment))
        assert response.status_code == 200, name


def test_the_owner_and_the_desk_reach_every_write_path(walls):
    # The control for the refusals below: the same requests work from inside the walls.
    alice, agent = walls.demo.api(ALICE), walls.demo.api(AGENT)
    base = f"/api/v1/tickets/{walls.frankfurt}/"
    version = _state(walls.demo, walls.frankfurt)["version"]

    statuses = {
        "patch": alice.patch(base, {"version": version, "subject": "Renamed by Alice"}, format="json").status_code,
        "reply": alice.post(f"{base}comments/", {"body": "Any news?"}, format="json").status_code,
        "upload": alice.post(
            f"{base}attachments/", {"file": SimpleUploadedFile("more.log", b"still down\n")}, format="multipart"
        ).status_code,
        "transition": agent.post(f"{base}transition/", {"action": "acknowledge"}, format="json").status_code,
        "callback": agent.post(f"{base}callback/", {"note": "Called Alice"}, format="json").status_code,
    }

    assert statuses == {"patch": 200, "reply": 201, "upload": 201, "transition": 200, "callback": 200}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_cannot_update_a_ticket_even_with_the_right_version(walls, outsider):
    # Given the outsider knows the ticket's current version
    before = _state(walls.demo, walls.frankfurt)
    client = walls.demo.api(outsider)

    # When they patch it
    response = client.patch(
        f"/api/v1/tickets/{walls.frankfurt}/",
        {"version": before["version"], "subject": "Hijacked", "description": "Hijacked"},
        format="json",
    )

    # Then 404 as for a missing ticket, and nothing changed
    assert response.status_code == 404
    missing = client.patch(f"/api/v1/tickets/{MISSING}/", {"version": 1, "subject": "Hijacked"}, format="json")
    assert response.json() == missing.json()
    assert _state(walls.demo, walls.frankfurt) == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_cannot_move_a_ticket_through_its_lifecycle(walls, outsider):
    # Given an action the outsider's role could take on a ticket of their own
    action = {"action": "acknowledge"} if outsider == BLUEPEAK_AGENT else {"action": "cancel", "reason": "Not needed"}
    before = _state(walls.demo, walls.frankfurt)
    client = walls.demo.api(outsider)

    # When they run it on the Frankfurt ticket
    response = client.post(f"/api/v1/tickets/{walls.frankfurt}/transition/", action, format="json")

    # Then 404 as for a missing ticket, and the ticket is still new
    assert response.status_code == 404
    assert response.json() == client.post(f"/api/v1/tickets/{MISSING}/transition/", action, format="json").json()
    after = _state(walls.demo, walls.frankfurt)
    assert after == before
    assert after["status"] == Ticket.Status.NEW


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_cannot_reply_to_a_ticket(walls, outsider):
    before = _state(walls.demo, walls.frankfurt)
    client = walls.demo.api(outsider)

    response = client.post(f"/api/v1/tickets/{walls.frankfurt}/comments/", {"body": "Injected reply"}, format="json")

    assert response.status_code == 404
    assert response.json() == client.post(f"/api/v1/tickets/{MISSING}/comments/", {"body": "x"}, format="json").json()
    assert _state(walls.demo, walls.frankfurt) == before
    with tenant_context(walls.demo.northwind):
        assert not Comment.objects.filter(body="Injected reply").exists()


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_cannot_attach_a_file_to_a_ticket(walls, outsider):
    before = _state(walls.demo, walls.frankfurt)
    client = walls.demo.api(outsider)

    response = client.post(
        f"/api/v1/tickets/{walls.frankfurt}/attachments/",
        {"file": SimpleUploadedFile("planted.log", b"planted by an outsider\n")},
        format="multipart",
    )

    assert response.status_code == 404
    assert response.json() == client.get(f"/api/v1/tickets/{MISSING}/").json()
    assert _state(walls.demo, walls.frankfurt) == before  # includes: no new file on disk
    with tenant_context(walls.demo.northwind):
        assert not Attachment.objects.filter(name="planted.log").exists()


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_cannot_log_a_call_back_on_a_ticket(walls, outsider):
    # The wall comes before the role check: Bluepeak's agent could log call-backs on his own
    # tickets, and a customer is not told that only the desk may.
    before = _state(walls.demo, walls.frankfurt)
    client = walls.demo.api(outsider)

    response = client.post(f"/api/v1/tickets/{walls.frankfurt}/callback/", {"note": "Called"}, format="json")

    assert response.status_code == 404
    assert response.json() == client.post(f"/api/v1/tickets/{MISSING}/callback/", {}, format="json").json()
    assert _state(walls.demo, walls.frankfurt) == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_404_not_a_validation_error_for_invalid_input(walls, outsider):
    # Validation must not run before the walls: a 400 would confirm that the ticket exists.
    client = walls.demo.api(outsider)
    base = f"/api/v1/tickets/{walls.frankfurt}/"
    before = _state(walls.demo, walls.frankfurt)

    responses = {
        "patch without version": client.patch(base, {"subject": ""}, format="json"),
        "unknown action": client.post(f"{base}transition/", {"action": "explode"}, format="json"),
        "empty reply": client.post(f"{base}comments/", {"body": ""}, format="json"),
        "upload without file": client.post(f"{base}attachments/", {}, format="multipart"),
        "missing attachment": client.get(f"{base}attachments/999999/"),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    assert _state(walls.demo, walls.frankfurt) == before


def test_an_anonymous_caller_is_refused_on_every_ticket_path(walls):
    client = APIClient()
    before = _state(walls.demo, walls.frankfurt)

    reads = [url.format(number=walls.frankfurt, attachment=walls.public_attachment) for url in READ_PATHS.values()]
    statuses = [client.get(url).status_code for url in [*reads, "/api/v1/tickets/", "/api/v1/services/"]]
    statuses.append(client.post(f"/api/v1/tickets/{walls.frankfurt}/comments/", {"body": "x"}).status_code)

    assert statuses == [401] * len(statuses)
    assert _state(walls.demo, walls.frankfurt) == before


def test_an_attachment_is_404_through_another_ticket_the_caller_can_see(walls):
    # Given Bob's own London ticket and Alice's own Madrid ticket
    bob, alice = walls.demo.api(BOB), walls.demo.api(ALICE)

    # When each asks for the Frankfurt attachment through a ticket of their own
    through_london = bob.get(f"/api/v1/tickets/{walls.london}/attachments/{walls.public_attachment}/")
    through_madrid = alice.get(f"/api/v1/tickets/{walls.madrid}/attachments/{walls.public_attachment}/")
    # and Alice asks for Bob's attachment through her Frankfurt ticket
    bobs_file = alice.get(f"/api/v1/tickets/{walls.frankfurt}/attachments/{walls.london_attachment}/")

    # Then 404, like an attachment id that does not exist
    missing = bob.get(f"/api/v1/tickets/{walls.london}/attachments/999999/")
    assert missing.status_code == 404
    for response in (through_london, through_madrid, bobs_file):
        assert response.status_code == 404
        assert response.json() == missing.json()


def test_a_number_that_exists_in_both_tenants_is_always_the_callers_own(walls):
    # Given a Bluepeak ticket with the same number as Alice's Frankfurt ticket
    carol = walls.demo.api(CAROL)
    own = _open(
        carol,
        service="BP-INET-0001",
        subject="Barcelona uplink down",
        description="The colocation uplink is down.",
    )
    assert own["number"] == walls.frankfurt
    frankfurt_before = _state(walls.demo, walls.frankfurt)

    # When Carol reads and updates that number, and asks for the Frankfurt attachment through it
    read = carol.get(f"/api/v1/tickets/{walls.frankfurt}/")
    patched = carol.patch(
        f"/api/v1/tickets/{walls.frankfurt}/", {"version": own["version"], "subject": "Renamed"}, format="json"
    )
    download = carol.get(f"/api/v1/tickets/{walls.frankfurt}/attachments/{walls.public_attachment}/")

    # Then she only ever reaches her own ticket; the Northwind one is untouched
    assert read.status_code == 200
    assert read.json()["subject"] == "Barcelona uplink down"
    assert read.json()["account"]["name"] == "Initech S.A."
    assert patched.status_code == 200
    assert patched.json()["subject"] == "Renamed"
    assert download.status_code == 404
    assert _state(walls.demo, walls.frankfurt) == frankfurt_before
    assert _state(walls.demo, walls.frankfurt, tenant=walls.demo.bluepeak)["subject"] == "Renamed"


# --- Lists and search ---------------------------------------------------------------------

ALL_NORTHWIND = {"frankfurt", "madrid", "london", "dave_enquiry", "alice_enquiry"}


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        (ALICE, {"frankfurt", "madrid", "alice_enquiry", "dave_enquiry"}),  # the whole account
        (DAVE, {"madrid", "dave_enquiry"}),
        (BOB, {"london"}),
        (CAROL, {"barcelona"}),
        (BLUEPEAK_AGENT, {"barcelona"}),
        *[(staff, ALL_NORTHWIND) for staff in NORTHWIND_STAFF],
    ],
)
def test_ticket_lists_show_exactly_the_tickets_inside_the_walls(walls, user, visible):
    response = walls.demo.api(user).get("/api/v1/tickets/")
    assert _subjects(response) == {SUBJECTS[name] for name in visible}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_full_text_search_does_not_find_tickets_outside_the_walls(walls, outsider):
    # Given a word that appears only in the Frankfurt ticket
    client = walls.demo.api(outsider)

    # When an outsider searches for it (alone, and combined with filters)
    plain = client.get("/api/v1/tickets/", {"q": FRANKFURT_WORD})
    filtered = client.get("/api/v1/tickets/", {"q": FRANKFURT_WORD, "service": "NW-MPLS-1001"})

    # Then nothing is found
    assert _subjects(plain) == set()
    assert _subjects(filtered) == set()


@pytest.mark.parametrize("user", [ALICE, *NORTHWIND_STAFF])
def test_full_text_search_finds_the_ticket_inside_the_walls(walls, user):
    response = walls.demo.api(user).get("/api/v1/tickets/", {"q": FRANKFURT_WORD})
    assert _subjects(response) == {SUBJECTS["frankfurt"]}


def test_a_word_of_an_internal_note_does_not_find_the_ticket_for_its_customer(walls):
    response = walls.demo.api(ALICE).get("/api/v1/tickets/", {"q": NOTE_WORD})
    assert _subjects(response) == set()


@pytest.mark.parametrize(
    ("user", "service_ids"),
    [
        (ALICE, {"NW-MPLS-1001", "NW-INET-1002", "NW-VOICE-1003", "NW-CPE-1004", "NW-MPLS-2001", "NW-SAT-2002",
                 "NW-VOICE-2003"}),
        (DAVE, {"NW-MPLS-2001", "NW-SAT-2002", "NW-VOICE-2003"}),
        (BOB, {"NW-INET-3001", "NW-MPLS-3002", "NW-VOICE-3003"}),
        (CAROL, {"BP-INET-0001", "BP-VPN-0002"}),
        (BLUEPEAK_AGENT, {"BP-INET-0001", "BP-VPN-0002"}),
    ],
)  # fmt: skip
def test_service_lists_show_only_the_callers_inventory(desk, user, service_ids):
    response = desk.api(user).get("/api/v1/services/")
    assert response.status_code == 200
    assert {service["service_id"] for service in response.json()["results"]} == service_ids


@pytest.mark.parametrize("suffix", ["", "questionnaire/"])
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_a_frankfurt_service_is_404_like_a_missing_one_for_outsiders(desk, outsider, suffix):
    client = desk.api(outsider)

    response = client.get(f"/api/v1/services/NW-MPLS-1001/{suffix}")
    missing = client.get(f"/api/v1/services/NW-NOPE-9999/{suffix}")

    assert response.status_code == 404
    assert missing.status_code == 404
    assert response.json() == missing.json()


@pytest.mark.parametrize("suffix", ["", "questionnaire/"])
def test_a_frankfurt_service_and_its_questionnaire_answer_alice(desk, suffix):
    assert desk.api(ALICE).get(f"/api/v1/services/NW-MPLS-1001/{suffix}").status_code == 200


# --- Opening tickets on someone else's objects --------------------------------------------


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_opening_a_ticket_on_a_service_outside_the_walls_is_refused_like_a_missing_service(walls, outsider):
    # Given the outsider's and everyone's ticket counts
    client = walls.demo.api(outsider)
    before = _ticket_counts(walls.demo)

    # When the outsider opens an incident on Acme's Frankfurt service, and on a missing one
    response = client.post("/api/v1/tickets/", {**INCIDENT, "service": "NW-MPLS-1001"}, format="json")
    missing = client.post("/api/v1/tickets/", {**INCIDENT, "service": "NW-NOPE-9999"}, format="json")

    # Then 400 naming the service, exactly as if it did not exist; no ticket anywhere
    assert response.status_code == 400
    assert "service" in response.json()
    assert response.json() == {
        field: [message.replace("NW-NOPE-9999", "NW-MPLS-1001") for message in messages]
        for field, messages in missing.json().items()
    }
    assert _ticket_counts(walls.demo) == before


def test_a_site_restricted_user_cannot_open_a_ticket_for_another_site(walls):
    client = walls.demo.api(DAVE)
    before = _ticket_counts(walls.demo)
    payload = {"kind": "enquiry", "subject": "Frankfurt question", "description": "Who is our contact?"}

    response = client.post("/api/v1/tickets/", {**payload, "site": walls.demo.frankfurt.pk}, format="json")
    missing = client.post("/api/v1/tickets/", {**payload, "site": 999999}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"site"}
    assert response.json() == missing.json()
    assert _ticket_counts(walls.demo) == before


def test_a_customer_cannot_open_a_ticket_for_another_account(walls):
    client = walls.demo.api(BOB)
    before = _ticket_counts(walls.demo)
    payload = {"kind": "enquiry", "subject": "Acme question", "description": "Who is our contact?"}

    response = client.post("/api/v1/tickets/", {**payload, "account": walls.demo.acme.pk}, format="json")
    missing = client.post("/api/v1/tickets/", {**payload, "account": 999999}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"account"}
    assert response.json() == missing.json()
    assert _ticket_counts(walls.demo) == before


@pytest.mark.parametrize("field", ["service", "site", "account"])
def test_the_desk_cannot_open_a_ticket_on_another_tenants_objects(walls, field):
    # Given Bluepeak's service, site and account, and a Northwind agent
    client = walls.demo.api(AGENT)
    foreign = {"service": "BP-INET-0001", "site": walls.demo.barcelona.pk, "account": walls.demo.initech.pk}
    missing = {"service": "NW-NOPE-9999", "site": 999999, "account": 999999}
    payload = {"kind": "enquiry", "subject": "Cross-tenant", "description": "Logged for another tenant?"}
    before = _ticket_counts(walls.demo)

    # When the agent opens a ticket on one of them, and on a missing one
    response = client.post("/api/v1/tickets/", {**payload, field: foreign[field]}, format="json")
    reference = client.post("/api/v1/tickets/", {**payload, field: missing[field]}, format="json")

    # Then 400 naming that field, as for a missing object; no ticket in either tenant
    assert response.status_code == 400
    assert field in response.json()
    assert response.json() == {
        name: [message.replace("NW-NOPE-9999", "BP-INET-0001") for message in messages]
        for name, messages in reference.json().items()
    }
    assert _ticket_counts(walls.demo) == before


@pytest.mark.parametrize("field", ["team", "assignee"])
def test_the_desk_cannot_hand_a_ticket_to_another_tenants_team_or_agent(walls, field):
    # Given a team and an agent of Bluepeak
    with tenant_context(walls.demo.bluepeak):
        foreign = {"team": Team.objects.order_by("pk").first().pk, "assignee": walls.demo.user(BLUEPEAK_AGENT).pk}
    before = _state(walls.demo, walls.frankfurt)

    # When a Northwind agent assigns the Frankfurt ticket to one of them
    response = walls.demo.api(AGENT).patch(
        f"/api/v1/tickets/{walls.frankfurt}/", {"version": before["version"], field: foreign[field]}, format="json"
    )

    # Then 400 naming the field, and the ticket is unchanged
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert _state(walls.demo, walls.frankfurt) == before
    with tenant_context(walls.demo.northwind):
        ticket = Ticket.objects.get(number=walls.frankfurt)
        assert ticket.team_id != foreign["team"]
        assert ticket.assignee_id is None


# --- The site-restricted user ---------------------------------------------------------------


def test_a_site_restricted_user_sees_the_sites_tickets_and_his_own_only(walls):
    client = walls.demo.api(DAVE)

    madrid = client.get(f"/api/v1/tickets/{walls.madrid}/")
    own = client.get(f"/api/v1/tickets/{walls.dave_enquiry}/")

    assert madrid.status_code == 200
    assert madrid.json()["subject"] == SUBJECTS["madrid"]
    assert own.status_code == 200
    assert own.json()["subject"] == SUBJECTS["dave_enquiry"]
    # Neither the other site's ticket nor a site-less ticket of a colleague
    assert client.get(f"/api/v1/tickets/{walls.frankfurt}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{walls.alice_enquiry}/").status_code == 404


def test_a_site_restricted_user_works_on_a_ticket_of_his_site(walls):
    client = walls.demo.api(DAVE)

    reply = client.post(f"/api/v1/tickets/{walls.madrid}/comments/", {"body": "Still flapping."}, format="json")
    upload = client.post(
        f"/api/v1/tickets/{walls.madrid}/attachments/",
        {"file": SimpleUploadedFile("vsat.log", b"modem lock lost\n")},
        format="multipart",
    )

    assert reply.status_code == 201
    assert upload.status_code == 201
    assert [c["body"] for c in client.get(f"/api/v1/tickets/{walls.madrid}/comments/").json()["results"]] == [
        "Still flapping."
    ]


# --- Internal notes and events ----------------------------------------------------------------


def test_customers_never_see_internal_notes_and_the_desk_does(walls):
    customer = walls.demo.api(ALICE).get(f"/api/v1/tickets/{walls.frankfurt}/comments/")
    staff = walls.demo.api(AGENT).get(f"/api/v1/tickets/{walls.frankfurt}/comments/")

    assert [(c["body"], c["internal"]) for c in customer.json()["results"]] == [
        ("We see the line down too; a field engineer is on the way.", False),
    ]
    assert [(c["body"], c["internal"]) for c in staff.json()["results"]] == [
        ("We see the line down too; a field engineer is on the way.", False),
        (f"Carrier ticket C-88213, contact {NOTE_WORD} desk.", True),
    ]


def test_customers_never_see_staff_only_attachments_and_the_desk_does(walls):
    customer = walls.demo.api(ALICE)
    staff = walls.demo.api(AGENT)
    url = f"/api/v1/tickets/{walls.frankfurt}/attachments/"

    assert [a["name"] for a in customer.get(url).json()["results"]] == ["router.log"]
    assert [a["name"] for a in staff.get(url).json()["results"]] == ["router.log", "carrier-trace.log"]
    assert customer.get(f"{url}{walls.internal_attachment}/").status_code == 404
    assert staff.get(f"{url}{walls.internal_attachment}/").status_code == 200


def test_customers_never_see_internal_events_in_the_timeline_and_the_desk_does(walls):
    url = f"/api/v1/tickets/{walls.frankfurt}/timeline/"

    customer = walls.demo.api(ALICE).get(url).json()["results"]
    staff = walls.demo.api(AGENT).get(url).json()["results"]

    assert [(e["kind"], e["to_value"]) for e in customer] == [
        ("created", "new"),
        ("attachment_added", "router.log"),
        ("commented", "reply"),
    ]
    assert [(e["kind"], e["to_value"]) for e in staff] == [
        ("created", "new"),
        ("attachment_added", "router.log"),
        ("commented", "reply"),
        ("commented", "internal note"),
        ("attachment_added", "carrier-trace.log"),
    ]


@pytest.mark.parametrize("internal", [True, "true"])
def test_a_customer_cannot_write_an_internal_note(walls, internal):
    before = _state(walls.demo, walls.frankfurt)

    response = walls.demo.api(ALICE).post(
        f"/api/v1/tickets/{walls.frankfurt}/comments/", {"body": "Secret?", "internal": internal}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"internal"}
    assert _state(walls.demo, walls.frankfurt) == before
    with tenant_context(walls.demo.northwind):
        assert not Comment.objects.filter(body="Secret?").exists()
