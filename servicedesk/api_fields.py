"""Serializer fields that every API input of their kind uses: dates and times within the
years the desk records and plans in (servicedesk.validators ``EARLIEST_DATE`` to
``LATEST_DATE``), so no date arithmetic behind them leaves Python's calendar; and the fields
of a model serializer built once per class (``FieldsBuiltOnce``)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy
from rest_framework import serializers

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
