"""Full-text search over one text column, the same on every database the desk runs on.

On PostgreSQL the match is written as the expression a GIN index can serve
(``to_tsvector(SEARCH_CONFIG, <table>.<column>) @@ websearch_to_tsquery(…)``): the index's
expression must be exactly this one (tickets' migration 0002). Elsewhere (SQLite under
``make run``) a plain substring match stands in.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import connections, models

M = TypeVar("M", bound=models.Model)


def full_text_match(rows: models.QuerySet[M], *, field: str, query: str) -> models.QuerySet[M]:
    """``rows`` whose ``field`` matches the words of ``query`` (all rows when it is blank)."""
    query = query.strip()
    if not query:
        return rows
    if connections[rows.db].vendor != "postgresql":
        return rows.filter(**{f"{field}__icontains": query})
    column = f"{rows.model._meta.db_table}.{rows.model._meta.get_field(field).column}"  # type: ignore[union-attr]
    config = settings.SEARCH_CONFIG
    return rows.extra(  # noqa: S610 - parameterised; extra() is the way to hit the expression index
        where=[f"to_tsvector('{config}'::regconfig, {column}) @@ websearch_to_tsquery('{config}'::regconfig, %s)"],
        params=[query],
    )
