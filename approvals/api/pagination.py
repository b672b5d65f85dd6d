"""Page-number pagination of ticket lists."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class TicketPagination(PageNumberPagination):
    """50 tickets a page by default; `page_size` asks for up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # only numbers: the filter serializer validates `page` as one
