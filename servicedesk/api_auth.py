"""API token authentication: hashed tokens, and the tenant made current for the request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from servicedesk.auth import customer_account_is_active
from servicedesk.models import ApiToken, User
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
        # The digest is unique: one row or none, nothing to order.
        found = list(ApiToken.objects.select_related("user", "user__tenant").filter(digest=token_digest(key))[:1])
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        user = token.user
        if not user.is_active or (user.tenant is not None and not user.tenant.is_active):
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not customer_account_is_active(user):
            raise exceptions.AuthenticationFailed(_("The customer account is deactivated."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
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
