"""csat(): the surveys answered in a period, their count and average (2 places), one SQL
aggregate; the filters the service-level report takes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from feedback.selectors import csat
from servicedesk.tenancy import tenant_context
from tests.feedback.conftest import resolved_ticket, surveys_about

UTC = dt.UTC


def _answer(desk, survey, score, at):
    with time_machine.travel(at, tick=False):
        response = desk.api(survey.user.email).post(
            f"/api/v1/surveys/{survey.pk}/answer/", {"score": score}, format="json"
        )
    assert response.status_code == 200


@pytest.fixture
def answered(desk, django_capture_on_commit_callbacks):
    """Three surveys: alice's (Frankfurt) 5 on 3 Nov and 4 on 30 Nov 23:59:59, dave's
    (Madrid) 4 on 1 Dec 00:00; and bob's (Globex) unanswered."""
    first = surveys_about(desk, resolved_ticket(desk, django_capture_on_commit_callbacks))[0]
    second = surveys_about(desk, resolved_ticket(desk, django_capture_on_commit_callbacks))[0]
    daves = surveys_about(desk, resolved_ticket(desk, django_capture_on_commit_callbacks,
                                                who="dave@acme.example", service="NW-MPLS-2001"))[0]  # fmt: skip
    resolved_ticket(desk, django_capture_on_commit_callbacks, who="bob@globex.example", service="NW-INET-3001")
    _answer(desk, first, 5, dt.datetime(2026, 11, 3, 10, tzinfo=UTC))
    _answer(desk, second, 4, dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    _answer(desk, daves, 4, dt.datetime(2026, 12, 1, tzinfo=UTC))
    return desk


NOV = (dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.django_db
def test_csat_counts_the_surveys_answered_in_the_period(answered):
    with tenant_context(answered.northwind):
        assert csat(answered.northwind, *NOV) == {"responses": 2, "average": 4.5}
        assert csat(answered.northwind, NOV[0], dt.datetime(2026, 12, 2, tzinfo=UTC)) == {
            "responses": 3, "average": 4.33,
        }  # fmt: skip
        assert csat(answered.northwind, dt.datetime(2026, 1, 1, tzinfo=UTC), NOV[0]) == {
            "responses": 0, "average": None,
        }  # fmt: skip


@pytest.mark.django_db
def test_csat_filters_by_account_site_and_ticket_fields(answered):
    december = (NOV[0], dt.datetime(2027, 1, 1, tzinfo=UTC))
    with tenant_context(answered.northwind):
        assert csat(answered.northwind, *december, site=answered.madrid.pk) == {"responses": 1, "average": 4.0}
        assert csat(answered.northwind, *december, account=answered.globex.pk) == {"responses": 0, "average": None}
        assert csat(answered.northwind, *december, priority="P1")["responses"] == 3
        assert csat(answered.northwind, *december, kind="complaint")["responses"] == 0
        with pytest.raises(TypeError):
            csat(answered.northwind, *december, colour="red")


@pytest.mark.django_db
def test_csat_for_a_customer_user_keeps_their_walls(answered):
    december = (NOV[0], dt.datetime(2027, 1, 1, tzinfo=UTC))
    with tenant_context(answered.northwind):
        assert csat(answered.northwind, *december, actor=answered.user("dave@acme.example"))["responses"] == 1
        assert csat(answered.northwind, *december, actor=answered.user("alice@acme.example"))["responses"] == 3
        assert csat(answered.northwind, *december, actor=answered.user("bob@globex.example"))["responses"] == 0


@pytest.mark.django_db
def test_csat_is_one_query(answered, django_assert_num_queries):
    with tenant_context(answered.northwind), django_assert_num_queries(1):
        csat(answered.northwind, *NOV)
