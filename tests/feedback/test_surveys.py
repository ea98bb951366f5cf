"""Surveys are asked after a ticket's resolution (once per resolution) and after an order's
handover, of the right person, and mailed to them with a signed link unless they opted out."""

from __future__ import annotations

import re

import pytest
import time_machine

from feedback.models import Survey
from feedback.services import InvalidSurveyLink, read_survey_token, survey_order_handover, survey_ticket_resolution
from orders.models import Order
from servicedesk.notifications import MailKind
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import act, incident
from tests.feedback.conftest import resolved_ticket, surveys_about
from tests.orders.conftest import MANAGER, advance, place


@pytest.mark.django_db
def test_resolving_a_ticket_asks_its_opener_once(desk, django_capture_on_commit_callbacks):
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    surveys = surveys_about(desk, ticket)
    assert len(surveys) == 1
    survey = surveys[0]
    assert (survey.about, survey.user.email, survey.account_id, survey.site_id) == (
        "ticket", "alice@acme.example", desk.acme.pk, desk.frankfurt.pk,
    )  # fmt: skip
    assert survey.answered_at is None
    # The same resolution announced again (another change while resolved) asks nothing more.
    with tenant_context(desk.northwind):
        assert survey_ticket_resolution(ticket_id=ticket.pk) is None
    assert len(surveys_about(desk, ticket)) == 1


@pytest.mark.django_db
def test_an_open_ticket_asks_nothing(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = incident(desk)
        act(desk, ticket, "acknowledge")
    assert surveys_about(desk, ticket) == []


@pytest.mark.django_db
def test_reopened_and_resolved_again_moves_an_unanswered_survey_to_the_new_resolution(
    desk, django_capture_on_commit_callbacks
):
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    first = surveys_about(desk, ticket)[0]
    with django_capture_on_commit_callbacks(execute=True):
        act(desk, ticket, "reopen", who="alice@acme.example")
        act(desk, ticket, "resolve", reason="Replaced the line card again.")
    surveys = surveys_about(desk, ticket)
    assert [s.pk for s in surveys] == [first.pk]
    with tenant_context(desk.northwind):
        ticket.refresh_from_db()
    assert surveys[0].occasion_at == ticket.resolved_at != first.occasion_at


@pytest.mark.django_db
def test_reopened_and_resolved_again_after_an_answer_asks_again(desk, django_capture_on_commit_callbacks):
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    assert (
        desk.api("alice@acme.example")
        .post(f"/api/v1/surveys/{surveys_about(desk, ticket)[0].pk}/answer/", {"score": 2}, format="json")
        .status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(desk, ticket, "reopen", who="alice@acme.example")
        act(desk, ticket, "resolve", reason="Fixed for good.")
    surveys = surveys_about(desk, ticket)
    assert [(s.score is not None) for s in surveys] == [True, False]


@pytest.mark.django_db
def test_a_ticket_the_desk_opened_for_a_caller_asks_no_agent(desk, django_capture_on_commit_callbacks):
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks, who="agent@northwind.example")
    assert surveys_about(desk, ticket) == []


@pytest.mark.django_db
def test_handing_over_an_order_asks_the_user_who_placed_it_once(desk, django_capture_on_commit_callbacks):
    number = place(desk, "dave@acme.example", "madrid")["number"]
    with django_capture_on_commit_callbacks(execute=True):
        advance(desk, number, "handed_over", who=MANAGER)
    with tenant_context(desk.northwind):
        order = Order.objects.get(number=number)
        surveys = list(Survey.objects.filter(order=order))
        assert [(s.about, s.user.email, s.site_id) for s in surveys] == [("order", "dave@acme.example", desk.madrid.pk)]
        assert survey_order_handover(order_id=order.pk) is None  # a repeated event
        assert Survey.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_the_invitation_mail_carries_a_signed_link_in_the_users_language(
    desk, django_capture_on_commit_callbacks, eager_tasks, mailoutbox
):
    user = desk.user("alice@acme.example")
    user.language = "de"
    user.save(update_fields=["language"])
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    survey = surveys_about(desk, ticket)[0]
    assert [m.to for m in mailoutbox] == [["alice@acme.example"]]
    mail = mailoutbox[0]
    assert ticket.number in mail.subject
    assert "zufrieden" in mail.body
    token = re.search(r"/portal/surveys/answer/([^/\s]+)/", mail.body).group(1)
    assert read_survey_token(token) == (desk.northwind.pk, survey.pk)
    assert survey.invited_at is not None


@pytest.mark.django_db
def test_the_link_expires_after_thirty_days(desk, django_capture_on_commit_callbacks, eager_tasks, mailoutbox):
    with time_machine.travel("2026-03-02T09:00:00Z", tick=False):
        resolved_ticket(desk, django_capture_on_commit_callbacks)
    token = re.search(r"/portal/surveys/answer/([^/\s]+)/", mailoutbox[0].body).group(1)
    with time_machine.travel("2026-03-31T09:00:00Z", tick=False):
        assert read_survey_token(token)[0] == desk.northwind.pk
    with time_machine.travel("2026-04-02T09:00:00Z", tick=False), pytest.raises(InvalidSurveyLink):
        read_survey_token(token)
    with pytest.raises(InvalidSurveyLink):
        read_survey_token(token[:-2] + "xx")


@pytest.mark.django_db
def test_a_user_who_turned_survey_mail_off_gets_no_mail_but_the_survey(
    desk, django_capture_on_commit_callbacks, eager_tasks, mailoutbox
):
    user = desk.user("alice@acme.example")
    user.mail_opt_outs = [MailKind.SURVEY]
    user.save(update_fields=["mail_opt_outs"])
    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert len(surveys_about(desk, ticket)) == 1


@pytest.mark.django_db
def test_an_invitation_goes_out_once(desk, django_capture_on_commit_callbacks, eager_tasks, mailoutbox):
    from feedback.services import invite_to_survey  # noqa: PLC0415

    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    survey = surveys_about(desk, ticket)[0]
    with tenant_context(desk.northwind):
        assert invite_to_survey(survey_id=survey.pk) is False  # a retried task
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_score_outside_one_to_five_cannot_be_stored(desk, django_capture_on_commit_callbacks):
    from django.db import IntegrityError, transaction  # noqa: PLC0415

    ticket = resolved_ticket(desk, django_capture_on_commit_callbacks)
    survey = surveys_about(desk, ticket)[0]
    with tenant_context(desk.northwind), pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(score=6, answered_at=survey.created_at)
