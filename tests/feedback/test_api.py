"""GET /api/v1/surveys/ and POST /api/v1/surveys/{id}/answer/ as API.md describes them; the
walls: another user's survey (same account, another account, another tenant) is a 404 and
stays unanswered."""

from __future__ import annotations

import pytest

from feedback.models import Survey
from servicedesk.tenancy import tenant_context
from tests.feedback.conftest import resolved_ticket, surveys_about


@pytest.fixture
def survey(desk, django_capture_on_commit_callbacks):
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    return surveys_about(desk, ticket)[0]


def _reload(desk, survey):
    with tenant_context(desk.northwind):
        return Survey.objects.get(pk=survey.pk)


@pytest.mark.django_db
def test_the_list_shows_the_callers_own_surveys_in_the_contracts_shape(desk, survey):
    body = desk.api("alice@acme.example").get("/api/v1/surveys/").json()
    assert body["results"] == [
        {
            "id": survey.pk,
            "about": {"kind": "ticket", "number": survey.ticket.number},
            "created_at": survey.created_at.isoformat().replace("+00:00", "Z"),
            "answered_at": None,
            "score": None,
            "comment": "",
        }
    ]


@pytest.mark.django_db
def test_the_state_filter_splits_pending_from_answered(desk, survey):
    alice = desk.api("alice@acme.example")
    assert [s["id"] for s in alice.get("/api/v1/surveys/?state=pending").json()["results"]] == [survey.pk]
    assert alice.get("/api/v1/surveys/?state=answered").json()["results"] == []
    assert (
        alice.post(f"/api/v1/surveys/{survey.pk}/answer/", {"score": 4, "comment": "Quick."}, format="json").status_code
        == 200
    )
    assert alice.get("/api/v1/surveys/?state=pending").json()["results"] == []
    answered = alice.get("/api/v1/surveys/?state=answered").json()["results"]
    assert [(s["id"], s["score"], s["comment"]) for s in answered] == [(survey.pk, 4, "Quick.")]
    assert alice.get("/api/v1/surveys/?state=later").status_code == 400


@pytest.mark.django_db
def test_answering_returns_the_answered_survey(desk, survey):
    response = desk.api("alice@acme.example").post(
        f"/api/v1/surveys/{survey.pk}/answer/", {"score": 5, "comment": "Fast and friendly."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["score"], response.json()["comment"]) == (5, "Fast and friendly.")
    assert response.json()["answered_at"] is not None
    stored = _reload(desk, survey)
    assert (stored.score, stored.comment) == (5, "Fast and friendly.")


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, -1, "five", None, 3.5, True, ""])
def test_a_score_outside_one_to_five_is_a_400_naming_score(desk, survey, score):
    response = desk.api("alice@acme.example").post(
        f"/api/v1/surveys/{survey.pk}/answer/", {"score": score, "comment": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "score" in response.json()
    assert _reload(desk, survey).answered_at is None


@pytest.mark.django_db
def test_a_missing_score_is_a_400_naming_score(desk, survey):
    response = desk.api("alice@acme.example").post(f"/api/v1/surveys/{survey.pk}/answer/", {}, format="json")
    assert response.status_code == 400
    assert "score" in response.json()


@pytest.mark.django_db
def test_a_second_answer_is_a_409_and_changes_nothing(desk, survey):
    alice = desk.api("alice@acme.example")
    assert alice.post(f"/api/v1/surveys/{survey.pk}/answer/", {"score": 2}, format="json").status_code == 200
    second = alice.post(
        f"/api/v1/surveys/{survey.pk}/answer/", {"score": 5, "comment": "Changed my mind"}, format="json"
    )
    assert second.status_code == 409
    assert second.json()["code"] == "survey_answered"
    stored = _reload(desk, survey)
    assert (stored.score, stored.comment) == (2, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outsider", ["dave@acme.example", "bob@globex.example", "carol@initech.example", "agent@northwind.example"]
)
def test_someone_elses_survey_is_a_404_and_stays_unanswered(desk, survey, outsider):
    client = desk.api(outsider)
    assert client.post(f"/api/v1/surveys/{survey.pk}/answer/", {"score": 1}, format="json").status_code == 404
    assert client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert survey.pk not in [s["id"] for s in client.get("/api/v1/surveys/").json()["results"]]
    assert _reload(desk, survey).answered_at is None


@pytest.mark.django_db
def test_the_surveys_endpoints_are_in_the_openapi_schema(desk):
    schema = desk.api("alice@acme.example").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/surveys/" in schema["paths"]
    answer = schema["paths"]["/api/v1/surveys/{id}/answer/"]["post"]
    assert "AnswerRequest" in str(answer["requestBody"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/surveys/"]["get"]["parameters"]}
    assert "state" in parameters


@pytest.mark.django_db
def test_an_order_survey_names_its_order(desk, django_capture_on_commit_callbacks):
    from tests.orders.conftest import MANAGER, advance, place  # noqa: PLC0415

    number = place(desk, "alice@acme.example")["number"]
    with django_capture_on_commit_callbacks(execute=True):
        advance(desk, number, "handed_over", who=MANAGER)
    results = desk.api("alice@acme.example").get("/api/v1/surveys/?state=pending").json()["results"]
    assert [s["about"] for s in results] == [{"kind": "order", "number": number}]
    assert desk.api("alice@acme.example").get("/api/v1/surveys/?state=wrong").json() == {
        "state": ["Use one of: pending, answered."]
    }
