"""Hostile markup in every piece of untrusted text, shown in a real browser: none of it runs, all of it reads as text.

Three vectors go into each place text reaches a page: a `<script>`, an `<img onerror=...>` and a `javascript:` link.
Each sets `window.__xss` (and the script also calls `alert`). A page passes when, after loading, `window.__xss` is
undefined, no dialog opened, the DOM holds no element the markup would have created (so the proof does not rest on a
Content-Security-Policy that might block an unescaped script), and the literal markup is visible as text.

Places: code (old and new, and the scheduling configuration), file name/title, path, version labels, reviewer
comments (the decision and history), the tip of a result delivery, user names (first/last name; the unmapped
DataWorks UID shown as the operator), the rule and group names, a delivery error, and the event payload (raw_body).
Pages: the ticket page (split and unified), the inbox, and the admin pages of Ticket, InboundEvent, Callback and
users, as a superuser. Screenshots: test-results/browser/xss-*.png.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from approvals.models import Callback, Ticket
from approvals.tickets import services
from tests.browser.conftest import OUTPUT_DIR
from tests.factories import GroupFactory, InboundEventFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACES = (
    "title",
    "path",
    "old code",
    "new code",
    "old config",
    "new config",
    "old label",
    "new label",
    "operator uid",
    "approval comment",
    "decision comment",
    "delivery error",
    "rule name",
    "group name",
    "first name",
    "last name",
    "payload file name",
    "payload operator",
    "waiting title",
    "message id",
)


# Columns shorter than the full markup get the vectors that fit.
LIMITS = {"rule name": 100, "group name": 150, "first name": 150, "last name": 150, "message id": 128}


def vectors(place: str) -> list[str]:
    n = PLACES.index(place) + 1
    return [
        f"<script>window.__xss={n};alert({n})</script>",
        f"<img src=x onerror=window.__xss={n}>",
        f"<a href=javascript:window.__xss={n}>link{n}</a>",
    ]


def hostile(place: str) -> str:
    """Markup that would run if it reached the page unescaped; no double quotes, so it survives JSON unchanged."""
    value = f"[{place}]"
    for vector in vectors(place):
        if len(value) + 1 + len(vector) <= LIMITS.get(place, 10_000):
            value = f"{value} {vector}"
    return value


def _world() -> dict[str, Any]:
    group = GroupFactory(name=hostile("group name"))
    rita = UserFactory(username="rita", first_name=hostile("first name"), last_name=hostile("last name"))
    rita.groups.add(group)
    rule = RuleFactory(name=hostile("rule name"), reviewer_users=[rita], reviewer_groups=[group], min_approvals=2)
    second = UserFactory(username="vic")
    rule.reviewers.add(second)
    raw = {
        "id": "msg-hostile-1",
        "source": "acs.dataworks",
        "type": "dataworks:FileChange:CommitFile",
        "data": {"fileName": hostile("payload file name"), "operator": hostile("payload operator"), "projectId": 1},
    }
    event = InboundEventFactory(
        message_id="msg-hostile-1",
        operator=hostile("payload operator"),
        raw_body=json.dumps(raw, ensure_ascii=False, indent=2),
    )
    decided = TicketFactory(
        event=event,
        matched=[rule],
        title=hostile("title"),
        path=hostile("path"),
        operator_uid=hostile("operator uid"),
        old_content=f"SELECT 1; -- {hostile('old code')}\nSELECT 3;\n",
        new_content=f"SELECT 2; -- {hostile('new code')}\nSELECT 3;\n",
        old_config=f"cron: {hostile('old config')}\n",
        new_config=f"cron: {hostile('new config')}\n",
        old_label=hostile("old label"),
        new_label=hostile("new label"),
    )
    services.ticket_approve(ticket_id=decided.pk, user=second, comment=hostile("approval comment"))
    services.ticket_reject(ticket_id=decided.pk, user=rita, comment=hostile("decision comment"))
    Callback.objects.filter(ticket=decided).update(last_error_message=hostile("delivery error"))
    waiting = TicketFactory(matched=[rule], title=hostile("waiting title"))
    untitled = TicketFactory(matched=[rule], title="", message_id=hostile("message id"), event__message_id="m-2")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    return {"rita": rita, "root": root, "decided": decided, "waiting": waiting, "untitled": untitled}


# page name -> (who looks, URL, the places whose markup must be visible there as text)
PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ticket-split": (
        "rita",
        "/tickets/{decided}/",
        (
            "title",
            "path",
            "old code",
            "new code",
            "old config",
            "new config",
            "old label",
            "new label",
            "operator uid",
            "approval comment",
            "decision comment",
            "delivery error",
            "rule name",
            "group name",
        ),
    ),
    "ticket-unified": (
        "rita",
        "/tickets/{decided}/?view=unified",
        ("title", "old code", "new code", "old config", "new config", "approval comment", "decision comment"),
    ),
    "inbox": ("rita", "/?tab=all", ("title", "waiting title", "message id")),  # titles cut at 60 characters there
    "admin-ticket": (
        "root",
        "/admin/approvals/ticket/{decided}/change/",
        ("title", "path", "old code", "new code", "operator uid", "approval comment", "decision comment"),
    ),
    "admin-ticket-list": ("root", "/admin/approvals/ticket/", ("title", "waiting title", "message id")),
    "admin-event": ("root", "/admin/events/inboundevent/{event}/change/", ("payload file name", "payload operator")),
    "admin-event-list": ("root", "/admin/events/inboundevent/", ("payload operator",)),
    "admin-callback": ("root", "/admin/approvals/callback/{callback}/change/", ("decision comment", "delivery error")),
    "admin-callback-list": ("root", "/admin/approvals/callback/", ("title",)),
    "admin-users": ("root", "/admin/auth/user/", ("first name", "last name")),
    "admin-rule": ("root", "/admin/approvals/rule/{rule}/change/", ("rule name", "title")),
}

INJECTED = """() => ({
  xss: window.__xss,
  scripts: [...document.scripts].filter(s => s.textContent.includes("__xss")).length,
  handlers: document.querySelectorAll("[onerror]").length,
  jsLinks: [...document.querySelectorAll("a[href]")]
    .filter(a => /^\\s*javascript:/i.test(a.getAttribute("href"))).length,
  images: document.querySelectorAll("img[src=x]").length,
})"""


def _log_in(page: Any, live_server: Any, user: Any) -> None:
    """Put a real session of the user into the browser (the login form itself has its own tests)."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@pytest.mark.parametrize("name", list(PAGES))
def test_hostile_markup_stays_text(page, live_server, name):
    world = _world()
    who, url, visible = PAGES[name]
    decided: Ticket = world["decided"]
    url = url.format(
        decided=decided.pk,
        event=decided.event_id,
        callback=decided.callback.pk,
        rule=decided.rules.get().pk,
    )
    _log_in(page, live_server, world[who])

    response = page.goto(f"{live_server.url}{url}")
    page.wait_for_load_state("load")
    page.screenshot(path=str(OUTPUT_DIR / f"xss-{name}.png"), full_page=True)

    assert response is not None and response.status == 200, (url, response and response.status)
    assert page.evaluate(INJECTED) == {"xss": None, "scripts": 0, "handlers": 0, "jsLinks": 0, "images": 0}
    assert page.dialogs == []
    text = page.inner_text("body")
    for place in visible:
        if name == "inbox":
            assert hostile(place)[:55] in text, f"{place}: its markup is not shown as text on {name}"
            continue
        shown = [vector for vector in vectors(place) if vector in hostile(place)]
        assert len(shown) >= 2, place
        for vector in shown:
            assert vector in text, f"{place}: {vector} is not shown as text on {name}"


def test_the_unified_view_is_really_unified(page, live_server):
    """Guard for the pair above: the two ticket-page variants render different layouts of the same hostile diff."""
    world = _world()
    _log_in(page, live_server, world["rita"])
    base = f"{live_server.url}/tickets/{world['decided'].pk}/"

    page.goto(base)
    assert page.locator(".rg-split").count() >= 1
    page.goto(f"{base}?view=unified")
    assert page.locator(".rg-unified").count() >= 1
    assert page.locator(".rg-split").count() == 0
    assert page.evaluate("window.__xss") is None
