"""The desk's suppliers and lead-time table (the calculator's data): the desk reads them,
the tenant's administrators keep them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from orders.api.common import ref
from orders.models import LeadTime, Supplier
from orders.selectors import get_lead_time_for, lead_times_visible_to, suppliers_visible_to
from orders.services.lead_times import add_supplier, define_lead_time, remove_lead_time
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = ["id", "name", "is_active"]
        read_only_fields = ["is_active"]


class SupplierPagination(DeskPagination):
    ordering = "name"


class SupplierViewSet(viewsets.GenericViewSet[Supplier]):
    """The suppliers leased lines are ordered from (the desk reads; administrators add)."""

    serializer_class = SupplierSerializer
    pagination_class = SupplierPagination

    def get_queryset(self) -> Any:
        return suppliers_visible_to(actor=actor_of(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SupplierSerializer(page, many=True).data)

    @extend_schema(request=SupplierSerializer, responses={201: SupplierSerializer})
    def create(self, request: Request) -> Response:
        serializer = SupplierSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier = add_supplier(actor=actor_of(request), name=serializer.validated_data["name"])
        return Response(SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)


class LeadTimeSerializer(serializers.ModelSerializer[LeadTime]):
    supplier = serializers.SerializerMethodField()

    class Meta:
        model = LeadTime
        fields = ["id", "country", "min_mbps", "max_mbps", "supplier", "business_days"]
        read_only_fields = fields

    def get_supplier(self, row: LeadTime) -> dict[str, Any] | None:
        return ref(row.supplier)


# The bandwidth columns are integers: a larger number is a 400, not a refused INSERT.
MAX_MBPS = 2**31 - 1


class LeadTimeInputSerializer(serializers.Serializer[Any]):
    country = serializers.CharField(max_length=2)
    min_mbps = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_MBPS)
    max_mbps = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_MBPS)
    supplier = serializers.IntegerField(required=False, allow_null=True, help_text="Empty: any supplier.")
    business_days = serializers.IntegerField(min_value=1)


class LeadTimePagination(DeskPagination):
    ordering = ("country", "id")


class LeadTimeViewSet(viewsets.GenericViewSet[LeadTime]):
    """The tenant's lead-time table: business days from confirmation to delivery per country,
    bandwidth band and supplier. The desk reads it; administrators change it."""

    serializer_class = LeadTimeSerializer
    pagination_class = LeadTimePagination
    lookup_value_converter = "int"

    def get_queryset(self) -> Any:
        return lead_times_visible_to(actor=actor_of(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LeadTimeSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(LeadTimeSerializer(get_lead_time_for(actor=actor_of(request), pk=int(pk))).data)

    def _save(self, request: Request, row: LeadTime | None) -> LeadTime:
        serializer = LeadTimeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return define_lead_time(
            actor=actor_of(request),
            country=data["country"],
            business_days=data["business_days"],
            min_mbps=data.get("min_mbps"),
            max_mbps=data.get("max_mbps"),
            supplier_id=data.get("supplier"),
            lead_time=row,
        )

    @extend_schema(
        request=LeadTimeInputSerializer,
        responses={201: LeadTimeSerializer},
        examples=[
            OpenApiExample(
                "Germany, up to 100 Mbit/s, any supplier",
                request_only=True,
                value={"country": "DE", "min_mbps": None, "max_mbps": 100, "business_days": 20},
            )
        ],
    )
    def create(self, request: Request) -> Response:
        return Response(LeadTimeSerializer(self._save(request, None)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LeadTimeInputSerializer, responses={200: LeadTimeSerializer})
    def update(self, request: Request, pk: int) -> Response:
        row = get_lead_time_for(actor=actor_of(request), pk=int(pk))
        return Response(LeadTimeSerializer(self._save(request, row)).data)

    def destroy(self, request: Request, pk: int) -> Response:
        remove_lead_time(actor=actor_of(request), lead_time=get_lead_time_for(actor=actor_of(request), pk=int(pk)))
        return Response(status=status.HTTP_204_NO_CONTENT)
