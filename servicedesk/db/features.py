"""What the database behind the application's connection can compute, for domain code that
chooses between SQL and a fallback (the domain never asks which vendor it is on)."""

from django.db import connection


def has_ordered_set_aggregates() -> bool:
    """Whether aggregates such as ``PERCENTILE_DISC(…) WITHIN GROUP (ORDER BY …)`` run in the
    database (PostgreSQL; SQLite, the embedded default, has none)."""
    return connection.vendor == "postgresql"


def has_triggers_and_arrays() -> bool:
    """Whether row triggers written in PL/pgSQL and array columns are there (PostgreSQL): the
    reports' daily roll-ups need both, and count directly where they are not."""
    return connection.vendor == "postgresql"
