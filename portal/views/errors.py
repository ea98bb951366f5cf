"""The error pages (Django's handler400/403/404/500, named in config/urls.py) for every
audience. API clients get the API's error shape instead, never an HTML page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

_API_ERRORS = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    500: ("Server error.", "error"),
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


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500)
    # No context processors: the error may have come from them, or from the database.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
