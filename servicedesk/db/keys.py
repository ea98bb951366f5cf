"""Filters that tell the planner how to find the rows: by their keys, one probe each.

``pk IN (subquery)`` lets PostgreSQL turn the subquery into a join; under ``ORDER BY … LIMIT``
it may then read a whole index of the outer table in the query's order to hash it against the
subquery, however few rows the subquery holds. ``pk = ANY(ARRAY(subquery))`` computes the
subquery once, before the query, into an array the plan can only use as keys of the primary
key. SQLite (``make run``) has no arrays and keeps ``IN``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import F, Func, Subquery

M = TypeVar("M", bound=models.Model)


class _KeyAmong(Func):
    """``<key> = ANY(ARRAY(<subquery>))`` (the subquery brings its own parentheses)."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = models.BooleanField()


def keyed_among(rows: models.QuerySet[M], keys: models.QuerySet[Any]) -> models.QuerySet[M]:
    """``rows`` whose primary key is among ``keys`` (a query of one column), read by key."""
    if connections[rows.db].vendor != "postgresql":
        return rows.filter(pk__in=keys)
    return rows.filter(_KeyAmong(F("pk"), Subquery(keys)))
