"""Turn an `Outgoing` into the body of one request for one kind of channel, in the message's language.

`render_payload(kind, outgoing)` gives the JSON object of a chat or webhook request (without signing fields, which
transport adds); `render_email(outgoing)` the subject, text and HTML of a mail. Every untrusted value goes through
escape.py for its format, and every body is fitted under its kind's size cap (limits.py): titles are shortened
first, then what still does not fit is cut with an ellipsis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.catalogue import event_name
from notifications.channels import escape, limits
from notifications.channels.content import TITLE_MAX, Content, compose
from notifications.channels.message import Intent, Kind, Mention, Outgoing, TicketFacts

# --- Markup of the markdown-like formats ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Markup:
    esc: Callable[[object], str]
    bold: Callable[[str], str]
    link: Callable[[str, str], str]  # (escaped text, safe URL) -> a link
    sep: str  # between lines
    bullet: str = "- "


def _md_link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def _slack_link(text: str, url: str) -> str:
    return f"<{url}|{text}>"


DINGTALK = _Markup(escape.dingtalk_md, lambda s: f"**{s}**", _md_link, "\n\n")
WECOM = _Markup(escape.wecom_md, lambda s: f"**{s}**", _md_link, "\n")
FEISHU = _Markup(escape.feishu_md, lambda s: f"**{s}**", _md_link, "\n")
SLACK = _Markup(escape.slack_mrkdwn, lambda s: f"*{s}*", _slack_link, "\n", bullet="• ")

MIN_TITLE_CHARS = 8  # below this a title no longer names anything: list fewer tickets instead


def _fact_lines(markup: _Markup, content: Content) -> list[str]:
    return [
        _("%(label)s: %(value)s") % {"label": markup.bold(markup.esc(fact.label)), "value": markup.esc(fact.value)}
        for fact in content.facts
    ]


def _link_line(markup: _Markup, label: str, url: str) -> str:
    safe = escape.safe_url(url)
    return markup.link(markup.esc(label), safe) if safe else ""


def _ticket_line(markup: _Markup, ticket: TicketFacts, title_chars: int) -> str:
    title = markup.esc(escape.truncate_chars(escape.plain(ticket.title) or "-", title_chars))
    url = escape.safe_url(ticket.url)
    return markup.bullet + (markup.link(title, url) if url else title)


def _join(markup: _Markup, *parts: str) -> str:
    return markup.sep.join(part for part in parts if part)


def _fit(build: Callable[[str], str], middle: str, limit: int, measure: Callable[[str], int]) -> str:
    """Return build(middle), with `middle` cut (ellipsis) just enough for the result to measure at most `limit`."""
    body = build(middle)
    if measure(body) <= limit:
        return body
    low, high = 0, len(middle)
    while low < high:  # the longest prefix that fits
        mid = (low + high + 1) // 2
        if measure(build(escape.truncate_chars(middle, mid))) <= limit:
            low = mid
        else:
            high = mid - 1
    return build(escape.truncate_chars(middle, low))


def _digest_middle(
    markup: _Markup, content: Content, build: Callable[[str], str], limit: int, measure: Callable[[str], int]
) -> str:
    """The digest's lines, every ticket named: titles shortened until all fit, else as many tickets as fit and
    "… and N more" (a digest folder keeps digests small enough that this does not happen, limits.py)."""
    tickets = [ticket for group in content.groups for ticket in group.tickets]

    def lines(title_chars: int, shown: int) -> str:
        out: list[str] = []
        left = shown
        for group in content.groups:
            if left <= 0:
                break
            out.append(markup.bold(markup.esc(group.label)))
            for ticket in group.tickets[:left]:
                out.append(_ticket_line(markup, ticket, title_chars))
            left -= len(group.tickets)
        if shown < len(tickets):
            out.append(escape.ELLIPSIS + " " + _("and %(n)d more") % {"n": len(tickets) - shown})
        return markup.sep.join(out)

    def fits(title_chars: int, shown: int) -> bool:
        return measure(build(lines(title_chars, shown))) <= limit

    if fits(MIN_TITLE_CHARS, len(tickets)):
        low, high = MIN_TITLE_CHARS, TITLE_MAX
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(mid, len(tickets)) else (low, mid - 1)
        return lines(low, len(tickets))
    low, high = 0, len(tickets)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(MIN_TITLE_CHARS, mid) else (low, mid - 1)
    return lines(MIN_TITLE_CHARS, low)


def _markdown_body(
    markup: _Markup,
    content: Content,
    *,
    head: str,
    tail: str,
    limit: int,
    measure: Callable[[str], int] = escape.utf8_len,
) -> str:
    """head (already escaped), then the facts or the digest's lines, then tail (link, mentions), under `limit`.

    Only the middle is cut, so the link and the mentions always arrive."""

    def build(middle: str) -> str:
        return _join(markup, head, middle, tail)

    if content.groups:
        return build(_digest_middle(markup, content, build, limit, measure))
    return _fit(build, markup.sep.join(_fact_lines(markup, content)), limit, measure)


# --- Mentions -------------------------------------------------------------------------------------------------------

_DINGTALK_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_MOBILE = re.compile(r"^\+?[0-9][0-9\-]{4,19}$")
_FEISHU_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_WECOM_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,32}$")
_EVERYONE = {"all", "@all", "everyone", "channel", "here"}


def _valid(pattern: re.Pattern[str], value: str) -> bool:
    return bool(pattern.match(value)) and value.lower() not in _EVERYONE


def _unmapped(markup: _Markup, mention: Mention) -> str:
    return markup.esc(escape.truncate_chars(escape.plain(mention.name), 100))


def dingtalk_mentions(mentions: tuple[Mention, ...]) -> tuple[str, list[str], list[str]]:
    """DingTalk needs both: the `@id` in the text and the id in `at.atUserIds` (or the mobile in `atMobiles`)."""
    words, user_ids, mobiles = [], [], []
    for mention in mentions:
        if mention.external_id and _valid(_DINGTALK_ID, mention.external_id):
            user_ids.append(mention.external_id)
            words.append(f"@{mention.external_id}")
        elif mention.mobile and _MOBILE.match(mention.mobile):
            mobiles.append(mention.mobile)
            words.append(f"@{mention.mobile}")
        elif mention.name:
            words.append(_unmapped(DINGTALK, mention))
    return " ".join(words), list(dict.fromkeys(user_ids)), list(dict.fromkeys(mobiles))


def _mention_words(
    markup: _Markup, mentions: tuple[Mention, ...], pattern: re.Pattern[str], token: Callable[[str], str]
) -> str:
    words = []
    for mention in mentions:
        if mention.external_id and _valid(pattern, mention.external_id):
            words.append(token(mention.external_id))
        elif mention.name:
            words.append(_unmapped(markup, mention))
    return " ".join(dict.fromkeys(words))


# --- Per kind -------------------------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def render_dingtalk(outgoing: Outgoing, content: Content) -> dict[str, Any]:
    words, user_ids, mobiles = dingtalk_mentions(outgoing.mentions)
    headline = content.headline_with(DINGTALK.esc(content.title))
    tail = _join(DINGTALK, _link_line(DINGTALK, content.link_label, content.link_url), words)
    text = _markdown_body(DINGTALK, content, head=f"### {headline}", tail=tail, limit=limits.DINGTALK_TEXT_BYTES)
    title = escape.truncate_chars(content.headline_with(escape.plain(content.title)), limits.TITLE_CHARS)
    return {
        "msgtype": "markdown",
        "markdown": {"title": escape.chat_markdown(title), "text": text},
        "at": {"atUserIds": user_ids, "atMobiles": mobiles, "isAtAll": False},
    }


def render_wecom(outgoing: Outgoing, content: Content) -> dict[str, Any]:
    words = _mention_words(WECOM, outgoing.mentions, _WECOM_ID, lambda uid: f"<@{uid}>")
    headline = content.headline_with(WECOM.esc(content.title))
    tail = _join(WECOM, _link_line(WECOM, content.link_label, content.link_url), words)
    text = _markdown_body(WECOM, content, head=f"### {headline}", tail=tail, limit=limits.WECOM_MARKDOWN_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": text}}


_FEISHU_COLOURS = {
    Intent.READY: "blue",
    Intent.DECIDED: "green",
    Intent.REMINDER: "orange",
    Intent.ESCALATED: "red",
    Intent.NEEDS_ATTENTION: "red",
    Intent.UNREACHABLE: "red",
    Intent.DELIVERY_FAILED: "red",
}


def _json_len(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def render_feishu(outgoing: Outgoing, content: Content) -> dict[str, Any]:
    words = _mention_words(FEISHU, outgoing.mentions, _FEISHU_ID, lambda uid: f"<at id={uid}></at>")
    # plain_text is not parsed, but the title reads the same as in every other part of every message.
    header = escape.truncate_chars(content.headline_with(escape.chat_markdown(content.title)), limits.TITLE_CHARS * 2)
    card: dict[str, Any] = {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": header},
            "template": _FEISHU_COLOURS.get(content.intent, "blue"),
        },
        "elements": [],
    }
    url = escape.safe_url(content.link_url)
    actions = []
    if url:
        actions.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": content.link_label},
                        "type": "primary",
                        "url": url,
                    }
                ],
            }
        )
    margin = 200  # timestamp, sign and msg_type, added by transport

    def measure(text: str) -> int:
        elements = [{"tag": "div", "text": {"tag": "lark_md", "content": text}}, *actions]
        return _json_len({"msg_type": "interactive", "card": {**card, "elements": elements}}) + margin

    body = _markdown_body(FEISHU, content, head="", tail=words, limit=limits.FEISHU_BODY_BYTES, measure=measure)
    elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "lark_md", "content": body}}] if body else []
    card["elements"] = [*elements, *actions]
    return {"msg_type": "interactive", "card": card}


def render_slack(outgoing: Outgoing, content: Content) -> dict[str, Any]:
    words = _mention_words(SLACK, outgoing.mentions, _SLACK_ID, lambda uid: f"<@{uid}>")
    # The header is plain_text (never parsed); the fallback `text` is mrkdwn, so it is escaped as such.
    header = escape.truncate_chars(content.headline_with(escape.plain(content.title)), limits.SLACK_HEADER_CHARS)
    section = _markdown_body(SLACK, content, head="", tail=words, limit=limits.SLACK_SECTION_CHARS, measure=len)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": header}}]
    if section:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": section}})
    url = escape.safe_url(content.link_url)
    if url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": escape.truncate_chars(content.link_label, 75)},
                        "url": url,
                        "style": "primary",
                    }
                ],
            }
        )
    return {
        "text": escape.truncate_chars(content.headline_with(SLACK.esc(content.title)), limits.SLACK_HEADER_CHARS),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


# --- Generic webhook ------------------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
    return timezone.localtime(aware).isoformat()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str | None) -> str:
    """A string as data for JSON: a lone surrogate (DataWorks text may hold one) becomes U+FFFD, so the body is
    always valid UTF-8."""
    return _SURROGATE.sub("\ufffd", value or "")


def webhook_ticket(ticket: TicketFacts) -> dict[str, Any]:
    """The issue's `ticket` object: exactly these keys. Values are data, not markup: the receiver escapes them."""
    return {
        "id": ticket.id,
        "url": escape.plain(ticket.url),
        "message_id": _text(ticket.message_id),
        "event_code": _text(ticket.event_code),
        "event_name": _text(event_name(ticket.event_code)),
        "project_id": ticket.project_id,
        "title": _text(ticket.title),
        "path": _text(ticket.path),
        "operator": _text(ticket.operator),
        "status": _text(ticket.status),
        "check_result": _text(ticket.check_result),
        "decided_by": _text(ticket.decided_by),
        "comment": _text(escape.truncate_chars(ticket.comment, limits.LONG_TEXT_CHARS)),
        "risk": None if ticket.risk is None else _text(ticket.risk),
        "waiting_for": [_text(name) for name in ticket.waiting_for],
        "expires_at": _iso(ticket.expires_at),
    }


def render_webhook(outgoing: Outgoing) -> dict[str, Any]:
    """`{"type", "id", "sent_at", "ticket"}`; a digest adds `tickets` (every ticket) and `types` (each one's type),
    with `ticket` the first of them; a test message has `ticket: null`."""
    tickets = [webhook_ticket(ticket) for ticket in outgoing.tickets]
    body: dict[str, Any] = {
        "type": outgoing.intent.webhook_type,
        "id": outgoing.delivery_id,
        "sent_at": _iso(outgoing.sent_at),
        "ticket": tickets[0] if tickets else None,
    }
    if outgoing.intent is Intent.DIGEST:
        intents = outgoing.digest_intents
        body["tickets"] = tickets
        body["types"] = [
            (intents[index] if index < len(intents) else Intent.READY).webhook_type for index in range(len(tickets))
        ]
    return body


# --- Email ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmailParts:
    subject: str
    text: str
    html: str


def render_email(outgoing: Outgoing, now: datetime | None = None) -> EmailParts:
    with translation.override(outgoing.language):
        content = compose(outgoing, _now(now), comment_max=limits.LONG_TEXT_CHARS)
        headline = content.headline_with(escape.plain(content.title))
        subject = escape.truncate_chars(escape.plain(f"[Review Gate] {headline}"), limits.TITLE_CHARS * 2)
        context = {
            "headline": headline,
            "facts": [(fact.label, escape.plain(fact.value, multiline=True)) for fact in content.facts],
            "link_label": content.link_label,
            "link_url": escape.safe_url(content.link_url),
            "groups": [
                (group.label, [(escape.plain(t.title) or "-", escape.safe_url(t.url)) for t in group.tickets])
                for group in content.groups
            ],
            "why": escape.plain(outgoing.why, multiline=True),
            "language": outgoing.language,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    return EmailParts(subject=subject, text=text, html=html)


# --- Entry point ----------------------------------------------------------------------------------------------------

_CHAT: dict[Kind, Callable[[Outgoing, Content], dict[str, Any]]] = {
    Kind.DINGTALK: render_dingtalk,
    Kind.FEISHU: render_feishu,
    Kind.WECOM: render_wecom,
    Kind.SLACK: render_slack,
}


def render_payload(kind: Kind, outgoing: Outgoing, now: datetime | None = None) -> dict[str, Any]:
    """The JSON body of one chat or webhook request for `outgoing`, in its language (not for EMAIL)."""
    with translation.override(outgoing.language):
        if kind is Kind.WEBHOOK:
            return render_webhook(outgoing)
        renderer = _CHAT.get(kind)
        if renderer is None:
            raise ValueError(f"no JSON body for kind {kind}")
        return renderer(outgoing, compose(outgoing, _now(now)))
