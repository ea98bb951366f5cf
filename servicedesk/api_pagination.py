from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response


class DeskPagination(CursorPagination):
    """Cursor pagination: constant cost per page however deep, and no COUNT(*) per page.

    A cursor that this list did not hand out (undecodable, or a position its ordering field
    cannot hold) is a 400 on ``cursor``, never a query the database refuses."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: Any = "-id"
    _model: type[Model] | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._model = getattr(queryset, "model", None)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        else:
            if cursor is None or cursor.position is None or self._holds(str(cursor.position)):
                return cursor
        raise ValidationError({self.cursor_query_param: [_("This cursor is not one of this list's.")]})

    def _holds(self, position: str) -> bool:
        """Whether the first ordering field (the one the cursor's position is of) can hold
        ``position``, as its own cursors write it: text without NUL, an aware date and time."""
        if "\x00" in position:
            return False
        ordering = (self.ordering,) if isinstance(self.ordering, str) else tuple(self.ordering)
        try:
            field = self._model._meta.get_field(ordering[0].lstrip("-")) if self._model else None
        except FieldDoesNotExist:  # an ordering across a relation: not checked here
            field = None
        if not isinstance(field, Field):
            return True
        try:
            value = field.to_python(position)
        except DjangoValidationError:
            return False
        return getattr(value, "tzinfo", True) is not None


def paginated(
    request: Request, view: Any, queryset: QuerySet[Any], ordering: str | Sequence[str], serialize: Any
) -> Response:
    """A cursor-paginated response over ``queryset`` in ``ordering`` (for nested lists whose
    order differs from their view's)."""
    paginator = DeskPagination()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serialize(page))
