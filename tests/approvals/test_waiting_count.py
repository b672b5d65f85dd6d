"""The count of tickets waiting for the user in every signed-in page's title, and the inbox's poll endpoint."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import Ticket
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
POLL = "/inbox/poll"
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
TICKET_COUNT = re.compile(r'\s*SELECT COUNT\(\*\) AS "__count" FROM "approvals_ticket"\s')


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def rule(reviewer):
    return RuleFactory(name="etl", reviewer_users=[reviewer])


def _title(response) -> str:
    match = TITLE.search(response.content.decode())
    assert match, "the page has no title"
    return match[1].strip()


def _waiting(rule, n: int) -> list[Ticket]:
    return [TicketFactory(matched=[rule], title=f"daily_{i}") for i in range(n)]


def _ticket_counts(queries) -> int:
    """How many COUNT queries over the tickets table ran (not over its rule links: the inbox's plan probe)."""
    return sum(
        1 for q in queries if re.match(r'\s*SELECT COUNT\(\*\) AS "__count" FROM "approvals_ticket"\s', q["sql"])
    )


# --- The title ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "prefix"), [(0, ""), (1, "(1) "), (3, "(3) ")])
def test_title_counts_tickets_waiting_for_the_reviewer(client, reviewer, rule, n, prefix):
    _waiting(rule, n)
    TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="someone")])])  # not rita's
    done = TicketFactory(
        matched=[rule], status=Ticket.Status.APPROVED, check_result="OK", decided_at="2026-01-05T10:00Z"
    )
    client.force_login(reviewer)

    assert _title(client.get("/")) == f"{prefix}Inbox · Review Gate"
    # Another page counts too (there by the COUNT, not by the inbox's list).
    assert _title(client.get(f"/tickets/{done.pk}/")) == f"{prefix}#{done.pk} ods_orders_daily · Review Gate"


def test_title_count_is_not_capped_by_the_inbox_list(client, reviewer, rule):
    _waiting(rule, 53)
    client.force_login(reviewer)

    response = client.get("/")

    assert len(response.context["waiting"]) == 50  # the list shows the oldest 50
    assert _title(response) == "(53) Inbox · Review Gate"


def test_own_change_and_my_approval_are_not_counted(client, rule):
    dev = UserFactory(username="dev", dataworks_uid="193745001735")  # the factory's events' operator
    rule.reviewers.add(dev)
    mine, theirs = TicketFactory(matched=[rule]), TicketFactory(matched=[rule], operator_uid="42")
    client.force_login(dev)
    assert _title(client.get("/")).startswith("(1) ")  # `mine` is dev's own change

    services.ticket_approve(ticket_id=theirs.pk, user=dev)

    assert _title(client.get("/")) == "Inbox · Review Gate"
    assert mine.pk


def test_anonymous_pages_carry_no_count_and_no_poller(client, rule):
    _waiting(rule, 2)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert not _title(response).startswith("(")
    assert "inbox.js" not in html and "live-updates" not in html
    assert _ticket_counts(queries) == 0


def test_the_count_costs_one_count_query_and_none_on_the_inbox(client, reviewer, rule):
    ticket = _waiting(rule, 3)[0]
    client.force_login(reviewer)

    with CaptureQueriesContext(connection) as page_queries:
        client.get(f"/tickets/{ticket.pk}/")
    with CaptureQueriesContext(connection) as inbox_queries:
        client.get("/")

    assert _ticket_counts(page_queries) == 1
    assert _ticket_counts(inbox_queries) == 0  # fewer than 50 waiting: the list's length is the count


@pytest.mark.parametrize(("few", "many"), [(2, 40), (55, 120)])  # below and above the list's 50 rows
def test_inbox_queries_do_not_grow_with_the_tickets(client, reviewer, rule, few, many):
    _waiting(rule, few)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as before:
        assert client.get("/").status_code == 200
    _waiting(rule, many - few)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/")

    assert _title(response) == f"({many}) Inbox · Review Gate"
    assert len(after) == len(before), [q["sql"] for q in after]
    assert _ticket_counts(after) == (1 if many >= 50 else 0)


def test_json_api_runs_no_count(client, reviewer, rule):
    _waiting(rule, 2)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tickets/")

    assert response.status_code == 200
    assert _ticket_counts(queries) == 0  # JSON: no template prints the title, so the count never runs
    assert b"<title>" not in response.content


# --- The poll endpoint ----------------------------------------------------------------------------------------------


def test_poll_needs_login_and_is_never_cached(client):
    response = client.get(POLL, {"scope": "inbox"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json()["error"]["code"] == "not_authenticated"


def test_poll_returns_the_count_and_a_stable_fingerprint(client, reviewer, rule):
    _waiting(rule, 3)
    client.force_login(reviewer)

    first = client.get(POLL, {"scope": "inbox"})
    again = client.get(POLL, {"scope": "inbox", "since": first.json()["fingerprint"], "fragments": "1"})

    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert "no-store" in first["Cache-Control"]
    body = first.json()
    assert body["count"] == 3
    assert body["count_text"] == "3 tickets waiting for you"
    assert "fragments" not in body  # not asked for
    assert again.json()["fingerprint"] == body["fingerprint"]
    assert "fragments" not in again.json()  # nothing changed since the page's fingerprint
    inbox = client.get("/")
    assert inbox.context["live_fingerprint"] == body["fingerprint"]  # the page and its poll agree
    assert f'data-poll-fingerprint="{body["fingerprint"]}"' in inbox.content.decode()


def test_poll_without_scope_answers_only_the_count(client, reviewer, rule):
    _waiting(rule, 1)
    client.force_login(reviewer)

    body = client.get(POLL).json()

    assert body == {"count": 1, "count_text": "1 ticket waiting for you"}


def test_fingerprint_changes_when_a_ticket_is_decided_or_becomes_ready(client, reviewer, rule):
    decided, _other = _waiting(rule, 2)
    client.force_login(reviewer)
    before = client.get(POLL, {"scope": "inbox"}).json()["fingerprint"]

    services.ticket_approve(ticket_id=decided.pk, user=reviewer)
    after_decision = client.get(POLL, {"scope": "inbox"}).json()

    assert after_decision["fingerprint"] != before
    assert after_decision["count"] == 1

    preparing = TicketFactory(status=Ticket.Status.PREPARING, title="")
    assert client.get(POLL, {"scope": "inbox"}).json()["fingerprint"] == after_decision["fingerprint"]
    services.ticket_ready(ticket_id=preparing.pk, prepared={"title": "fresh_orders"})
    after_ready = client.get(POLL, {"scope": "inbox", "since": after_decision["fingerprint"], "fragments": "1"})

    body = after_ready.json()
    assert body["fingerprint"] != after_decision["fingerprint"]
    assert body["count"] == 2
    assert "fresh_orders" in body["fragments"]["list"]
    assert f"/tickets/{preparing.pk}/" in body["fragments"]["list"]
    assert f"/tickets/{decided.pk}/" not in body["fragments"]["list"]  # the waiting tab no longer lists it
    every = client.get(POLL, {"scope": "inbox", "tab": "all", "fragments": "1"}).json()
    assert f"/tickets/{decided.pk}/" in every["fragments"]["list"]


def test_fragments_are_escaped_and_follow_the_page_filters(client, reviewer, rule):
    hostile = TicketFactory(matched=[rule], title="<script>window.__x=1</script><img src=x onerror=alert(1)>")
    client.force_login(reviewer)

    body = client.get(POLL, {"scope": "inbox", "fragments": "1"}).json()
    filtered = client.get(POLL, {"scope": "inbox", "fragments": "1", "status": "APPROVED"}).json()

    assert "<script>" not in body["fragments"]["list"] and "<img" not in body["fragments"]["list"]
    assert "&lt;script&gt;" in body["fragments"]["list"]
    assert f"/tickets/{hostile.pk}/" not in filtered["fragments"]["list"]  # the status filter applies
    assert filtered["fingerprint"] != body["fingerprint"]


def test_ticket_scope_fingerprint_follows_the_ticket(client, reviewer, rule):
    ticket = _waiting(rule, 1)[0]
    hidden = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="someone")])])
    client.force_login(reviewer)
    page = client.get(f"/tickets/{ticket.pk}/")
    start = page.context["live_fingerprint"]

    assert client.get(POLL, {"scope": "ticket", "ticket": ticket.pk}).json()["fingerprint"] == start
    colleague = UserFactory(username="colleague")
    rule.reviewers.add(colleague)
    services.ticket_reject(ticket_id=ticket.pk, user=colleague, comment="no")
    assert client.get(POLL, {"scope": "ticket", "ticket": ticket.pk}).json()["fingerprint"] != start
    assert client.get(POLL, {"scope": "ticket", "ticket": hidden.pk}).json()["fingerprint"] == "gone"


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1" * 40, "١٢"])
def test_ticket_scope_rejects_a_bad_ticket_number(client, reviewer, bad):
    client.force_login(reviewer)

    response = client.get(POLL, {"scope": "ticket", "ticket": bad})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "ticket"


def test_bad_inbox_parameters_never_crash_the_poll(client, reviewer, rule):
    _waiting(rule, 1)
    client.force_login(reviewer)

    response = client.get(
        POLL, {"scope": "inbox", "after": "not-a-cursor", "project": "x", "age": "9y", "since": "z" * 5000}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- The one-query count agrees with the list ---------------------------------------------------------------------


def test_the_one_query_count_agrees_with_the_waiting_list_in_every_case(django_assert_num_queries):
    from django.contrib.auth.models import Permission

    from approvals.models import AuditEntry, ReviewerProfile
    from approvals.tickets.selectors import waiting_count, waiting_for
    from tests.factories import GroupFactory

    group = GroupFactory(name="dba")
    direct, in_group, anyone, owner = (UserFactory(username=n) for n in ("direct", "grouped", "anyone", "owner"))
    in_group.groups.add(group)
    anyone.user_permissions.add(Permission.objects.get(codename="review_any"))
    ReviewerProfile.objects.create(user=owner, dataworks_uid="uid-owner")
    rule = RuleFactory(reviewer_users=[direct, owner])
    rule.groups.add(group)
    auto = RuleFactory(auto_outcome="OK", reviewer_users=[direct])
    TicketFactory.create_batch(2, matched=[rule])
    TicketFactory(matched=[rule], operator_uid="uid-owner")  # the owner's own change: not for the owner
    TicketFactory(matched=[auto])
    TicketFactory()  # no rule: for review_any holders
    approved = TicketFactory(matched=[rule])
    AuditEntry.objects.create(ticket=approved, actor=direct, action=AuditEntry.Action.APPROVED)
    inactive = UserFactory(username="gone", is_active=False)

    for user in (direct, in_group, anyone, owner, inactive):
        user = type(user).objects.get(pk=user.pk)  # fresh permission cache
        expected = waiting_for(user).count()
        user = type(user).objects.get(pk=user.pk)
        user.has_perm("approvals.review_any")  # fill the permission cache, as a request's middleware would
        with django_assert_num_queries(1 if user.is_active else 0):
            assert waiting_count(user) == expected, user.username
