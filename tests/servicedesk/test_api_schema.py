"""The OpenAPI document describes the answers the API gives, errors included
(servicedesk/api_schema.py); tests/servicedesk/test_fuzz_api.py holds the API to it."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def test_every_operation_documents_its_errors_in_the_shapes_the_api_writes(document):
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        if {} in operation.get("security", []):  # open to anyone: signing in, an acknowledgement link
            assert {"400", "413", "429"} <= set(responses), path
            continue
        expected = {"401", "403", "404"}
        if method in {"POST", "PUT", "PATCH"}:
            expected |= {"400", "409", "413"}
        assert expected <= set(responses), f"{method} {path}: {sorted(responses)}"
        for code, response in responses.items():
            if code >= "400":
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema.endswith("/ValidationError" if code == "400" else "/Error"), (method, path, code)


def test_the_creating_posts_document_the_idempotency_key_and_its_422(document):
    creating = {
        "/api/v1/tickets/", "/api/v1/tickets/{number}/comments/", "/api/v1/tickets/{number}/merge/",
        "/api/v1/orders/", "/api/v1/ssrs/",
    }  # fmt: skip
    for path in creating:
        operation = document["paths"][path]["post"]
        assert "Idempotency-Key" in [parameter["name"] for parameter in operation.get("parameters", [])], path
        assert "422" in operation["responses"], path


def test_the_shapes_that_were_wrong_are_what_the_api_returns(document):
    schemas = document["components"]["schemas"]
    # A ticket's occurrence is blank when the customer did not say.
    occurrence = schemas["Ticket"]["properties"]["occurrence"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in occurrence["oneOf"]
    # The paginated nested lists are pages, not arrays.
    for path in ("/api/v1/escalation-notices/", "/api/v1/tickets/{number}/escalations/"):
        schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "results" in schemas[schema["$ref"].rsplit("/", 1)[1]]["properties"], path
    # A matrix level's contacts and the escalation managers are lists of contacts.
    assert schemas["EscalationLevel"]["properties"]["contacts"]["type"] == "array"
    assert schemas["EscalationMatrix"]["properties"]["escalation_managers"]["items"]["$ref"].endswith(
        "/EscalationContact"
    )
    # A download comes in the type its content was checked to have.
    download = document["paths"]["/api/v1/tickets/{number}/attachments/{attachment_id}/"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["*/*"]
