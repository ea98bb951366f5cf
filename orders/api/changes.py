"""Change requests API: by number (CR-000001); quote, accept, decline, lifecycle actions,
timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orders.api.common import STATUS_ACCOUNT_SITE_FILTERS, enum_field, ref, request_filters, service_ref
from orders.models import ChangeRequest, ChangeRequestEvent
from orders.selectors import (
    change_request_timeline,
    change_requests_visible_to,
    filter_change_requests,
    get_change_request_for,
)
from orders.services import changes as change_services
from servicedesk import api_fields
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination, paginated
from servicedesk.idempotency import idempotent
from servicedesk.timeline import TIMELINE_ORDERING


class ChangeRequestSerializer(serializers.ModelSerializer[ChangeRequest]):
    status = enum_field("ChangeRequestStatusEnum", ChangeRequest.Status.choices, read_only=True)
    account = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "number", "status", "title", "description", "customer_reference", "account", "site", "service",
            "quoted_cost", "currency", "planned_start", "planned_end", "quote_note", "quoted_at", "decided_at",
            "decided_by", "notice_sent_at", "completed_at", "cancelled_at", "created_at", "updated_at", "version",
            "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_account(self, change: ChangeRequest) -> dict[str, Any] | None:
        return ref(change.account)

    def get_site(self, change: ChangeRequest) -> dict[str, Any] | None:
        return ref(change.site)

    def get_service(self, change: ChangeRequest) -> dict[str, Any] | None:
        return service_ref(change.service)

    def get_decided_by(self, change: ChangeRequest) -> dict[str, Any] | None:
        return ref(change.decided_by, "full_name")

    def get_actions(self, change: ChangeRequest) -> list[str]:
        return change_services.available_actions(change_request=change, actor=self.context["request"].user)


class ChangeRequestCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000)
    site = serializers.IntegerField(required=False, help_text="Default: the service's site.")
    service = serializers.CharField(required=False, allow_blank=True, help_text="A service_id.")
    customer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ChangeQuoteSerializer(serializers.Serializer[Any]):
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    currency = serializers.CharField(max_length=3, default="EUR")
    planned_start = api_fields.DateTimeField()
    planned_end = api_fields.DateTimeField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ChangeTransitionSerializer(serializers.Serializer[Any]):
    action = enum_field("ChangeRequestActionEnum", [(a, a) for a in change_services.SIMPLE_ACTIONS])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    planned_start = api_fields.DateTimeField(required=False, help_text="schedule: move the window.")
    planned_end = api_fields.DateTimeField(required=False, help_text="schedule: move the window.")


class ChangeDeclineSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class ChangeEventSerializer(serializers.ModelSerializer[ChangeRequestEvent]):
    kind = enum_field("ChangeRequestEventKindEnum", ChangeRequestEvent.Kind.choices, read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequestEvent
        # ``params``: what a line the desk wrote itself says, as data (days as YYYY-MM-DD,
        # instants in ISO 8601 UTC), for a client to word in its own language.
        fields = ["id", "kind", "at", "actor", "field", "from_value", "to_value", "reason", "params"]
        read_only_fields = fields

    def get_actor(self, event: ChangeRequestEvent) -> dict[str, Any] | None:
        return ref(event.actor, "full_name")


class ChangeRequestPagination(DeskPagination):
    ordering = ("-created_at", "-id")


class ChangeRequestViewSet(viewsets.GenericViewSet[ChangeRequest]):
    """Change requests inside the caller's walls, by ``number`` (``CR-000001``)."""

    serializer_class = ChangeRequestSerializer
    pagination_class = ChangeRequestPagination
    lookup_field = "number"
    lookup_value_converter = "str"

    def get_queryset(self) -> Any:
        return change_requests_visible_to(actor=actor_of(self.request))

    def _change(self) -> ChangeRequest:
        return get_change_request_for(actor=actor_of(self.request), number=self.kwargs["number"])

    def _render(self, change: ChangeRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = get_change_request_for(actor=actor_of(self.request), number=change.number)
        return Response(ChangeRequestSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(parameters=STATUS_ACCOUNT_SITE_FILTERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(
            filter_change_requests(actor=actor_of(request), filters=request_filters(request.query_params))
        )
        return self.get_paginated_response(ChangeRequestSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request=ChangeRequestCreateSerializer,
        responses={201: ChangeRequestSerializer},
        examples=[
            OpenApiExample(
                "Move an antenna",
                request_only=True,
                value={
                    "title": "Move the VSAT antenna to the north roof",
                    "description": "The roof is being renovated; the antenna has to move 12 m north.",
                    "service": "NW-SAT-2002",
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = ChangeRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        change = change_services.open_change_request(
            actor=actor_of(request),
            draft=change_services.ChangeDraft(
                title=data["title"],
                description=data["description"],
                site_id=data.get("site"),
                service=data.get("service", ""),
                customer_reference=data.get("customer_reference", ""),
            ),
        )
        return self._render(change, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, number: str) -> Response:
        return Response(ChangeRequestSerializer(self._change(), context={"request": request}).data)

    @extend_schema(
        request=ChangeQuoteSerializer,
        responses={200: ChangeRequestSerializer},
        examples=[
            OpenApiExample(
                "Cost and schedule",
                request_only=True,
                value={
                    "cost": "1450.00",
                    "currency": "EUR",
                    "planned_start": "2026-12-12T07:00:00Z",
                    "planned_end": "2026-12-12T11:00:00Z",
                    "note": "Crane and two technicians; the VSAT link is down for about an hour.",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def quote(self, request: Request, number: str) -> Response:
        """The desk states cost and schedule; the customer then accepts or declines."""
        change = self._change()
        serializer = ChangeQuoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_services.quote_change_request(
            change_request=change, actor=actor_of(request), **serializer.validated_data
        )
        return self._render(change)

    @extend_schema(request=None, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, number: str) -> Response:
        """The customer accepts the quote."""
        change = self._change()
        change_services.transition_change_request(change_request=change, actor=actor_of(request), action="accept")
        return self._render(change)

    @extend_schema(request=ChangeDeclineSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, number: str) -> Response:
        """The customer declines the quote, saying why."""
        change = self._change()
        serializer = ChangeDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_services.transition_change_request(
            change_request=change, actor=actor_of(request), action="decline", reason=serializer.validated_data["reason"]
        )
        return self._render(change)

    @extend_schema(
        request=ChangeTransitionSerializer,
        responses={200: ChangeRequestSerializer},
        examples=[OpenApiExample("Schedule the quoted window", request_only=True, value={"action": "schedule"})],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, number: str) -> Response:
        """Run a lifecycle action the caller may take now (see ``actions``); scheduling sends the
        planned-work notice to the account's contacts."""
        change = self._change()
        serializer = ChangeTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_services.transition_change_request(
            change_request=change, actor=actor_of(request), **serializer.validated_data
        )
        return self._render(change)

    @extend_schema(responses={200: ChangeEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, number: str) -> Response:
        events = change_request_timeline(actor=actor_of(request), change_request=self._change())
        return paginated(
            request, self, events, TIMELINE_ORDERING, lambda page: ChangeEventSerializer(page, many=True).data
        )
