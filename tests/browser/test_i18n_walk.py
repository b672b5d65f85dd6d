"""The whole review and admin flow in a real Chromium, once in Chinese (Accept-Language zh-CN) and once in English.

Walk: login → inbox → ticket → approve → admin rule list. In Chinese no English interface string may be visible
(every English msgid of the catalogue is looked for on each page); user content (code, names, identifiers) and the
protocol's own words (OK / WARN / FAIL, event codes) aside. In English no Chinese character may be visible except in
user content. With REVIEW_GATE_SCREENSHOTS=1 the pages are saved under docs/screenshots/ (how those were made).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import polib
import pytest

from approvals.models import Ticket
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
CJK = re.compile("[\u4e00-\u9fff]")
# Words that stay as they are in Chinese: the product's name, DataWorks' protocol values, file-type names.
KEPT = {"Review Gate", "OK", "WARN", "FAIL", "SQL", "Python", "Shell", "DataWorks", "API", "UID", "ID", "JSON"}


def _english_interface_strings() -> list[str]:
    """Every English msgid of the catalogue long enough to be recognisable (two words or more, placeholders cut)."""
    catalogue = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    found = set()
    for entry in catalogue:
        for msgid in (entry.msgid, entry.msgid_plural):
            for piece in re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{\{[^}]*\}\}|[<>]", msgid or ""):
                piece = piece.strip(" .,:;()—-\"'")
                if len(piece.split()) >= 2 and piece not in KEPT and not CJK.search(piece):
                    found.add(piece)
    return sorted(found, key=len, reverse=True)


def _visible_text(page) -> str:
    return page.inner_text("body")


def _walk(page, live_server, *, language: str, shots: list[str]) -> dict[str, str]:
    """Log in, open the inbox and the ticket, approve it, open the rule list; return each page's visible text."""
    reviewer = UserFactory(username="li.wei", password=PASSWORD, is_staff=True, is_superuser=True)
    ticket = TicketFactory(
        matched=[RuleFactory(name="sales-prod", reviewer_users=[reviewer])],
        title="ods_orders_daily",
        old_content="SELECT order_id FROM ods_orders WHERE ds = '${bizdate}';\n",
        new_content="SELECT order_id, amount FROM ods_orders WHERE ds = '${bizdate}';\n",
    )
    texts = {}
    page.goto(f"{live_server.url}/accounts/login/")
    texts["login"] = _visible_text(page)
    page.fill("#id_username", reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    texts["inbox"] = _visible_text(page)
    _shoot(page, f"inbox-{language}", shots)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    texts["ticket"] = _visible_text(page)
    _shoot(page, f"ticket-{language}", shots)
    page.click("button[value=approve]")
    page.wait_for_selector("[data-testid=ticket-status]")
    texts["approved"] = _visible_text(page)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.APPROVED
    page.goto(f"{live_server.url}/admin/approvals/rule/")
    texts["rules"] = _visible_text(page)
    return texts


def _shoot(page, name: str, shots: list[str]) -> None:
    if os.environ.get("REVIEW_GATE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots" / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=False)
        shots.append(str(out))


@pytest.fixture
def localized_page(browser, request):
    language = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    context.set_extra_http_headers({"Accept-Language": language})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("localized_page", ["zh-CN"], indirect=True)
def test_a_chinese_reviewer_meets_no_english_interface_text(localized_page, live_server):
    texts = _walk(localized_page, live_server, language="zh", shots=[])
    english = _english_interface_strings()

    for name, text in texts.items():
        assert CJK.search(text), f"the {name} page shows no Chinese at all"
        leftovers = [s for s in english if s in text]
        assert not leftovers, f"English interface text on the {name} page: {leftovers[:10]}"
    assert "批准" in texts["ticket"] and "驳回" in texts["ticket"]
    assert "工单" in texts["inbox"]


@pytest.mark.parametrize("localized_page", ["en-US"], indirect=True)
def test_an_english_reviewer_meets_no_chinese_interface_text(localized_page, live_server):
    texts = _walk(localized_page, live_server, language="en", shots=[])

    for name, text in texts.items():
        # The language switcher names Chinese in Chinese (简体中文), as switchers do; nothing else may be Chinese.
        assert not CJK.search(text.replace("简体中文", "")), f"Chinese text on the {name} page"
    assert "Approve" in texts["ticket"] and "Reject" in texts["ticket"]
