"""Keyset pagination for the pages' lists: a page costs the same at any depth, and nothing
counts more than ``COUNT_CAP`` rows.

A page is the ``size`` rows after (or before) the last (first) row of the page the user came
from, found by comparing the ordering's columns with that row's values, so an index led by
``tenant_id`` in the list's order serves every page with a range scan of ``size + 1``
entries: no ``OFFSET``, and no ``COUNT(*)`` over the whole list. The position travels in the
query string as an opaque cursor (``after`` or ``before``); one that this list did not hand
out (undecodable, a value its column cannot hold) shows the first page.

The first column of an ordering may be nullable when it ascends: its NULLs come last, as
PostgreSQL sorts them ascending (and keeps them in an ascending index), and a page is read as
the rows with a value, then those without, each part a range scan of its own (the agents'
queues, by the next due instant: ``Ticket.next_due_at``).

The API's lists use DRF's cursor pagination (``servicedesk.api_pagination``) on the same
indexes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Field, Model, Q, QuerySet

M = TypeVar("M", bound=Model)

#: Lists say "1,000+" past this many rows instead of counting them all.
COUNT_CAP = 1000


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    object_list: list[M]
    #: the cursor of the next (older, further down) page, if there is one
    next_cursor: str | None
    #: the cursor of the previous page, if this is not the first
    previous_cursor: str | None
    #: how many rows the list holds, counted up to ``COUNT_CAP``
    count: int
    #: the list holds more than ``count`` rows
    count_capped: bool

    def __iter__(self) -> Iterator[M]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def keyset_page(
    queryset: QuerySet[M],
    *,
    ordering: Sequence[str],
    after: str | None = None,
    before: str | None = None,
    size: int,
    count_cap: int = COUNT_CAP,
    read: Callable[[QuerySet[M]], QuerySet[Any]] | None = None,
) -> KeysetPage[Any]:
    """One page of ``queryset`` in ``ordering`` (field names, ``-`` for descending, ending in a
    unique one such as ``-id``; none may be NULL but an ascending first one), after the cursor ``after`` or before the
    cursor ``before`` (the first page when neither is given or the cursor is not one of this
    list's). ``read`` turns the query that reads the page's rows (and only that one: the count
    and the ids stay on the table alone) into another, e.g. its ``values()`` with what the
    rows join: the page is then of dictionaries, which must hold the ordering's columns and
    the primary key."""
    columns = _columns(queryset.model, ordering)
    count, capped = capped_count(queryset, count_cap)
    position, backwards = None, False
    if before:
        position, backwards = _decode(before, columns), True
    if after and position is None:
        position, backwards = _decode(after, columns), False
    read = read or _as_is
    page, more = _rows(
        queryset, columns, ordering, position, backwards=backwards and position is not None, size=size, read=read
    )
    if position is not None and ((backwards and not more) or not page):
        # Nothing before this page (or nothing left after it): the first page, shown in full.
        position = None
        page, more = _rows(queryset, columns, ordering, None, backwards=False, size=size, read=read)
    if position is not None and backwards:
        next_cursor: str | None = _encode(page[-1], columns) if page else None
    else:
        next_cursor = _encode(page[-1], columns) if page and more else None
    previous_cursor = _encode(page[0], columns) if page and position is not None else None
    return KeysetPage(
        object_list=page,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        count=count,
        count_capped=capped,
    )


def _rows(
    queryset: QuerySet[M],
    columns: list[_Column],
    ordering: Sequence[str],
    position: list[Any] | None,
    *,
    backwards: bool,
    size: int,
    read: Callable[[QuerySet[M]], QuerySet[Any]],
) -> tuple[list[Any], bool]:
    """Up to ``size`` rows beyond ``position`` in the page's order, and whether there are more."""
    if columns[0].field.null:
        return _rows_nulls_last(queryset, columns, position, backwards=backwards, size=size, read=read)
    rows = queryset if position is None else queryset.filter(_beyond(columns, position, backwards=backwards))
    order = [_reversed(name) for name in ordering] if backwards else list(ordering)
    fetched = list(read(rows.order_by(*order))[: size + 1])
    page = fetched[:size]
    if backwards:
        page.reverse()
    return page, len(fetched) > size


def _rows_nulls_last(
    queryset: QuerySet[M],
    columns: list[_Column],
    position: list[Any] | None,
    *,
    backwards: bool,
    size: int,
    read: Callable[[QuerySet[M]], QuerySet[Any]],
) -> tuple[list[Any], bool]:
    """``_rows`` for a nullable ascending first column: the rows with a value, then the NULLs
    (ordered by the other columns), read part by part, each from its own position (two
    queries a part: the page's ids, then their rows)."""
    first, rest = columns[0], columns[1:]
    valued = (queryset.filter(**{f"{first.name}__isnull": False}), columns)
    nulls = (queryset.filter(**{f"{first.name}__isnull": True}), rest)
    # The parts in the direction of reading, the first from the position, the others whole.
    parts: list[tuple[tuple[QuerySet[M], list[_Column]], list[Any] | None]]
    if position is not None and position[0] is None:  # among the NULLs
        parts = [(nulls, position[1:]), (valued, None)] if backwards else [(nulls, position[1:])]
    else:
        parts = [(valued, position)] if backwards else [(valued, position), (nulls, None)]
    fetched: list[Any] = []
    for (rows, part_columns), part_position in parts:
        if part_position is not None:
            rows = rows.filter(_beyond(part_columns, part_position, backwards=backwards))
        order = [f"{'-' if column.descending != backwards else ''}{column.name}" for column in part_columns]
        # The ids first, from the table alone, then their rows with what they join: without the
        # joins the planner reads the ordering's index and stops after the page, however far
        # off its estimate of the rows in range (which, with joins, made it sort them all).
        ids = list(rows.order_by(*order).values_list("pk", flat=True)[: size + 1 - len(fetched)])
        pk = queryset.model._meta.pk.attname
        found = {_value(row, pk): row for row in read(queryset.filter(pk__in=ids))} if ids else {}
        fetched += [found[pk] for pk in ids if pk in found]
        if len(fetched) > size:
            break
    page = fetched[:size]
    if backwards:
        page.reverse()
    return page, len(fetched) > size


# --- the cursor -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    descending: bool
    field: Field[Any, Any]


def _columns(model: type[Model], ordering: Sequence[str]) -> list[_Column]:
    columns: list[_Column] = []
    for name in ordering:
        field = model._meta.get_field(name.lstrip("-"))
        nullable_first = not columns and not name.startswith("-")
        if not isinstance(field, Field) or (field.null and not nullable_first):
            raise ValueError(f"keyset ordering needs non-null columns of {model.__name__}: {name}")
        columns.append(_Column(name=field.attname, descending=name.startswith("-"), field=field))
    return columns


def _reversed(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _as_is(queryset: QuerySet[M]) -> QuerySet[M]:
    return queryset


def _value(row: Any, name: str) -> Any:
    """A column of a row: an instance's attribute, or a ``values()`` row's key."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _encode(row: Any, columns: list[_Column]) -> str:
    values = []
    for column in columns:
        value = _value(row, column.name)
        values.append(value.isoformat() if isinstance(value, dt.datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, columns: list[_Column]) -> list[Any] | None:
    """The row values a cursor carries, each as its column's Python value; None when the cursor
    is not one this list hands out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != len(columns):
        return None
    position: list[Any] = []
    for column, value in zip(columns, values, strict=True):
        if value is None and column.field.null:
            position.append(None)
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool) or (isinstance(value, str) and "\x00" in value):
            return None
        try:
            python = column.field.to_python(value)
            column.field.run_validators(python)
        except (ValidationError, OverflowError, TypeError, ValueError):
            return None
        if isinstance(python, dt.datetime) and python.tzinfo is None:
            return None
        if isinstance(python, int) and not -(2**63) <= python < 2**63:
            return None
        position.append(python)
    return position


def _beyond(columns: list[_Column], position: list[Any], *, backwards: bool) -> Q:
    """Rows after ``position`` in the ordering (before it with ``backwards``): (c1 beyond v1) or
    (c1 = v1 and c2 beyond v2) or …, with c1's bound repeated on its own so the index's range
    scan starts at the position."""
    condition = Q()
    equal_so_far = Q()
    for column, value in zip(columns, position, strict=True):
        later = column.descending != backwards  # further in a descending order is smaller
        condition |= equal_so_far & Q(**{f"{column.name}__{'lt' if later else 'gt'}": value})
        equal_so_far &= Q(**{column.name: value})
    first, value = columns[0], position[0]
    later = first.descending != backwards
    return Q(**{f"{first.name}__{'lte' if later else 'gte'}": value}) & condition


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``queryset`` holds, counted up to ``cap``, and whether it holds more."""
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap
