"""CSAT in the service-level report: the surveys about the report's tickets answered in the
period, through the report's filters and walls (API.md "Service-level report": csat)."""

from __future__ import annotations

import pytest

from tests.feedback.conftest import resolved_ticket, surveys_about

REPORT = "/api/v1/reports/sla/"


def _answer(desk, ticket, who, score):
    survey = surveys_about(desk, ticket)[-1]
    response = desk.api(who).post(f"/api/v1/surveys/{survey.pk}/answer/", {"score": score}, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_answered_surveys_of_the_reports_tickets_make_its_csat(demo, django_capture_on_commit_callbacks, time_machine):
    desk = demo
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    acme = resolved_ticket(desk, django_capture_on_commit_callbacks)
    london = resolved_ticket(desk, django_capture_on_commit_callbacks, who="bob@globex.example", service="NW-INET-3001")
    time_machine.move_to("2026-11-19T10:00:00Z", tick=False)
    _answer(desk, acme, "alice@acme.example", 5)
    _answer(desk, london, "bob@globex.example", 2)

    def csat(who, **params):
        response = desk.api(who).get(REPORT, {"from": "2026-11-01", "to": "2026-11-30", **params})
        assert response.status_code == 200, response.json()
        return response.json()["csat"]

    assert csat("manager@northwind.example") == {"responses": 2, "average": 3.5}
    assert csat("manager@northwind.example", account=desk.acme.pk) == {"responses": 1, "average": 5.0}
    assert csat("alice@acme.example") == {"responses": 1, "average": 5.0}  # her account's only
    assert csat("bob@globex.example") == {"responses": 1, "average": 2.0}
    # Answered on the 19th: a period that ends on the 18th has none.
    before = desk.api("manager@northwind.example").get(REPORT, {"from": "2026-11-01", "to": "2026-11-18"})
    assert before.json()["csat"] == {"responses": 0, "average": None}
