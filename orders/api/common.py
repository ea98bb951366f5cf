"""What the orders API modules share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers


def ref(obj: Any, name: str = "name") -> dict[str, Any] | None:
    """A reference to another object: its id and a human name (API.md)."""
    return None if obj is None else {"id": obj.pk, "name": str(getattr(obj, name))}


def service_ref(service: Any) -> dict[str, Any] | None:
    """A service, by its service ID (which is also how it is given on input)."""
    if service is None:
        return None
    return {"service_id": service.service_id, "name": service.product}


def id_param(value: str | None) -> int | None:
    """A numeric query parameter; a value that is not a number matches nothing (-1)."""
    if not value:
        return None
    return int(value) if value.isdigit() else -1


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


def filter_by_status_account_site(queryset: QuerySet[Any], params: Mapping[str, str]) -> QuerySet[Any]:
    """The list filters shared by SSRs and change requests (ids that are not numbers match nothing)."""
    if params.get("status"):
        queryset = queryset.filter(status__in=params["status"].split(","))
    for name in ("account", "site"):
        value = id_param(params.get(name))
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    return queryset
