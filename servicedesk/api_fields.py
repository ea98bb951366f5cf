"""Serializer fields that every API input of their kind uses: dates and times within the
years the desk records and plans in (servicedesk.validators ``EARLIEST_DATE`` to
``LATEST_DATE``), so no date arithmetic behind them leaves Python's calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
