"""Regression tests for what schemathesis found in the JSON API: each answer was off its own schema before the fix."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from approvals.api.docs import build_schema
from approvals.models import Ticket
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

PYTHON_WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def ticket(reviewer):
    return TicketFactory(matched=[RuleFactory(name="etl", reviewer_users=[reviewer])])


@pytest.fixture
def client_of(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.mark.parametrize(
    "path", ["/api/v1/tickets/%C3%99%0A/", "/api/v1/tickets/1/approve%0A", "/api/v1/%0A", "/api/v1/x%0Ay/z"]
)
def test_a_path_with_a_newline_gets_the_api_json_404(client_of, path):
    # Before: the catch-all `^.*$` did not match across a newline, so Django's HTML 404 page answered.
    response = client_of.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("action", ["approve", "warn", "reject"])
@pytest.mark.parametrize("comment", [7.5e57, 12, True, ["no"], {"text": "no"}])
def test_a_comment_that_is_not_a_string_is_refused(client_of, ticket, action, comment):
    # Before: DRF turned numbers and booleans into text ("7.5e+57") and decided the ticket with it.
    response = client_of.post(f"/api/v1/tickets/{ticket.pk}/{action}", {"comment": comment}, "application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("invalid", "comment", "Not a valid string.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not ticket.audit.exists()


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_nul_in_a_comment_is_refused_once_and_the_schema_says_so(client_of, ticket, action):
    response = client_of.post(f"/api/v1/tickets/{ticket.pk}/{action}", {"comment": "ok\x00"}, "application/json")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"comment": ["Null characters are not allowed."]}
    name = "DecisionInput" if action == "approve" else "CommentedDecisionInput"
    pattern = build_schema()["components"]["schemas"][name]["properties"]["comment"]["pattern"]
    assert re.search(pattern, "ok\x00") is None
    assert re.search(pattern, "ok") is not None


def test_the_schema_says_what_a_blank_comment_is_exactly_as_the_server_trims_it(client_of, ticket):
    # Before: the schema allowed any string, so "" or "\x1c" (both blank once trimmed) were valid yet refused.
    comment = build_schema()["components"]["schemas"]["CommentedDecisionInput"]["properties"]["comment"]
    for blank in ["", *PYTHON_WHITESPACE, " \t\u3000\x1c "]:
        assert re.search(comment["pattern"], blank) is None, repr(blank)
    for filled in ["x", " x ", "\ufeff", "\u200b", "\x1bz"]:  # not whitespace to str.strip(), so not blank
        assert re.search(comment["pattern"], filled) is not None, repr(filled)

    refused = client_of.post(f"/api/v1/tickets/{ticket.pk}/reject", {"comment": "\x1c\x85"}, "application/json")
    accepted = client_of.post(f"/api/v1/tickets/{ticket.pk}/reject", {"comment": "\ufeff"}, "application/json")

    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "A comment is required to reject or to approve with a warning."
    assert accepted.status_code == 200


def test_the_schema_states_the_comment_limit_and_the_server_counts_what_was_sent(client_of, ticket, settings):
    settings.REVIEW_GATE_COMMENT_MAX_LENGTH = 100
    schemas = build_schema()["components"]["schemas"]
    assert schemas["DecisionInput"]["properties"]["comment"]["maxLength"] == 100
    assert schemas["CommentedDecisionInput"]["properties"]["comment"]["maxLength"] == 100

    padded = client_of.post(f"/api/v1/tickets/{ticket.pk}/reject", {"comment": "x" * 99 + "  "}, "application/json")

    assert padded.status_code == 400  # 101 characters as sent: over the schema's maxLength, so refused
    assert padded.json()["error"]["message"] == "The comment is longer than 100 characters."


def test_empty_filters_are_no_filters_and_the_schema_says_they_may_be_empty(client_of, ticket):
    # Before: `?page_size=` was accepted (DRF skips an empty query value) while the schema said "integer".
    response = client_of.get("/api/v1/tickets/?after=&page_size=&project_id=&message_id=&status=&event_code=")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [ticket.pk]
    parameters = build_schema()["paths"]["/api/v1/tickets/"]["get"]["parameters"]
    assert {p["name"]: p.get("allowEmptyValue") for p in parameters} == dict.fromkeys(
        ["after", "event_code", "message_id", "page_size", "project_id", "status"], True
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=1.0", "page_size"),
        ("page_size=1_000", "page_size"),
        ("project_id=%2B5", "project_id"),
        ("project_id=%205", "project_id"),
        ("page_size=1%0A", "page_size"),
    ],
)
def test_integer_filters_are_digits_only_as_the_schema_says(client_of, ticket, query, field):
    # Before: DRF's IntegerField read these as 1, 1000, 5, 5 and 1, though the schema calls them invalid.
    response = client_of.get(f"/api/v1/tickets/?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_nul_in_the_message_id_filter_is_refused_once_and_the_schema_says_so(client_of, ticket):
    response = client_of.get("/api/v1/tickets/?message_id=a%00b")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"message_id": ["Null characters are not allowed."]}
    [parameter] = [
        p for p in build_schema()["paths"]["/api/v1/tickets/"]["get"]["parameters"] if p["name"] == "message_id"
    ]
    assert re.search(parameter["schema"]["pattern"], "a\x00b") is None
    assert client_of.get("/api/v1/tickets/", {"message_id": f" {ticket.message_id}"}).json()["results"] == []


def test_the_decisions_document_their_415_and_every_operation_its_406(client_of, ticket):
    """docs/api.md lists 415 for a non-JSON decision body; DRF also answers 406 to an Accept it cannot satisfy."""
    form = client_of.post(f"/api/v1/tickets/{ticket.pk}/approve", "comment=x", "application/x-www-form-urlencoded")
    html = client_of.get("/api/v1/tickets/", headers={"Accept": "text/html"})
    assert (form.status_code, html.status_code) == (415, 406)
    assert form.json()["error"]["code"] == "unsupported_media_type"

    paths = build_schema()["paths"]
    for action in ("approve", "warn", "reject"):
        assert "415" in paths[f"/api/v1/tickets/{{ticket_id}}/{action}"]["post"]["responses"]
    for item in paths.values():
        for operation in item.values():
            assert "406" in operation["responses"]
