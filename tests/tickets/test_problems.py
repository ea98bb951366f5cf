"""Problem records (staff) and reasons for outage: a customer asks after a resolved P1/P2
incident; the report is due within 5 business days on the desk's business calendar
(Northwind: Mon–Fri 08:30–17:00 Europe/Berlin, Hessen's holidays)."""

import pytest

from servicedesk.errors import InvalidInput
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Problem, ProblemEvent, Rfo, Ticket, TicketEvent
from tickets.services.problems import open_problem, unlink_incident, update_problem

AGENT, ALICE = "agent@northwind.example", "alice@acme.example"


def _resolved_incident(desk, time_machine, when, payload=None):
    time_machine.move_to(when, tick=False)
    body = (
        desk.api(ALICE)
        .post(
            "/api/v1/tickets/", {**(payload or INCIDENT), "problem_started_at": "2026-01-01T00:00:00Z"}, format="json"
        )
        .json()
    )
    agent = desk.api(AGENT)
    agent.post(f"/api/v1/tickets/{body['number']}/transition/", {"action": "acknowledge"}, format="json")
    agent.post(
        f"/api/v1/tickets/{body['number']}/transition/",
        {"action": "resolve", "reason": "Card replaced."},
        format="json",
    )
    return body["number"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requested", "due"),
    [
        # Monday 11:00 Berlin → Tue, Wed, Thu, Fri, Mon: Monday 30 Nov, 17:00 Berlin.
        ("2026-11-23T10:00:00Z", "2026-11-30T16:00:00Z"),
        # Tuesday 22 Dec → Wed 23, Thu 24 (a working day in Germany), Christmas and Boxing Day
        # closed, Mon 28, Tue 29, Wed 30.
        ("2026-12-22T10:00:00Z", "2026-12-30T16:00:00Z"),
        # Saturday: the request day is not counted, so Mon–Fri of the next week.
        ("2026-11-21T10:00:00Z", "2026-11-27T16:00:00Z"),
    ],
)
def test_an_rfo_is_due_at_close_of_business_on_the_5th_business_day(desk, time_machine, requested, due):
    number = _resolved_incident(desk, time_machine, requested)
    response = desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["due_at"], body["summary"]) == ("requested", due, None)
    sla = desk.api(ALICE).get(f"/api/v1/tickets/{number}/").json()["sla"]
    assert sla["rfo"] == {"due_at": due, "met_at": None, "state": "running"}


@pytest.mark.django_db
def test_an_rfo_is_only_for_resolved_p1_and_p2_incidents(desk, time_machine):
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)
    client = desk.api(ALICE)
    open_incident = client.post(
        "/api/v1/tickets/", {**INCIDENT, "problem_started_at": "2026-01-01T00:00:00Z"}, format="json"
    )
    refused = client.post(f"/api/v1/tickets/{open_incident.json()['number']}/rfo/")
    assert (refused.status_code, refused.json()["code"]) == (409, "rfo_too_early")
    minor = _resolved_incident(
        desk, time_machine, "2026-11-23T10:00:00Z", {**INCIDENT, "impact": "none", "urgency": "low"}
    )
    refused = client.post(f"/api/v1/tickets/{minor}/rfo/")
    assert (refused.status_code, refused.json()["code"]) == (409, "rfo_not_applicable")
    with tenant_context(desk.northwind):
        assert not Rfo.objects.exists()


@pytest.mark.django_db
def test_an_rfo_is_requested_once(desk, time_machine):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:00:00Z")
    assert desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/").status_code == 201
    again = desk.api(AGENT).post(f"/api/v1/tickets/{number}/rfo/")
    assert (again.status_code, again.json()["code"]) == (409, "rfo_exists")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outsider", ["bob@globex.example", "carol@initech.example", "agent@bluepeak.example", "dave@acme.example"]
)
def test_outsiders_cannot_ask_for_or_read_an_rfo(desk, time_machine, outsider):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:00:00Z")  # Acme, Frankfurt
    assert desk.api(outsider).post(f"/api/v1/tickets/{number}/rfo/").status_code == 404
    desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/")
    assert desk.api(outsider).get(f"/api/v1/tickets/{number}/rfo/").status_code == 404
    with tenant_context(desk.northwind):
        assert Rfo.objects.count() == 1


@pytest.mark.django_db
def test_the_published_report_reaches_the_customer_and_meets_the_target(desk, time_machine):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:00:00Z")
    desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/")
    problem = (
        desk.api(AGENT).post("/api/v1/problems/", {"title": "Faulty line cards in PE-FRA-2"}, format="json").json()
    )
    assert (
        desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/publish/", {"summary": "x"}, format="json").status_code
        == 403
    )
    time_machine.move_to("2026-11-26T09:00:00Z", tick=False)
    response = desk.api(AGENT).post(
        f"/api/v1/tickets/{number}/rfo/publish/",
        {"summary": "A line card failed. <script>x</script>", "preventive_measures": "Cards replaced fleet-wide.",
         "problem": problem["number"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    seen = desk.api(ALICE).get(f"/api/v1/tickets/{number}/rfo/").json()
    assert seen["status"] == "published"
    assert seen["summary_html"] == "<p>A line card failed. &lt;script&gt;x&lt;/script&gt;</p>"
    assert seen["preventive_measures"] == "Cards replaced fleet-wide."
    assert seen["problem"] == {"number": "PRB-000001", "title": "Faulty line cards in PE-FRA-2"}
    sla = desk.api(ALICE).get(f"/api/v1/tickets/{number}/").json()["sla"]
    assert sla["rfo"] == {"due_at": "2026-11-30T16:00:00Z", "met_at": "2026-11-26T09:00:00Z", "state": "met"}


@pytest.mark.django_db
def test_problems_are_the_desks_own(desk):
    created = desk.api(AGENT).post(
        "/api/v1/problems/", {"title": "BGP flaps on PE-MAD-1", "analysis": "proactive"}, format="json"
    )
    assert created.status_code == 201
    number = created.json()["number"]
    assert desk.api(ALICE).get("/api/v1/problems/").json()["results"] == []
    assert desk.api(ALICE).get(f"/api/v1/problems/{number}/").status_code == 404
    assert desk.api("agent@bluepeak.example").get(f"/api/v1/problems/{number}/").status_code == 404
    refused = desk.api(ALICE).post("/api/v1/problems/", {"title": "Mine"}, format="json")
    assert refused.status_code == 403
    with tenant_context(desk.northwind):
        assert Problem.objects.count() == 1


@pytest.mark.django_db
def test_a_problem_links_incidents_and_keeps_concurrent_edits_apart(desk, time_machine):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:00:00Z")
    agent = desk.api(AGENT)
    problem = agent.post("/api/v1/problems/", {"title": "Line cards"}, format="json").json()
    linked = agent.post(f"/api/v1/problems/{problem['number']}/incidents/", {"ticket": number}, format="json").json()
    assert linked["incidents"] == [{"number": number, "subject": "MPLS link down"}]
    first = agent.patch(
        f"/api/v1/problems/{problem['number']}/",
        {"version": 1, "root_cause": "Firmware bug", "status": "known_error"},
        format="json",
    )
    assert first.status_code == 200
    stale = agent.patch(f"/api/v1/problems/{problem['number']}/", {"version": 1, "workaround": "Reboot"}, format="json")
    assert stale.status_code == 409
    body = agent.get(f"/api/v1/problems/{problem['number']}/").json()
    assert (body["status"], body["root_cause"], body["workaround"], body["version"]) == (
        "known_error",
        "Firmware bug",
        "",
        2,
    )
    # For another desk this incident does not exist: it cannot link it to its own problem.
    bluepeak = desk.api("agent@bluepeak.example")
    theirs = bluepeak.post("/api/v1/problems/", {"title": "Theirs"}, format="json").json()["number"]
    assert bluepeak.post(f"/api/v1/problems/{theirs}/incidents/", {"ticket": number}, format="json").status_code == 404
    assert bluepeak.get(f"/api/v1/problems/{theirs}/").json()["incidents"] == []


@pytest.mark.django_db
def test_the_rfo_request_is_on_the_timeline_at_the_instant_it_was_asked(desk, time_machine):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:07:30Z")
    time_machine.move_to("2026-11-23T10:07:42Z", tick=False)
    desk.api(ALICE).post(f"/api/v1/tickets/{number}/rfo/")

    lines = desk.api(AGENT).get(f"/api/v1/tickets/{number}/timeline/").json()["results"]

    # The RFO's clock starts at the whole minute; its line keeps the seconds, so it reads last.
    assert (lines[-1]["field"], lines[-1]["at"]) == ("rfo", "2026-11-23T10:07:42Z")
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)


@pytest.mark.django_db
def test_a_problem_keeps_a_timeline_of_its_changes(desk, time_machine):
    number = _resolved_incident(desk, time_machine, "2026-11-23T10:00:00Z")
    agent = desk.user(AGENT)
    with tenant_context(desk.northwind):
        ticket = Ticket.objects.get(number=number)
        problem = open_problem(actor=agent, title="Line cards overheat", incidents=[ticket])
        unchanged = update_problem(problem=problem, actor=agent, version=1, changes={"title": "Line cards overheat"})
        assert unchanged.version == 1  # nothing changed: no new version, no line
        changed = update_problem(problem=problem, actor=agent, version=1, changes={"root_cause": "Fans fail."})
        unlink_incident(problem=changed, actor=agent, ticket=ticket)
        unlink_incident(problem=changed, actor=agent, ticket=ticket)  # not linked any more: nothing happens
        lines = list(
            ProblemEvent.objects.filter(problem=problem).values_list("kind", "field", "from_value", "to_value")
        )
        ticket_lines = list(
            TicketEvent.objects.filter(ticket=ticket, field="problem").values_list("from_value", "to_value", "internal")
        )
    assert changed.version == 2
    assert lines == [
        ("opened", "", "", "Line cards overheat"),
        ("incident_linked", "", "", number),
        ("field_changed", "root_cause", "", "Fans fail."),
        ("incident_unlinked", "", number, ""),
    ]
    assert ticket_lines == [("", problem.number, True), (problem.number, "", True)]


@pytest.mark.django_db
def test_only_incidents_are_the_incidents_of_a_new_problem(desk, time_machine):
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)
    enquiry = desk.api(ALICE).post(
        "/api/v1/tickets/", {"kind": "enquiry", "subject": "Invoice", "description": "Copy, please."}, format="json"
    )
    assert enquiry.status_code == 201, enquiry.json()
    with tenant_context(desk.northwind):
        ticket = Ticket.objects.get(number=enquiry.json()["number"])
        with pytest.raises(InvalidInput) as refused:
            open_problem(actor=desk.user(AGENT), title="Invoices go missing", incidents=[ticket])
        assert list(refused.value.errors) == ["incidents"]
        assert not Problem.objects.exists()
