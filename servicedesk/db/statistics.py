"""Planner statistics that a sweep's own writes outgrow.

PostgreSQL checks a foreign key with a query it plans once per connection and then keeps
(until the referenced table's statistics change). A table that was vacuumed while empty and
not analysed since says "0 rows" to the planner, so the first check against it, made while
a sweep's first batch has written only a few hundred rows, is planned as a sequential scan;
every later check of that sweep then reads the whole table, which the sweep itself keeps
growing (bench/escalation_sweep.py --state empty: about half the rate). Autovacuum analyses
such a table within about a minute, too late for the sweep that filled it.

``analyze_if_behind`` closes that gap: once a batch has committed rows into these tables,
any whose statistics know of fewer rows than that is analysed at once; the new statistics
invalidate the cached checks, which are planned again on the index. A table whose statistics
are current is left alone (one read of ``pg_class``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def analyze_if_behind(rows: Mapping[type[Model], int]) -> list[str]:
    """ANALYZE those of these models' tables whose planner statistics count fewer rows than
    the table is known to hold (never analysed, or vacuumed while emptier); returns their
    names. Runs on the application's connection, whose role owns the tables (ANALYZE is the
    owner's); a no-op on databases other than PostgreSQL."""
    connection = connections[DEFAULT_DB_ALIAS]
    known = {model._meta.db_table: count for model, count in rows.items() if count > 0}
    if connection.vendor != "postgresql" or not known:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c JOIN unnest(%s::text[], %s::real[]) AS k(name, known)
                   ON c.oid = k.name::regclass
                WHERE c.reltuples < k.known ORDER BY c.relname""",
            [list(known), list(known.values())],
        )
        behind = [name for (name,) in cursor.fetchall()]
        for table in behind:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return behind
