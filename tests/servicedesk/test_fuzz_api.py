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
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

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
