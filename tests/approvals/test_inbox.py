"""The inbox at scale: tabs with counts, search, filters, orders, keyset pages with a position, no silent cap, the
poll with the new list, and a query count that does not grow with the tickets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Ticket
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory
from workspaces.models import WorkspaceSettings

DASH = "\u2013"  # a range is written with an en dash: "1–50 of 120"  # noqa: RUF003
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return UserFactory(username="rita", dataworks_uid="uid-rita")


@pytest.fixture
def rule(reviewer):
    return RuleFactory(name="etl", reviewer_users=[reviewer])


@pytest.fixture
def client_of(client, reviewer):
    client.force_login(reviewer)
    return client


def _aged(ticket: Ticket, minutes: int) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    ticket.refresh_from_db()
    return ticket


def _ids(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


def _counts(response) -> dict[str, str]:
    return {tab["key"]: tab["count"] for tab in response.context["tabs"]}


def test_one_list_with_four_tabs_and_their_counts(client_of, reviewer, rule):
    waiting = [_aged(TicketFactory(matched=[rule], title=f"w{i}"), 10 - i) for i in range(3)]
    decided = TicketFactory(matched=[rule], status=Ticket.Status.APPROVED, check_result="OK", decided_at=timezone.now())
    mine = TicketFactory(matched=[rule], operator_uid="uid-rita", title="my_change")
    TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="other")])])  # not rita's to see

    response = client_of.get("/")
    html = response.content.decode()

    assert response.context["tab"] == "waiting"
    assert _ids(response) == [t.pk for t in waiting]  # oldest waiting first; her own change is not hers to decide
    assert _counts(response) == {"waiting": "3", "all": "5", "mine": "1", "decided": "1"}
    assert html.count('class="live-region"') == 1 and 'id="inbox-list"' in html  # one list, not two
    assert _ids(client_of.get("/", {"tab": "mine"})) == [mine.pk]
    assert _ids(client_of.get("/", {"tab": "decided"})) == [decided.pk]
    assert set(_ids(client_of.get("/", {"tab": "all"}))) == {*(t.pk for t in waiting), decided.pk, mine.pk}


def test_with_nothing_waiting_the_inbox_opens_on_everything_and_says_so(client_of, rule):
    TicketFactory(matched=[rule], status=Ticket.Status.REJECTED, check_result="FAIL", decided_at=timezone.now())

    response = client_of.get("/")

    assert response.context["tab"] == "all"
    assert "Nothing is waiting for your review; here are all the tickets you may see." in response.content.decode()
    empty = client_of.get("/", {"tab": "waiting"}).content.decode()
    assert 'data-testid="empty-state"' in empty and "See all tickets you may see" in empty


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("orders_daily", {"a"}),
        ("ORDERS_DAILY", {"a"}),  # case-insensitive
        ("finance/", {"b"}),  # the path
        ("msg-find-me", {"c"}),  # a message ID
        ("%", set()),  # a LIKE wildcard is a literal character
        ("nothing-like-this", set()),
    ],
)
def test_search_finds_by_name_path_message_id(client_of, rule, term, expected):
    tickets = {
        "a": TicketFactory(matched=[rule], title="ods_orders_daily", path="etl/ods_orders_daily"),
        "b": TicketFactory(matched=[rule], title="gl_balance", path="finance/gl_balance"),
        "c": TicketFactory(matched=[rule], title="x", path="y", event__message_id="msg-find-me"),
    }
    Ticket.objects.filter(pk=tickets["c"].pk).update(message_id="msg-find-me")

    found = set(_ids(client_of.get("/", {"tab": "all", "q": term})))

    assert found == {tickets[k].pk for k in expected}


def test_search_by_ticket_number_and_search_never_widens_visibility(client_of, rule):
    mine = TicketFactory(matched=[rule], title="alpha")
    hidden = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="other")])], title="alpha")

    assert _ids(client_of.get("/", {"tab": "all", "q": f"#{mine.pk}"})) == [mine.pk]
    assert _ids(client_of.get("/", {"tab": "all", "q": str(hidden.pk)})) == []
    assert _ids(client_of.get("/", {"tab": "all", "q": "alpha"})) == [mine.pk]


def test_filters_workspace_by_name_operator_risk_event(client_of, reviewer, rule):
    WorkspaceSettings.objects.create(project_id=777, name="Finance DW")
    finance = TicketFactory(matched=[rule], project_id=777, risk="HIGH", operator_uid="uid-ops")
    other = TicketFactory(matched=[rule], project_id=10001, risk="LOW")
    UserFactory(username="olga", dataworks_uid="uid-ops")

    assert _ids(client_of.get("/", {"tab": "all", "workspace": "finance"})) == [finance.pk]
    assert _ids(client_of.get("/", {"tab": "all", "workspace": "10001"})) == [other.pk]
    assert _ids(client_of.get("/", {"tab": "all", "operator": "OLGA"})) == [finance.pk]
    assert _ids(client_of.get("/", {"tab": "all", "operator": "uid-ops"})) == [finance.pk]
    assert _ids(client_of.get("/", {"tab": "all", "risk": "HIGH+"})) == [finance.pk]
    assert _ids(client_of.get("/", {"tab": "all", "event": "no-such-event"})) == []
    page = client_of.get("/", {"tab": "all", "workspace": "finance"})
    assert "Finance DW" in page.content.decode()  # the workspace's name, not only its number
    assert _counts(page)["all"] == "1"  # counts follow the filters


def test_bad_parameters_are_ignored_never_a_crash(client_of, rule):
    TicketFactory(matched=[rule])
    for params in (
        {"tab": "nope", "sort": "sideways", "age": "9y", "start": "-4", "after": "x" * 300},
        {"q": "x" * 5000, "workspace": "\x00", "operator": "'; DROP TABLE"},
        {"project": "abc", "status": "NOPE", "risk": "<b>"},
    ):
        assert client_of.get("/", params).status_code == 200


def test_pages_of_fifty_with_a_position_and_no_silent_cap(client_of, rule):
    tickets = [_aged(TicketFactory(matched=[rule], title=f"t{i}"), 200 - i) for i in range(120)]

    first = client_of.get("/")
    second = client_of.get("/", {"after": first.context["page"].next_after, "start": 50})
    third = client_of.get("/", {"after": second.context["page"].next_after, "start": 100})

    assert first.context["position"] == f"1{DASH}50 of 120"
    assert second.context["position"] == f"51{DASH}100 of 120"
    assert third.context["position"] == f"101{DASH}120 of 120" and third.context["page"].next_after == ""
    assert _ids(first) + _ids(second) + _ids(third) == [t.pk for t in tickets]  # every one, oldest first
    assert "Next page" in first.content.decode()
    newest = client_of.get("/", {"sort": "newest"})
    assert _ids(newest)[:2] == [tickets[-1].pk, tickets[-2].pk]


def test_a_count_past_the_cap_says_so(client_of, rule, settings, monkeypatch):
    from approvals.tickets import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    monkeypatch.setattr(selectors.tab_count, "__defaults__", (selectors.tab_count.__defaults__[0], 5))
    TicketFactory.create_batch(7, matched=[rule])

    response = client_of.get("/", {"tab": "all"})

    assert _counts(response)["all"] == "5+"
    assert response.context["position"] == f"1{DASH}7 of 5+"


def test_riskiest_first_keeps_its_order(client_of, rule):
    for risk in ("LOW", "CRITICAL", "NONE", "HIGH"):
        TicketFactory(matched=[rule], risk=risk)

    response = client_of.get("/", {"tab": "all", "sort": "risk"})

    assert [row.risk for row in response.context["page"].object_list] == ["CRITICAL", "HIGH", "LOW", "NONE"]


@pytest.mark.parametrize("tab", ["waiting", "all", "mine", "decided"])
def test_queries_do_not_grow_with_the_tickets(client_of, rule, tab):
    TicketFactory.create_batch(3, matched=[rule], operator_uid="uid-rita")
    TicketFactory.create_batch(3, matched=[rule])
    TicketFactory.create_batch(
        2, matched=[rule], status=Ticket.Status.REJECTED, check_result="FAIL", decided_at=timezone.now()
    )  # every tab shows rows before and after: an empty page skips reading rows it does not have
    with CaptureQueriesContext(connection) as before:
        assert client_of.get("/", {"tab": tab, "q": "orders"}).status_code == 200
    TicketFactory.create_batch(70, matched=[rule])
    TicketFactory.create_batch(
        30,
        matched=[rule],
        operator_uid="uid-rita",
        status=Ticket.Status.APPROVED,
        check_result="OK",
        decided_at=timezone.now(),
    )
    with CaptureQueriesContext(connection) as after:
        response = client_of.get("/", {"tab": tab, "q": "orders"})

    assert response.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after]


def test_poll_answers_the_new_list_and_tabs(client_of, rule):
    ticket = TicketFactory(matched=[rule], title="<script>x</script>")

    body = client_of.get("/inbox/poll", {"scope": "inbox", "fragments": "1", "tab": "waiting"}).json()

    assert set(body["fragments"]) == {"list", "tabs"}
    assert f"/tickets/{ticket.pk}/" in body["fragments"]["list"]
    assert "<script>x" not in body["fragments"]["list"] and "&lt;script&gt;" in body["fragments"]["list"]
    assert body["count"] == 1
    page = client_of.get("/", {"tab": "waiting"})
    assert page.context["live_fingerprint"] == body["fingerprint"]
    services.ticket_approve(ticket_id=ticket.pk, user=page.wsgi_request.user)
    again = client_of.get(
        "/inbox/poll", {"scope": "inbox", "since": body["fingerprint"], "fragments": "1", "tab": "waiting"}
    ).json()
    assert again["fingerprint"] != body["fingerprint"] and again["count"] == 0
    assert re.search(r'data-tab="waiting"[^>]*>[^<]*<span class="tab-count">0<', again["fragments"]["tabs"])


def test_a_search_with_many_matches_stays_a_condition_and_finds_the_same(client_of, rule, monkeypatch):
    from approvals.tickets import selectors

    hits = [TicketFactory(matched=[rule], title=f"orders_{i}") for i in range(4)]
    TicketFactory(matched=[rule], title="users", path="etl/users")
    few = set(_ids(client_of.get("/", {"tab": "all", "q": "orders"})))
    monkeypatch.setattr(selectors.search_ticket_ids, "__defaults__", (2,))  # more matches than IDs it resolves

    many = set(_ids(client_of.get("/", {"tab": "all", "q": "orders"})))

    assert few == many == {t.pk for t in hits}
