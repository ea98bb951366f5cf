"""The error pages (Django's handler400/403/404/500, named in config/urls.py) for every
audience. API clients get the API's error shape instead, never an HTML page."""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

_API_ERRORS = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    500: ("Server error.", "error"),
    503: ("The desk cannot reach its database just now. Try again in a moment.", "unavailable"),
}


def _api_error(status: int) -> JsonResponse:
    """API clients get the API's error shape, never an HTML page."""
    detail, code = _API_ERRORS[status]
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _error(template: str, status: int) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if request.path.startswith("/api/"):
            return _api_error(status)
        return render(request, template, status=status)

    return view


bad_request = _error("errors/400.html", 400)
permission_denied = _error("errors/403.html", 403)
page_not_found = _error("errors/404.html", 404)


#: How long a client should wait before trying again when the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: a database that cannot be reached (a
    # restart, a failover, a network cut) is a 503 to retry, not a 500. Every write ran in a
    # transaction that never committed, so nothing was saved half-way.
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        response: HttpResponse = _api_error(status)
    else:
        # No context processors: the error may have come from them, or from the database.
        from django.template import loader

        template = "errors/503.html" if unavailable else "errors/500.html"
        response = HttpResponse(loader.get_template(template).render(), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
