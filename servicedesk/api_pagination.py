from rest_framework.pagination import CursorPagination


class DeskPagination(CursorPagination):
    """Cursor pagination: constant cost per page however deep, and no COUNT(*) per page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
