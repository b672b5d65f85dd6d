"""The ticket page at scale in a real browser (issue 18): a large diff sends its first screens and loads more on
demand (risk marks and line comments land on loaded lines too), the sticky decision bar, the keyboard, the phone
layout at 390 px, and decisions that redirect (PRG) with their errors inline. With REVIEW_GATE_SCREENSHOTS=1 the large
ticket and the phone view are saved as docs/screenshots/ticket-large.png and ticket-phone.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from approvals.models import LineComment, Ticket
from riskcheck import analyse
from tests.browser.helpers import log_in as _log_in
from tests.browser.helpers import shoot
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _shoot(page, name: str) -> None:
    shoot(page, name, full_page=False)


def _code(lines: int = 4000, every: int = 20) -> tuple[str, str]:
    old = [f"SELECT col_{n} FROM t_{n % 7} WHERE ds = '${{bizdate}}';" for n in range(lines)]  # noqa: S608
    new = [line.replace("SELECT", "SELECT DISTINCT") if n % every == 10 else line for n, line in enumerate(old)]
    new[3950] = "DROP TABLE IF EXISTS dim_shop;"  # a finding far down: its hunk is sent at once, marked
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


@pytest.fixture
def large():
    reviewer = UserFactory(username="rita")
    UserFactory(username="bob")
    old, new = _code()
    analysis = analyse(new, language="sql", old_code=old)
    return TicketFactory(
        matched=[RuleFactory(name="etl", reviewer_users=[reviewer], min_approvals=1)],
        title="dwd_orders_big",
        old_content=old,
        new_content=new,
        old_label="version 6",
        new_label="version 7 (this change)",
        snapshot={"risk": analysis.to_json()},
        risk=analysis.risk.name,
    )


def test_load_more_keyboard_and_the_sticky_bar_on_a_large_diff(page, live_server, large):
    _log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/tickets/{large.pk}/")

    elements = page.evaluate("document.getElementsByTagName('*').length")
    assert elements < 5000
    assert page.locator("#code-diff .rg-row.rg-flagged").count() >= 1  # the far-down finding is marked at once
    hunks_before = page.locator("#code-diff .rg-hunk").count()
    page.locator("#code-diff .rg-lazy-more .rg-load").first.click()
    page.locator("#code-diff .rg-hunk").nth(hunks_before).wait_for()  # (no wait_for_function: the CSP forbids eval)
    fold = page.locator("#code-diff .rg-lazy-fold .rg-load").first
    fold.click()
    page.wait_for_selector("#code-diff .rg-fold-loaded .rg-row")

    page.mouse.wheel(0, 6000)  # far down the diff, the bar stays in view
    bar = page.locator('[data-testid="decision-bar"]')
    box = bar.bounding_box()
    assert box is not None and 0 <= box["y"] < 100
    assert page.locator('[data-testid="bar-approvals"]').inner_text().startswith("0 of 1")

    page.keyboard.press("j")
    page.keyboard.press("j")
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#code-diff .rg-hunk')].indexOf("
            "document.querySelector('.rg-hunk.rg-current'))"
        )
        == 1
    )
    page.keyboard.press("k")
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#code-diff .rg-hunk')].indexOf("
            "document.querySelector('.rg-hunk.rg-current'))"
        )
        == 0
    )
    page.keyboard.press("?")
    assert page.locator('[data-testid="keys-help"]').is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("j k a r ?")  # typing in the field never triggers a key
    assert page.input_value("#id_comment") == "j k a r ?"
    assert not page.locator('[data-testid="keys-help"]').is_visible()
    assert page.locator("#decide button.intended").get_attribute("value") == "reject"
    _shoot(page, "ticket-large")


def test_a_line_comment_from_the_diff_shows_beside_its_line(page, live_server, large):
    _log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/tickets/{large.pk}/")
    page.locator('#code-diff .rg-row > .rg-n[data-ln="11"]').nth(1).click()  # the new side of line 11
    page.fill(".line-comment-form textarea", "DISTINCT changes the row count")
    page.click(".line-comment-form button[type=submit]")
    page.wait_for_url(f"**/tickets/{large.pk}/#line-comment-*")

    comment = LineComment.objects.get()
    assert (comment.side, comment.line) == ("new", 11)
    note = page.locator(f"#rg-comment-{comment.pk}")
    assert "DISTINCT changes the row count" in note.inner_text()
    assert page.locator(".history .line-comment-entry").count() == 1


def test_prg_and_inline_errors(page, live_server, large):
    _log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/tickets/{large.pk}/")
    page.click('[data-testid="reject"]')  # no comment
    page.wait_for_load_state()
    assert page.url.endswith(f"/tickets/{large.pk}/#decide")
    error = page.locator('[data-testid="comment-error"]')
    assert error.is_visible() and "comment is required" in error.inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=comment-error]')).color") == (
        "rgb(207, 34, 46)"
    )
    page.reload()  # a reload is a GET of the ticket, never a blank 405 nor a second POST
    assert page.locator('[data-testid="comment-error"]').count() == 0
    page.goto(f"{live_server.url}/tickets/{large.pk}/decide")
    assert page.url.endswith(f"/tickets/{large.pk}/")

    page.fill("#id_comment", "Partition by ds")
    page.click('[data-testid="request-changes"]')
    page.wait_for_url(f"{live_server.url}/tickets/{large.pk}/")
    large.refresh_from_db()
    assert large.status == Ticket.Status.REJECTED


def test_the_phone_layout_has_no_horizontal_overflow(browser, live_server, large):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _log_in(page, live_server, "rita")
        page.goto(f"{live_server.url}/tickets/{large.pk}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        # Split rows show unified: a changed row puts its new line under its old one, in the full width.
        row = page.locator("#code-diff .rg-row.rg-chg").first
        old_cell, new_cell = row.locator(".rg-c").nth(0).bounding_box(), row.locator(".rg-c").nth(1).bounding_box()
        assert new_cell["y"] > old_cell["y"] and new_cell["x"] == old_cell["x"]
        assert old_cell["x"] + old_cell["width"] <= 390
        bar = page.locator('[data-testid="bar-approve"]').bounding_box()
        assert bar is not None and bar["x"] + bar["width"] <= 390
        _shoot(page, "ticket-phone")
        page.mouse.wheel(0, 4000)
        assert page.locator('[data-testid="bar-reject"]').bounding_box()["y"] < 844
    finally:
        context.close()
