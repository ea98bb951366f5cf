"""API token authentication: hashed tokens, and the tenant made current for the request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from servicedesk import identity_stamps
from servicedesk.auth import customer_account_is_active
from servicedesk.models import ApiToken, Tenant, User
from servicedesk.reference_data import current_version, version_with
from servicedesk.tenancy import activate_tenant

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, user: User) -> str:
    """Create an API token for ``user`` and return it; only its digest is kept."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(key))
    return key


@dataclass
class _Known:
    """A token's look-up as read from the database: its row, its user's and its tenant's
    values (fresh model instances are made from them for every request), and the stamps read
    *before* those rows (``stamp`` None: not to be trusted, read again)."""

    user_id: int
    tenant_id: int | None
    stamp: str | None
    tenant_version: str | None
    token: tuple[Any, ...]
    user: tuple[Any, ...]
    tenant: tuple[Any, ...] | None
    last_used_at: datetime | None


# Token digest → its look-up, in this process. Bounded: emptied when it grows past the limit.
_known: dict[str, _Known] = {}
_KNOWN_LIMIT = 10_000
_TOKEN_FIELDS = [f.attname for f in ApiToken._meta.concrete_fields]
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_TENANT_FIELDS = [f.attname for f in Tenant._meta.concrete_fields]


def _values(instance: Any, names: list[str]) -> tuple[Any, ...]:
    return tuple(getattr(instance, name) for name in names)


def _instances(known: _Known) -> ApiToken:
    token = ApiToken.from_db("default", _TOKEN_FIELDS, known.token)
    token.last_used_at = known.last_used_at
    user = User.from_db("default", _USER_FIELDS, known.user)
    tenant = Tenant.from_db("default", _TENANT_FIELDS, known.tenant) if known.tenant is not None else None
    User._meta.get_field("tenant").set_cached_value(user, tenant)
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    return token


def _still_valid(known: _Known) -> bool:
    """One round trip: the user's stamp (and the tenant's reference-data token, which every
    change of the tenant row renews and which the request reads anyway)."""
    if known.stamp is None:
        return False
    key = identity_stamps.stamp_key(known.user_id)
    if known.tenant_id is None:
        return bool(cache.get(key) == known.stamp)
    version, stamp = version_with(known.tenant_id, key)
    return stamp == known.stamp and version == known.tenant_version


def _look_up(digest: str) -> ApiToken | None:
    """The token with its user and tenant: from this process while the user's stamp and the
    tenant's token are those it was read under, else from the database (one statement).

    The stamps are read before the rows, so rows read before a change committed are never
    kept under the stamp the change left: a token seen for the first time is read from the
    database at its first two uses (the first learns whose stamp to read)."""
    known = _known.get(digest)
    stamp = tenant_version = None
    try:
        if known is not None and _still_valid(known):
            return _instances(known)
        if known is not None:
            stamp = identity_stamps.new_stamp_if_missing(known.user_id)
            tenant_version = current_version(known.tenant_id) if known.tenant_id is not None else None
    except (RedisError, OSError):
        # The cache out of reach: the database answers, as before the look-ups were kept.
        known, stamp = None, None
    # The digest is unique: one row or none, nothing to order.
    found = list(ApiToken.objects.select_related("user", "user__tenant").filter(digest=digest)[:1])
    if not found:
        _known.pop(digest, None)
        return None
    token = found[0]
    user = token.user
    trusted = (
        known is not None
        and (known.user_id, known.tenant_id) == (user.pk, user.tenant_id)
        and not identity_stamps.changed_in_this_transaction(user.pk)
    )
    if len(_known) >= _KNOWN_LIMIT:
        _known.clear()
    _known[digest] = _Known(
        user_id=user.pk, tenant_id=user.tenant_id, stamp=stamp if trusted else None,
        tenant_version=tenant_version, token=_values(token, _TOKEN_FIELDS), user=_values(user, _USER_FIELDS),
        tenant=_values(user.tenant, _TENANT_FIELDS) if user.tenant is not None else None,
        last_used_at=token.last_used_at,
    )  # fmt: skip
    return token


class DeskTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        digest = token_digest(key)
        token = _look_up(digest)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_active or (user.tenant is not None and not user.tenant.is_active):
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not customer_account_is_active(user):
            raise exceptions.AuthenticationFailed(_("The customer account is deactivated."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            if (known := _known.get(digest)) is not None:
                known.last_used_at = now
        # The tenant middleware restores the previous value when the request ends.
        activate_tenant(user.tenant_id)
        # An API client that asks for a language (Accept-Language) gets it; otherwise the
        # user's own, or the tenant's.
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            language = user.language or (user.tenant.default_language if user.tenant else "")
            if language:
                translation.activate(language)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    def __repr__(self) -> Any:
        return "DeskTokenAuthentication"


class DeskTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in the OpenAPI schema."""

    target_class = DeskTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token from POST /api/v1/auth/token/, sent as "Token <token>".',
        }


def actor_of(request: Request) -> User:
    """The signed-in user of an API request (the views' IsAuthenticated ran before)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated
    return user
