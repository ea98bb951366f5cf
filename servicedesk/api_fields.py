"""Serializer fields that every API input of their kind uses: dates and times within the
years the desk records and plans in (servicedesk.validators ``EARLIEST_DATE`` to
``LATEST_DATE``), so no date arithmetic behind them leaves Python's calendar; and the fields
of a model serializer built once per class (``FieldsBuiltOnce``)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from servicedesk.validators import date_in_range, date_range_message


class DateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> dt.date:
        day: dt.date = super().to_internal_value(value)
        if not date_in_range(day):
            raise serializers.ValidationError(date_range_message(), code="date_range")
        return day


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> dt.datetime:
        instant: dt.datetime = super().to_internal_value(value)
        if not date_in_range(instant):
            raise serializers.ValidationError(date_range_message(), code="date_range")
        return instant


#: More answers than any form has questions: refused before a single one is looked at.
MAX_ANSWERS = 100


class AnswersField(serializers.DictField):
    """A form's answers by field name, at most ``MAX_ANSWERS`` of them: a body of 300,000
    unknown names is refused at once instead of being checked, and answered, one by one."""

    default_error_messages = {"too_many": gettext_lazy("At most {max} answers.")}

    def to_internal_value(self, data: Any) -> dict[Any, Any]:
        if isinstance(data, dict) and len(data) > MAX_ANSWERS:
            self.fail("too_many", max=MAX_ANSWERS)
        return super().to_internal_value(data)


class FieldsBuiltOnce:
    """ModelSerializer mixin: the fields DRF builds from the model's metadata are built once per
    class and copied for each serializer (DRF builds them afresh for every instance: about 1 ms
    for the ticket's 38 fields, 0.3 ms to copy). Only for serializers whose fields do not depend
    on the instance or the context. Put it before ``ModelSerializer`` in the bases."""

    _built: ClassVar[dict[type, dict[str, serializers.Field[Any, Any, Any, Any]]]] = {}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = FieldsBuiltOnce._built.get(cls)
        if built is None:
            built = FieldsBuiltOnce._built[cls] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(built)


def _choice(field: Any) -> Callable[[Any], Any]:
    table = field.choice_strings_to_values
    return lambda value: value if value == "" else table.get(str(value), value)


def _boolean(value: Any) -> Any:
    if value in serializers.BooleanField.TRUE_VALUES:
        return True
    if value in serializers.BooleanField.FALSE_VALUES:
        return False
    return bool(value)


class RepresentedDirectly:
    """Serializer mixin for read-only output of many rows (a list page of 50 tickets): each row
    is written by a plan made once per serializer, one step per field, instead of DRF's
    machinery per field and row (6 of a 50-ticket page's 22 ms of CPU). The same output as DRF's
    ``to_representation`` (``tests/tickets/test_api_representation.py`` compares them): plain
    model values (text, choices, numbers, booleans, JSON) and ISO 8601 instants in the current
    time zone are written here, method fields call their method, any other field its own
    ``to_representation``. Put it before ``ModelSerializer`` in the bases."""

    # Per class, when no field needs its own bound instance: (name, method name or step).
    _plans: ClassVar[dict[type, list[tuple[str, str | Callable[[Any], Any]]]]] = {}

    def _plan(self) -> list[tuple[str, Callable[[Any], Any]]]:
        plan: list[tuple[str, Callable[[Any], Any]]] | None = self.__dict__.get("_represent_plan")
        if plan is not None:
            return plan
        steps = RepresentedDirectly._plans.get(type(self))
        if steps is None:  # the fields, built and bound: only when the class has no plan yet
            steps = [(field.field_name, self._step(field)) for field in self._readable_fields]  # type: ignore[attr-defined]
            if not any(getattr(step, "needs_field", False) for _, step in steps):
                RepresentedDirectly._plans[type(self)] = steps
        plan = [(name, getattr(self, step) if isinstance(step, str) else step) for name, step in steps]
        self._represent_plan = plan
        return plan

    @staticmethod
    def _step(field: Any) -> str | Callable[[Any], Any]:
        """The method's name for a method field; otherwise what writes the field's value."""
        kind = type(field)
        if kind is serializers.SerializerMethodField:
            return str(field.method_name)
        convert: Callable[[Any], Any] | None = None
        if field.source == "*" or len(field.source_attrs) != 1:
            convert = None
        elif kind is serializers.CharField:
            convert = str
        elif kind is serializers.ChoiceField:
            convert = _choice(field)
        elif kind is serializers.IntegerField:
            convert = int
        elif kind is serializers.BooleanField:
            convert = _boolean
        elif kind is serializers.JSONField and not field.binary:
            convert = _same
        elif kind in (serializers.DateTimeField, DateTimeField) and _iso(field):
            convert = _instant
        if convert is None:

            def generic(instance: Any) -> Any:
                return _generic(field, instance)

            generic.needs_field = True  # type: ignore[attr-defined]
            return generic

        return _value_step(field.source_attrs[0], convert)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {name: step(instance) for name, step in self._plan()}


def _value_step(attribute: str, convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def step(instance: Any) -> Any:
        value = getattr(instance, attribute)
        return None if value is None else convert(value)

    return step


def _same(value: Any) -> Any:
    return value


def _iso(field: Any) -> bool:
    from rest_framework.settings import api_settings  # noqa: PLC0415

    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        isinstance(output_format, str)
        and output_format.lower() == "iso-8601"
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    )


def _instant(value: Any) -> Any:
    if not value or isinstance(value, str):
        return value or None
    if timezone.is_naive(value):
        return serializers.DateTimeField().to_representation(value)
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _generic(field: Any, instance: Any) -> Any:
    attribute = field.get_attribute(instance)
    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if check is None else field.to_representation(attribute)
