"""Who may see a page, and who is asking.

Every page requires sign-in; a page of another audience does not exist for the user (404,
like an object of another tenant: see the README's "Decisions"). The audiences come from the
user's role: ``User.is_customer``, ``User.is_desk_staff`` (agents, managers and tenant
administrators) and each role's own home.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase

from servicedesk.models import User

R = TypeVar("R", bound=HttpResponseBase)
View = Callable[..., R]


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views that require sign-in."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _page_for(admits: Callable[[User], bool]) -> Callable[[View[R]], View[R]]:
    """Signed-in users that ``admits`` accepts; for anyone else the page does not exist."""

    def decorator(view: View[R]) -> View[R]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if not admits(signed_in_user(request)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def customer_required(view: View[R]) -> View[R]:
    """A page of the customer portal: customer users only."""
    return _page_for(lambda user: user.is_customer)(view)


def staff_required(view: View[R]) -> View[R]:
    """A page of the desk (the console and what it links to): agents, managers and tenant
    administrators only."""
    return _page_for(lambda user: user.is_desk_staff)(view)


def role_required(role: User.Role) -> Callable[[View[R]], View[R]]:
    """A page of one role only (each role's home page)."""
    return _page_for(lambda user: user.role == role)


def managers_required(view: View[R]) -> View[R]:
    """The managers' pages (the dashboard): managers and tenant administrators only."""
    return _page_for(lambda user: user.role in (User.Role.MANAGER, User.Role.ADMIN))(view)
