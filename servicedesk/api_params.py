"""Readers of the query parameters that the list endpoints share (their filters go to the
selectors as typed values)."""

from __future__ import annotations

from collections.abc import Mapping

# The database's integer range (bigint): no id lies outside it, and SQLite refuses to bind a
# larger number.
MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1


def id_param(value: str | None) -> int | None:
    """A numeric query parameter; a value that is not a number of the database's range (ASCII
    digits only) matches nothing (-1)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_INTEGER)):
        return -1
    number = int(value)
    return number if number <= MAX_INTEGER else -1


def list_param(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    """One value, or several separated by commas; none when the parameter is absent or empty."""
    value = params.get(name)
    return tuple(value.split(",")) if value else ()
