"""Structured API errors.

Validation errors keep DRF's shape, an object keyed by field name (``non_field_errors`` for
the whole object), so a client can put each message next to its field. Every other error is
``{"detail": "…", "code": "…"}``. Django's 404 and permission errors are mapped to the same
shape by DRF; nothing reaches the client as an HTML page.
"""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        detail = data["detail"]
        data["code"] = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return response
