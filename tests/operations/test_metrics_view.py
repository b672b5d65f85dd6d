"""GET /metrics: who may read it, and what a scrape holds."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from operations.collector import forget_cached

pytestmark = pytest.mark.django_db
ISSUE_SERIES = {
    "review_gate_events_received",
    "review_gate_tickets_open",
    "review_gate_oldest_open_ticket_seconds",
    "review_gate_decisions",
    "review_gate_event_to_ready_seconds",
    "review_gate_ready_to_decision_seconds",
    "review_gate_decision_to_delivery_seconds",
    "review_gate_callback_deliveries",
    "review_gate_callbacks_undelivered",
    "review_gate_oldest_undelivered_seconds",
    "review_gate_dataworks_call_seconds",
    "review_gate_dataworks_errors",
    "review_gate_notifications",
    "review_gate_queue_tasks_waiting",
    "review_gate_oldest_queued_task_seconds",
}


@pytest.fixture(autouse=True)
def _fresh_gauges(settings):
    settings.REVIEW_GATE_METRICS_TOKEN = ""
    settings.REVIEW_GATE_METRICS_CACHE_SECONDS = 0
    forget_cached()


def test_without_a_token_loopback_reads_and_others_are_refused(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 403
    # Through an undeclared proxy on the same host the socket address is loopback, yet the client is not.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403


def test_with_a_token_only_the_bearer_reads(client, settings):
    settings.REVIEW_GATE_METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics")["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-metrics-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token\u00e9").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token", REMOTE_ADDR="10.0.0.7")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain; version=")


def test_post_is_not_allowed(client):
    assert client.post("/metrics").status_code == 405


def test_a_scrape_has_every_series_of_the_issue_after_the_code_that_records_them_ran(client):
    from config import metrics

    # Counters with labels appear once something was counted; these stand for the notifications and DataWorks
    # paths that other tests exercise for real.
    metrics.notification_sent("dingtalk", "sent")
    metrics.dataworks_call("GetExtension", 0.01, "InvalidAccessKeyId.NotFound", failed=True)
    metrics.decision_made("OK", "human")
    metrics.event_received("commit-file", "accepted")
    metrics.callback_delivery("UpdateIDEEventResult", "delivered", 1.0)
    body = client.get("/metrics").content.decode()
    names = {family.name for family in text_string_to_metric_families(body)}
    assert names >= ISSUE_SERIES


def test_labels_outside_their_sets_become_other(client):
    from config import metrics

    metrics.notification_sent("carrier-pigeon", "lost")
    metrics.decision_made("MAYBE", "telepathy")
    metrics.dataworks_call("../../etc", 0.1, "Weird.Code\n", failed=True)
    body = client.get("/metrics").content.decode()
    values = {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    assert ("review_gate_notifications_total", (("channel_kind", "other"), ("outcome", "other"))) in values
    assert ("review_gate_decisions_total", (("result", "other"), ("via", "other"))) in values
    assert ("review_gate_dataworks_errors_total", (("action", "other"), ("code", "other"))) in values
    assert "carrier-pigeon" not in body and "telepathy" not in body and "etc" not in body
