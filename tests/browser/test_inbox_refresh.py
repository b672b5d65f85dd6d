"""The page title's count and the self-refreshing inbox in a real browser (static/approvals/inbox.js).

The poll interval is shortened through its setting (the page's data-poll-seconds), and every wait is on a condition
in the page, so each test takes about a second.
"""

from __future__ import annotations

import pytest

from approvals.models import Ticket
from approvals.tickets import services
from tests.browser.helpers import log_in as _log_in
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT_MS = 8_000  # many poll intervals: a failure, not a slow machine, if it runs out


@pytest.fixture(autouse=True)
def _fast_polls(settings):
    settings.REVIEW_GATE_INBOX_POLL_SECONDS = 0.3


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def rule(reviewer):
    return RuleFactory(name="etl", reviewer_users=[reviewer])


def _make_ready(title: str) -> Ticket:
    """A ticket arrives in the background as the pipeline does it: opened PREPARING, then made ready."""
    ticket = TicketFactory(status=Ticket.Status.PREPARING, title="")
    return services.ticket_ready(ticket_id=ticket.pk, prepared={"title": title})


def _wait_for(page, expression: str, arg=None) -> None:
    page.wait_for_function(expression, arg=arg, timeout=WAIT_MS, polling=50)


def test_new_ticket_appears_without_reload_keeping_focus_and_scroll(page, live_server, reviewer, rule):
    first = TicketFactory(matched=[rule], title="first_waiting")
    for i in range(25):  # a page long enough to scroll (the waiting tab lists only what waits)
        TicketFactory(matched=[rule], title=f"older_{i}")
    _log_in(page, live_server, "rita")
    assert page.title() == "(26) Inbox · Review Gate"
    page.evaluate("window.__notReloaded = true")
    link = f"#inbox-list a[href='/tickets/{first.pk}/']"
    page.focus(link)
    page.evaluate("window.scrollTo(0, 200)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    fresh = _make_ready("fresh_orders")

    _wait_for(page, "href => !!document.querySelector(`#inbox-list a[href='${href}']`)", f"/tickets/{fresh.pk}/")
    _wait_for(page, "() => document.title === '(27) Inbox · Review Gate'")
    assert page.evaluate("window.__notReloaded") is True
    assert "fresh_orders" in page.inner_text("#inbox-list")
    assert f"/tickets/{fresh.pk}/" in page.inner_html("#inbox-list")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"/tickets/{first.pk}/"
    assert page.evaluate("window.scrollY") == scrolled
    _wait_for(page, "() => document.getElementById('live-count').textContent === '27 tickets waiting for you'")
    assert page.is_hidden("#live-notice")


def test_text_typed_in_the_inbox_is_kept_and_a_notice_shows(page, live_server, reviewer, rule):
    TicketFactory(matched=[rule], title="first_waiting")
    _log_in(page, live_server, "rita")
    page.fill("input[name=event]", "commit-fi")
    page.evaluate("document.activeElement.blur()")  # unsaved text alone, without focus, holds the lists too

    fresh = _make_ready("fresh_orders")

    _wait_for(page, "() => !document.getElementById('live-notice').hidden")
    assert page.input_value("input[name=event]") == "commit-fi"
    assert f"/tickets/{fresh.pk}/" not in page.inner_html("#inbox-list")  # not replaced under the user
    _wait_for(page, "() => document.title.startsWith('(2) ')")  # the count still follows

    page.fill("input[name=event]", "")  # back to its default value: the next poll may refresh the lists
    page.evaluate("document.activeElement.blur()")
    _wait_for(page, "href => !!document.querySelector(`#inbox-list a[href='${href}']`)", f"/tickets/{fresh.pk}/")
    assert page.is_hidden("#live-notice")


def test_half_typed_comment_survives_a_change_to_the_ticket(page, live_server, reviewer, rule):
    ticket = TicketFactory(matched=[rule], title="orders")
    colleague = UserFactory(username="carl")
    rule.reviewers.add(colleague)
    _log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    assert page.title().startswith(f"(1) #{ticket.pk} ")
    page.fill("#id_comment", "b is not populated yet, please")

    _make_ready("another_change")  # elsewhere: the title counts it, the ticket page is unchanged
    _wait_for(page, "() => document.title.startsWith('(2) ')")
    assert page.is_hidden("#live-notice")

    services.ticket_reject(ticket_id=ticket.pk, user=colleague, comment="no")  # this ticket, decided meanwhile

    _wait_for(page, "() => !document.getElementById('live-notice').hidden")
    _wait_for(page, "() => document.title.startsWith('(1) ')")
    assert page.input_value("#id_comment") == "b is not populated yet, please"
    assert page.get_attribute("#live-notice a", "href") == f"/tickets/{ticket.pk}/"
