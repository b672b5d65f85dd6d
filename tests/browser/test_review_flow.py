"""A reviewer in a real browser: log in, open a ticket, read the diff, reject with a comment, see the result."""

from __future__ import annotations

import pytest

from approvals.models import Ticket
from tests.browser.helpers import log_in as _log_in
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE = "SELECT 1; -- <script>window.__xss = 1; alert('xss')</script> <img src=x onerror=\"window.__xss=2\">\n"


def test_reviewer_rejects_a_ticket_with_a_comment(page, live_server):
    reviewer = UserFactory(username="rita")
    ticket = TicketFactory(
        matched=[RuleFactory(name="etl", reviewer_users=[reviewer])],
        old_content="SELECT a FROM t;\n",
        new_content="SELECT a, b FROM t;\n",
    )
    _log_in(page, live_server, "rita")

    page.click(f"a[href='/tickets/{ticket.pk}/'] >> nth=0")
    assert "1 line added" in page.inner_text(".rg-diff-stats")
    assert "SELECT a, b FROM t;" in page.inner_text("main")
    page.fill("#id_comment", "b is not populated yet")
    page.click("button[value=reject]")

    page.wait_for_selector("[data-testid=ticket-status]")
    assert page.inner_text("[data-testid=ticket-status]") == "Rejected"
    assert page.inner_text("[data-testid=ticket-result]") == "FAIL"
    assert "b is not populated yet" in page.inner_text("main")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.REJECTED


def test_script_in_code_stays_text(page, live_server):
    reviewer = UserFactory(username="sam")
    ticket = TicketFactory(
        matched=[RuleFactory(name="all", reviewer_users=[reviewer])], old_content="", new_content=HOSTILE
    )
    _log_in(page, live_server, "sam")

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/?view=unified")

    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert "<script>window.__xss = 1;" in page.inner_text("main")
