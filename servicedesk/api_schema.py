"""The OpenAPI schema describes the errors too: every operation documents the error answers
it can give, in the shapes ``servicedesk.api_errors`` writes them, so a client (and the
fuzzing in the test suite) can rely on the schema for every status code the API sends.

- 400 ``ValidationError``: an object keyed by field (``non_field_errors`` for the whole body;
  a nested field's errors nested; a few refusals add a hint beside the fields, e.g. an SSR's
  ``earliest_allowed``) — for every operation with a body or query parameters.
- 401, 403, 404, 409, 413, 422, 429, 507 ``Error``: ``{"detail": …, "code": …}`` (a 409 may add
  what the client needs to recover, e.g. the ``current_version``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "description": "A refusal that is not about one field. `code` is stable; `detail` is in the caller's language.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
        "additionalProperties": True,
    },
)
VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": (
            "Every bad field at once, keyed by the field's name (`non_field_errors` for the whole body, "
            "`answers.<name>` for a questionnaire answer): a list of messages in the caller's language, or, for "
            "a nested object, its fields' errors in the same shape."
        ),
        "additionalProperties": True,
        "example": {"subject": ["This field is required."], "impact": ["Choose outage, degradation or none."]},
    },
)

DESCRIPTIONS = {
    "400": "Invalid input: every bad field named.",
    "401": "No or an unknown token or session.",
    "403": "The caller's role may not do this.",
    "404": "No such object, or not the caller's (another tenant's or account's objects are not found).",
    "409": "A conflict: a stale version, or a state that no longer allows this.",
    "413": "The request body is too large.",
    "422": "The Idempotency-Key was used for another request.",
    "429": "Too many attempts; see Retry-After.",
    "507": "The file could not be stored just now (the storage is full); nothing was saved.",
}


class DeskAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        method = self.method.upper()
        codes = []
        if method in WRITES - {"DELETE"} or self._has_query_parameters():
            codes.append("400")
        authenticated = not any(requirement == {} for requirement in self.get_auth())
        if authenticated:
            # 404 on every operation: an object in the path, or one an input names (a site, a
            # service), that does not exist or is not the caller's.
            codes += ["401", "403", "404"]
        elif "{" in self.path:
            codes.append("404")
        if method in WRITES and authenticated:
            codes.append("409")
        if method in WRITES - {"DELETE"}:
            codes.append("413")
        if method == "POST" and getattr(self._view_method(), "idempotent", False):
            codes.append("422")
        if method == "POST" and getattr(self._view_method(), "stores_files", False):
            codes.append("507")
        if not authenticated and method == "POST":
            codes.append("429")  # the sign-in throttle
        return codes

    def _view_method(self) -> Any:
        action = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, action, None)

    def _has_query_parameters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            component = VALIDATION_ERROR if code == "400" else ERROR
            self.registry.register_on_missing(component)
            responses.setdefault(
                code,
                {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": component.ref}}},
            )
        return responses
