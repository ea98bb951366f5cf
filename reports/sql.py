"""The few SQL expressions the reports need beyond Django's: seconds between two instants and
a percentile, written for PostgreSQL (production, tests) and SQLite (``make run``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, FloatField, Func


class SecondsBetween(Func):
    """Seconds from the first instant to the second (``later - earlier``), as a float."""

    output_field = FloatField()

    def __init__(self, earlier: Any, later: Any) -> None:
        super().__init__(earlier, later)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:  # SQLite
        earlier, later = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        return f"((julianday({later_sql}) - julianday({earlier_sql})) * 86400.0)", [*later_params, *earlier_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        earlier, later = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        return f"EXTRACT(EPOCH FROM ({later_sql} - {earlier_sql}))::double precision", [*later_params, *earlier_params]


class PercentileDisc(Aggregate):
    """PostgreSQL's ``percentile_disc(fraction) WITHIN GROUP (ORDER BY value)``: the smallest
    value whose share of the ordered values reaches ``fraction`` (the nearest-rank
    percentile). Other databases have none: ``reports.figures`` counts and offsets there."""

    function = "percentile_disc"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)
