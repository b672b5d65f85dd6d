"""Batch decisions: each ticket through the single-ticket service, skipped ones with their reason, the audit saying
it was a batch; the web form (POST-redirect-GET with a results summary) and the JSON API."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from approvals.models import AuditEntry, Callback, Ticket
from approvals.tickets.batch import batch_decide
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/tickets/batch-decide"


@pytest.fixture
def reviewer():
    return UserFactory(username="rita", dataworks_uid="uid-rita")


@pytest.fixture
def rule(reviewer):
    return RuleFactory(name="etl", reviewer_users=[reviewer])


@pytest.fixture
def mix(rule):
    """Two tickets rita may decide, her own change, a decided one, one of another team (hidden from her)."""
    return {
        "ok1": TicketFactory(matched=[rule], title="ok_one"),
        "ok2": TicketFactory(matched=[rule], title="ok_two"),
        "own": TicketFactory(matched=[rule], title="her_own", operator_uid="uid-rita"),
        "done": TicketFactory(
            matched=[rule], title="done", status=Ticket.Status.APPROVED, check_result="OK", decided_at=timezone.now()
        ),
        "hidden": TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="other")])], title="x"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_service_decides_what_it_may_and_skips_the_rest_with_reasons(reviewer, mix):
    ids = [t.pk for t in mix.values()]

    result = batch_decide(ticket_ids=ids, user=reviewer, action="approve", comment="nightly", ip="10.0.0.1")

    assert [o.ticket_id for o in result.decided] == [mix["ok1"].pk, mix["ok2"].pk]
    skipped = {o.ticket_id: o for o in result.skipped}
    assert skipped[mix["own"].pk].code == "not_allowed" and "You triggered this change" in skipped[mix["own"].pk].reason
    assert skipped[mix["done"].pk].code == "conflict"
    assert skipped[mix["hidden"].pk].code == "not_found"
    assert skipped[mix["hidden"].pk].title == ""  # nothing about a hidden ticket is told
    for key in ("ok1", "ok2"):
        ticket = Ticket.objects.get(pk=mix[key].pk)
        assert ticket.status == Ticket.Status.APPROVED and ticket.check_result == "OK"
        decision_kinds = (AuditEntry.Action.APPROVED, AuditEntry.Action.BATCH_DECISION)
        # Only these two: the result's delivery may add its own entries afterwards (CALLBACK_*).
        actions = list(
            ticket.audit.filter(action__in=decision_kinds).order_by("pk").values_list("action", "comment", "ip_address")
        )
        assert actions[0][:2] == (AuditEntry.Action.APPROVED, "nightly")
        assert actions[1][0] == AuditEntry.Action.BATCH_DECISION and result.batch_id in actions[1][1]
        assert actions[1][2] == "10.0.0.1" and len(actions) == 2
        assert Callback.objects.filter(ticket=ticket, result="OK").exists()  # delivered like a single decision
    for key in ("own", "done", "hidden"):
        assert not AuditEntry.objects.filter(ticket=mix[key], action=AuditEntry.Action.BATCH_DECISION).exists()
    assert Ticket.objects.get(pk=mix["own"].pk).status == Ticket.Status.PENDING


def test_reject_needs_a_comment_and_each_ticket_gets_it(reviewer, mix):
    result = batch_decide(ticket_ids=[mix["ok1"].pk], user=reviewer, action="reject", comment="  ")
    assert [o.code for o in result.skipped] == ["invalid_comment"]

    result = batch_decide(ticket_ids=[mix["ok1"].pk, mix["ok2"].pk], user=reviewer, action="reject", comment="no")

    assert len(result.decided) == 2
    assert set(Ticket.objects.filter(pk__in=[mix["ok1"].pk, mix["ok2"].pk]).values_list("status", flat=True)) == {
        Ticket.Status.REJECTED
    }


def test_a_rule_needing_two_approvals_keeps_the_ticket_pending(reviewer):
    two = RuleFactory(name="two", reviewer_users=[reviewer, UserFactory(username="bob")], min_approvals=2)
    ticket = TicketFactory(matched=[two])

    result = batch_decide(ticket_ids=[ticket.pk], user=reviewer, action="approve", comment="")

    assert result.decided[0].status == Ticket.Status.PENDING  # her approval is recorded; one more is needed


def test_batch_is_bounded(reviewer):
    with pytest.raises(ValueError):
        batch_decide(ticket_ids=range(1, 502), user=reviewer, action="approve", comment="")
    with pytest.raises(ValueError):
        batch_decide(ticket_ids=[1], user=reviewer, action="override", comment="")


# --- The web form: POST-redirect-GET ------------------------------------------------------------------------------


def test_web_batch_redirects_to_the_inbox_with_a_summary(reviewer, mix):
    client = _client(reviewer)
    ids = [mix["ok1"].pk, mix["own"].pk, mix["hidden"].pk]

    response = client.post(
        "/inbox/batch", {"action": "approve", "ticket": ids, "comment": "ok", "query": "tab=all&q=o"}
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/?") and "tab=all" in location and "batch=" in location
    page = client.get(location)
    html = page.content.decode()
    assert 'data-testid="batch-results"' in html
    assert "You approved 1 ticket. 2 tickets were skipped; the reasons are below." in html
    assert "No such ticket, or you may not see it." in html
    assert page.context["batch_result"]["decided"][0][0] == mix["ok1"].pk
    assert 'data-testid="batch-results"' not in client.get("/").content.decode()  # only after its own redirect
    assert client.get("/inbox/batch").status_code == 302  # a reload of the address goes to the inbox


def test_web_batch_all_matching_the_filter(reviewer, rule):
    tickets = [TicketFactory(matched=[rule], title=f"nightly_{i}") for i in range(3)]
    other = TicketFactory(matched=[rule], title="weekly")
    client = _client(reviewer)

    response = client.post(
        "/inbox/batch",
        {
            "action": "approve",
            "scope": "matching",
            "comment": "nightly loads checked",
            "query": "tab=waiting&q=nightly",
        },
    )

    assert response.status_code == 302
    assert set(Ticket.objects.filter(status=Ticket.Status.APPROVED).values_list("pk", flat=True)) == {
        t.pk for t in tickets
    }
    assert Ticket.objects.get(pk=other.pk).status == Ticket.Status.PENDING


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},  # nothing selected
        {"action": "reject", "ticket": ["1"], "comment": ""},  # reject without a comment
        {"action": "approve", "ticket": ["x"]},
        {"action": "approve", "ticket": [str(i) for i in range(1, 503)]},
        {"action": "nuke", "ticket": ["1"]},
    ],
)
def test_web_batch_refuses_bad_input_with_a_message(reviewer, mix, data):
    client = _client(reviewer)

    response = client.post("/inbox/batch", data, follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"] * len(response.context["messages"])
    assert len(response.context["messages"]) >= 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.BATCH_DECISION).exists()


def test_web_batch_needs_login_and_csrf(mix):
    assert Client().post("/inbox/batch", {"action": "approve", "ticket": [mix["ok1"].pk]}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(username="rita"))
    assert strict.post("/inbox/batch", {"action": "approve", "ticket": [mix["ok1"].pk]}).status_code == 403
    assert Ticket.objects.get(pk=mix["ok1"].pk).status == Ticket.Status.PENDING


# --- The JSON API -------------------------------------------------------------------------------------------------


def _post(client: Client, body: object):
    return client.post(API, json.dumps(body), content_type="application/json")


def test_api_batch_decides_and_reports_skipped_with_codes(reviewer, mix):
    ids = [mix["ok1"].pk, mix["ok2"].pk, mix["own"].pk, mix["done"].pk, mix["hidden"].pk]

    response = _post(_client(reviewer), {"ticket_ids": ids, "action": "approve", "comment": "fine"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [d["id"] for d in body["decided"]] == [mix["ok1"].pk, mix["ok2"].pk]
    assert {d["status"] for d in body["decided"]} == {"APPROVED"}
    assert {s["id"]: s["code"] for s in body["skipped"]} == {
        mix["own"].pk: "not_allowed",
        mix["done"].pk: "conflict",
        mix["hidden"].pk: "not_found",
    }
    entry = AuditEntry.objects.get(ticket=mix["ok1"], action=AuditEntry.Action.BATCH_DECISION)
    assert body["batch"] in entry.comment and entry.actor == reviewer


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ticket_ids": [], "action": "approve", "comment": "ok"}, "ticket_ids"),
        ({"ticket_ids": list(range(1, 502)), "action": "approve", "comment": "ok"}, "ticket_ids"),
        ({"ticket_ids": ["a"], "action": "approve", "comment": "ok"}, "ticket_ids"),
        ({"ticket_ids": [1], "action": "warn", "comment": "ok"}, "action"),
        ({"ticket_ids": [1], "action": "reject"}, "comment"),
        ({"ticket_ids": [1], "action": "approve", "comment": "  "}, "comment"),  # one comment for the whole batch
        ({"ticket_ids": [1], "action": "reject", "comment": "\x00"}, "comment"),
    ],
)
def test_api_batch_validates(reviewer, body, field):
    response = _post(_client(reviewer), body)

    assert response.status_code == 400
    assert response.json()["error"]["field"].startswith(field)


def test_api_batch_needs_authentication(mix):
    response = _post(Client(), {"ticket_ids": [mix["ok1"].pk], "action": "approve"})

    assert response.status_code == 401
    assert Ticket.objects.get(pk=mix["ok1"].pk).status == Ticket.Status.PENDING


def test_api_batch_with_a_token_and_an_outsider_decides_nothing(mix):
    from rest_framework.authtoken.models import Token

    outsider = UserFactory(username="outsider")
    token = Token.objects.create(user=outsider)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = _post(client, {"ticket_ids": [mix["ok1"].pk, mix["ok2"].pk], "action": "approve", "comment": "ok"})

    assert response.status_code == 200
    assert response.json()["decided"] == []
    assert {s["code"] for s in response.json()["skipped"]} == {"not_found"}


def test_api_schema_documents_the_batch(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/tickets/batch-decide"]["post"]
    assert operation["operationId"] == "tickets_batch_decide"
    assert "200" in operation["responses"] and "400" in operation["responses"]


def test_web_batch_without_a_comment_decides_nothing(reviewer, rule):
    ticket = TicketFactory(matched=[rule])

    response = _client(reviewer).post("/inbox/batch", {"action": "approve", "ticket": [ticket.pk], "comment": " "})

    assert response.status_code in (200, 302)
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.PENDING
