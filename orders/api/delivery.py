"""Orders API: list (filters), place, read by ``number``, update (optimistic concurrency),
lifecycle actions, confirming the delivery date, the timeline, the delivery-date calculator.

Endpoints parse input, fetch through a selector (which applies the caller's walls: what is
not theirs is a 404), call one service, and render. Domain refusals become structured
errors in servicedesk.api_errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orders import dates
from orders.api.common import enum_field, ref, service_ref
from orders.models import Contract, Order, OrderEvent, OrderLine, OrderStep
from orders.selectors import (
    OrderFilters,
    delivery_estimate,
    filter_orders,
    get_order_for,
    lateness,
    order_timeline,
    orders_visible_to,
    suppliers_visible_to,
)
from orders.services.delivery import ACTIONS, available_actions, confirm_delivery_date, transition_order
from orders.services.editing import (
    DeskOnlyOrderChange,
    LineIds,
    assign_order_manager,
    choose_supplier,
    edit_order_details,
    plan_order_delivery,
)
from orders.services.ordering import LineDraft, OrderDraft, place_order
from servicedesk import api_fields
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination, paginated
from servicedesk.api_params import id_param, list_param
from servicedesk.errors import InvalidInput, run_use_cases
from servicedesk.idempotency import idempotent
from servicedesk.models import User
from servicedesk.selectors import get_site_for
from servicedesk.timeline import TIMELINE_ORDERING


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    site = serializers.SerializerMethodField()
    service_type = serializers.SerializerMethodField()
    product_area = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    action = enum_field("OrderLineActionEnum", OrderLine.Action.choices, read_only=True)
    service_id = serializers.CharField(
        source="planned_service_id", help_text="The service ID the new service gets (or got at handover)."
    )

    class Meta:
        model = OrderLine
        fields = [
            "id", "position", "action", "site", "service_type", "product", "product_area", "bandwidth_mbps",
            "service", "service_id", "circuit_id",
        ]  # fmt: skip
        read_only_fields = fields

    def get_site(self, line: OrderLine) -> dict[str, Any] | None:
        return ref(line.site)

    def get_service_type(self, line: OrderLine) -> dict[str, str]:
        return {"code": line.service_type.code, "name": line.service_type.name}

    def get_product_area(self, line: OrderLine) -> dict[str, Any] | None:
        return ref(line.product_area)

    def get_service(self, line: OrderLine) -> dict[str, Any] | None:
        """The inventory row: the service this line changes, or the one its handover created."""
        return service_ref(line.service)


class OrderStepSerializer(serializers.ModelSerializer[OrderStep]):
    step = enum_field("OrderStepEnum", [(s, s) for s in Order.STEPS], read_only=True)

    class Meta:
        model = OrderStep
        fields = ["step", "planned_on", "actual_at"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer[Order]):
    kind = enum_field("OrderKindEnum", Order.Kind.choices, read_only=True)
    status = enum_field("OrderStatusEnum", Order.Status.choices, read_only=True)
    contract_tier = enum_field("ContractTierEnum", Contract.Tier.choices, read_only=True)
    account = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    supplier = serializers.SerializerMethodField()
    order_manager = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)
    steps = OrderStepSerializer(many=True, read_only=True)
    late_confirmation = serializers.SerializerMethodField()
    late_delivery = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "number", "kind", "status", "title", "notes", "customer_reference", "account", "site", "supplier",
            "order_manager", "contract_tier", "lines", "steps", "created_at", "confirmed_at", "confirmation_due_on",
            "estimated_delivery_on", "committed_delivery_on", "delivery_date_confirmed_at", "handed_over_at",
            "billing_started_on", "cancelled_at", "late_confirmation", "late_delivery", "updated_at", "version",
            "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def _late(self, order: Order) -> Any:
        cache = self.context.setdefault("_lateness", {})
        if order.pk not in cache:
            cache[order.pk] = lateness(order, now=self.context.setdefault("now", timezone.now()))
        return cache[order.pk]

    def get_account(self, order: Order) -> dict[str, Any] | None:
        return ref(order.account)

    def get_site(self, order: Order) -> dict[str, Any] | None:
        return ref(order.site)

    def get_supplier(self, order: Order) -> dict[str, Any] | None:
        return ref(order.supplier)

    def get_order_manager(self, order: Order) -> dict[str, Any] | None:
        return ref(order.order_manager, "full_name")

    def get_late_confirmation(self, order: Order) -> bool:
        """Open, the exact delivery date still not confirmed, and the deadline day has ended at the site."""
        return bool(self._late(order).confirmation)

    def get_late_delivery(self, order: Order) -> bool:
        """Open, not handed over, and the committed delivery day has ended at the site."""
        return bool(self._late(order).delivery)

    def get_actions(self, order: Order) -> list[str]:
        return available_actions(order=order, actor=self.context["request"].user)


class OrderLineInputSerializer(serializers.Serializer[Any]):
    service_type = serializers.CharField(required=False, allow_blank=True, help_text="A service type's code.")
    product = serializers.CharField(max_length=200, required=False, allow_blank=True)
    site = serializers.IntegerField(required=False, help_text="Default: the order's site.")
    bandwidth_mbps = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    service = serializers.CharField(
        required=False, allow_blank=True, help_text="The service_id of an existing service to change."
    )
    product_area = serializers.IntegerField(required=False)


class OrderCreateSerializer(serializers.Serializer[Any]):
    kind = enum_field("OrderKindEnum", Order.Kind.choices, default=Order.Kind.STANDARD)
    title = serializers.CharField(max_length=Order.MAX_TITLE)
    site = serializers.IntegerField(help_text="The delivery site: its holidays and time zone govern the dates.")
    account = serializers.IntegerField(required=False)
    supplier = serializers.IntegerField(required=False, help_text="Staff only.")
    order_manager = serializers.IntegerField(required=False, help_text="Staff only; default: the staff creator.")
    contract_tier = enum_field("ContractTierEnum", Contract.Tier.choices, default=Contract.Tier.BUSINESS_HOURS)
    customer_reference = serializers.CharField(
        max_length=Order.MAX_CUSTOMER_REFERENCE, required=False, allow_blank=True
    )
    notes = serializers.CharField(max_length=Order.MAX_NOTES, required=False, allow_blank=True)
    lines = OrderLineInputSerializer(many=True)

    def to_draft(self) -> OrderDraft:
        data = self.validated_data
        return OrderDraft(
            title=data["title"],
            site_id=data["site"],
            kind=data["kind"],
            account_id=data.get("account"),
            supplier_id=data.get("supplier"),
            order_manager_id=data.get("order_manager"),
            contract_tier=data["contract_tier"],
            customer_reference=data.get("customer_reference", ""),
            notes=data.get("notes", ""),
            lines=[
                LineDraft(
                    service_type=line.get("service_type", ""),
                    product=line.get("product", ""),
                    site_id=line.get("site"),
                    bandwidth_mbps=line.get("bandwidth_mbps"),
                    service=line.get("service", ""),
                    product_area_id=line.get("product_area"),
                )
                for line in data["lines"]
            ],
        )


class OrderLinePatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    service_id = serializers.CharField(max_length=OrderLine.MAX_SERVICE_ID, required=False, allow_blank=True)
    circuit_id = serializers.CharField(max_length=OrderLine.MAX_CIRCUIT_ID, required=False, allow_blank=True)


class OrderUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version you read; a stale one is refused with 409.")
    title = serializers.CharField(max_length=Order.MAX_TITLE, required=False, help_text="Staff only.")
    notes = serializers.CharField(max_length=Order.MAX_NOTES, required=False, allow_blank=True, help_text="Staff only.")
    customer_reference = serializers.CharField(
        max_length=Order.MAX_CUSTOMER_REFERENCE, required=False, allow_blank=True
    )
    supplier = serializers.IntegerField(required=False, allow_null=True, help_text="Staff only.")
    order_manager = serializers.IntegerField(required=False, allow_null=True, help_text="Staff only.")
    contract_tier = enum_field("ContractTierEnum", Contract.Tier.choices, required=False, help_text="Staff only.")
    planned = serializers.DictField(
        child=api_fields.DateField(allow_null=True),
        required=False,
        help_text="Staff only: planned date per step (null clears).",
    )
    lines = OrderLinePatchSerializer(many=True, required=False, help_text="Staff only.")

    # What a customer may change; the rest is the desk's.
    CUSTOMER_FIELDS = ("version", "customer_reference")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refused = sorted(set(attrs) - set(self.CUSTOMER_FIELDS))
        if refused and not self.context["actor"].is_desk_staff:
            raise DeskOnlyOrderChange(refused)
        return attrs


def _update_order(order: Order, actor: User, data: dict[str, Any]) -> None:
    """One PATCH: each kind of change its use case, in one transaction, each on the version the
    one before left; every bad field of every kind is reported at once (and nothing changes)."""
    version = data.pop("version")
    steps: list[Callable[[int], Order]] = []
    details = {name: data[name] for name in ("title", "notes", "customer_reference", "contract_tier") if name in data}
    # Without a detail, the details' use case still checks the version and that the order is
    # open: a PATCH that changes nothing is refused for the same reasons as one that does.
    if details or not data:
        steps.append(lambda v: edit_order_details(order=order, actor=actor, version=v, **details))
    if "supplier" in data:
        steps.append(lambda v: choose_supplier(order=order, actor=actor, version=v, supplier_id=data["supplier"]))
    if "order_manager" in data:
        steps.append(
            lambda v: assign_order_manager(order=order, actor=actor, version=v, manager_id=data["order_manager"])
        )
    if "planned" in data or "lines" in data:
        lines = [
            LineIds(id=line["id"], service_id=line.get("service_id"), circuit_id=line.get("circuit_id"))
            for line in data.get("lines", [])
        ]
        steps.append(
            lambda v: plan_order_delivery(order=order, actor=actor, version=v, planned=data.get("planned"), lines=lines)
        )
    run_use_cases(steps, version=version)


class OrderTransitionSerializer(serializers.Serializer[Any]):
    action = enum_field("OrderActionEnum", [(a, a) for a in ACTIONS])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DeliveryDateSerializer(serializers.Serializer[Any]):
    date = api_fields.DateField(help_text="The exact delivery (handover) date, a business day at the site.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    kind = enum_field("OrderEventKindEnum", OrderEvent.Kind.choices, read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        # ``params``: what a line the desk wrote itself says, as data (days as YYYY-MM-DD,
        # instants in ISO 8601 UTC), for a client to word in its own language.
        fields = ["id", "kind", "at", "actor", "field", "from_value", "to_value", "reason", "params"]
        read_only_fields = fields

    def get_actor(self, event: OrderEvent) -> dict[str, Any] | None:
        return ref(event.actor, "full_name")


class DeliveryEstimateQuerySerializer(serializers.Serializer[Any]):
    site = serializers.IntegerField()
    kind = enum_field("OrderKindEnum", Order.Kind.choices, default=Order.Kind.STANDARD)
    bandwidth_mbps = serializers.IntegerField(required=False, min_value=1)
    supplier = serializers.IntegerField(required=False, help_text="Staff only.")
    confirmed_on = api_fields.DateField(required=False, help_text="Default: today at the site.")


class DeliveryEstimateSerializer(serializers.Serializer[Any]):
    site = serializers.DictField()
    kind = enum_field("OrderKindEnum", Order.Kind.choices)
    confirmed_on = serializers.DateField()
    confirmation_due_on = serializers.DateField()
    lead_time_days = serializers.IntegerField(allow_null=True)
    estimated_delivery_on = serializers.DateField(allow_null=True)


_LIST_FILTERS = [
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("kind", str, description="One kind, or several separated by commas."),
    OpenApiParameter("account", int),
    OpenApiParameter("site", int),
    OpenApiParameter("order_manager", str, description='A user id, or "me".'),
    OpenApiParameter(
        "late",
        bool,
        description="true: open orders late against the confirmation deadline or the committed date; false: the others.",
    ),
]

_ORDER_EXAMPLE = OpenApiExample(
    "A standard order for one site",
    request_only=True,
    value={
        "kind": "standard",
        "title": "Second internet line for the Frankfurt warehouse",
        "site": 1,
        "customer_reference": "ACME-PO-7781",
        "lines": [{"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 500}],
    },
)


class OrderPagination(DeskPagination):
    ordering = ("-created_at", "-id")


class OrderViewSet(viewsets.GenericViewSet[Order]):
    """Orders inside the caller's walls, by ``number``."""

    lookup_field = "number"
    lookup_value_converter = "str"
    serializer_class = OrderSerializer
    pagination_class = OrderPagination

    def get_queryset(self) -> Any:
        return orders_visible_to(actor=actor_of(self.request))

    def _order(self) -> Order:
        return get_order_for(actor=actor_of(self.request), number=self.kwargs["number"])

    def _render(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        fresh = get_order_for(actor=actor_of(self.request), number=order.number)
        return Response(OrderSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(parameters=_LIST_FILTERS)
    def list(self, request: Request) -> Response:
        params = request.query_params
        actor = actor_of(request)
        manager = params.get("order_manager")
        late = params.get("late")
        filters = OrderFilters(
            statuses=list_param(params, "status"),
            kinds=list_param(params, "kind"),
            account_id=id_param(params.get("account")),
            site_id=id_param(params.get("site")),
            order_manager_id=actor.pk if manager == "me" else id_param(manager),
            late=late in ("true", "1") if late in ("true", "1", "false", "0") else None,
        )
        now = timezone.now()
        page = self.paginate_queryset(filter_orders(actor=actor, filters=filters, now=now))
        context = {"request": request, "now": now}
        return self.get_paginated_response(OrderSerializer(page, many=True, context=context).data)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer}, examples=[_ORDER_EXAMPLE])
    @idempotent
    def create(self, request: Request) -> Response:
        """Place an order: customers for their account's sites (standard or ICB), the desk for
        any account (any kind, with supplier and order manager)."""
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = place_order(actor=actor_of(request), draft=serializer.to_draft())
        return self._render(order, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, number: str) -> Response:
        return Response(OrderSerializer(self._order(), context={"request": request}).data)

    @extend_schema(
        request=OrderUpdateSerializer,
        responses={200: OrderSerializer},
        examples=[
            OpenApiExample(
                "Plan a step and give a line its IDs",
                request_only=True,
                value={
                    "version": 3,
                    "planned": {"configuration": "2027-01-18"},
                    "lines": [{"id": 12, "service_id": "NW-INET-1010", "circuit_id": "FRA-DIA-40977"}],
                },
            )
        ],
    )
    def partial_update(self, request: Request, number: str) -> Response:
        """Change details: the desk any (planned dates per step, supplier, order manager, the
        lines' service and circuit IDs); a customer their reference."""
        order = self._order()
        actor = actor_of(request)
        serializer = OrderUpdateSerializer(data=request.data, context={"actor": actor})
        serializer.is_valid(raise_exception=True)
        _update_order(order, actor, dict(serializer.validated_data))
        return self._render(order)

    @extend_schema(
        request=OrderTransitionSerializer,
        responses={200: OrderSerializer},
        examples=[OpenApiExample("Validate (the order confirmation)", request_only=True, value={"action": "validate"})],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, number: str) -> Response:
        """Run a lifecycle action the caller may take now (see the order's ``actions``)."""
        order = self._order()
        serializer = OrderTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transition_order(order=order, actor=actor_of(request), **serializer.validated_data)
        return self._render(order)

    @extend_schema(
        request=DeliveryDateSerializer,
        responses={200: OrderSerializer},
        examples=[OpenApiExample("Commit to a date", request_only=True, value={"date": "2027-01-20"})],
    )
    @action(detail=True, methods=["post"], url_path="delivery-date")
    def delivery_date(self, request: Request, number: str) -> Response:
        """The desk confirms the exact delivery date agreed with the customer (a later change
        needs a reason)."""
        order = self._order()
        serializer = DeliveryDateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        confirm_delivery_date(
            order=order,
            actor=actor_of(request),
            day=serializer.validated_data["date"],
            reason=serializer.validated_data["reason"],
        )
        return self._render(order)

    @extend_schema(responses={200: OrderEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, number: str) -> Response:
        """Every change, oldest first: status changes, dates, plans, inventory."""
        events = order_timeline(actor=actor_of(request), order=self._order())
        return paginated(
            request, self, events, TIMELINE_ORDERING, lambda page: OrderEventSerializer(page, many=True).data
        )

    @extend_schema(
        parameters=[DeliveryEstimateQuerySerializer],
        responses={200: DeliveryEstimateSerializer},
    )
    @action(detail=False, methods=["get"], url_path="delivery-estimate")
    def delivery_estimate(self, request: Request) -> Response:
        """The calculator: for an order confirmed on a day at a site, the deadline for
        confirming the exact delivery date and the estimated delivery date from the lead-time
        table (country × bandwidth × supplier) and the site's national holidays."""
        actor = actor_of(request)
        query = DeliveryEstimateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        supplier = params.get("supplier")
        if supplier is not None and not suppliers_visible_to(actor=actor).filter(pk=supplier).exists():
            raise InvalidInput.single("supplier", _("There is no such supplier."))
        site = get_site_for(actor=actor, pk=params["site"])
        kind = params["kind"]
        bandwidth = params.get("bandwidth_mbps")
        confirmed_on = params.get("confirmed_on") or dates.local_date(site.time_zone, timezone.now())
        estimate = delivery_estimate(
            site=site, kind=kind, bandwidth_mbps=bandwidth, supplier_id=supplier, confirmed_on=confirmed_on
        )
        return Response(
            DeliveryEstimateSerializer(
                {
                    "site": ref(site),
                    "kind": kind,
                    "confirmed_on": estimate.confirmed_on,
                    "confirmation_due_on": estimate.confirmation_due_on,
                    "lead_time_days": estimate.lead_time.business_days if estimate.lead_time else None,
                    "estimated_delivery_on": estimate.estimated_delivery_on,
                }
            ).data
        )
