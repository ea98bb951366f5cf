"""The survey pages: the list, answering in the portal (errors next to the field, what was
typed kept), answering from the mail's signed link without signing in, the home's block, and
the walls (another user's survey is a 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from feedback.models import Survey
from feedback.services import survey_token
from servicedesk.tenancy import tenant_context
from tests.feedback.conftest import resolved_ticket, surveys_about


@pytest.fixture
def desk(demo):
    return demo


@pytest.fixture
def survey(desk, django_capture_on_commit_callbacks):
    return surveys_about(desk, resolved_ticket(desk, django_capture_on_commit_callbacks))[0]


def _client(demo, email=None):
    client = Client()
    if email:
        client.force_login(demo.user(email))
    return client


def _stored(desk, survey):
    with tenant_context(desk.northwind):
        return Survey.objects.get(pk=survey.pk)


@pytest.mark.django_db
def test_the_list_and_the_home_show_the_waiting_survey(desk, survey):
    alice = _client(desk, "alice@acme.example")
    page = alice.get("/portal/surveys/").content.decode()
    assert f'href="/portal/surveys/{survey.pk}/"' in page
    home = alice.get("/portal/").content.decode()
    assert "Surveys waiting" in home
    assert f'href="/portal/surveys/{survey.pk}/"' in home
    assert "Surveys waiting" not in _client(desk, "bob@globex.example").get("/portal/").content.decode()


@pytest.mark.django_db
def test_answering_in_the_portal(desk, survey):
    response = _client(desk, "alice@acme.example").post(
        f"/portal/surveys/{survey.pk}/", {"score": "4", "comment": "Good work."}
    )
    assert response.status_code == 302
    stored = _stored(desk, survey)
    assert (stored.score, stored.comment) == (4, "Good work.")
    assert "Your score: 4 of 5" in _client(desk, "alice@acme.example").get("/portal/surveys/").content.decode()


@pytest.mark.django_db
def test_a_missing_score_is_shown_next_to_the_field_and_the_comment_is_kept(desk, survey):
    response = _client(desk, "alice@acme.example").post(f"/portal/surveys/{survey.pk}/", {"comment": "Slow at first."})
    page = response.content.decode()
    assert response.status_code == 400
    assert "data-error-summary" in page
    assert 'href="#id_score_0"' in page
    assert "Choose a score from 1" in page
    assert "Slow at first." in page
    assert _stored(desk, survey).answered_at is None


@pytest.mark.django_db
def test_a_second_answer_in_the_portal_changes_nothing(desk, survey):
    alice = _client(desk, "alice@acme.example")
    alice.post(f"/portal/surveys/{survey.pk}/", {"score": "2"})
    page = alice.post(f"/portal/surveys/{survey.pk}/", {"score": "5"}, follow=True).content.decode()
    assert "Your score: 2 of 5" in page
    assert _stored(desk, survey).score == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outsider", ["dave@acme.example", "bob@globex.example", "carol@initech.example", "agent@northwind.example"]
)
def test_another_users_survey_page_is_a_404(desk, survey, outsider):
    client = _client(desk, outsider)
    assert client.get(f"/portal/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/portal/surveys/{survey.pk}/", {"score": "1"}).status_code == 404
    assert _stored(desk, survey).answered_at is None


@pytest.mark.django_db
def test_the_mail_link_answers_without_signing_in(desk, survey):
    link = f"/portal/surveys/answer/{survey_token(survey)}/"
    anonymous = _client(desk)
    page = anonymous.get(link)
    assert page.status_code == 200
    assert 'type="radio"' in page.content.decode()
    answered = anonymous.post(link, {"score": "5", "comment": "By mail."})
    assert answered.status_code == 200
    assert "Your score: 5 of 5" in answered.content.decode()
    assert _stored(desk, survey).score == 5


@pytest.mark.django_db
def test_a_forged_link_is_a_404(desk, survey):
    token = survey_token(survey)
    assert _client(desk).get(f"/portal/surveys/answer/{token[:-3]}abc/").status_code == 404
    assert _client(desk).post(f"/portal/surveys/answer/{token[:-3]}abc/", {"score": "1"}).status_code == 404
    assert _stored(desk, survey).answered_at is None
