"""Table and column names for hand-written SQL, taken from the models.

``Table(SlaClock)`` formats as the model's table and gives each field's column as an
attribute, so a sweep's SQL reads like SQL and follows a renamed table or column::

    "SELECT {c.id} FROM {c} WHERE {c.next_check_at} <= %(now)s".format(c=Table(SlaClock))
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Model


class Table:
    def __init__(self, model: type[Model]) -> None:
        self._meta = model._meta

    def __str__(self) -> str:
        return str(self._meta.db_table)

    def __getattr__(self, name: str) -> str:
        """The column of the field ``name`` (a foreign key by its name or ``…_id``)."""
        if name.startswith("_"):  # not a field: keeps copy and pickle from recursing here
            raise AttributeError(name)
        field: Any = self._meta.get_field(name)
        if not isinstance(field, Field) or field.column is None:
            raise AttributeError(f"{name} is not a column of {self._meta.label}")
        return str(field.column)
