"""Many rows in one statement, for the sweeps' hot paths.

``insert_rows`` writes model instances with one ``INSERT … SELECT FROM unnest(…)`` on
PostgreSQL: one array parameter per column, so the statement and its plan are the same
whatever the number of rows, and the values are handed to the driver as they are. Django's
``bulk_create`` prepares every value of every row through its field (about half the time of
the escalation sweep's recording went there: bench/escalation_sweep.py) and, with
``ignore_conflicts``, cannot say which rows it inserted; this returns the ``RETURNING``
columns of the rows actually inserted.

Only for fields whose Python value the driver adapts as it is (integers, strings and text
choices, booleans, aware datetimes, None); anything else belongs in ``bulk_create``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from operator import attrgetter
from typing import Any

from django.db import connections
from django.db.models import Field, Model

_LENGTH = re.compile(r"\(.*\)")


def _array_type(field: Field[Any, Any], connection: Any) -> str:
    db_type = field.db_type(connection)  # a foreign key's is its target's column type
    if db_type is None:
        raise TypeError(f"{field} has no column type")
    return _LENGTH.sub("", db_type)  # varchar(200)[] → varchar[]


def _column(meta: Any, name: str) -> Field[Any, Any]:
    field = meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{name} is not a column of {meta.label}")
    return field


def insert_rows(
    objs: Sequence[Model],
    fields: Sequence[str] | None = None,
    *,
    using: str,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``objs`` (all of one model) with the given fields (default: every column but an
    automatic primary key) in one statement on ``using`` (PostgreSQL). With
    ``ignore_conflicts`` a row that would break a unique constraint is left out. Returns the
    ``returning`` columns of each row inserted (none asked: [])."""
    if not objs:
        return []
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise NotImplementedError("insert_rows is PostgreSQL's; use bulk_create elsewhere")
    meta = objs[0]._meta
    if fields is None:
        # Every column but one the database fills in (an automatic primary key).
        model_fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    else:
        model_fields = [_column(meta, name) for name in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    arrays = ", ".join(f"%s::{_array_type(f, connection)}[]" for f in model_fields)
    read = attrgetter(*(f.attname for f in model_fields))
    rows = [read(obj) for obj in objs] if len(model_fields) > 1 else [(read(obj),) for obj in objs]
    values: list[list[Any]] = [list(column) for column in zip(*rows, strict=True)]
    for index, model_field in enumerate(model_fields):
        if model_field.choices:  # a choices enum member: the driver wants its plain value
            values[index] = [v.value if isinstance(v, Enum) else v for v in values[index]]
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names are the model's
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(_column(meta, n).column) for n in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return list(cursor.fetchall()) if returning else []
