"""Rendering of each channel kind: what the message says, in which language, and that untrusted text cannot forge
links, mentions, headings or images, or push a body over its platform's size cap."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from notifications.channels import escape, limits
from notifications.channels.message import Finding, Intent, Kind, Mention
from notifications.channels.render import render_email, render_payload
from tests.fakes.outgoing import HOSTILE, NOW, decided, make_outgoing, make_ticket

CHAT_KINDS = [Kind.DINGTALK, Kind.FEISHU, Kind.WECOM, Kind.SLACK]


def markdown_of(kind: Kind, payload: dict[str, Any]) -> str:
    """The part of a chat payload a platform parses as markup."""
    if kind is Kind.DINGTALK:
        return str(payload["markdown"]["text"])
    if kind is Kind.WECOM:
        return str(payload["markdown"]["content"])
    if kind is Kind.FEISHU:
        return "\n".join(
            element["text"]["content"] for element in payload["card"]["elements"] if element["tag"] == "div"
        )
    sections = [block["text"]["text"] for block in payload["blocks"] if block["type"] == "section"]
    return "\n".join([payload["text"], *sections])


def everything(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


LANGUAGES = [("en", "File commit (commit-file)"), ("zh-hans", "文件提交 (commit-file)")]

# --- Content and language -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*CHAT_KINDS, Kind.WEBHOOK])
@pytest.mark.parametrize(
    ("language", "name"), [("en", "File commit (commit-file)"), ("zh-hans", "文件提交 (commit-file)")]
)
def test_event_name_is_in_the_message_language(kind: Kind, language: str, name: str) -> None:
    payload = render_payload(kind, make_outgoing(Intent.READY, language=language), NOW)
    assert name in everything(payload)


@pytest.mark.parametrize(
    ("language", "name"), [("en", "File commit (commit-file)"), ("zh-hans", "文件提交 (commit-file)")]
)
def test_email_event_name_is_in_the_message_language(language: str, name: str) -> None:
    parts = render_email(make_outgoing(Intent.READY, language=language), NOW)
    assert name in parts.text
    assert name in parts.html


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_ready_names_what_a_reviewer_needs(kind: Kind) -> None:
    ticket = make_ticket(risk="HIGH", findings=(Finding("MC03", "HIGH", 12, "INSERT OVERWRITE without partition"),))
    text = markdown_of(kind, render_payload(kind, make_outgoing(Intent.READY, ticket), NOW))
    for expected in (
        "File commit (commit-file)",
        "/业务流程/sales/ods_sales_daily.sql",
        "sales_prod (10001)",
        "bob",
        "HIGH",
        "INSERT OVERWRITE without partition",
        "2 approvals (rule sales-prod)",
        "alice, carol",
        "12 min",  # waited, relative
        "2026-05-18 06:18 UTC",  # and absolute, with the zone (the test settings' TIME_ZONE is UTC)
    ):
        assert expected in text, expected
    assert "http://testserver/tickets/7/" in everything(render_payload(kind, make_outgoing(Intent.READY, ticket), NOW))


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_decided_says_outcome_by_whom_and_the_comment(kind: Kind) -> None:
    text = markdown_of(kind, render_payload(kind, make_outgoing(Intent.DECIDED, decided()), NOW))
    assert "Rejected" in text
    assert "FAIL" in text
    assert "alice" in text
    assert "Please add a partition filter." in text
    assert "has been waiting" not in text  # DataWorks no longer waits for a decided ticket


@pytest.mark.parametrize(
    ("intent", "words"),
    [
        (Intent.REMINDER, "Reminder"),
        (Intent.ESCALATED, "Escalated"),
        (Intent.NEEDS_ATTENTION, "Needs attention"),
        (Intent.UNREACHABLE, "under the current rules"),
        (Intent.DELIVERY_FAILED, "DataWorks refused"),
    ],
)
@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_alerts_say_so_plainly_with_the_reason(kind: Kind, intent: Intent, words: str) -> None:
    ticket = make_ticket(reason="The only reviewer left the group")
    payload = render_payload(kind, make_outgoing(intent, ticket), NOW)
    assert words in everything(payload)
    assert "The only reviewer left the group" in markdown_of(kind, payload)


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_test_message(kind: Kind) -> None:
    payload = render_payload(kind, make_outgoing(Intent.TEST, tickets=(), mentions=()), NOW)
    assert "This is a test message from Review Gate." in everything(payload)


def test_webhook_test_message_has_no_ticket() -> None:
    payload = render_payload(Kind.WEBHOOK, make_outgoing(Intent.TEST, tickets=()), NOW)
    assert payload["type"] == "ticket.test"
    assert payload["ticket"] is None


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_digest_names_every_ticket_grouped_with_a_count(kind: Kind) -> None:
    tickets = tuple(make_ticket(id=100 + n, title=f"node_{n:02d}") for n in range(limits.DIGEST_MAX_TICKETS))
    intents = tuple(Intent.READY if n % 4 else Intent.REMINDER for n in range(len(tickets)))
    outgoing = make_outgoing(Intent.DIGEST, *tickets, digest_intents=intents)
    payload = render_payload(kind, outgoing, NOW)
    text = markdown_of(kind, payload)
    for ticket in tickets:
        assert ticket.title in text
        assert ticket.url in text  # each one linked
    assert "20 tickets" in everything(payload)
    assert "Waiting for review (15)" in text
    assert "Reminders (5)" in text


@pytest.mark.parametrize("kind", [Kind.DINGTALK, Kind.WECOM, Kind.SLACK, Kind.FEISHU])
def test_digest_too_big_for_one_body_still_fits_and_says_how_many_more(kind: Kind) -> None:
    count = 1000 if kind is Kind.FEISHU else 80  # Feishu's 20 KB hold 300 short lines
    tickets = tuple(make_ticket(id=1000 + n, title="很长的节点名称" * 40) for n in range(count))
    payload = render_payload(kind, make_outgoing(Intent.DIGEST, *tickets), NOW)
    assert_within_caps(kind, payload)
    assert "more" in markdown_of(kind, payload)


def test_email_digest_lists_every_ticket() -> None:
    tickets = tuple(make_ticket(id=200 + n, title=f"node_{n}") for n in range(30))
    parts = render_email(make_outgoing(Intent.DIGEST, *tickets), NOW)
    for ticket in tickets:
        assert ticket.title in parts.text
        assert f'href="{ticket.url}"' in parts.html


def test_email_has_subject_text_html_and_the_why_footer() -> None:
    parts = render_email(make_outgoing(Intent.DECIDED, decided(comment="line one\nline two")), NOW)
    assert parts.subject.startswith("[Review Gate] Decided: ods_sales_daily_7")
    assert "line one\nline two" in parts.text
    assert "You receive this because you review workspace sales_prod." in parts.text
    assert "You receive this because you review workspace sales_prod." in parts.html
    assert 'href="http://testserver/tickets/7/"' in parts.html


# --- Mentions -------------------------------------------------------------------------------------------------------


def test_dingtalk_mentions_by_user_id_or_mobile_with_the_at_text() -> None:
    mentions = (Mention("alice", external_id="alice01"), Mention("carol", mobile="13900000002"), Mention("dave"))
    payload = render_payload(Kind.DINGTALK, make_outgoing(mentions=mentions), NOW)
    assert payload["at"] == {"atUserIds": ["alice01"], "atMobiles": ["13900000002"], "isAtAll": False}
    assert "@alice01" in payload["markdown"]["text"]
    assert "@13900000002" in payload["markdown"]["text"]
    assert "dave" in payload["markdown"]["text"]


@pytest.mark.parametrize(
    ("kind", "external_id", "token"),
    [
        (Kind.FEISHU, "ou_7d8a6e6df7621556ce0d21922b676706", "<at id=ou_7d8a6e6df7621556ce0d21922b676706></at>"),
        (Kind.WECOM, "zhangsan", "<@zhangsan>"),
        (Kind.SLACK, "U024BE7LH", "<@U024BE7LH>"),
    ],
)
def test_mapped_mentions_use_the_platform_syntax(kind: Kind, external_id: str, token: str) -> None:
    payload = render_payload(kind, make_outgoing(mentions=(Mention("alice", external_id=external_id),)), NOW)
    assert token in markdown_of(kind, payload)


# --- Injection ------------------------------------------------------------------------------------------------------

HOSTILE_MENTIONS = (
    Mention("<!channel> @all [x](http://evil)", external_id="all"),
    Mention("@13800000000", external_id="x y", mobile="not-a-mobile"),
    Mention("everyone", external_id="@all"),
    Mention("alice", external_id="alice01"),
    Mention("slackmate", external_id="U024BE7LH"),
)


def hostile_outgoing(intent: Intent) -> Any:
    ticket = make_ticket(
        title=HOSTILE,
        path=HOSTILE,
        operator=HOSTILE,
        workspace_name=HOSTILE,
        requirement=HOSTILE,
        waiting_for=(HOSTILE, "alice"),
        risk=HOSTILE,
        findings=(Finding(HOSTILE, HOSTILE, 3, HOSTILE),),
        reason=HOSTILE,
    )
    if intent is Intent.DECIDED:
        ticket = decided(ticket, comment=HOSTILE, decided_by=HOSTILE)
    return make_outgoing(intent, ticket, mentions=HOSTILE_MENTIONS)


MAPPED = ["alice01", "U024BE7LH"]  # the only well-formed ids of HOSTILE_MENTIONS
INTENTS = [Intent.READY, Intent.DECIDED, Intent.NEEDS_ATTENTION]
MD_LINK = re.compile(r"\]\(([^)]*)\)")


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize("kind", [Kind.DINGTALK, Kind.WECOM, Kind.FEISHU])
def test_chat_markdown_cannot_be_forged(kind: Kind, intent: Intent) -> None:
    payload = render_payload(kind, hostile_outgoing(intent), NOW)
    text = markdown_of(kind, payload)
    assert set(MD_LINK.findall(text)) <= {"http://testserver/tickets/7/"}  # the only link is ours
    assert "![" not in text
    assert "http://evil" not in "".join(MD_LINK.findall(text))
    assert "<a " not in text and "<font" not in text and "<script" not in text
    assert "[ref]:" not in text
    lines = text.split("\n")
    assert [line for line in lines if line.lstrip().startswith(("#", ">", "- item"))] == (
        [lines[0]] if kind is not Kind.FEISHU else []
    )  # only our own heading starts a line
    assert lines[0].startswith("### ") or kind is Kind.FEISHU
    assert "@all" not in text
    assert "@13800000000" not in text
    assert "<at user_id" not in text
    assert "<at id=all>" not in text
    if kind is Kind.DINGTALK:
        assert payload["at"] == {"atUserIds": MAPPED, "atMobiles": [], "isAtAll": False}
        assert re.findall(r"@(\S+)", text) == MAPPED
    if kind is Kind.FEISHU:
        assert re.findall(r"<at id=([^>]*)>", text) == MAPPED
        assert "http://evil" not in payload["card"]["header"]["title"]["content"].split("(")[0]
    if kind is Kind.WECOM:
        assert re.findall(r"<@([^>]*)>", text) == MAPPED


@pytest.mark.parametrize("intent", INTENTS)
def test_slack_mrkdwn_cannot_be_forged(intent: Intent) -> None:
    payload = render_payload(Kind.SLACK, hostile_outgoing(intent), NOW)
    text = markdown_of(Kind.SLACK, payload)
    tokens = re.findall(r"<([^>]*)>", text)
    assert set(tokens) <= {"@U024BE7LH"}  # no <!channel>, no <@U999EVIL>, no <http://evil|x>
    assert "<!" not in text
    assert "@all" not in text
    buttons = [e["url"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["http://testserver/tickets/7/"]
    assert len(payload["blocks"][0]["text"]["text"]) <= limits.SLACK_HEADER_CHARS
    assert "\n" not in payload["blocks"][0]["text"]["text"]


@pytest.mark.parametrize("intent", INTENTS)
def test_email_html_escapes_everything(intent: Intent) -> None:
    parts = render_email(hostile_outgoing(intent), NOW)
    assert "<script" not in parts.html
    assert 'href="http://evil' not in parts.html
    assert "<at " not in parts.html and "<font" not in parts.html
    assert re.findall(r'href="([^"]*)"', parts.html) == ["http://testserver/tickets/7/"]
    assert "\n" not in parts.subject and "\r" not in parts.subject


def test_webhook_carries_untrusted_text_as_data() -> None:
    payload = render_payload(Kind.WEBHOOK, hostile_outgoing(Intent.DECIDED), NOW)
    assert payload["ticket"]["title"] == HOSTILE  # JSON data: the receiver escapes it for its own output
    assert payload["ticket"]["comment"] == HOSTILE


def test_ticket_url_other_than_http_is_never_linked() -> None:
    ticket = make_ticket(url="javascript:alert(1)")
    for kind in CHAT_KINDS:
        assert "javascript:" not in everything(render_payload(kind, make_outgoing(Intent.READY, ticket), NOW))
    assert "javascript:" not in render_email(make_outgoing(Intent.READY, ticket), NOW).html


def test_url_cannot_close_a_link_early() -> None:
    url = escape.safe_url("https://rg.example.com/tickets/7/?q=a) [x](http://evil")
    assert ")" not in url and " " not in url and "[" not in url
    assert url.startswith("https://rg.example.com/tickets/7/")


def test_control_and_bidi_characters_are_dropped() -> None:
    assert escape.plain("a\u202eb\u200bc\x00d\u2028e") == "abcd e"
    assert escape.chat_markdown("x\ny") == "x y"


# --- Size caps ------------------------------------------------------------------------------------------------------


def assert_within_caps(kind: Kind, payload: dict[str, Any]) -> None:
    if kind is Kind.DINGTALK:
        assert escape.utf8_len(payload["markdown"]["text"]) <= limits.DINGTALK_TEXT_BYTES
        assert len(payload["markdown"]["title"]) <= limits.TITLE_CHARS
    elif kind is Kind.WECOM:
        assert escape.utf8_len(payload["markdown"]["content"]) <= limits.WECOM_MARKDOWN_BYTES
    elif kind is Kind.FEISHU:
        signed = {"timestamp": "1779085800", "sign": "x" * 44, **payload}
        body = json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode()
        assert len(body) <= limits.FEISHU_BODY_BYTES
    elif kind is Kind.SLACK:
        for block in payload["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= limits.SLACK_HEADER_CHARS
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= limits.SLACK_SECTION_CHARS
        assert len(payload["text"]) <= limits.SLACK_HEADER_CHARS


BIG = '注释很长 <b>&</b> "quoted" ' * 5000  # about 100 KB of UTF-8


@pytest.mark.parametrize("intent", [Intent.DECIDED, Intent.NEEDS_ATTENTION])
@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_a_100_kb_comment_never_makes_an_over_size_body(kind: Kind, intent: Intent) -> None:
    ticket = decided(make_ticket(title=BIG, path=BIG, reason=BIG, waiting_for=(BIG,) * 50), comment=BIG)
    assert escape.utf8_len(ticket.comment) > 100_000
    payload = render_payload(kind, make_outgoing(intent, ticket, language="zh-hans"), NOW)
    assert_within_caps(kind, payload)
    assert escape.ELLIPSIS in markdown_of(kind, payload)
    assert "http://testserver/tickets/7/" in everything(payload)  # the link survives the cut


def test_a_100_kb_comment_is_capped_in_mail_and_webhook() -> None:
    outgoing = make_outgoing(Intent.DECIDED, decided(comment=BIG, title=BIG))
    parts = render_email(outgoing, NOW)
    assert len(parts.subject) <= limits.TITLE_CHARS * 2
    assert len(parts.text) < 3 * limits.LONG_TEXT_CHARS
    webhook = render_payload(Kind.WEBHOOK, outgoing, NOW)
    assert len(webhook["ticket"]["comment"]) <= limits.LONG_TEXT_CHARS


def test_lone_surrogates_and_nul_never_break_a_body() -> None:
    ticket = make_ticket(title="bad \ud800 \x00 title", comment="x\udfffy")
    for kind in [*CHAT_KINDS, Kind.WEBHOOK]:
        payload = render_payload(kind, make_outgoing(Intent.DECIDED, decided(ticket)), NOW)
        json.dumps(payload, ensure_ascii=False).encode("utf-8")  # would raise on a surrogate
    render_email(make_outgoing(Intent.DECIDED, decided(ticket)), NOW)


def test_naive_times_are_taken_as_utc() -> None:
    ticket = make_ticket(created_at=NOW.replace(tzinfo=None), expires_at=None)
    payload = render_payload(Kind.WEBHOOK, make_outgoing(Intent.READY, ticket, sent_at=NOW.replace(tzinfo=None)))
    assert payload["sent_at"].endswith("+00:00")
    assert payload["ticket"]["expires_at"] is None
    text = markdown_of(Kind.WECOM, render_payload(Kind.WECOM, make_outgoing(Intent.READY, ticket), NOW))
    assert "2026-05-18 06:30 UTC" in text


def test_outgoing_is_not_changed_by_rendering() -> None:
    outgoing = make_outgoing(Intent.READY)
    before = replace(outgoing)
    for kind in [*CHAT_KINDS, Kind.WEBHOOK]:
        render_payload(kind, outgoing, NOW)
    assert outgoing == before
