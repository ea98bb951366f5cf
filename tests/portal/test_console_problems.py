"""The console's problem pages: problems recorded from incidents, incidents linked and
unlinked, root cause and measures saved on the version read, and the reason for outage the
customer asked for written and published (meeting the ``rfo`` target). Every page is the
desk's: customers and the other tenant's agents find nothing (404) and change nothing."""

import datetime as dt
import re

import pytest
from django.test import Client

from servicedesk.tenancy import tenant_context
from tickets.models import Problem, ProblemEvent, ProblemIncident, Rfo, SlaClock, SlaTarget, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.problems import open_problem, request_rfo

AGENT = "agent@northwind.example"
OUTSIDER = "agent@bluepeak.example"


def _incident(demo, subject="Line down"):
    alice, agent = demo.user("alice@acme.example"), demo.user(AGENT)
    with tenant_context(demo.northwind):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject=subject, description="Down.", impact="outage",
                urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        transition_ticket(ticket=ticket, actor=agent, action="resolve", reason="Card replaced.")
    return ticket


@pytest.fixture
def incident(demo):
    return _incident(demo)


@pytest.fixture
def problem(demo, incident):
    with tenant_context(demo.northwind):
        return open_problem(actor=demo.user(AGENT), title="Line cards fail in the heat", incidents=[incident])


@pytest.fixture
def requested(demo, incident):
    with tenant_context(demo.northwind):
        return request_rfo(ticket=incident, actor=demo.user("alice@acme.example"))


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


def _problem_state(demo, number):
    with tenant_context(demo.northwind):
        problem = Problem.objects.get(number=number)
        return (
            problem.version,
            problem.root_cause,
            sorted(ProblemIncident.objects.filter(problem=problem).values_list("ticket__number", flat=True)),
            ProblemEvent.objects.filter(problem=problem).count(),
        )


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_searches_and_filters_by_status(demo, problem):
    agent = demo.user(AGENT)
    with tenant_context(demo.northwind):
        resolved = open_problem(actor=agent, title="Old firmware reboots", status="resolved")
    client = _client(demo, AGENT)
    page = client.get("/console/problems/").content.decode()
    assert problem.number in page
    assert resolved.number not in page  # active ones by default
    page = client.get("/console/problems/?status=resolved").content.decode()
    assert resolved.number in page
    assert problem.number not in page
    page = client.get("/console/problems/?status=all&q=firmware").content.decode()
    assert resolved.number in page
    assert problem.number not in page
    assert client.get("/console/problems/?status=nonsense").status_code == 200


@pytest.mark.django_db
def test_the_other_tenants_agent_sees_none_of_the_problems(demo, problem):
    page = _client(demo, OUTSIDER).get("/console/problems/?status=all").content.decode()
    assert problem.number not in page


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "carol@initech.example"])
def test_customers_find_no_problem_page(demo, problem, requested, incident, email):
    client = _client(demo, email)
    for url in (
        "/console/problems/",
        "/console/problems/new/",
        "/console/problems/rfos/",
        f"/console/problems/rfos/{incident.number}/",
        f"/console/problems/{problem.number}/",
    ):
        assert client.get(url).status_code == 404, url
    before = _problem_state(demo, problem.number)
    for url, data in (
        (f"/console/problems/{problem.number}/edit/", {"version": 1, "title": "Mine", "root_cause": "x"}),
        (f"/console/problems/{problem.number}/unlink/{incident.number}/", {}),
        (f"/console/problems/rfos/{incident.number}/", {"summary": "Nothing."}),
        ("/console/problems/new/", {"title": "Mine"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert _problem_state(demo, problem.number) == before
    with tenant_context(demo.northwind):
        assert Problem.objects.count() == 1
        assert Rfo.objects.get(ticket=incident).status == Rfo.Status.REQUESTED


# --- a new problem --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_problem_is_recorded_from_incidents(demo, incident):
    other = _incident(demo, subject="Line down again")
    client = _client(demo, AGENT)
    page = client.get(f"/console/problems/new/?incident={incident.number}").content.decode()
    assert re.search(rf'value="{incident.number}"[^>]*checked', page)
    response = client.post(
        "/console/problems/new/",
        {"title": "Line cards fail", "analysis": "reactive", "incidents": [incident.number],
         "other_incidents": other.number.lower()},
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        problem = Problem.objects.get(title="Line cards fail")
        assert response["Location"] == f"/console/problems/{problem.number}/"
        assert sorted(problem.links.values_list("ticket__number", flat=True)) == sorted([incident.number, other.number])
        assert list(problem.events.values_list("kind", flat=True)) == ["opened", "incident_linked", "incident_linked"]
        line = TicketEvent.objects.get(ticket=incident, field="problem")
        assert (line.to_value, line.internal) == (problem.number, True)
    page = client.get(f"/console/problems/{problem.number}/").content.decode()
    assert f"Linked the incident {other.number}." in page


@pytest.mark.django_db
def test_a_refused_new_problem_keeps_the_input_and_names_the_fields(demo, incident):
    response = _client(demo, AGENT).post(
        "/console/problems/new/", {"title": "", "root_cause": "Heat", "other_incidents": "INC-999999"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "data-error-summary" in page
    assert "There is no incident INC-999999." in page
    assert 'href="#id_title"' in page  # the empty title is named in the same answer
    assert "Heat</textarea>" in page
    response = _client(demo, AGENT).post("/console/problems/new/", {"title": "", "root_cause": "Heat"})
    assert response.status_code == 400
    assert 'href="#id_title"' in response.content.decode()
    with tenant_context(demo.northwind):
        assert not Problem.objects.exists()


@pytest.mark.django_db
def test_the_other_tenants_agent_cannot_link_our_incident(demo, incident):
    response = _client(demo, OUTSIDER).post(
        "/console/problems/new/", {"title": "Ours", "other_incidents": incident.number}
    )
    assert response.status_code == 400
    assert f"No existe la incidencia {incident.number}." in response.content.decode()  # Pablo reads Spanish
    with tenant_context(demo.bluepeak):
        assert not Problem.objects.exists()
    with tenant_context(demo.northwind):
        assert not ProblemIncident.objects.exists()


# --- one problem ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_root_cause_and_measures_are_saved_with_a_line_each(demo, problem):
    client = _client(demo, AGENT)
    response = client.post(
        f"/console/problems/{problem.number}/edit/",
        {"version": 1, "title": problem.title, "status": "known_error", "analysis": "reactive",
         "root_cause": "Fans fail above 40 °C.", "workaround": "", "preventive_measures": "New fans."},
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        problem.refresh_from_db()
        assert (problem.version, problem.status, problem.root_cause) == (2, "known_error", "Fans fail above 40 °C.")
        changed = list(problem.events.filter(kind="field_changed").values_list("field", flat=True))
        assert changed == ["status", "root_cause", "preventive_measures"]
    page = client.get(f"/console/problems/{problem.number}/").content.decode()
    assert "Root cause: Fans fail above 40 °C." in page
    assert "Status: Known error (cause found)" in page


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_keeps_the_text(demo, problem):
    client = _client(demo, AGENT)
    fields = {"title": problem.title, "status": "open", "analysis": "reactive", "workaround": ""}
    assert (
        client.post(
            f"/console/problems/{problem.number}/edit/", {**fields, "version": 1, "root_cause": "A"}
        ).status_code
        == 302
    )
    before = _problem_state(demo, problem.number)
    response = client.post(f"/console/problems/{problem.number}/edit/", {**fields, "version": 1, "root_cause": "B"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this problem" in page
    assert ">\nB</textarea>" in page
    assert 'name="version" value="2"' in page
    assert _problem_state(demo, problem.number) == before


@pytest.mark.django_db
def test_incidents_are_linked_and_unlinked(demo, problem, incident):
    other = _incident(demo, subject="Second outage")
    client = _client(demo, AGENT)
    assert client.post(f"/console/problems/{problem.number}/link/", {"ticket": other.number}).status_code == 302
    assert _problem_state(demo, problem.number)[2] == sorted([incident.number, other.number])
    response = client.post(f"/console/problems/{problem.number}/unlink/{incident.number}/")
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        assert list(problem.links.values_list("ticket__number", flat=True)) == [other.number]
        assert problem.events.filter(kind="incident_unlinked", from_value=incident.number).count() == 1
        line = TicketEvent.objects.filter(ticket=incident, field="problem").last()
        assert (line.from_value, line.to_value) == (problem.number, "")
    response = client.post(f"/console/problems/{problem.number}/link/", {"ticket": "INC-999999"})
    assert response.status_code == 400
    assert "There is no incident INC-999999." in response.content.decode()


@pytest.mark.django_db
def test_the_other_tenants_agent_reaches_nothing_of_a_problem(demo, problem, incident):
    client = _client(demo, OUTSIDER)
    before = _problem_state(demo, problem.number)
    assert client.get(f"/console/problems/{problem.number}/").status_code == 404
    fields = {"version": 1, "title": "Taken", "root_cause": "x"}
    assert client.post(f"/console/problems/{problem.number}/edit/", fields).status_code == 404
    assert client.post(f"/console/problems/{problem.number}/link/", {"ticket": incident.number}).status_code == 404
    assert client.post(f"/console/problems/{problem.number}/unlink/{incident.number}/").status_code == 404
    assert _problem_state(demo, problem.number) == before


# --- reasons for outage ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_the_rfo_meets_the_target_and_the_customer_reads_it(demo, problem, incident, requested):
    client = _client(demo, AGENT)
    assert incident.number in client.get("/console/problems/rfos/").content.decode()
    page = client.get(f"/console/problems/rfos/{incident.number}/").content.decode()
    assert f'<option value="{problem.number}" selected' in page  # the linked problem is offered first
    response = client.post(
        f"/console/problems/rfos/{incident.number}/",
        {"summary": "A **line card** overheated.", "preventive_measures": "New fans.", "problem": problem.number},
    )
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        rfo = Rfo.objects.get(ticket=incident)
        clock = SlaClock.objects.get(ticket=incident, target=SlaTarget.RFO)
        assert (rfo.status, rfo.problem_id) == (Rfo.Status.PUBLISHED, problem.pk)
        assert clock.met_at == rfo.published_at
        assert clock.breached_at is None
        assert problem.events.filter(kind="rfo_published", to_value=incident.number).count() == 1
    assert incident.number not in client.get("/console/problems/rfos/").content.decode()
    page = _client(demo, "alice@acme.example").get(f"/portal/tickets/{incident.number}/").content.decode()
    assert "<strong>line card</strong>" in page
    assert "New fans." in page


@pytest.mark.django_db
def test_an_empty_report_is_refused_and_publishing_twice_too(demo, incident, requested):
    client = _client(demo, AGENT)
    response = client.post(
        f"/console/problems/rfos/{incident.number}/", {"summary": " ", "preventive_measures": "Fans"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what happened and why." in page
    assert "Fans</textarea>" in page
    with tenant_context(demo.northwind):
        assert Rfo.objects.get(ticket=incident).status == Rfo.Status.REQUESTED
    assert client.post(f"/console/problems/rfos/{incident.number}/", {"summary": "First."}).status_code == 302
    response = client.post(f"/console/problems/rfos/{incident.number}/", {"summary": "Second."})
    assert response.status_code == 409
    with tenant_context(demo.northwind):
        assert Rfo.objects.get(ticket=incident).summary == "First."


@pytest.mark.django_db
def test_the_other_tenants_agent_cannot_read_or_publish_our_rfo(demo, incident, requested):
    client = _client(demo, OUTSIDER)
    assert incident.number not in client.get("/console/problems/rfos/").content.decode()
    assert client.get(f"/console/problems/rfos/{incident.number}/").status_code == 404
    assert client.post(f"/console/problems/rfos/{incident.number}/", {"summary": "Ours."}).status_code == 404
    with tenant_context(demo.northwind):
        assert Rfo.objects.get(ticket=incident).status == Rfo.Status.REQUESTED


@pytest.mark.django_db
def test_a_ticket_without_a_request_has_no_rfo_page(demo, incident):
    assert _client(demo, AGENT).get(f"/console/problems/rfos/{incident.number}/").status_code == 404
