"""Change requests: planning → quoted (cost, schedule) → accepted or declined by the customer →
scheduled (a planned-work notice goes to the account's contacts) → done; cancelled."""

import pytest

from config.celery import app as celery_app
from orders.models import ChangeRequest, ChangeRequestEvent
from orders.services.notices import send_planned_work_notice
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, BOB, DAVE, MANAGER, NOW, api

QUOTE = {
    "cost": "1450.00",
    "currency": "EUR",
    "planned_start": "2026-12-12T07:00:00Z",
    "planned_end": "2026-12-12T11:00:00Z",
    "note": "Crane and two technicians.",
}


@pytest.fixture
def eager_tasks():
    """Tasks run in the sending thread instead of going to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _open(desk, who=ALICE, **fields):
    payload = {
        "title": "Move the VSAT antenna",
        "description": "The roof is being renovated.",
        "service": "NW-SAT-2002",
    }
    response = api(desk, who).post("/api/v1/change-requests/", {**payload, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def _post(desk, who, number, what, payload=None):
    return api(desk, who).post(f"/api/v1/change-requests/{number}/{what}/", payload or {}, format="json")


def _status(desk, number):
    with tenant_context(desk.northwind):
        change = ChangeRequest.objects.get(number=number)
        return change.status, change.version


def _in(desk, status):
    number = _open(desk)
    steps = {
        "planning": [],
        "quoted": [(AGENT, "quote", QUOTE)],
        "accepted": [(AGENT, "quote", QUOTE), (ALICE, "accept", None)],
        "declined": [(AGENT, "quote", QUOTE), (ALICE, "decline", {"reason": "Too expensive."})],
        "scheduled": [(AGENT, "quote", QUOTE), (ALICE, "accept", None),
                      (AGENT, "transition", {"action": "schedule"})],
        "cancelled": [(AGENT, "transition", {"action": "cancel", "reason": "Duplicate."})],
    }[status]  # fmt: skip
    for who, what, payload in steps:
        assert _post(desk, who, number, what, payload).status_code == 200
    return number


@pytest.mark.django_db
def test_a_customer_asks_for_a_change_that_starts_in_planning(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _open(desk)
    body = api(desk, ALICE).get(f"/api/v1/change-requests/{number}/").json()
    assert (body["number"], body["status"], body["version"]) == ("CR-000001", "planning", 1)
    assert (body["site"]["name"], body["service"]["service_id"], body["account"]["name"]) == (
        "Madrid",
        "NW-SAT-2002",
        "Acme Logistics GmbH",
    )
    assert body["actions"] == ["cancel"]
    assert api(desk, AGENT).get(f"/api/v1/change-requests/{number}/").json()["actions"] == ["quote", "cancel"]


@pytest.mark.django_db
def test_the_desk_quotes_cost_and_schedule_and_the_customer_accepts(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _open(desk)
    assert _post(desk, ALICE, number, "quote", QUOTE).status_code == 403
    quoted = _post(desk, AGENT, number, "quote", QUOTE).json()
    assert (quoted["status"], quoted["quoted_cost"], quoted["currency"]) == ("quoted", "1450.00", "EUR")
    assert (quoted["planned_start"], quoted["planned_end"], quoted["quoted_at"]) == (
        "2026-12-12T07:00:00Z", "2026-12-12T11:00:00Z", NOW,
    )  # fmt: skip
    assert api(desk, ALICE).get(f"/api/v1/change-requests/{number}/").json()["actions"] == ["accept", "decline"]
    assert _post(desk, AGENT, number, "accept").status_code == 403  # the customer decides
    accepted = _post(desk, DAVE, number, "accept").json()  # a Madrid contact of the account
    assert (accepted["status"], accepted["decided_by"]["name"], accepted["decided_at"]) == (
        "accepted",
        "Dave Moreno",
        NOW,
    )
    with tenant_context(desk.northwind):
        kinds = list(ChangeRequestEvent.objects.filter(change_request__number=number).values_list("kind", "to_value"))
    assert kinds == [
        ("created", "planning"),
        ("transition", "quoted"),
        ("quoted", "1450.00 EUR, 2026-12-12T07:00:00+00:00 – 2026-12-12T11:00:00+00:00"),
        ("transition", "accepted"),
    ]


@pytest.mark.django_db
def test_declining_says_why_and_ends_the_request(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _in(desk, "quoted")
    assert list(_post(desk, ALICE, number, "decline").json()) == ["reason"]
    declined = _post(desk, ALICE, number, "decline", {"reason": "Too expensive."}).json()
    assert (declined["status"], declined["actions"]) == ("declined", [])
    assert _post(desk, ALICE, number, "accept").status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"planned_start": "2026-11-17T07:00:00Z"}, {"planned_start": ["The work is planned for the future."]}),
        ({"planned_end": "2026-12-12T06:00:00Z"}, {"planned_end": ["The work ends after it starts."]}),
        ({"cost": "-1"}, {"cost": ["Ensure this value is greater than or equal to 0."]}),
        ({"currency": "EU"}, {"currency": ["Give a three-letter currency code, e.g. EUR."]}),
    ],
)
def test_a_quote_needs_a_future_window_and_a_cost(desk, time_machine, change, errors):
    time_machine.move_to(NOW, tick=False)
    number = _open(desk)
    response = _post(desk, AGENT, number, "quote", {**QUOTE, **change})
    assert (response.status_code, response.json()) == (400, errors)
    assert _status(desk, number) == ("planning", 1)


# (status, who, action) → (HTTP status, status afterwards); reasons are given where needed.
CASES = [
    ("planning", ALICE, "cancel", 200, "cancelled"),
    ("planning", AGENT, "schedule", 409, "planning"),
    ("quoted", ALICE, "cancel", 403, "quoted"),  # a customer declines a quote instead
    ("quoted", MANAGER, "cancel", 200, "cancelled"),
    ("quoted", BOB, "accept", 404, "quoted"),  # another account's
    ("accepted", AGENT, "schedule", 200, "scheduled"),
    ("accepted", ALICE, "schedule", 403, "accepted"),
    ("accepted", AGENT, "complete", 409, "accepted"),
    ("scheduled", AGENT, "complete", 409, "scheduled"),  # not before the scheduled start
    ("scheduled", AGENT, "cancel", 200, "cancelled"),
    ("declined", AGENT, "schedule", 409, "declined"),
    ("cancelled", AGENT, "cancel", 409, "cancelled"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "who", "action", "code", "after"), CASES)
def test_each_transition_is_allowed_or_refused_by_role_and_status(desk, time_machine, start, who, action, code, after):
    time_machine.move_to(NOW, tick=False)
    number = _in(desk, start)
    version = _status(desk, number)[1]
    response = _post(desk, who, number, "transition", {"action": action, "reason": "Because."})
    assert response.status_code == code, response.json()
    assert _status(desk, number) == (after, version + 1 if code == 200 else version)


@pytest.mark.django_db
def test_the_work_is_done_once_its_window_has_started(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _in(desk, "scheduled")
    early = _post(desk, AGENT, number, "transition", {"action": "complete"})
    assert early.json()["detail"] == "The work cannot be done before its scheduled start."
    time_machine.move_to("2026-12-12T07:00:00Z", tick=False)
    done = _post(desk, AGENT, number, "transition", {"action": "complete"}).json()
    assert (done["status"], done["completed_at"]) == ("done", "2026-12-12T07:00:00Z")


@pytest.mark.django_db
def test_quote_is_not_a_plain_transition(desk):
    number = _open(desk)
    response = _post(desk, AGENT, number, "transition", {"action": "quote"})
    assert (response.status_code, list(response.json())) == (400, ["action"])


@pytest.mark.django_db
def test_scheduling_sends_the_planned_work_notice_to_the_accounts_contacts_once(
    desk, time_machine, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    number = _in(desk, "accepted")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = _post(desk, AGENT, number, "transition", {"action": "schedule"})
    assert scheduled.status_code == 200
    # Madrid: Alice (all sites) and Dave (Madrid only); Bob is another account's.
    assert sorted(mail.to[0] for mail in mailoutbox) == ["alice@acme.example", "dave@acme.example"]
    mail = next(m for m in mailoutbox if m.to == ["alice@acme.example"])
    assert mail.subject == "Planned work: CR-000001 Move the VSAT antenna"
    assert "From 2026-12-12 08:00 to 2026-12-12 12:00 (Europe/Madrid time)." in mail.body
    assert "Service: NW-SAT-2002" in mail.body
    body = api(desk, ALICE).get(f"/api/v1/change-requests/{number}/").json()
    assert body["notice_sent_at"] == NOW
    with tenant_context(desk.northwind):
        change = ChangeRequest.objects.get(number=number)
        assert send_planned_work_notice(change_request_id=change.pk) == 0  # a retried task sends nothing twice
        notice = ChangeRequestEvent.objects.get(change_request=change, kind="notice_sent")
    assert len(mailoutbox) == 2
    assert notice.to_value == "alice@acme.example, dave@acme.example"


@pytest.mark.django_db
def test_work_elsewhere_is_not_announced_to_a_contact_restricted_to_other_sites(
    desk, time_machine, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    number = _open(desk, service="NW-MPLS-1001")  # Frankfurt
    _post(desk, AGENT, number, "quote", QUOTE)
    _post(desk, ALICE, number, "accept")
    with django_capture_on_commit_callbacks(execute=True):
        _post(desk, AGENT, number, "transition", {"action": "schedule", "planned_start": "2026-12-14T07:00:00Z",
                                                  "planned_end": "2026-12-14T09:00:00Z"})  # fmt: skip
    assert [mail.to for mail in mailoutbox] == [["alice@acme.example"]]
    assert "From 2026-12-14 08:00 to 2026-12-14 10:00 (Europe/Berlin time)." in mailoutbox[0].body


@pytest.mark.django_db
def test_a_passed_window_must_be_moved_before_scheduling(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _in(desk, "accepted")
    time_machine.move_to("2026-12-13T09:00:00Z", tick=False)
    refused = _post(desk, AGENT, number, "transition", {"action": "schedule"})
    assert refused.json() == {"planned_start": ["The quoted window has passed; give a new one."]}
    moved = _post(desk, AGENT, number, "transition", {"action": "schedule", "planned_start": "2026-12-19T07:00:00Z",
                                                      "planned_end": "2026-12-19T09:00:00Z"})  # fmt: skip
    assert (moved.json()["status"], moved.json()["planned_start"]) == ("scheduled", "2026-12-19T07:00:00Z")


@pytest.mark.django_db
def test_invalid_change_requests_name_each_bad_field(desk):
    response = api(desk, ALICE).post(
        "/api/v1/change-requests/",
        {"title": "Move the rack", "description": "To room 2.14", "site": desk.london.pk},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, {"site": ["There is no such site."]})
    response = api(desk, ALICE).post("/api/v1/change-requests/", {"title": "x", "description": "y"}, format="json")
    assert response.json() == {"site": ["Name the site (or the service) the change is for."]}
    with tenant_context(desk.northwind):
        assert not ChangeRequest.objects.exists()


@pytest.mark.django_db
def test_a_contact_who_turned_planned_work_mail_off_gets_no_notice(
    desk, time_machine, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    User.objects.filter(email="dave@acme.example").update(mail_opt_outs=["planned_work"])
    number = _in(desk, "accepted")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(desk, AGENT, number, "transition", {"action": "schedule"}).status_code == 200
    assert [mail.to[0] for mail in mailoutbox] == ["alice@acme.example"]
