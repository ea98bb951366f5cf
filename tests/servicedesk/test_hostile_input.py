"""Inputs at the edges: whatever a client sends, the API answers with one of its structured
errors (a 400 naming the field, a 404, a 413), never a 500 and never a half-written row.

The rules live in one place each: the parsers (servicedesk/api_parsers.py: body size, JSON
depth, non-finite numbers, integers beyond bigint, NUL characters), the NUL guard for paths and
query strings (servicedesk/middleware.py), the cursor pagination (a cursor this list did not
hand out), the query-parameter readers (servicedesk/api_params.py) and the date fields
(servicedesk/api_fields.py)."""

import json
from base64 import b64encode
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.api_params import id_param
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Ticket

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
ADMIN = "admin@northwind.example"
NUL = "Text may not contain NUL characters."
MAX_DEPTH = 32
MAX_INTEGER = 2**63 - 1  # PostgreSQL's bigint
DATES = "Give a date between 2000-01-01 and 2099-12-31."
# Hypothesis reruns a test body inside one test's transaction; the requests below only read
# (or are refused), so sharing the function-scoped fixtures between examples is safe.
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _tickets(demo) -> int:
    with tenant_context(demo.northwind):
        return Ticket.objects.count()


def _post_raw(client, url: str, body: str | bytes, content_type: str = "application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- Routes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_format_suffix_variants_are_not_routes_and_not_published(demo, client):
    api = demo.api(ALICE)
    for url in ("/api/v1/tickets.json", "/api/v1/tickets.api", "/api/v1/orders.json", "/api/v1/sites.json"):
        response = api.get(url)
        assert (url, response.status_code, response.json()) == (url, 404, {"detail": "Not found.", "code": "not_found"})
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert [path for path in schema["paths"] if "{format}" in path or "." in path] == []


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_nested_deeper_than_the_bound_is_a_400_naming_the_field(demo):
    api = demo.api(ALICE)
    deep = json.dumps({**INCIDENT, "answers": {"symptom": json.loads(_nested(MAX_DEPTH))}})
    response = _post_raw(api, "/api/v1/tickets/", deep)
    assert (response.status_code, response.json()) == (400, {"answers": ["Nested too deep: at most 32 levels."]})
    # Deeper than Python's own parser goes: the body as a whole.
    body = json.dumps(INCIDENT)[:-1] + ', "answers": {"symptom": ' + _nested(100_000) + "}}"
    response = _post_raw(api, "/api/v1/tickets/", body)
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["Nested too deep: at most 32 levels."]},
    )
    assert _tickets(demo) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "who"), [("/api/v1/tickets/", ALICE), ("/api/v1/ssrs/", ALICE), ("/api/v1/orders/", ALICE)]
)
def test_every_json_write_refuses_a_deep_body(demo, url, who):
    response = _post_raw(demo.api(who), url, '{"title": ' + _nested(5_000) + "}")
    assert response.status_code == 400
    assert response.json() in (
        {"title": ["Nested too deep: at most 32 levels."]},
        {"non_field_errors": ["Nested too deep: at most 32 levels."]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "field", "message"),
    [
        ("1e999", "answers", "Give a finite number."),
        ("-1e999", "answers", "Give a finite number."),
        (str(2**63), "answers", f"Give a number between {-(2**63)} and {MAX_INTEGER}."),
    ],
)
def test_numbers_json_columns_cannot_store_are_a_400_naming_the_field(demo, number, field, message):
    body = json.dumps(INCIDENT)[:-1] + f', "answers": {{"symptom": {number}}}}}'
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body)
    assert (response.status_code, response.json()) == (400, {field: [message]})
    assert _tickets(demo) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(demo, constant):
    body = json.dumps(INCIDENT)[:-1] + f', "answers": {{"symptom": {constant}}}}}'
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_a_huge_integer_for_an_id_is_a_400_naming_it(demo):
    body = json.dumps({**INCIDENT, "service": "", "site": 10**30})
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body)
    assert (response.status_code, list(response.json())) == (400, ["site"])


# --- NUL characters -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"answers": {"power_at_site": "yes", "symptom": "no_service", "site_opening_hours": "7\x00-19"}}, "answers"),
        ({"answers": {"power_at_site": "yes", "symptom": "no_service", "a\x00": "x"}}, "answers"),
        ({"contacts": {"site": {"name": "Eve\x00"}}}, "contacts"),
        ({"subject": "Down\x00"}, "subject"),
    ],
)
def test_a_nul_character_anywhere_in_a_json_body_is_a_400_naming_the_field(demo, fields, field):
    """PostgreSQL refuses NUL in text and jsonb: it must not get that far."""
    response = demo.api(ALICE).post("/api/v1/tickets/", {**INCIDENT, **fields}, format="json")
    assert (response.status_code, response.json()) == (400, {field: [NUL]})
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_a_nul_character_in_a_form_body_is_a_400_naming_the_field(demo):
    body = urlencode({**INCIDENT, "answers": "", "subject": "Down\x00"})
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body, "application/x-www-form-urlencoded")
    assert (response.status_code, response.json()) == (400, {"subject": [NUL]})
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_a_nul_character_in_a_query_or_a_path_never_reaches_the_database(demo, client):
    assert client.get("/accounts/login/", {"next": "/\x00"}).status_code == 400  # a page: the 400 page
    api = demo.api(AGENT)
    assert api.get("/api/v1/tickets/", {"q": "down\x00"}).json() == {"q": [NUL]}
    assert api.get("/api/v1/tickets/", {"service": "\x00"}).status_code == 400
    response = api.get("/api/v1/tickets/INC-000001%00/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found.", "code": "not_found"})
    assert demo.api(ALICE).get("/api/v1/services/NW-MPLS-1001%00/questionnaire/").status_code == 404


# --- Oversized bodies ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_beyond_the_limit_is_a_413(demo, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    text = "x" * 10_001
    body = json.dumps({**INCIDENT, "description": text}) if "json" in content_type else urlencode({"description": text})
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body, content_type)
    assert (response.status_code, response.json()) == (
        413,
        {"detail": "The request is too large.", "code": "too_large"},
    )
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_too_many_form_fields_are_a_413(demo, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = urlencode({f"field{n}": "x" for n in range(51)})
    response = _post_raw(demo.api(ALICE), "/api/v1/tickets/", body, "application/x-www-form-urlencoded")
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


# --- Cursors --------------------------------------------------------------------------------


def _cursor(**tokens: str) -> str:
    return b64encode(urlencode(tokens).encode("ascii")).decode("ascii")


def _list_endpoints(client) -> list[str]:
    """Every published list without path parameters that pages by cursor."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return sorted(
        path
        for path, item in schema["paths"].items()
        if "{" not in path
        and any(parameter["name"] == "cursor" for parameter in item.get("get", {}).get("parameters", []))
    )


TAMPERED = [
    "not base64!",
    _cursor(p="not a date"),
    _cursor(p="2026-13-45 25:00:00+00:00"),
    _cursor(p="2026-11-20 08:00:00"),  # no offset: no cursor of ours
    _cursor(p="9" * 5000),
    _cursor(p="\x00"),
    _cursor(o="3", r="1", p="abc"),
    _cursor(o="9" * 40, p="1"),
]


@pytest.mark.django_db
def test_a_tampered_cursor_is_a_400_on_cursor_on_every_list(demo, client):
    api = demo.api(ADMIN)
    endpoints = _list_endpoints(client)
    assert {"/api/v1/tickets/", "/api/v1/orders/", "/api/v1/ssrs/", "/api/v1/services/"} <= set(endpoints)
    for url in endpoints:
        assert api.get(url).status_code == 200, url
        for cursor in TAMPERED:
            response = api.get(url, {"cursor": cursor})
            assert response.status_code in (200, 400), (url, cursor, response.status_code)
            if response.status_code == 400:
                assert list(response.json()) == ["cursor"], (url, cursor)
    refused = api.get("/api/v1/tickets/", {"cursor": _cursor(p="not a date")})
    assert (refused.status_code, refused.json()) == (400, {"cursor": ["This cursor is not one of this list's."]})


@pytest.mark.django_db
def test_a_cursor_the_list_handed_out_still_pages(demo):
    api = demo.api(ALICE)
    for _ in range(3):
        assert api.post("/api/v1/tickets/", INCIDENT, format="json").status_code == 201
    first = api.get("/api/v1/tickets/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert (len(first["results"]), len(second["results"])) == (2, 1)
    assert api.get(second["previous"]).json()["results"] == first["results"]


@pytest.mark.django_db
@FUZZ
@given(
    cursor=st.one_of(
        st.text(st.characters(exclude_categories=("Cs",))),
        st.builds(
            lambda o, r, p: _cursor(o=o, r=r, p=p),
            st.sampled_from(["0", "1", "-1", "x", "9" * 30]),
            st.sampled_from(["0", "1", "2", "x"]),
            st.text(st.characters(codec="ascii"), max_size=40),
        ),
    ),
    url=st.sampled_from(["/api/v1/tickets/", "/api/v1/services/", "/api/v1/accounts/", "/api/v1/ssr-catalogue/"]),
)
def test_no_cursor_is_a_server_error(demo, cursor, url):
    response = demo.api(AGENT).get(url, {"cursor": cursor})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert list(response.json()) == ["cursor"]


# --- Integers in query parameters ---------------------------------------------------------


@given(st.integers())
@settings(max_examples=200)
def test_an_integer_parameter_is_a_bigint_or_matches_nothing(number):
    parsed = id_param(str(number))
    assert parsed == (number if 0 <= number <= MAX_INTEGER else -1)


@given(st.text(st.characters(exclude_categories=("Cs",))))
@settings(max_examples=200)
def test_an_integer_parameter_never_raises(text):
    parsed = id_param(text)
    assert parsed is None or -1 <= parsed <= MAX_INTEGER
    assert parsed in (None, -1) or text.isascii()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "9" * 5000, "²", "١٢", "-3", str(MAX_INTEGER)])
@pytest.mark.parametrize("url", ["/api/v1/tickets/", "/api/v1/orders/", "/api/v1/ssrs/", "/api/v1/services/"])
def test_a_number_beyond_any_id_in_a_filter_matches_nothing(demo, url, value):
    response = demo.api(AGENT).get(url, {"site": value, "account": value})
    assert (response.status_code, response.json()["results"]) == (200, [])


# --- Fields of the API --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31T12:00:00Z"])
def test_a_date_outside_the_desks_years_is_a_400_naming_the_field(demo, instant):
    response = demo.api(ALICE).post("/api/v1/tickets/", {**INCIDENT, "problem_started_at": instant}, format="json")
    assert (response.status_code, response.json()) == (400, {"problem_started_at": [DATES]})
    assert _tickets(demo) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("instant", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:00:00-05:00", "2100-01-01T00:00Z"])
def test_a_questionnaire_date_outside_the_desks_years_is_refused(demo, instant):
    answers = {"power_at_site": "yes", "voice_problem": "failed_calls", "calling_number": "+49 69 1",
               "called_number": "+49 69 2", "failed_call_times": [instant]}  # fmt: skip
    response = demo.api(ALICE).post(
        "/api/v1/tickets/", {**INCIDENT, "service": "NW-VOICE-1003", "answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"answers.failed_call_times": [DATES]}


@pytest.mark.django_db
def test_assignee_zero_is_no_user_not_nobody(demo):
    api = demo.api(AGENT)
    ticket = demo.api(ALICE).post("/api/v1/tickets/", INCIDENT, format="json").json()
    agent = demo.user(AGENT).pk
    assigned = api.patch(f"/api/v1/tickets/{ticket['number']}/", {"version": ticket["version"], "assignee": agent})
    assert assigned.status_code == 200, assigned.json()
    response = api.patch(
        f"/api/v1/tickets/{ticket['number']}/", {"version": assigned.json()["version"], "assignee": 0}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["assignee"])
    with tenant_context(demo.northwind):
        assert Ticket.objects.get(number=ticket["number"]).assignee_id == agent


# --- Every bad field at once, and bounded -------------------------------------------------


@pytest.mark.django_db
def test_an_incident_without_anything_names_every_missing_field_at_once(demo):
    # The serializer's own fields and the intake's rules used to come one after the other: the
    # client fixed subject and description, then learnt of service, impact and start.
    response = demo.api(ALICE).post("/api/v1/tickets/", {"kind": "incident"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"subject", "description", "service", "impact", "problem_started_at"}
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_a_bad_field_of_each_kind_are_named_together_with_each_fields_own_message(demo):
    body = {**INCIDENT, "urgency": "whenever", "service": "NW-NOPE-0000", "customer_reference": "x" * 500}
    response = demo.api(ALICE).post("/api/v1/tickets/", body, format="json")
    errors = response.json()
    assert response.status_code == 400
    assert set(errors) == {"urgency", "service", "customer_reference"}
    assert errors["service"] == ["There is no service NW-NOPE-0000."]
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_unknown_answers_are_named_one_by_one_up_to_the_bound(demo):
    answers = {**INCIDENT["answers"], **{f"extra_{n}": "x" for n in range(98)}}  # 100 in all
    response = demo.api(ALICE).post("/api/v1/tickets/", {**INCIDENT, "answers": answers}, format="json")
    assert response.status_code == 400
    assert len([name for name in response.json() if name.startswith("answers.extra_")]) == 98


@pytest.mark.django_db
def test_more_answers_than_any_form_has_are_refused_at_once_with_a_short_error(demo):
    # 300,000 unknown names in a 4 MB body took 23 s of CPU and came back as a 19.7 MB error.
    answers = {f"k{n}": "v" for n in range(50_000)}
    response = demo.api(ALICE).post("/api/v1/tickets/", {**INCIDENT, "answers": answers}, format="json")
    assert (response.status_code, response.json()) == (400, {"answers": ["At most 100 answers."]})
    assert len(response.content) < 100
    assert _tickets(demo) == 0


@pytest.mark.django_db
def test_a_format_the_operation_does_not_have_is_a_400_in_json_and_an_error_of_a_csv_is_json(demo):
    client = demo.api(AGENT)
    unknown = client.get("/api/v1/tickets/", {"format": "AAA"})
    assert unknown.status_code == 400
    assert unknown["Content-Type"] == "application/json"
    assert list(unknown.json()) == ["format"]
    refused = client.get("/api/v1/billing/ssr/", {"format": "csv", "month": "0000-01"})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert list(refused.json()) == ["month"]


@pytest.mark.django_db
def test_json_asked_of_an_operation_that_answers_only_csv_is_a_400_naming_format(demo):
    """The billing report is CSV; JSON is only how its errors come. ``?format=json`` used to be
    accepted and answered with CSV anyway."""
    client = demo.api(AGENT)
    asked = client.get("/api/v1/billing/ssr/", {"format": "json", "month": "2026-11"})
    assert (asked.status_code, asked["Content-Type"]) == (400, "application/json")
    assert asked.json() == {"format": ["Choose one of: csv."]}
    assert client.get("/api/v1/billing/ssr/", {"format": "csv", "month": "2026-11"})["Content-Type"].startswith(
        "text/csv"
    )
    assert client.get("/api/v1/billing/ssr/", {"month": "2026-11"})["Content-Type"].startswith("text/csv")
