"""Many rows in one statement, for the sweeps' hot paths.

``insert_rows`` writes model instances with one ``INSERT … SELECT FROM unnest(…)`` on
PostgreSQL: one array parameter per column, so the statement and its plan are the same
whatever the number of rows, and the values are handed to the driver as they are. Django's
``bulk_create`` prepares every value of every row through its field (about half the time of
the escalation sweep's recording went there: bench/escalation_sweep.py) and, with
``ignore_conflicts``, cannot say which rows it inserted; this returns the ``RETURNING``
columns of the rows actually inserted.

``update_rows`` writes some fields of many rows with one ``UPDATE … FROM (VALUES …)`` on
PostgreSQL: Django's ``bulk_update`` builds a ``CASE`` per field and row, whose Python cost
dominated the escalation sweep.

Both write where the queryset ``into`` points (a tenant's rows on the default connection, or
``servicedesk.cross_tenant``'s rows of every tenant), and fall back to ``bulk_create`` /
``bulk_update`` on other databases (SQLite), so callers never ask which database they are on.

Only for fields whose Python value the driver adapts as it is (integers, strings and text
choices, booleans, aware datetimes, None); anything else belongs in ``bulk_create``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from operator import attrgetter
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import Field, Model, QuerySet

_LENGTH = re.compile(r"\(.*\)")


def _column_type(field: Field[Any, Any], connection: Any) -> str:
    db_type = field.db_type(connection)  # a foreign key's is its target's column type
    if db_type is None:
        raise TypeError(f"{field} has no column type")
    return _LENGTH.sub("", db_type)  # varchar(200) → varchar


def _column(meta: Any, name: str) -> Field[Any, Any]:
    field = meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{name} is not a column of {meta.label}")
    return field


def _plain(value: Any) -> Any:
    """A choices enum member as its plain value (the driver wants that)."""
    return value.value if isinstance(value, Enum) else value


def insert_rows(
    into: QuerySet[Any],
    objs: Sequence[Model],
    fields: Sequence[str] | None = None,
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``objs`` (all of ``into``'s model) with the given fields (default: every column
    but an automatic primary key) in one statement on ``into``'s connection. With
    ``ignore_conflicts`` a row that would break a unique constraint is left out. Returns the
    ``returning`` columns of each row inserted (none asked: [])."""
    if not objs:
        return []
    meta = objs[0]._meta
    if fields is None:
        # Every column but one the database fills in (an automatic primary key).
        model_fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    else:
        model_fields = [_column(meta, name) for name in fields]
    returned = [_column(meta, name) for name in returning]
    connection = connections[into.db]
    if connection.vendor != "postgresql":
        return _insert_elsewhere(into, objs, model_fields, ignore_conflicts, returned)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    arrays = ", ".join(f"%s::{_column_type(f, connection)}[]" for f in model_fields)
    read = attrgetter(*(f.attname for f in model_fields))
    rows = [read(obj) for obj in objs] if len(model_fields) > 1 else [(read(obj),) for obj in objs]
    values: list[list[Any]] = [list(column) for column in zip(*rows, strict=True)]
    for index, model_field in enumerate(model_fields):
        if model_field.choices:
            values[index] = [_plain(v) for v in values[index]]
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names are the model's
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returned:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(f.column) for f in returned)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return list(cursor.fetchall()) if returned else []


def _insert_elsewhere(
    into: QuerySet[Any],
    objs: Sequence[Model],
    model_fields: list[Field[Any, Any]],
    ignore_conflicts: bool,
    returned: list[Field[Any, Any]],
) -> list[tuple[Any, ...]]:
    """``bulk_create``; when rows must come back, one row at a time, each in a savepoint, so a
    conflict leaves out exactly that row (small batches only: SQLite under ``make run``)."""
    if not returned:
        into.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return []
    read = attrgetter(*(f.attname for f in returned))
    inserted: list[tuple[Any, ...]] = []
    for obj in objs:
        try:
            with transaction.atomic(using=into.db):
                into.bulk_create([obj])
        except IntegrityError:
            if not ignore_conflicts:
                raise
            continue
        inserted.append(read(obj) if len(returned) > 1 else (read(obj),))
    return inserted


def update_rows(into: QuerySet[Any], objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write these fields of ``objs`` (rows of ``into``'s model, by primary key) in one
    statement on ``into``'s connection."""
    if not objs:
        return
    connection = connections[into.db]
    if connection.vendor != "postgresql":
        into.bulk_update(objs, list(fields))
        return
    meta = objs[0]._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    model_fields = [_column(meta, name) for name in fields]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{_column_type(f, connection)}" for f in [pk, *model_fields]) + ")"
    names = ", ".join(quote(f.column) for f in [pk, *model_fields])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields)
    params: list[Any] = []
    for obj in objs:
        params.extend(_plain(getattr(obj, f.attname)) for f in [pk, *model_fields])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names are the model's
            f"FROM (VALUES {', '.join([row] * len(objs))}) AS v({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
            params,
        )
