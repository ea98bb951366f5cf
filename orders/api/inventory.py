"""Inventory API: the caller's services (each service type's intake questionnaire is in tickets.api)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from orders.models import Service
from orders.selectors import entitlement_of, get_service_for, services_visible_to
from servicedesk.api_pagination import DeskPagination
from servicedesk.api_params import id_param


class ServiceSerializer(serializers.ModelSerializer[Service]):
    type = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    product_area = serializers.SerializerMethodField()
    entitled = serializers.SerializerMethodField()
    entitled_until = serializers.SerializerMethodField()
    contract_tier = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "service_id", "type", "product", "product_area", "site", "account", "circuit_id", "serial_number",
            "bandwidth", "status", "entitled", "entitled_until", "contract_tier",
        ]  # fmt: skip

    def get_type(self, service: Service) -> dict[str, str]:
        return {"code": service.service_type.code, "name": service.service_type.name}

    def get_site(self, service: Service) -> dict[str, Any]:
        return {"id": service.site_id, "name": service.site.name}

    def get_account(self, service: Service) -> dict[str, Any]:
        return {"id": service.account_id, "name": service.account.name}

    def get_product_area(self, service: Service) -> dict[str, Any] | None:
        area = service.product_area
        return {"id": area.pk, "name": area.name} if area else None

    def _contract(self, service: Service) -> Any:
        cache = self.context.setdefault("_entitlements", {})
        if service.pk not in cache:
            cache[service.pk] = entitlement_of(service)
        return cache[service.pk]

    def get_entitled(self, service: Service) -> bool:
        return self._contract(service) is not None

    def get_entitled_until(self, service: Service) -> str | None:
        contract = self._contract(service)
        return contract.valid_until.isoformat() if contract and contract.valid_until else None

    def get_contract_tier(self, service: Service) -> str | None:
        contract = self._contract(service)
        return contract.tier if contract else None


class ServicePagination(DeskPagination):
    ordering = "service_id"


class ServiceViewSet(viewsets.ReadOnlyModelViewSet[Service]):
    """The caller's inventory: staff see the tenant's, customer users their account's (or
    their sites'). Looked up by ``service_id``."""

    serializer_class = ServiceSerializer
    pagination_class = ServicePagination
    lookup_field = "service_id"
    lookup_value_converter = "str"

    def get_queryset(self) -> Any:
        services = services_visible_to(actor=self.request.user)  # type: ignore[arg-type]
        site_id = id_param(self.request.query_params.get("site"))
        if site_id is not None:
            services = services.filter(site_id=site_id)
        return services

    def get_object(self) -> Service:
        return get_service_for(actor=self.request.user, service_id=self.kwargs["service_id"])  # type: ignore[arg-type]
