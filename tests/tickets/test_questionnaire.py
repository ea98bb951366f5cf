"""Intake questionnaires per service type, with conditional questions, validated on the
server for every channel."""

import pytest

from tests.tickets.conftest import INCIDENT

VOICE = {**INCIDENT, "service": "NW-VOICE-1003"}
VOICE_BASE = {"power_at_site": "yes", "calling_number": "+49 69 5550 1000", "called_number": "+49 69 5550 1001"}


def _post(desk, payload, who="alice@acme.example"):
    return desk.api(who).post("/api/v1/tickets/", payload, format="json")


@pytest.mark.django_db
def test_the_questionnaire_speaks_the_callers_language(desk):
    english = desk.api("alice@acme.example").get("/api/v1/services/NW-MPLS-2001/questionnaire/").json()
    spanish = desk.api("dave@acme.example").get("/api/v1/services/NW-MPLS-2001/questionnaire/").json()
    german = desk.api("voice.agent@northwind.example").get("/api/v1/services/NW-MPLS-2001/questionnaire/").json()
    assert [q["name"] for q in english] == [q["name"] for q in spanish] == [q["name"] for q in german]
    power = {q["name"]: q for q in english}["power_at_site"]
    assert power == {
        "name": "power_at_site",
        "type": "yes_no",
        "label": "Is there power at the site now?",
        "help_text": "",
        "required": True,
        "choices": [
            {"value": "yes", "label": "Yes"},
            {"value": "no", "label": "No"},
            {"value": "unknown", "label": "Don't know"},
        ],
        "shown_when": None,
    }
    assert {q["name"]: q for q in spanish}["power_at_site"]["label"] == "¿Hay suministro eléctrico en la sede ahora?"
    assert {q["name"]: q for q in german}["source_ip"]["label"] == "Quell-IP-Adresse"
    assert {q["name"]: q for q in english}["source_ip"]["shown_when"] == {
        "field": "symptom",
        "in": ["slowness", "packet_loss"],
    }


@pytest.mark.django_db
def test_data_and_voice_services_ask_different_questions(desk):
    data = {
        q["name"] for q in desk.api("alice@acme.example").get("/api/v1/services/NW-MPLS-1001/questionnaire/").json()
    }
    voice = {
        q["name"] for q in desk.api("alice@acme.example").get("/api/v1/services/NW-VOICE-1003/questionnaire/").json()
    }
    assert {"symptom", "source_ip", "destination_ip"} <= data - voice
    assert {"voice_problem", "calling_number", "called_number", "failed_call_times"} <= voice - data


@pytest.mark.django_db
@pytest.mark.parametrize("symptom", ["slowness", "packet_loss"])
def test_source_and_destination_ip_are_required_for_slowness_or_packet_loss(desk, symptom):
    response = _post(desk, {**INCIDENT, "answers": {"power_at_site": "yes", "symptom": symptom}})
    assert response.status_code == 400
    assert set(response.json()) == {"answers.source_ip", "answers.destination_ip"}
    answers = {"power_at_site": "yes", "symptom": symptom, "source_ip": " 10.0.0.1 ", "destination_ip": "2001:db8::1"}
    body = _post(desk, {**INCIDENT, "answers": answers}).json()
    assert body["answers"] == {**answers, "source_ip": "10.0.0.1"}


@pytest.mark.django_db
def test_ip_questions_do_not_apply_to_a_total_outage(desk):
    answers = {"power_at_site": "yes", "symptom": "no_service", "source_ip": "10.0.0.1"}
    response = _post(desk, {**INCIDENT, "answers": answers})
    assert response.status_code == 400
    assert list(response.json()) == ["answers.source_ip"]


@pytest.mark.django_db
def test_a_bad_ip_address_is_named(desk):
    answers = {"power_at_site": "yes", "symptom": "slowness", "source_ip": "10.0.0.300", "destination_ip": "10.0.0.2"}
    response = _post(desk, {**INCIDENT, "answers": answers})
    assert response.status_code == 400
    assert list(response.json()) == ["answers.source_ip"]


@pytest.mark.django_db
def test_the_backup_line_question_follows_the_backup_line_answer(desk):
    with_backup = {"power_at_site": "yes", "symptom": "no_service", "backup_line": "yes", "backup_line_works": "no"}
    assert _post(desk, {**INCIDENT, "answers": with_backup}).status_code == 201
    without = {**with_backup, "backup_line": "no"}
    response = _post(desk, {**INCIDENT, "answers": without})
    assert response.status_code == 400
    assert list(response.json()) == ["answers.backup_line_works"]


@pytest.mark.django_db
def test_voice_services_need_calling_and_called_number(desk):
    response = _post(desk, {**VOICE, "answers": {"power_at_site": "yes", "voice_problem": "poor_quality"}})
    assert response.status_code == 400
    assert set(response.json()) == {"answers.calling_number", "answers.called_number"}


@pytest.mark.django_db
def test_failed_call_times_are_asked_only_for_failed_calls_and_stored_in_utc(desk):
    missing = _post(desk, {**VOICE, "answers": {**VOICE_BASE, "voice_problem": "failed_calls"}})
    assert missing.status_code == 400
    assert list(missing.json()) == ["answers.failed_call_times"]
    naive = {**VOICE_BASE, "voice_problem": "failed_calls", "failed_call_times": ["2026-11-19T09:14:00"]}
    assert list(_post(desk, {**VOICE, "answers": naive}).json()) == ["answers.failed_call_times"]
    good = {**naive, "failed_call_times": ["2026-11-19T09:14:00+01:00", "2026-11-19T11:02:00+01:00"]}
    body = _post(desk, {**VOICE, "answers": good}).json()
    assert body["answers"]["failed_call_times"] == ["2026-11-19T08:14:00+00:00", "2026-11-19T10:02:00+00:00"]
    not_asked = {**VOICE_BASE, "voice_problem": "no_calls", "failed_call_times": ["2026-11-19T09:14:00+01:00"]}
    assert list(_post(desk, {**VOICE, "answers": not_asked}).json()) == ["answers.failed_call_times"]


@pytest.mark.django_db
def test_unknown_questions_and_wrong_choices_are_named(desk):
    answers = {"power_at_site": "maybe", "symptom": "aliens", "favourite_colour": "blue"}
    response = _post(desk, {**INCIDENT, "answers": answers})
    assert response.status_code == 400
    assert set(response.json()) == {"answers.power_at_site", "answers.symptom", "answers.favourite_colour"}


@pytest.mark.django_db
def test_an_agent_logging_a_call_meets_the_same_validation(desk):
    payload = {**INCIDENT, "channel": "phone", "caller_name": "Kurt", "answers": {"symptom": "slowness"}}
    response = _post(desk, payload, who="agent@northwind.example")
    assert response.status_code == 400
    assert set(response.json()) == {"answers.power_at_site", "answers.source_ip", "answers.destination_ip"}


@pytest.mark.django_db
def test_an_api_client_may_ask_for_another_language(desk):
    client = desk.api("alice@acme.example")
    questions = client.get("/api/v1/services/NW-MPLS-1001/questionnaire/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert {q["name"]: q["label"] for q in questions}["power_at_site"] == "Gibt es am Standort derzeit Strom?"
