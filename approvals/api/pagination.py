"""Keyset pagination of ticket lists: a page continues after the last ticket of the one before (no count, no offset).

Page numbers need an OFFSET, which reads every skipped row, and a COUNT of everything the user may see: at 100,000
tickets that was most of a reviewer's list time (bench/RESULTS.md). A cursor also never repeats or skips a ticket
when new ones arrive while a client pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from approvals.models import Ticket
from approvals.tickets.selectors import Cursor, newest_visible_ids

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def ticket_page(
    request: Request,
    user: AbstractBaseUser | AnonymousUser,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]],
    rows: Callable[[list[int]], QuerySet[Ticket]],
    *,
    after: Cursor | None,
    page_size: int | None,
) -> tuple[list[Ticket], str | None]:
    """Return the page's tickets newest first (read by `rows` from their IDs) and the absolute URL of the next page."""
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page = newest_visible_ids(user, narrow, after=after, limit=size)
    tickets = page.arrange(rows(page.ids))
    if page.next is None:
        return tickets, None
    return tickets, replace_query_param(request.build_absolute_uri(), "after", page.next.encode())
