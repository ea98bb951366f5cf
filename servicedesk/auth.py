"""Sign-in rules shared by the sign-in page and the API token endpoint.

Failed attempts are counted per e-mail address and per client address. Once either count
reaches its limit, further attempts are refused *before* the password is checked: hashing
(Argon2) is the expensive step, so a flood of guesses costs the attacker more than the desk.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from servicedesk.models import CustomerAccount, User
from servicedesk.reference_data import cached_reference_data
from servicedesk.tenancy import tenant_context

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password; refused outside DEMO_MODE


class SignInThrottled(Exception):
    """Too many failed sign-ins for this address or client; try again later."""


class InvalidCredentials(Exception):
    """The e-mail address and password do not match an active user."""


class AccountDeactivated(Exception):
    """The password was right, but the user's customer account is deactivated: none of its
    users signs in (pages, API tokens, sessions) until the desk reactivates it."""


def customer_account_is_active(user: Any) -> bool:
    """False for a customer user whose customer account the desk deactivated (staff and
    operators have none). Asked on every request a customer makes (token or session), so the
    tenant's deactivated accounts come from its cached reference data (customer accounts are
    reference data: saving or deleting one gives the cache a new version, so a deactivation
    holds from the next request on) rather than one more statement per request. Read inside
    the user's tenant (the wall the accounts are behind)."""
    account_id = getattr(user, "customer_account_id", None)
    if account_id is None:
        return True
    tenant_id = user.tenant_id

    def build() -> frozenset[int]:
        return frozenset(CustomerAccount.objects.filter(is_active=False).values_list("pk", flat=True))

    with tenant_context(tenant_id):
        return account_id not in cached_reference_data(tenant_id, "deactivated-accounts", build)


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@dataclass(frozen=True)
class LoginThrottle:
    username: str
    address: str

    def _keys(self) -> tuple[str, str]:
        user_digest = hashlib.sha256(self.username.strip().lower().encode()).hexdigest()
        return f"signin-fail:user:{user_digest}", f"signin-fail:addr:{self.address}"

    def is_blocked(self) -> bool:
        user_key, address_key = self._keys()
        counts = cache.get_many([user_key, address_key])
        return (
            counts.get(user_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_USER
            or counts.get(address_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_IP
        )

    def record_failure(self) -> None:
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        now = time.time()
        for key in self._keys():
            # add() is a no-op when the key exists, so the window starts at the first failure.
            cache.add(f"{key}:until", now + window, timeout=window)
            cache.add(key, 0, timeout=window)
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=window)
            # Redis keeps a key's expiry through INCR, but the file and database caches write
            # the entry again with their default timeout: put back the window's own end, so
            # each failure does not restart the window.
            until = cache.get(f"{key}:until") or now + window
            cache.touch(key, max(1, math.ceil(until - now)))

    def record_success(self) -> None:
        cache.delete(self._keys()[0])


def sign_in(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check credentials under the failure throttle and return the user.

    Raises SignInThrottled (without hashing anything), InvalidCredentials, or
    AccountDeactivated (the password was right; the user's customer account is deactivated).
    """
    throttle = LoginThrottle(username=username, address=client_address(request))
    if throttle.is_blocked():
        raise SignInThrottled
    try:
        user = authenticate(request, username=username, password=password)
    except AccountDeactivated:
        throttle.record_success()
        raise
    if user is None:
        throttle.record_failure()
        raise InvalidCredentials
    throttle.record_success()
    if not isinstance(user, User):
        raise InvalidCredentials
    return user


class DeskAuthenticationBackend(ModelBackend):
    """Django's model backend, plus: no sign-in into an inactive tenant nor by a user of a
    deactivated customer account (a session already open ends on its next request), and the
    published demo password works only in demo mode."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if password == DEMO_PASSWORD and not settings.DEMO_MODE:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if not isinstance(user, User):
            return None
        if not customer_account_is_active(user):
            # Said only to whoever knows the password: the sign-in form names the reason.
            raise AccountDeactivated
        return user

    def get_user(self, user_id: Any) -> User | None:
        user = super().get_user(user_id)
        if not isinstance(user, User) or not customer_account_is_active(user):
            return None
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        tenant = getattr(user, "tenant", None)
        return tenant is None or bool(tenant.is_active)


class DemoPasswordValidator:
    """Refuses the published demo password for any real account."""

    def validate(self, password: str, user: Any = None) -> None:
        if password == DEMO_PASSWORD and not settings.DEMO_MODE:
            raise ValidationError(
                _("This password is published with the demo data; choose another."), code="demo_password"
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the published demo password.")
