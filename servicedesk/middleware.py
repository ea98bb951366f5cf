import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.tenancy import activate_tenant, deactivate_tenant


class TenantMiddleware:
    """Makes the signed-in user's tenant current for the request, and clears it afterwards.

    API token authentication runs later, inside the view, and makes the token user's tenant
    current; the reset here undoes that too, so nothing outlives the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        tenant_id = getattr(user, "tenant_id", None) if user.is_authenticated else None
        token = activate_tenant(tenant_id)
        try:
            return self.get_response(request)
        finally:
            deactivate_tenant(token)


class UserPreferencesMiddleware:
    """The signed-in user's language and time zone (or their tenant's) for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        tenant = getattr(user, "tenant", None) if user.is_authenticated else None
        if user.is_authenticated:
            language = getattr(user, "language", "") or (tenant.default_language if tenant else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        zone = (getattr(user, "time_zone", "") or (tenant.time_zone if tenant else "")) if user.is_authenticated else ""
        if zone and not request.path.startswith("/api/"):  # the API speaks UTC (API.md)
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class RefuseNulMiddleware:
    """Refuses a NUL character in the path (404: no number or name holds one) or the query
    string (400 naming the parameter; API clients get the API's validation error). PostgreSQL
    refuses NUL in text, so it must not reach a query. Bodies are the API's parsers'
    (servicedesk.api_parsers) and the forms' (Django's form fields refuse NUL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = _("Text may not contain NUL characters.")
                if request.path.startswith("/api/"):
                    field = "non_field_errors" if "\x00" in name else name
                    return JsonResponse({field: [message]}, status=400)
                raise BadRequest(message)
        return self.get_response(request)


class AtomicWritesMiddleware:
    """Runs the view of a request that may change something (POST, PUT, PATCH, DELETE) in one
    transaction, rolled back if the view raises or the API answers with an error (what
    ``ATOMIC_REQUESTS`` did for every request). A read (GET, HEAD, OPTIONS) runs in autocommit:
    no BEGIN and COMMIT around it, and each statement still carries the tenant setting in front
    of it (``servicedesk.db.postgresql``), so row-level security holds it as before.

    A view whose every write is one use case (a transaction of its own) may say so with
    ``atomic_requests = False`` on its class (DRF views) and save the outer transaction's
    savepoint round trips. Last in MIDDLEWARE: the other middleware's ``process_view`` (CSRF)
    runs before it."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in self.SAFE_METHODS or DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", ()):
            return None
        if not getattr(getattr(view, "cls", None), "atomic_requests", True):
            return None
        with transaction.atomic():
            response = view(request, *args, **kwargs)
            # DRF turns a refusal into a response (marked ``exception``): nothing of it stays.
            if getattr(response, "exception", False):
                transaction.set_rollback(True)
        return response


class ContentSecurityPolicyMiddleware:
    """Every response carries the desk's Content-Security-Policy (``settings.
    CONTENT_SECURITY_POLICY``): scripts only from the desk's own files — no inline script, no
    inline event handler, no eval — and nothing loaded from anywhere else. A view may set its
    own header; this one does not replace it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
