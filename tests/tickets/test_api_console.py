"""The console's actions in the API: merging a duplicate (``POST /tickets/{number}/merge/``),
the canned responses (``GET /canned-responses/``) and unlinking an incident from a problem
(``DELETE /problems/{number}/incidents/{ticket}/``). Agents only; every wall crossed is a 404
and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Attachment, CannedResponse, Comment, ProblemIncident, Ticket, TicketEvent, TicketMerge
from tickets.services.problems import link_incident, open_problem

AGENT, ALICE, BOB = "agent@northwind.example", "alice@acme.example", "bob@globex.example"
OUTSIDER = "agent@bluepeak.example"

pytestmark = pytest.mark.django_db


def _open(desk, email: str = ALICE, **changes) -> str:
    response = desk.api(email).post("/api/v1/tickets/", {**INCIDENT, **changes}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def _ticket(desk, number: str) -> Ticket:
    with tenant_context(desk.northwind):
        return Ticket.objects.get(number=number)


def _state(desk, *numbers: str) -> list[tuple]:
    """What a refused merge must leave as it was: each ticket's version and status, and how
    many replies, files and timeline lines it has."""
    with tenant_context(desk.northwind):
        return [
            (
                found.version,
                found.status,
                Comment.objects.filter(ticket=found).count(),
                Attachment.objects.filter(ticket=found).count(),
                TicketEvent.objects.filter(ticket=found).count(),
            )
            for found in Ticket.objects.filter(number__in=numbers).order_by("number")
        ]


def _merge(desk, email: str, number: str, body: dict, **headers):
    return desk.api(email).post(f"/api/v1/tickets/{number}/merge/", body, format="json", **headers)


@pytest.fixture
def pair(desk):
    """Two open incidents of Acme: the first report and a duplicate with a reply, an internal
    note and a file."""
    target = _open(desk, subject="MPLS link down in Frankfurt")
    source = _open(desk, subject="Frankfurt offline")
    alice, agent = desk.api(ALICE), desk.api(AGENT)
    assert alice.post(f"/api/v1/tickets/{source}/comments/", {"body": "Still down."}, format="json").status_code == 201
    note = {"body": "Same fault as the first report.", "internal": True}
    assert agent.post(f"/api/v1/tickets/{source}/comments/", note, format="json").status_code == 201
    upload = {"file": SimpleUploadedFile("trace.txt", b"ping 10.0.0.1: timeout\n")}
    assert alice.post(f"/api/v1/tickets/{source}/attachments/", upload, format="multipart").status_code == 201
    return source, target


# --- merge ----------------------------------------------------------------------------------------


def test_an_agent_merges_a_duplicate_and_nothing_is_lost(desk, pair):
    source, target = pair
    with tenant_context(desk.northwind):
        moving = set(Comment.objects.filter(ticket__number=source).values_list("pk", flat=True))
        files = set(Attachment.objects.filter(ticket__number=source).values_list("pk", flat=True))
        history = set(TicketEvent.objects.filter(ticket__number=source).values_list("pk", flat=True))

    response = _merge(desk, AGENT, source, {"target": target, "version": _ticket(desk, source).version})

    assert response.status_code == 200
    assert response.json()["number"] == target
    with tenant_context(desk.northwind):
        merged, into = _ticket(desk, source), _ticket(desk, target)
        assert merged.status == Ticket.Status.CLOSED
        assert TicketMerge.objects.get(source=merged).target == into
        assert moving < set(Comment.objects.filter(ticket=into).values_list("pk", flat=True))
        assert set(Attachment.objects.filter(ticket=into).values_list("pk", flat=True)) == files
        told = Comment.objects.filter(ticket=into, internal=False).latest("created_at")
        assert source in told.body
        assert history < set(TicketEvent.objects.filter(ticket=merged).values_list("pk", flat=True))
    lines = desk.api(AGENT).get(f"/api/v1/tickets/{source}/timeline/").json()["results"]
    assert (lines[-1]["kind"], lines[-1]["field"], lines[-1]["to_value"]) == ("merged", "into", target)
    # The customer finds the conversation under the old number.
    found = desk.api(ALICE).get("/api/v1/tickets/", {"q": source}).json()["results"]
    assert [row["number"] for row in found] == [target]


def test_a_merge_sent_again_with_its_idempotency_key_answers_the_first_answer(desk, pair):
    source, target = pair
    headers = {"HTTP_IDEMPOTENCY_KEY": "merge-7f3c"}

    first = _merge(desk, AGENT, source, {"target": target}, **headers)
    again = _merge(desk, AGENT, source, {"target": target}, **headers)
    other_body = _merge(desk, AGENT, source, {"target": target, "version": 1}, **headers)
    without_key = _merge(desk, AGENT, source, {"target": target})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert (without_key.status_code, without_key.json()["code"]) == (409, "merge_source_closed")
    with tenant_context(desk.northwind):
        assert TicketMerge.objects.count() == 1
        assert Comment.objects.filter(ticket__number=target, body__contains=source).count() == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("self", "A ticket cannot be merged into itself."),
        ("resolved", "is no longer open: merge into an open ticket."),
        ("", "This field may not be blank."),
    ],
)
def test_merging_into_itself_a_closed_ticket_or_nothing_is_a_400_on_target(desk, pair, target, message):
    source, first = pair
    if target == "resolved":
        agent = desk.api(AGENT)
        agent.post(f"/api/v1/tickets/{first}/transition/", {"action": "acknowledge"}, format="json")
        resolved = agent.post(f"/api/v1/tickets/{first}/transition/", {"action": "resolve", "reason": "Fixed."})
        assert resolved.status_code == 200
    number = {"self": source, "resolved": first, "": ""}[target]
    before = _state(desk, source, first)

    response = _merge(desk, AGENT, source, {"target": number})

    assert response.status_code == 400
    assert list(response.json()) == ["target"]
    assert message in response.json()["target"][0]
    assert _state(desk, source, first) == before


def test_a_stale_version_is_a_409_and_changes_nothing(desk, pair):
    source, target = pair
    before = _state(desk, source, target)
    response = _merge(desk, AGENT, source, {"target": target, "version": _ticket(desk, source).version - 1})
    assert (response.status_code, response.json()["code"]) == (409, "stale_version")
    assert _state(desk, source, target) == before


@pytest.mark.parametrize(
    ("email", "target"),
    [
        (ALICE, "first"),  # a customer: merging is the desk's
        (AGENT, "globex"),  # another customer account's ticket
        (AGENT, "INC-999999"),  # no such ticket
        (OUTSIDER, "first"),  # another tenant's agent: neither ticket exists for them
    ],
)
def test_a_merge_across_a_wall_is_a_404_and_changes_nothing(desk, pair, email, target):
    source, first = pair
    globex = _open(desk, BOB, service="NW-INET-3001", answers={"power_at_site": "yes", "symptom": "no_service"})
    number = {"first": first, "globex": globex}.get(target, target)
    before = _state(desk, source, first, globex)

    response = _merge(desk, email, source, {"target": number})

    assert response.status_code == 404
    assert _state(desk, source, first, globex) == before


# --- canned responses -----------------------------------------------------------------------------


@pytest.fixture
def canned(desk):
    with tenant_context(desk.northwind):
        for language, title, body in (
            ("en", "Line test", "We are testing your line now."),
            ("de", "Leitungstest", "Wir prüfen Ihre Leitung."),
            ("en", "Engineer booked", "An engineer is on the way."),
        ):
            CannedResponse.objects.create(tenant=desk.northwind, language=language, title=title, body=body)
    with tenant_context(desk.bluepeak):
        CannedResponse.objects.create(tenant=desk.bluepeak, language="en", title="Reboot", body="We rebooted it.")
    with tenant_context(desk.bluepeak):
        return CannedResponse.objects.get(title="Reboot")


def test_an_agent_lists_the_desks_canned_responses_by_title_and_by_language(desk, canned):
    agent = desk.api(AGENT)

    every = agent.get("/api/v1/canned-responses/").json()["results"]
    english = agent.get("/api/v1/canned-responses/", {"language": "en"}).json()["results"]
    one = agent.get(f"/api/v1/canned-responses/{english[0]['id']}/")

    assert [(row["language"], row["title"]) for row in every] == [
        ("en", "Engineer booked"), ("de", "Leitungstest"), ("en", "Line test"),
    ]  # fmt: skip
    assert [row["title"] for row in english] == ["Engineer booked", "Line test"]
    assert one.status_code == 200
    assert one.json()["body"] == "An engineer is on the way."


def test_an_unknown_language_is_a_400_naming_it(desk, canned):
    response = desk.api(AGENT).get("/api/v1/canned-responses/", {"language": "fr"})
    assert response.status_code == 400
    assert list(response.json()) == ["language"]


def test_customers_and_other_tenants_see_no_canned_responses(desk, canned):
    with tenant_context(desk.northwind):
        ours = CannedResponse.objects.get(title="Line test")

    assert desk.api(ALICE).get("/api/v1/canned-responses/").json()["results"] == []
    assert desk.api(ALICE).get(f"/api/v1/canned-responses/{ours.pk}/").status_code == 404
    assert desk.api(AGENT).get(f"/api/v1/canned-responses/{canned.pk}/").status_code == 404
    assert [row["title"] for row in desk.api(OUTSIDER).get("/api/v1/canned-responses/").json()["results"]] == ["Reboot"]


# --- unlinking an incident from a problem ---------------------------------------------------------


@pytest.fixture
def linked(desk):
    number = _open(desk)
    with tenant_context(desk.northwind):
        agent = desk.user(AGENT)
        problem = open_problem(actor=agent, title="Line cards failing in Frankfurt")
        link_incident(problem=problem, actor=agent, ticket=Ticket.objects.get(number=number))
    return problem.number, number


def test_an_agent_unlinks_an_incident_and_both_timelines_say_so(desk, linked):
    problem, incident = linked

    response = desk.api(AGENT).delete(f"/api/v1/problems/{problem}/incidents/{incident}/")
    again = desk.api(AGENT).delete(f"/api/v1/problems/{problem}/incidents/{incident}/")

    assert (response.status_code, again.status_code) == (204, 204)
    assert desk.api(AGENT).get(f"/api/v1/problems/{problem}/").json()["incidents"] == []
    lines = desk.api(AGENT).get(f"/api/v1/tickets/{incident}/timeline/").json()["results"]
    assert (lines[-1]["field"], lines[-1]["from_value"], lines[-1]["to_value"]) == ("problem", problem, "")
    with tenant_context(desk.northwind):
        assert not ProblemIncident.objects.exists()


@pytest.mark.parametrize("email", [ALICE, OUTSIDER])
def test_unlinking_across_a_wall_is_a_404_and_keeps_the_link(desk, linked, email):
    problem, incident = linked
    response = desk.api(email).delete(f"/api/v1/problems/{problem}/incidents/{incident}/")
    assert response.status_code == 404
    with tenant_context(desk.northwind):
        assert ProblemIncident.objects.filter(problem__number=problem, ticket__number=incident).exists()


def test_unlinking_another_tenants_ticket_is_a_404(desk, linked):
    problem, _incident = linked
    theirs = desk.api("carol@initech.example").post(
        "/api/v1/tickets/", {"kind": "enquiry", "subject": "Invoice", "description": "Which address?"}, format="json"
    )
    assert theirs.status_code == 201
    number = theirs.json()["number"]
    with tenant_context(desk.northwind):
        assert not Ticket.objects.filter(number=number).exists()  # a number only Bluepeak has

    assert desk.api(AGENT).delete(f"/api/v1/problems/{problem}/incidents/{number}/").status_code == 404
