"""What the orders API modules share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from orders.selectors import RequestFilters
from servicedesk.api_params import id_param, list_param


def ref(obj: Any, name: str = "name") -> dict[str, Any] | None:
    """A reference to another object: its id and a human name (API.md)."""
    return None if obj is None else {"id": obj.pk, "name": str(getattr(obj, name))}


def service_ref(service: Any) -> dict[str, Any] | None:
    """A service, by its service ID (which is also how it is given on input)."""
    if service is None:
        return None
    return {"service_id": service.service_id, "name": service.product}


_ENUM_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def enum_field(name: str, choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    """A choice field documented as its own enum component ``name`` (e.g. ``OrderStatusEnum``),
    so that the many fields called ``status``, ``kind`` or ``action`` across the API do not
    collide in the schema."""
    if name not in _ENUM_FIELDS:
        values = [value for value, _label in choices]
        field_class = type(f"{name}Field", (serializers.ChoiceField,), {})
        _ENUM_FIELDS[name] = extend_schema_field({"type": "string", "enum": values}, component_name=name)(field_class)
    return _ENUM_FIELDS[name](choices=choices, **kwargs)


STATUS_ACCOUNT_SITE_FILTERS = [
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("account", int),
    OpenApiParameter("site", int),
]


def request_filters(params: Mapping[str, str]) -> RequestFilters:
    """The list filters of SSRs and change requests (``STATUS_ACCOUNT_SITE_FILTERS``)."""
    return RequestFilters(
        statuses=list_param(params, "status"),
        account_id=id_param(params.get("account")),
        site_id=id_param(params.get("site")),
    )
