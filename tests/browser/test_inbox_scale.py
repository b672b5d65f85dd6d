"""The inbox in a real browser (Chromium): tabs, search, a batch approval with allowed and skipped tickets, the phone
layout at 390 px (cards, no horizontal overflow, decision buttons reachable), and the error pages. With
REVIEW_GATE_SCREENSHOTS=1 the inbox is saved as docs/screenshots/inbox-desktop.png and inbox-phone.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from approvals.models import AuditEntry, Ticket
from tests.browser.helpers import log_in
from tests.browser.helpers import shoot as _shoot
from tests.factories import RuleFactory, TicketFactory, UserFactory
from workspaces.models import WorkspaceSettings

DASH = "\u2013"  # a range is written with an en dash: "1–50 of 120"  # noqa: RUF003
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, username):
    log_in(page, live_server, username, landing="/**")


@pytest.fixture
def world():
    rita = UserFactory(username="rita", dataworks_uid="uid-rita")
    rule = RuleFactory(name="etl", reviewer_users=[rita])
    now = timezone.now()
    tickets = {}
    for i, (title, risk) in enumerate(
        [
            ("ods_orders_daily", "LOW"),
            ("ods_orders_hourly", "NONE"),
            ("dim_shop_rebuild_with_a_rather_long_node_name_that_must_wrap_on_a_phone", "HIGH"),
            ("ads_gmv_cleanup", "CRITICAL"),
        ]
    ):
        ticket = TicketFactory(matched=[rule], title=title, path=f"etl/{title}", risk=risk)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(hours=10 - i))
        tickets[title] = ticket
    WorkspaceSettings.objects.create(project_id=tickets["ods_orders_daily"].project_id, name="Sales warehouse")
    tickets["own"] = TicketFactory(matched=[rule], title="ods_orders_mine", operator_uid="uid-rita", risk="LOW")
    TicketFactory(
        matched=[rule],
        title="old_report",
        path="reports/old",
        status=Ticket.Status.APPROVED,
        check_result="OK",
        decided_at=now,
    )
    return {"rita": rita, "rule": rule, "tickets": tickets}


def test_tabs_and_search(page, live_server, world):
    _log_in(page, live_server, "rita")

    assert page.locator(".tabs .tab.active").get_attribute("data-tab") == "waiting"
    assert page.locator(".tabs [data-tab=waiting] .tab-count").inner_text() == "4"
    assert page.locator(".tabs [data-tab=mine] .tab-count").inner_text() == "1"
    assert f"1{DASH}4 of 4" in page.inner_text("[data-testid=position]")
    page.click(".tabs [data-tab=decided]")
    page.wait_for_url("**tab=decided**")
    assert "old_report" in page.inner_text("#inbox-list")
    page.click(".tabs [data-tab=all]")
    page.wait_for_url("**tab=all**")
    page.fill("input[name=q]", "orders")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=orders**")
    titles = page.locator("#inbox-list .col-what").all_inner_texts()
    assert sorted(titles) == ["ods_orders_daily", "ods_orders_hourly", "ods_orders_mine"]
    assert "Sales warehouse" in page.inner_text("#inbox-list")
    page.fill("input[name=q]", "no-such-node")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=no-such-node**")
    assert "Clear the search and filters" in page.inner_text("[data-testid=empty-state]")
    _shoot_desktop = page.goto(f"{live_server.url}/")
    assert _shoot_desktop.ok
    _shoot(page, "inbox-desktop")


def test_batch_approve_with_allowed_and_skipped_tickets(page, live_server, world):
    tickets = world["tickets"]
    _log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/?tab=all&q=orders")

    for key in ("ods_orders_daily", "ods_orders_hourly", "own"):
        page.check(f"input[data-batch-select][value='{tickets[key].pk}']")
    assert page.inner_text("[data-batch-count]") == "3"
    assert "has-selection" in page.get_attribute("#batch-form", "class")
    page.fill("#batch-comment", "Nightly partitions checked.")
    page.click("#batch-form button[value=approve]")
    page.wait_for_url("**batch=**")

    results = page.locator("[data-testid=batch-results]")
    assert "Decided: 2 tickets" in results.inner_text()
    assert "Skipped: 1 ticket" in results.inner_text()
    assert "You triggered this change" in page.inner_text(".batch-skipped")
    assert "You approved 2 tickets." in page.inner_text(".messages")
    for key in ("ods_orders_daily", "ods_orders_hourly"):
        ticket = Ticket.objects.get(pk=tickets[key].pk)
        assert ticket.status == Ticket.Status.APPROVED
        assert ticket.audit.filter(action=AuditEntry.Action.BATCH_DECISION).count() == 1
    assert Ticket.objects.get(pk=tickets["own"].pk).status == Ticket.Status.PENDING
    page.reload()  # POST-redirect-GET: a reload shows the page again, decides nothing twice
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BATCH_DECISION).count() == 2


def test_select_all_on_the_page_checks_every_row(page, live_server, world):
    _log_in(page, live_server, "rita")

    page.check("input[data-batch-all]")

    assert page.inner_text("[data-batch-count]") == "4"
    page.uncheck("input[data-batch-all]")
    assert page.inner_text("[data-batch-count]") == "0"


def test_phone_layout_shows_cards_without_horizontal_overflow(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _log_in(page, live_server, "rita")
        for url in ("/", "/?tab=all", "/?tab=decided", "/?tab=all&q=no-such-thing"):
            page.goto(f"{live_server.url}{url}")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        page.goto(f"{live_server.url}/")
        assert page.evaluate("getComputedStyle(document.querySelector('.inbox-list thead')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.inbox-list tr')).display") == "block"
        page.check("input[data-batch-select] >> nth=0")
        approve = page.locator("#batch-form button[value=approve]")
        box = approve.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # in view: the bar sticks at the bottom
        assert box["height"] >= 40  # a thumb-sized target
        page.uncheck("input[data-batch-select] >> nth=0")
        _shoot(page, "inbox-phone")
    finally:
        context.close()


def test_error_pages_are_styled_and_helpful(page, live_server, world):
    hidden = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="other")])])
    _log_in(page, live_server, "rita")

    response = page.goto(f"{live_server.url}/tickets/{hidden.pk}/")

    assert response.status == 404
    assert page.is_visible("[data-testid=error-page]")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"  # app.css applied
    page.click("text=Go to the inbox")
    page.wait_for_url(f"{live_server.url}/")


def test_the_list_and_counts_refresh_themselves_and_typed_text_is_kept(page, live_server, world, settings):
    from approvals.tickets import services

    settings.REVIEW_GATE_INBOX_POLL_SECONDS = 0.3
    _log_in(page, live_server, "rita")
    page.evaluate("window.__notReloaded = true")
    assert page.title() == "(4) Inbox · Review Gate"

    arriving = TicketFactory(status=Ticket.Status.PREPARING, title="", matched=[world["rule"]])
    services.ticket_ready(ticket_id=arriving.pk, prepared={"title": "fresh_orders"})

    wait = {"timeout": 8_000, "polling": 50}
    page.wait_for_function(
        "href => !!document.querySelector(`#inbox-list a[href='${href}']`)", arg=f"/tickets/{arriving.pk}/", **wait
    )
    page.wait_for_function("() => document.title === '(5) Inbox · Review Gate'", **wait)
    assert page.locator(".tabs [data-tab=waiting] .tab-count").inner_text() == "5"
    assert page.evaluate("window.__notReloaded") is True

    page.fill("input[name=q]", "half-typed")
    page.evaluate("document.activeElement.blur()")
    later = TicketFactory(status=Ticket.Status.PREPARING, title="", matched=[world["rule"]])
    services.ticket_ready(ticket_id=later.pk, prepared={"title": "later_orders"})
    page.wait_for_function("() => !document.getElementById('live-notice').hidden", **wait)
    assert page.input_value("input[name=q]") == "half-typed"
    assert f"/tickets/{later.pk}/" not in page.inner_html("#inbox-list")  # not replaced under the user
