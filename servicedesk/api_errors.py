"""Structured API errors.

Validation errors keep DRF's shape, an object keyed by field name (``non_field_errors`` for
the whole object), so a client can put each message next to its field. Every other error is
``{"detail": "…", "code": "…"}``. Domain refusals from the services map the same way:
``InvalidInput`` → 400 by field, ``PermissionRefused`` → 403, ``Conflict`` → 409. A body
beyond Django's size limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``,
``DATA_UPLOAD_MAX_NUMBER_FILES``) is a 413 ``too_large``. Nothing reaches the client as an
HTML page.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused, StorageUnavailable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _handle(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # An error is JSON even where the answer would have been a CSV file or an HTML page
        # (``?format=csv``, the browsable API's renderer).
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    return response


def _handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StorageUnavailable):
        detail = next(iter(exc.errors.values()))[0]
        return Response({"detail": detail, "code": "storage_full"}, status=status.HTTP_507_INSUFFICIENT_STORAGE)
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionRefused):
        return Response({"detail": exc.detail, "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return Response(
            {"detail": _("The request is too large."), "code": "too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        detail = data["detail"]
        data["code"] = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return response


class DeskContentNegotiation(DefaultContentNegotiation):
    """``?format=`` that names no format of the operation is a 400 naming ``format`` (DRF
    answers a 404, as if the object did not exist)."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise ValidationError({"format": [_("Choose one of: %(formats)s.") % {"formats": formats}]}) from None
