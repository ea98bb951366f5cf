"""Core API: tokens, the caller's profile, the customer accounts and sites they may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.api_auth import issue_token
from servicedesk.api_fields import FieldsBuiltOnce
from servicedesk.auth import AccountDeactivated, InvalidCredentials, SignInThrottled, sign_in
from servicedesk.models import CustomerAccount, Site, User
from servicedesk.selectors import accounts_visible_to, sites_visible_to


class ReferenceField(serializers.Serializer[Any]):
    """A reference to another object: its id and a human name."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(help_text="The user's e-mail address.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange an e-mail address and password for an API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        examples=[
            OpenApiExample("Sign in", value={"username": "alice@acme.example", "password": "…"}, request_only=True)
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = sign_in(request=request._request, **serializer.validated_data)
        except SignInThrottled:
            # Retry-After: the window, the longest a block lasts (it starts at the first failure).
            raise Throttled(
                wait=settings.LOGIN_FAILURE_WINDOW_SECONDS, detail=str(_("Too many failed sign-ins. Try again later."))
            ) from None
        except AccountDeactivated:
            return Response(
                {"non_field_errors": [_("Your customer account is deactivated: its users cannot sign in.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except InvalidCredentials:
            return Response(
                {"non_field_errors": [_("Unable to sign in with those credentials.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": issue_token(user=user)})


class TenantSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class MeSerializer(FieldsBuiltOnce, serializers.ModelSerializer[User]):
    tenant = TenantSerializer(allow_null=True)
    account = ReferenceField(source="customer_account", allow_null=True)
    sites = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "language", "time_zone", "tenant", "account", "sites"]

    def get_sites(self, user: User) -> list[dict[str, Any]]:
        return [{"id": site.pk, "name": site.name} for site in sites_visible_to(actor=user)] if user.tenant_id else []


class MeView(APIView):
    """The caller: user, tenant, role, customer account and the sites they may see."""

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]


class AccountSerializer(serializers.ModelSerializer[CustomerAccount]):
    class Meta:
        model = CustomerAccount
        fields = ["id", "name", "reference", "is_active"]


class AccountViewSet(viewsets.ReadOnlyModelViewSet[CustomerAccount]):
    """Customer accounts: staff see all of their tenant's, a customer user their own."""

    serializer_class = AccountSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> Any:
        return accounts_visible_to(actor=self.request.user)  # type: ignore[arg-type]


class SiteSerializer(serializers.ModelSerializer[Site]):
    account = ReferenceField()

    class Meta:
        model = Site
        fields = ["id", "name", "account", "street", "postcode", "city", "country", "subdivision", "time_zone"]


class SiteViewSet(viewsets.ReadOnlyModelViewSet[Site]):
    """Sites: staff see all of their tenant's; a customer user the account's, or only those
    they are restricted to."""

    serializer_class = SiteSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> Any:
        return sites_visible_to(actor=self.request.user)  # type: ignore[arg-type]
