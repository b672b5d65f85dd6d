"""The interface speaks the browser's language: with `Accept-Language: zh-CN` the login page, the inbox, a ticket page,
the admin rule list and the lock-out page are Chinese, with no English interface words; with `en` they are English.
Times show their zone (or are relative, the absolute time with its zone on hover)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from approvals.models import AuditEntry
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# English interface words that must not reach a Chinese page (user content and code aside).
ENGLISH_UI = (
    "Inbox",
    "Approve",
    "Reject",
    "Log out",
    "Log in",
    "Waiting for you",
    "Emergency override",
    "History",
    "Workspace",
    "Decision",
    "Times are shown",
    "File commit",
    " ago",
)


def visible_text(html: str) -> str:
    """Return what a reader sees: the page without scripts, styles and tags (attributes dropped), unescaped."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]+>", " ", html))


def english_words_on(html: str) -> list[str]:
    text = visible_text(html)
    return [word for word in ENGLISH_UI if word in text]


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def ticket(reviewer):
    ticket = TicketFactory(matched=[RuleFactory(name="etl", reviewer_users=[reviewer])])
    AuditEntry.objects.create(ticket=ticket, action=AuditEntry.Action.CREATED)
    return ticket


@pytest.fixture
def logged_in(client: Client, reviewer) -> Client:
    client.force_login(reviewer)
    return client


def test_the_login_page_is_chinese_for_a_chinese_browser(client):
    page = client.get("/accounts/login/", **ZH)

    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in html
    for chinese in ("登录", "用户名", "密码"):
        assert chinese in html
    assert english_words_on(html) == []
    assert "Username" not in visible_text(html) and "Password" not in visible_text(html)


def test_the_login_page_is_english_for_an_english_browser(client):
    html = client.get("/accounts/login/", **EN).content.decode()

    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Password" in html
    assert "登录" not in html


def test_the_inbox_is_chinese_with_event_names_and_relative_times(logged_in, ticket):
    html = logged_in.get("/", **ZH).content.decode()

    for chinese in ("收件箱", "等待您审批", "工单", "工作空间", "文件提交 (commit-file)", "等待审批", "退出登录"):
        assert chinese in html, chinese
    assert re.search(r"<time datetime=\"[^\"]+\+00:00\" title=\"\d{4}-\d\d-\d\d \d\d:\d\d UTC\">[^<]*前</time>", html)
    assert english_words_on(html) == []


def test_the_inbox_is_english_for_an_english_browser(logged_in, ticket):
    html = logged_in.get("/", **EN).content.decode()

    for english in ("Inbox", "Waiting for you", "File commit (commit-file)", "Log out", " ago</time>"):
        assert english in html, english
    assert "收件箱" not in html


def test_a_ticket_page_is_chinese(logged_in, ticket):
    html = logged_in.get(f"/tickets/{ticket.pk}/", **ZH).content.decode()

    for chinese in (
        "批准",
        "有警告地批准",
        "驳回",
        "文件提交 (commit-file)",
        "需要谁审批",
        "历史记录",
        "决定",
        "已创建",
    ):
        assert chinese in html, chinese
    assert english_words_on(html) == [], english_words_on(html)


def test_a_ticket_page_is_english_for_an_english_browser(logged_in, ticket):
    html = logged_in.get(f"/tickets/{ticket.pk}/", **EN).content.decode()

    for english in ("Approve", "Approve with warning", "Reject", "File commit (commit-file)", "History"):
        assert english in html, english
    assert "驳回" not in html


def test_times_name_their_zone(logged_in, ticket, settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    html = logged_in.get(f"/tickets/{ticket.pk}/", **ZH).content.decode()

    received = re.search(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', html)
    assert received is not None
    iso, title, text = received.groups()
    assert iso.endswith("+08:00")
    assert title.endswith(" CST") and text == title
    assert "时间均按 Asia/Shanghai (CST) 显示" in html


def test_a_user_who_chose_english_gets_english_whatever_the_browser_says(logged_in, ticket):
    logged_in.post("/i18n/setlang/", {"language": "en", "next": "/"}, **ZH)

    html = logged_in.get("/", **ZH).content.decode()

    assert "Inbox" in html and "收件箱" not in html


def test_the_admin_rule_list_is_chinese(admin_client):
    RuleFactory(name="prod-sql")

    html = admin_client.get("/admin/approvals/rule/", **ZH).content.decode()

    for chinese in ("审批规则", "哪些规则匹配", "工作空间 ID", "最少批准数", "Review Gate 管理后台", "时间均按"):
        assert chinese in html, chinese
    text = visible_text(html)
    for english in (
        "Which rules match this?",
        "reviewer rules",
        "Log out",
        "minimum approvals",
        "Django administration",
    ):
        assert english not in text, english


def test_the_admin_rule_list_is_english_for_an_english_browser(admin_client):
    html = admin_client.get("/admin/approvals/rule/", **EN).content.decode()

    assert "Which rules match this?" in html and "Review Gate administration" in html
    assert "审批规则" not in html


def test_the_lockout_page_is_ours_and_chinese(client, settings):
    settings.AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"  # config/settings/base.py sets it
    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"}, **ZH)

    locked = client.post("/accounts/login/", {"username": "target", "password": "wrong"}, **ZH)

    html = locked.content.decode()
    assert locked.status_code == 429
    assert "登录失败次数过多" in html and "分钟后重试" in html
    assert "Account locked" not in html and english_words_on(html) == []


def test_the_admin_index_has_no_untranslated_django_words(admin_client):
    html = admin_client.get("/admin/", **ZH).content.decode()

    text = visible_text(html)
    for english in ("Model name", "Add link", "Change or view list link", "Reviews", "reviewer rules", "Log out"):
        assert english not in text, english
    assert "模型名称" in text and "审批规则" in text


def test_the_admin_script_catalogue_carries_our_translations(admin_client):
    raw = admin_client.get("/admin/jsi18n/", **ZH).content.decode()
    script = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)  # JSON's \uXXXX escapes

    assert "选择全部 %s" in script and "移除全部 %s" in script
