"""Pages. Views parse input, fetch through the selectors, call one service and render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from servicedesk.models import ProductArea, Team, TeamMembership, User
from servicedesk.selectors import accounts_visible_to, sites_visible_to, staff_of_tenant
from servicedesk.services import UnknownLanguage, set_user_language
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to

R = TypeVar("R", bound=HttpResponseBase)

ROLE_HOME = {
    User.Role.CUSTOMER: "portal:customer-home",
    User.Role.AGENT: "portal:console-home",
    User.Role.MANAGER: "portal:dashboard-home",
    User.Role.ADMIN: "portal:desk-admin-home",
}


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views that require sign-in."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def role_required(*roles: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Signed-in users of these roles only; for anyone else the page does not exist."""

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if getattr(request.user, "role", None) not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@login_required
def home(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    if user.is_platform_operator:
        return redirect("admin:index")
    return redirect(ROLE_HOME[User.Role(user.role)])


@role_required(User.Role.CUSTOMER)
def customer_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "portal/home.html",
        {
            "account": user.customer_account,
            "sites": sites_visible_to(actor=user),
            "restricted": user.site_restrictions.exists(),
            "open_tickets": tickets_visible_to(actor=user).filter(status__in=Ticket.OPEN_STATUSES).count(),
        },
    )


@role_required(User.Role.AGENT)
def console_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    memberships = TeamMembership.objects.filter(user=user).select_related("team__product_area").order_by("team__name")
    open_tickets = tickets_visible_to(actor=user).filter(status__in=Ticket.OPEN_STATUSES)
    return render(
        request,
        "console/home.html",
        {
            "teams": [m.team for m in memberships],
            "accounts": accounts_visible_to(actor=user).prefetch_related("sites"),
            "mine": open_tickets.filter(assignee=user).count(),
            "unassigned": open_tickets.filter(assignee__isnull=True).count(),
        },
    )


@role_required(User.Role.MANAGER)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "dashboards/home.html",
        {
            "account_count": accounts_visible_to(actor=user).count(),
            "site_count": sites_visible_to(actor=user).count(),
            "staff_count": staff_of_tenant(actor=user).count(),
            "teams": Team.objects.select_related("product_area").order_by("name"),
        },
    )


@role_required(User.Role.ADMIN)
def desk_admin_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "desk_admin/home.html",
        {
            "product_areas": ProductArea.objects.order_by("name"),
            "teams": Team.objects.select_related("product_area").order_by("name"),
            "staff": staff_of_tenant(actor=user).order_by("full_name"),
            "accounts": accounts_visible_to(actor=user),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the interface language; remembered on the user's profile when signed in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    # Only the desk's languages: Django has catalogues (and so check_for_language) for many more.
    if language not in dict(settings.LANGUAGES) or not translation.check_for_language(language):
        return response
    if request.user.is_authenticated:
        try:
            set_user_language(user=signed_in_user(request), language=language)
        except UnknownLanguage:
            return response
    response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


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
