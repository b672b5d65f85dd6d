"""Webhook outcomes as metrics: each outcome counted, and label cardinality bounded under hostile event codes."""

from __future__ import annotations

import json
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from events.catalogue import BY_CODE
from tests.conftest import load_fixture

pytestmark = pytest.mark.django_db


def _received(client) -> dict[tuple[str, str], float]:
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    return {
        (sample.labels["event_code"], sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(body)
        if family.name == "review_gate_events_received"
        for sample in family.samples
        if sample.name.endswith("_total")
    }


def _delta(before: dict, after: dict) -> dict:
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


@pytest.fixture(autouse=True)
def _no_token(settings):
    settings.REVIEW_GATE_METRICS_TOKEN = ""


def test_each_outcome_is_counted_with_a_bounded_code(client, post_event, settings):
    before = _received(client)
    payload = load_fixture("commit_file")
    assert post_event(payload).status_code == 202
    assert post_event(payload).status_code == 200
    assert post_event(payload, token="wrong").status_code == 401
    assert post_event(b"{not json").status_code == 400
    settings.EVENTBRIDGE_MAX_BODY_BYTES = 10
    assert post_event(payload).status_code == 413

    assert _delta(before, _received(client)) == {
        ("commit-file", "accepted"): 1,
        ("commit-file", "duplicate"): 1,
        ("unknown", "unauthorized"): 1,
        ("unknown", "invalid"): 1,
        ("unknown", "too_large"): 1,
    }


def test_hostile_event_codes_never_make_new_series(client, post_event):
    base = load_fixture("commit_file")
    before = _received(client)
    for n in range(40):
        payload = json.loads(json.dumps(base))
        payload["id"] = str(uuid.uuid4())
        payload["data"]["eventCode"] = f"evil-{n}-{uuid.uuid4().hex}\n\u202e<script>"
        payload["type"] = f"dataworks:Evil:Evil{n}"
        post_event(payload)
    after = _received(client)
    codes = {code for code, _outcome in after}
    assert codes <= set(BY_CODE) | {"unknown", "other"}
    assert len(after) - len(before) <= 2  # at most (other, accepted) and (unknown, invalid)
    assert sum(_delta(before, after).values()) == 40
