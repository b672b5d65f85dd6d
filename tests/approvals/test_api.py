"""The JSON API through Django's test client: listing, reading, deciding, who may do what, errors and the schema."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import yaml
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from approvals.api.docs import build_schema
from approvals.models import AuditEntry, Rule, Ticket
from approvals.tickets import policy, tips
from approvals.tickets.selectors import newest_visible_ids, visible_tickets
from events.models import InboundEvent
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory
from tests.queue import queued_tasks

pytestmark = pytest.mark.django_db

OPERATOR_UID = "193745001735"  # what TicketFactory's event reports as the operator
LIST_URL = "/api/v1/tickets/"


def detail_url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/"


def decide_url(ticket: Ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}/{action}"


def post_json(client: Client, url: str, body: object = None, **extra):
    data = "" if body is None else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content
    return response.json()["error"]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def dba():
    return GroupFactory(name="dba")


@pytest.fixture
def group_reviewer(dba):
    user = UserFactory(username="gina")
    user.groups.add(dba)
    return user


@pytest.fixture
def outsider():
    return UserFactory(username="olga")


@pytest.fixture
def operator():
    """The user mapped (ReviewerProfile) to the DataWorks UID that triggered the tickets."""
    return UserFactory(username="otto", dataworks_uid=OPERATOR_UID)


@pytest.fixture
def staff():
    return UserFactory(username="sam", is_staff=True)


@pytest.fixture
def rule(reviewer, dba):
    return RuleFactory(name="etl", reviewer_users=[reviewer], reviewer_groups=[dba])


@pytest.fixture
def ticket(rule):
    return TicketFactory(
        matched=[rule],
        old_content="SELECT 1 FROM t;\nSELECT 3;\n",
        new_content="SELECT 2 FROM t;\nSELECT 3;\n",
        old_config="cron: 0 1 * * *\n",
        new_config="cron: 0 2 * * *\n",
        old_label="version 3",
        new_label="version 4 (this change)",
    )


# --- Listing ----------------------------------------------------------------------------------------------------


def test_list_shows_the_tickets_i_review_newest_first_with_their_fields(reviewer, operator, rule, ticket):
    older = TicketFactory(matched=[rule], created_at=timezone.now() - timedelta(hours=1))
    TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="someone")])])  # not mine

    response = as_user(reviewer).get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "results"}
    assert body["next"] is None
    assert [t["id"] for t in body["results"]] == [ticket.pk, older.pk]
    first = body["results"][0]
    assert first == {
        "id": ticket.pk,
        "message_id": ticket.message_id,
        "event_code": "commit-file",
        "module": "DATASTUDIO",
        "project_id": 98764,
        "title": "ods_orders_daily",
        "path": "etl/orders/ods_orders_daily",
        "file_type": 10,
        "operator": "otto",
        "status": "PENDING",
        "check_result": None,
        "callback_status": "NOT_SENT",
        "created_at": first["created_at"],
        "decided_at": None,
        "decided_by": None,
        "expires_at": None,
        "risk": None,  # a ticket made without preparation was never analysed
        "url": tips.ticket_url(ticket),
    }
    assert first["url"] == f"http://testserver/tickets/{ticket.pk}/"
    assert first["operator"] == policy.operator_display(ticket)


def test_operator_falls_back_to_the_raw_uid_like_the_ui(staff):
    unmapped = TicketFactory(operator_uid="424242")
    nobody = TicketFactory(operator_uid="")

    results = {t["id"]: t["operator"] for t in as_user(staff).get(LIST_URL).json()["results"]}

    assert results == {unmapped.pk: "424242", nobody.pk: "-"}
    assert [policy.operator_display(unmapped), policy.operator_display(nobody)] == ["424242", "-"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "APPROVED"}, {"approved"}),
        ({"status": "PENDING"}, {"pending", "other_project"}),
        ({"project_id": 7}, {"other_project"}),
        ({"event_code": "deploy-file"}, {"approved"}),
        ({"message_id": "msg-pending"}, {"pending"}),
        ({"status": "PENDING", "project_id": 7}, {"other_project"}),
        ({"status": "", "project_id": "", "event_code": ""}, {"pending", "approved", "other_project"}),
    ],
)
def test_list_filters(staff, query, expected):
    pending = TicketFactory(message_id="msg-pending")
    approved = TicketFactory(
        status=Ticket.Status.APPROVED, check_result="OK", decided_at=timezone.now(), event_code="deploy-file"
    )
    other_project = TicketFactory(project_id=7)
    names = {pending.pk: "pending", approved.pk: "approved", other_project.pk: "other_project"}

    response = as_user(staff).get(LIST_URL, query)

    assert response.status_code == 200
    assert {names[t["id"]] for t in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "MAYBE"}, "status"),
        ({"project_id": "abc"}, "project_id"),
        ({"project_id": "-1"}, "project_id"),
        ({"project_id": str(2**64)}, "project_id"),
        ({"event_code": "commit file; drop"}, "event_code"),
        ({"event_code": "x" * 101}, "event_code"),
        ({"message_id": "m" * 129}, "message_id"),
        ({"after": "0"}, "after"),
        ({"after": "last"}, "after"),
        ({"after": "1.2.3"}, "after"),
        ({"after": "1." + "9" * 19}, "after"),  # beyond a 64-bit ID
        ({"after": "1" * 42}, "after"),
        ({"page_size": "lots"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_parameter(staff, query, field):
    response = as_user(staff).get(LIST_URL, query)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", field)
    assert error["message"]
    assert field in error["details"]


def _bulk_tickets(count: int) -> None:
    now = timezone.now()
    events = InboundEvent.objects.bulk_create(
        InboundEvent(
            source="acs.dataworks",
            message_id=str(uuid.uuid4()),
            type="dataworks:FileChange:CommitFile",
            event_code="commit-file",
            module="DATASTUDIO",
            gated=True,
            callback_api="UpdateIDEEventResult",
            project_id=98764,
            operator=OPERATOR_UID,
            raw_body="{}",
            body_sha256="0" * 64,
        )
        for _ in range(count)
    )
    Ticket.objects.bulk_create(
        Ticket(
            event=event,
            message_id=event.message_id,
            event_code=event.event_code,
            module=event.module,
            callback_api=event.callback_api,
            project_id=98764,
            operator_uid=OPERATOR_UID,
            status=Ticket.Status.PENDING,
            created_at=now - timedelta(seconds=i),
        )
        for i, event in enumerate(events)
    )


def test_list_is_paginated_by_50_and_page_size_up_to_200(staff):
    _bulk_tickets(201)
    client = as_user(staff)
    newest_first = list(Ticket.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))

    default = client.get(LIST_URL).json()
    assert [t["id"] for t in default["results"]] == newest_first[:50]
    assert default["next"].startswith("http://testserver/api/v1/tickets/?after=")
    assert len(client.get(LIST_URL, {"page_size": 200}).json()["results"]) == 200
    assert len(client.get(LIST_URL, {"page_size": 1000}).json()["results"]) == 200  # capped, not refused

    # Following `next` visits every ticket once, in order, and the last page says there is no more.
    seen, url = [], f"{LIST_URL}?page_size=70&status=PENDING"
    while url:
        page = client.get(url).json()
        seen += [t["id"] for t in page["results"]]
        url = page["next"]
        assert url is None or ("status=PENDING" in url and "page_size=70" in url)  # the filters carry over
    assert seen == newest_first


def test_paging_neither_repeats_nor_skips_when_tickets_arrive_or_share_a_time(staff):
    _bulk_tickets(30)
    same_moment = timezone.now() - timedelta(seconds=10)
    Ticket.objects.filter(pk__in=list(Ticket.objects.order_by("pk").values_list("pk", flat=True)[5:15])).update(
        created_at=same_moment
    )
    client = as_user(staff)
    before = list(Ticket.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))

    first = client.get(LIST_URL, {"page_size": 12}).json()
    _bulk_tickets(5)  # newer tickets arrive between two pages
    seen, url = [t["id"] for t in first["results"]], first["next"]
    while url:
        page = client.get(url).json()
        seen += [t["id"] for t in page["results"]]
        url = page["next"]

    assert seen == before


def test_list_runs_the_same_number_of_queries_for_1_or_40_tickets(
    reviewer, operator, rule, django_assert_max_num_queries
):
    def make_tickets(count: int) -> None:
        for _ in range(count):
            extra = RuleFactory(reviewer_users=[reviewer, UserFactory()], reviewer_groups=[GroupFactory()])
            TicketFactory(
                matched=[rule, extra],
                status=Ticket.Status.APPROVED,
                check_result="OK",
                decided_at=timezone.now(),
                decided_by=reviewer,
            )

    client = as_user(reviewer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, {"page_size": 200})
        assert response.status_code == 200
        return len(queries)

    make_tickets(1)
    with django_assert_max_num_queries(9):  # auth, rules, their link count, 2 perms, uid, 2 branches, rows
        client.get(LIST_URL)
    one = count_queries()
    make_tickets(39)
    forty = count_queries()

    assert len(client.get(LIST_URL, {"page_size": 200}).json()["results"]) == 40
    assert forty == one


# --- Reading one ------------------------------------------------------------------------------------------------


def test_detail_has_the_diff_requirements_history_and_my_decision_state(reviewer, group_reviewer, ticket):
    client = as_user(reviewer)

    body = client.get(detail_url(ticket)).json()

    assert body["id"] == ticket.pk
    assert (body["old_label"], body["new_label"]) == ("version 3", "version 4 (this change)")
    diff = body["diff"]
    assert (diff["added"], diff["removed"], diff["too_large"], diff["is_identical"]) == (1, 1, False, False)
    rows = [row for hunk in diff["hunks"] for row in hunk["rows"]]
    assert rows[0]["kind"] == "changed"
    assert (rows[0]["old"]["text"], rows[0]["new"]["text"]) == ("SELECT 1 FROM t;", "SELECT 2 FROM t;")
    assert "<" not in json.dumps(diff)  # plain text, no HTML
    assert body["config_diff"]["hunks"][0]["rows"][0]["new"]["text"] == "cron: 0 2 * * *"
    assert body["requirements"] == [
        {
            "rule_id": ticket.rules.get().pk,
            "label": "etl",
            "required": 1,
            "approvals": 0,
            "satisfied": False,
            "auto_outcome": None,
            "reviewers": ["rita"],
            "groups": ["dba"],
        }
    ]
    assert body["history"] == []
    assert (body["can_decide"], body["cannot_decide_reason"]) == (True, None)


def test_detail_history_and_requirements_follow_approvals(reviewer, group_reviewer, rule, ticket):
    Rule.objects.filter(pk=rule.pk).update(min_approvals=2)

    approved = post_json(as_user(reviewer), decide_url(ticket, "approve"), {"comment": "fine by me"})

    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "PENDING"  # one of two approvals
    assert "diff" not in body
    assert (body["requirements"][0]["approvals"], body["requirements"][0]["satisfied"]) == (1, False)
    assert (body["can_decide"], body["cannot_decide_reason"]) == (
        False,
        "You already approved; waiting for other reviewers.",
    )
    [entry] = body["history"]
    assert {k: entry[k] for k in ("action", "actor", "result", "comment")} == {
        "action": "APPROVED",
        "actor": "rita",
        "result": "OK",
        "comment": "fine by me",
    }
    assert entry["created_at"]

    again = post_json(as_user(reviewer), decide_url(ticket, "approve"))
    assert again.status_code == 403
    assert error_of(again)["code"] == "not_allowed"

    other = as_user(group_reviewer).get(detail_url(ticket)).json()
    assert other["can_decide"] is True


def test_detail_has_no_diff_while_preparing_or_for_a_table_event(staff):
    preparing = TicketFactory(status=Ticket.Status.PREPARING)
    table = TicketFactory(event_code="commit-table")
    client = as_user(staff)

    for ticket in (preparing, table):
        body = client.get(detail_url(ticket)).json()
        assert body["diff"] is None
        assert body["config_diff"] is None


def test_detail_of_an_unmatched_ticket_names_the_review_any_requirement(staff):
    ticket = TicketFactory()

    body = as_user(staff).get(detail_url(ticket)).json()

    [req] = body["requirements"]
    assert (req["rule_id"], req["required"], req["reviewers"], req["groups"]) == (None, 1, [], [])
    assert (body["can_decide"], body["cannot_decide_reason"]) == (False, "You are not a reviewer for this ticket.")


# --- Deciding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "result", "audit_action"),
    [
        ("approve", "APPROVED", "OK", AuditEntry.Action.APPROVED),
        ("warn", "APPROVED", "WARN", AuditEntry.Action.APPROVED_WITH_WARNING),
        ("reject", "REJECTED", "FAIL", AuditEntry.Action.REJECTED),
    ],
)
def test_deciding_through_the_api_decides_audits_and_queues_the_callback(
    reviewer, ticket, django_capture_on_commit_callbacks, action, status, result, audit_action
):
    client = as_user(reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, decide_url(ticket, action), {"comment": "  checked the partition  "})

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["check_result"], body["decided_by"]) == (ticket.pk, status, result, "rita")
    assert body["callback_status"] == "PENDING"
    assert (body["can_decide"], body["cannot_decide_reason"]) == (False, "The ticket is already decided.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result, ticket.decided_by, ticket.decision_comment) == (
        status,
        result,
        reviewer,
        "checked the partition",
    )
    entry = ticket.audit.get()
    assert (entry.action, entry.actor, entry.result, entry.comment, entry.ip_address) == (
        audit_action,
        reviewer,
        result,
        "checked the partition",
        "127.0.0.1",
    )
    # The decision's delivery to DataWorks is queued once the transaction commits (services own the details).
    [task] = queued_tasks()
    assert task["func"].startswith("approvals.tasks.deliver_")


def test_approve_needs_no_body(reviewer, ticket):
    response = as_user(reviewer).generic("POST", decide_url(ticket, "approve"))  # like `curl -X POST`

    assert response.status_code == 200
    assert response.json()["status"] == "APPROVED"
    assert ticket.audit.get().comment == ""


@pytest.mark.parametrize("action", ["reject", "warn"])
@pytest.mark.parametrize("body", [None, {}, {"comment": ""}, {"comment": "   "}])
def test_reject_and_warn_need_a_comment(reviewer, ticket, action, body):
    response = post_json(as_user(reviewer), decide_url(ticket, action), body)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", "comment")
    assert error["message"] == "A comment is required to reject or to approve with a warning."
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not ticket.audit.exists()


def test_the_comment_limit_comes_from_settings(reviewer, ticket, settings):
    settings.REVIEW_GATE_COMMENT_MAX_LENGTH = 100
    client = as_user(reviewer)

    too_long = post_json(client, decide_url(ticket, "reject"), {"comment": "x" * 101})
    just_right = post_json(client, decide_url(ticket, "reject"), {"comment": "x" * 100})

    assert too_long.status_code == 400
    assert error_of(too_long) == {
        "code": "invalid",
        "message": "The comment is longer than 100 characters.",
        "field": "comment",
        "details": {"comment": ["The comment is longer than 100 characters."]},
    }
    assert just_right.status_code == 200


def test_deciding_a_decided_ticket_is_a_409(reviewer, group_reviewer, ticket):
    post_json(as_user(reviewer), decide_url(ticket, "reject"), {"comment": "no"})

    for action in ("approve", "warn", "reject"):
        response = post_json(as_user(group_reviewer), decide_url(ticket, action), {"comment": "late"})
        assert response.status_code == 409
        assert error_of(response)["code"] == "conflict"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.REJECTED
    assert ticket.audit.count() == 1


# --- Who may do what --------------------------------------------------------------------------------------------


def test_a_group_reviewer_can_decide(group_reviewer, ticket):
    response = post_json(as_user(group_reviewer), decide_url(ticket, "approve"))

    assert response.status_code == 200
    assert response.json()["decided_by"] == "gina"


def test_a_non_reviewer_cannot_see_or_decide_and_learns_nothing(outsider, ticket):
    client = as_user(outsider)
    missing = Ticket.objects.order_by("-pk").first().pk + 1000

    assert client.get(LIST_URL).json()["results"] == []
    for url in (detail_url(ticket), f"/api/v1/tickets/{missing}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert error_of(response) == {"code": "not_found", "message": "No such ticket, or you may not see it."}
    for action in ("approve", "warn", "reject"):
        response = post_json(client, decide_url(ticket, action), {"comment": "sneaky"})
        assert response.status_code == 404
    assert not ticket.audit.exists()


def test_the_operator_sees_their_own_change_but_cannot_decide_it(operator, rule, ticket):
    rule.reviewers.add(operator)  # even as a named reviewer
    client = as_user(operator)

    assert [t["id"] for t in client.get(LIST_URL).json()["results"]] == [ticket.pk]
    body = client.get(detail_url(ticket)).json()
    assert body["can_decide"] is False
    assert body["cannot_decide_reason"] == "You triggered this change; someone else must review it."
    for action in ("approve", "warn", "reject"):
        response = post_json(client, decide_url(ticket, action), {"comment": "mine"})
        assert response.status_code == 403
        error = error_of(response)
        assert error["code"] == "not_allowed"
        assert "triggered this change" in error["message"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_staff_see_everything_but_decide_only_as_reviewers(staff, ticket):
    unmatched = TicketFactory()
    client = as_user(staff)

    assert {t["id"] for t in client.get(LIST_URL).json()["results"]} == {ticket.pk, unmatched.pk}
    assert client.get(detail_url(ticket)).json()["can_decide"] is False
    response = post_json(client, decide_url(ticket, "approve"))
    assert response.status_code == 403
    assert error_of(response) == {"code": "not_allowed", "message": "You are not a reviewer for this ticket."}

    ticket.rules.get().reviewers.add(staff)
    assert post_json(client, decide_url(ticket, "approve")).status_code == 200


def test_review_any_covers_tickets_no_rule_matched(outsider, ticket):
    unmatched = TicketFactory()
    outsider.user_permissions.add(Permission.objects.get(codename="review_any"))
    client = as_user(outsider)

    assert [t["id"] for t in client.get(LIST_URL).json()["results"]] == [unmatched.pk]
    assert client.get(detail_url(ticket)).status_code == 404
    assert post_json(client, decide_url(unmatched, "approve")).status_code == 200


def test_anonymous_requests_get_a_401_with_a_challenge(ticket):
    client = Client()

    responses = [
        client.get(LIST_URL),
        client.get(detail_url(ticket)),
        *(post_json(client, decide_url(ticket, action), {"comment": "x"}) for action in ("approve", "warn", "reject")),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert error_of(response)["code"] == "not_authenticated"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_token_authentication_works_without_csrf(reviewer, ticket):
    token = Token.objects.create(user=reviewer)
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}

    assert len(client.get(LIST_URL, **auth).json()["results"]) == 1
    response = post_json(client, decide_url(ticket, "reject"), {"comment": "via script"}, **auth)

    assert response.status_code == 200
    assert response.json()["status"] == "REJECTED"
    assert ticket.audit.get().actor == reviewer


def test_a_wrong_token_is_a_401(ticket):
    response = Client().get(LIST_URL, HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "authentication_failed"


def test_session_posts_need_the_csrf_token(reviewer, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    refused = post_json(client, decide_url(ticket, "approve"))
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "permission_denied"
    assert "CSRF" in error["message"]
    assert not ticket.audit.exists()

    client.get("/accounts/login/")  # any page with a form hands out the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = post_json(client, decide_url(ticket, "approve"), HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert client.get(LIST_URL).status_code == 200  # reads need no token


# --- Errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tickets/abc/"),
        ("get", "/api/v1/tickets/-1/"),
        ("get", "/api/v1/tickets/1.5/"),
        ("get", "/api/v1/tickets/٣/"),
        ("get", f"/api/v1/tickets/{2**63}/"),
        ("get", f"/api/v1/tickets/{10**25}/"),
        ("post", f"/api/v1/tickets/{2**63}/approve"),
        ("post", f"/api/v1/tickets/{10**25}/reject"),
        ("post", "/api/v1/tickets/abc/approve"),
        ("get", "/api/v1/tickets"),
        ("get", "/api/v1/nothing-here"),
        ("post", "/api/v1/nothing-here"),
    ],
)
def test_unknown_paths_and_ids_are_json_404s(staff, method, path):
    client = as_user(staff)

    response = client.get(path) if method == "get" else post_json(client, path, {"comment": "x"})

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_bad_request_bodies_are_400s_not_500s(reviewer, ticket):
    client = as_user(reviewer)
    url = decide_url(ticket, "reject")

    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert error_of(broken)["code"] == "parse_error"

    for body in ([], "a string", 42, {"comment": None}, {"comment": {"nested": 1}}, {"comment": "a\x00b"}):
        response = post_json(client, url, body)
        assert response.status_code == 400, body
        assert error_of(response)["code"] == "invalid"

    form = client.post(url, {"comment": "form encoded"})
    assert form.status_code == 415
    assert error_of(form)["code"] == "unsupported_media_type"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_wrong_methods_are_json_405s(reviewer, ticket):
    client = as_user(reviewer)

    for response in (
        client.get(decide_url(ticket, "approve")),
        client.delete(detail_url(ticket)),
        client.post(LIST_URL),
    ):
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"


# --- visible_tickets --------------------------------------------------------------------------------------------


def test_visible_tickets_matches_the_policy_for_every_user_and_ticket(
    reviewer, group_reviewer, dba, operator, outsider, staff
):
    auto_only = UserFactory(username="auto")
    review_any = UserFactory(username="anyone")
    review_any.user_permissions.add(Permission.objects.get(codename="review_any"))
    group_review_any = UserFactory(username="group-anyone")
    group_review_any.groups.add(dba)
    dba.permissions.add(Permission.objects.get(codename="review_any"))
    superuser = UserFactory(username="root", is_superuser=True)
    inactive = UserFactory(username="gone", is_active=False)
    human = RuleFactory(name="human", reviewer_users=[reviewer, inactive], reviewer_groups=[dba])
    automatic = RuleFactory(name="auto", reviewer_users=[auto_only], auto_outcome="OK")
    tickets = [
        TicketFactory(matched=[human]),
        TicketFactory(matched=[automatic]),
        TicketFactory(matched=[human, automatic]),
        TicketFactory(),
        TicketFactory(operator_uid="someone-else"),
        TicketFactory(matched=[automatic], operator_uid="someone-else"),
    ]
    users = [
        reviewer,
        group_reviewer,
        operator,
        outsider,
        staff,
        auto_only,
        review_any,
        group_review_any,
        superuser,
        inactive,
    ]

    for user in users:
        user = type(user).objects.get(pk=user.pk)  # fresh permission caches

        def may_see(ticket, user=user):
            return (
                user.is_staff
                or user.is_superuser
                or policy.is_reviewer(user, ticket)
                or (not ticket.rules.exists() and user.has_perm("approvals.review_any"))
                or policy.is_own_change(user, ticket)
            )

        expected = {t.pk for t in tickets if may_see(t)}
        assert set(visible_tickets(user).values_list("pk", flat=True)) == expected, user.username
        # The lists page the same set by keyset, two at a time, newest first, each ticket once.
        listed, after = [], None
        while True:
            page = newest_visible_ids(user, after=after, limit=2)
            listed += page.ids
            if page.next is None:
                break
            after = page.next
        newest_first = Ticket.objects.filter(pk__in=expected).order_by("-created_at", "-pk")
        assert listed == list(newest_first.values_list("pk", flat=True)), user.username


# --- Schema and docs --------------------------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_with_the_ticket_paths():
    client = Client()  # public, like any API description

    as_json = client.get("/api/v1/schema/", {"format": "json"})
    as_yaml = client.get("/api/v1/schema/")

    assert as_json.status_code == as_yaml.status_code == 200
    schema = json.loads(as_json.content)
    assert yaml.safe_load(as_yaml.content) == schema
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/tickets/",
        "/api/v1/tickets/{ticket_id}/",
        "/api/v1/tickets/{ticket_id}/approve",
        "/api/v1/tickets/{ticket_id}/warn",
        "/api/v1/tickets/{ticket_id}/reject",
        "/api/v1/tickets/batch-decide",
    }
    assert {p["name"] for p in paths["/api/v1/tickets/"]["get"]["parameters"]} >= {
        "status",
        "project_id",
        "event_code",
        "message_id",
        "after",
        "page_size",
    }
    reject = paths["/api/v1/tickets/{ticket_id}/reject"]["post"]
    assert reject["operationId"] == "tickets_reject"
    assert reject["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CommentedDecisionInput"
    }
    assert set(reject["responses"]) == {"200", "400", "401", "403", "404", "406", "409", "415"}
    assert "comment" in schema["components"]["schemas"]["CommentedDecisionInput"]["required"]
    assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "tokenAuth"}
    detail = schema["components"]["schemas"]["TicketDetail"]["properties"]
    assert {"diff", "config_diff", "requirements", "history", "can_decide", "cannot_decide_reason", "url"} <= set(
        detail
    )


def test_schema_generation_has_no_warnings():
    GENERATOR_STATS.reset()

    build_schema()

    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))


@pytest.mark.parametrize("logged_in", [True, False])
def test_the_docs_page_is_self_hosted_html_without_scripts(reviewer, logged_in):
    client = as_user(reviewer) if logged_in else Client()

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "style=" not in html  # nothing a strict Content-Security-Policy would block
    assert "/api/v1/tickets/{ticket_id}/reject" in html
    assert 'href="/api/v1/schema/?format=json"' in html
    assert 'id="schema-TicketDetail"' in html


@pytest.mark.parametrize(
    ("cursor", "lists_the_ticket"),
    [
        ("0.0", False),  # before every ticket
        ("1.1", False),
        ("253402300799999999.999999999999999999", True),  # the last microsecond of year 9999
        ("999999999999999999.1", True),  # past the calendar: after the end of time
        ("552660950225059007.6", True),
    ],
)
def test_cursors_at_the_edges_of_their_range_are_answered(staff, ticket, cursor, lists_the_ticket):
    response = as_user(staff).get(LIST_URL, {"after": cursor})

    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == ([ticket.pk] if lists_the_ticket else [])
    assert response.json()["next"] is None
