from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response


class DeskPagination(CursorPagination):
    """Cursor pagination: constant cost per page however deep, and no COUNT(*) per page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: Any = "-id"


def paginated(
    request: Request, view: Any, queryset: QuerySet[Any], ordering: str | Sequence[str], serialize: Any
) -> Response:
    """A cursor-paginated response over ``queryset`` in ``ordering`` (for nested lists whose
    order differs from their view's)."""
    paginator = DeskPagination()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serialize(page))
