"""Readers of the query parameters that the list endpoints share (their filters go to the
selectors as typed values)."""

from __future__ import annotations

from collections.abc import Mapping


def id_param(value: str | None) -> int | None:
    """A numeric query parameter; a value that is not a number matches nothing (-1)."""
    if not value:
        return None
    return int(value) if value.isdigit() else -1


def list_param(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    """One value, or several separated by commas; none when the parameter is absent or empty."""
    value = params.get(name)
    return tuple(value.split(",")) if value else ()
