"""Regression tests for webhook bugs the fuzz suite found (each was a 500, or a 503 on PostgreSQL, before the fix)."""

from __future__ import annotations

import json

import pytest

from events.models import InboundEvent
from tests.conftest import load_fixture

pytestmark = pytest.mark.django_db


def _body(payload: dict) -> bytes:
    return json.dumps(payload).encode()  # ensure_ascii: a lone surrogate travels as a \udXXX escape


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("id", "msg-\udc80", "id"),
        ("type", "dataworks:\ud800", "type"),
        ("data.operator", "\ud83d", "data.operator"),
        ("data.extensionBizName", "freeze \udfff", "data.extensionBizName"),
        ("data.note", ["ok", {"deep": "\ud800"}], "data.note[1].deep"),
        ("data.fileName", "nul\x00name", "data.fileName"),
        ("data.extra", "nul \x00 in an unvalidated field", "data.extra"),
    ],
)
def test_a_lone_surrogate_or_nul_is_a_400_naming_where_it_is(post_event, path, value, field):
    # Before: UnicodeEncodeError while inserting the row (500); NUL would fail on PostgreSQL or in the worker.
    payload = load_fixture("commit_file")
    target = payload
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[parent]
    target[leaf] = value

    response = post_event(_body(payload))

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert ("surrogate" in error["message"]) or ("NUL" in error["message"])
    assert not InboundEvent.objects.exists()


def test_a_key_with_a_lone_surrogate_names_the_object_holding_it(post_event):
    payload = load_fixture("commit_file")
    payload["data"]["bad\udc00key"] = 1

    response = post_event(_body(payload))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "data"


def test_surrogate_pairs_and_escaped_backslashes_are_ordinary_text(post_event):
    payload = load_fixture("commit_file")
    payload["data"]["fileName"] = "duck 🦆"  # sent as the pair \ud83e\udd86
    payload["data"]["note"] = "\\ud800 and \\u0000 are only text here"
    body = _body(payload)
    assert b"\\ud83e\\udd86" in body

    response = post_event(body)

    assert response.status_code == 202, response.content
    assert InboundEvent.objects.get().raw_body == body.decode()


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_time_with_no_utc_equivalent_is_kept_raw_only(post_event, when):
    # Before: OverflowError converting to UTC on insert (500).
    payload = load_fixture("commit_file")
    payload["time"] = when

    response = post_event(payload)

    assert response.status_code == 202, response.content
    event = InboundEvent.objects.get()
    assert event.occurred_at is None
    assert json.loads(event.raw_body)["time"] == when


@pytest.mark.parametrize(
    ("when", "utc"),
    [
        ("2026-01-01T00:00:00+20:00", "2025-12-31T04:00:00+00:00"),
        ("2026-01-01T00:00:00-23:59", "2026-01-01T23:59:00+00:00"),
    ],
)
def test_a_time_with_an_offset_postgresql_refuses_is_stored_as_its_utc_instant(post_event, when, utc):
    # Before: PostgreSQL refused the offset ("time zone displacement out of range"), the intake answered 503 and
    # EventBridge would have retried the event until it gave up.
    payload = load_fixture("commit_file")
    payload["time"] = when

    response = post_event(payload)

    assert response.status_code == 202, response.content
    assert InboundEvent.objects.get().occurred_at.isoformat() == utc


def test_an_event_code_longer_than_its_column_is_a_400(post_event):
    # Before: stored on SQLite (no length check), a DataError on PostgreSQL answered 503, so EventBridge retried it.
    payload = load_fixture("commit_file")
    payload["type"] = "dataworks:Future:Unknown"
    payload["data"]["eventCode"] = "x" * 101

    response = post_event(payload)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_event",
        "message": "is longer than 100 characters",
        "field": "data.eventCode",
    }
    payload["data"]["eventCode"] = "x" * 100
    assert post_event(payload).status_code == 202
    assert InboundEvent.objects.get().event_code == "x" * 100
