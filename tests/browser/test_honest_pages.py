"""Honest pages in a real browser: a ticket whose details DataWorks refused shows why, and staff retry it."""

from __future__ import annotations

import pytest

from approvals.models import AuditEntry, Ticket
from tests.browser.helpers import log_in as _log_in
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = (
    "DataWorks refused a call (GetIDEEventDetail Forbidden.Access HTTP 403 request 5C4B0E6A-0D2B: Access is "
    "forbidden.). Fix the cause, then retry from the admin."
)


def test_staff_see_what_failed_and_retry_the_preparation(page, live_server):
    UserFactory(username="sam", is_staff=True)
    ticket = TicketFactory(
        matched=[RuleFactory(name="etl", reviewer_users=[UserFactory(username="rita")])],
        status=Ticket.Status.NEEDS_ATTENTION,
        old_content="",
        new_content="",
        attention_reason=REASON,
    )
    _log_in(page, live_server, "sam")

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    failed = page.inner_text("[data-testid=preparation-failed]")
    assert "Forbidden.Access" in failed and "5C4B0E6A-0D2B" in failed
    assert "identical" not in page.inner_text("main")
    page.click("[data-testid=retry-preparation]")

    page.wait_for_selector("[data-testid=preparing]")
    assert page.inner_text("[data-testid=ticket-status]") == "Fetching details from DataWorks"
    assert "Preparation will be retried" in page.inner_text(".messages")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PREPARING
    assert ticket.audit.filter(action=AuditEntry.Action.PREPARATION_RETRIED).count() == 1
