"""The API against its own OpenAPI schema, fuzzed: schemathesis generates requests for every
operation from the schema (valid ones and invalid ones) and sends them, as a customer user and
as an agent, to the desk in this process; every answer must be no server error, a status code
the operation documents, in a documented content type, with a body of the documented shape.

Bounded for the suite: a fixed seed (derandomised), a few examples per operation and role.
``FUZZ_EXAMPLES=200`` runs a deeper pass by hand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import initialize
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.stateful.state_machine import StepInput

from config.wsgi import application
from servicedesk.api_auth import issue_token

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema() -> schemathesis.BaseSchema:
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = application  # requests go to the desk in this process, through its WSGI stack
    return schema


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """The requests run in this test's transaction, as Django's test client runs them: the
    handler must not close the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["alice@acme.example", "agent@northwind.example"], ids=["customer", "agent"])
def token(request, demo) -> str:
    return issue_token(user=demo.user(request.param))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_what_the_schema_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "10"))
ROLES = pytest.mark.parametrize("who", ["alice@acme.example", "agent@northwind.example"], ids=["customer", "agent"])
STATEFUL_SETTINGS = {
    "stateful_step_count": 6,
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
}
# The schema's own example of opening a ticket (an agent also names the caller).
OPENING = schema["/api/v1/tickets/"]["POST"].definition.raw["requestBody"]["content"]["application/json"]["examples"][
    "AnIncident"
]["value"]
FOLLOWED = {("GET", "/api/v1/tickets/{number}/"), ("POST", "/api/v1/tickets/{number}/comments/")}


def _run_stateful(
    of: schemathesis.BaseSchema, token: str, examples: int, opening: dict | None = None
) -> tuple[set[str], set[tuple[str, str]]]:
    """Run the schema's state machine (the links schemathesis infers from it: a created
    ticket's ``number`` into reading, commenting on, updating it, …) with the same checks on
    every answer; returns the tickets created and the operations that then used one.

    With ``opening``, every scenario starts by opening that ticket (generated bodies seldom
    name an existing service), whose answer feeds the links from ``POST /tickets/``."""
    created: set[str] = set()
    followed: set[tuple[str, str]] = set()
    machine = of.as_state_machine()

    class Desk(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {token}"}}

        def after_call(self, response, case):
            if (case.method, case.path) == ("POST", "/api/v1/tickets/") and response.status_code == 201:
                created.add(response.json()["number"])
            if (case.path_parameters or {}).get("number") in created and response.status_code < 300:
                followed.add((case.method, case.path))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

        if opening is not None:

            @initialize(target=machine.bundles["POST /api/v1/tickets/ -> 201"])
            def open_a_ticket(self):
                case = of["/api/v1/tickets/"]["POST"].Case(body=opening, media_type="application/json")
                step = StepInput.initial(case)
                self.recorder.record_case(case=case)  # as schemathesis's own steps record theirs
                self.control.record_step(step, self.recorder)
                return self.step(step)

    Desk.run(settings=settings(max_examples=examples, **STATEFUL_SETTINGS))
    return created, followed


@pytest.mark.django_db
@ROLES
def test_sequences_of_calls_across_the_whole_api_answer_as_the_schema_says(demo, who):
    """The stateful phase over every operation: bounded by a fixed seed, a number of scenarios
    and steps."""
    _run_stateful(schema, issue_token(user=demo.user(who)), STATEFUL_EXAMPLES)


@pytest.mark.django_db
@ROLES
def test_a_ticket_created_in_a_sequence_is_then_read_and_commented_on(demo, who):
    """The stateful phase over the ticket operations, where a scenario must get as far as
    using a ticket it created."""
    tickets = schema.include(path_regex="^/api/v1/tickets/")
    opening = dict(OPENING, **({"caller_name": "Max Mustermann"} if "agent" in who else {}))
    created, followed = _run_stateful(tickets, issue_token(user=demo.user(who)), STATEFUL_EXAMPLES, opening)
    assert created, "no ticket was created"
    assert followed & FOLLOWED, f"no created ticket was read or commented on: {followed}"
