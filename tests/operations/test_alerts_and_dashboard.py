"""Every series the shipped alert rules and Grafana dashboard use exists in a real scrape after a real flow."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from django.test import TestCase
from prometheus_client.parser import text_string_to_metric_families

from approvals.tickets import services
from config import metrics
from dataworks_client.client import get_client, reset_client
from dataworks_client.errors import DataWorksError
from events import simulation
from operations.collector import forget_cached
from tests.factories import RuleFactory, UserFactory
from tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SERIES = re.compile(r"\breview_gate_[a-z_]+\b")


def _expressions() -> dict[str, list[str]]:
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    dashboard = json.loads((ROOT / "deploy/grafana/review-gate.json").read_text(encoding="utf-8"))
    return {
        "alerts": [rule["expr"] for group in alerts["groups"] for rule in group["rules"]],
        "dashboard": [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]],
    }


def test_the_alerts_cover_what_the_issue_asks():
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    names = {rule["alert"] for group in alerts["groups"] for rule in group["rules"]}
    assert names == {
        "ReviewGateResultUndelivered",
        "ReviewGateDataWorksPermanentErrors",
        "ReviewGateEventToReadySlow",
        "ReviewGateNotificationFailures",
        "ReviewGateQueueBacklog",
    }


def test_every_series_referenced_exists_in_a_scrape(client, post_event, emulator, dw_settings, settings):
    settings.REVIEW_GATE_METRICS_TOKEN = ""
    settings.REVIEW_GATE_METRICS_CACHE_SECONDS = 0
    forget_cached()
    reviewer = UserFactory()
    RuleFactory(reviewer_users=[reviewer])
    sim = simulation.build("commit-file", project_id=10001)
    emulator.store.load_seed(sim.seed)
    assert post_event(sim.event).status_code == 202
    run_queued_tasks()  # preparation: the ticket is ready
    from approvals.models import Ticket

    ticket = Ticket.objects.get(message_id=sim.message_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer)
    run_queued_tasks()  # delivery to the emulator
    emulator.set_credentials({"LTAIother": "other-secret-0123456789"})
    reset_client()
    with pytest.raises(DataWorksError):
        get_client().get_extension()  # a permanent error, counted by the client
    metrics.notification_sent("dingtalk", "permanent")  # notifications' own tests exercise their senders

    scrape = client.get("/metrics").content.decode()
    present = {sample.name for family in text_string_to_metric_families(scrape) for sample in family.samples}
    for source, expressions in _expressions().items():
        referenced = {name for expr in expressions for name in SERIES.findall(expr)}
        assert referenced, source
        assert referenced <= present, (source, referenced - present)


def test_the_permanent_error_alert_names_exactly_the_permanent_families():
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    rule = next(
        rule
        for group in alerts["groups"]
        for rule in group["rules"]
        if rule["alert"] == "ReviewGateDataWorksPermanentErrors"
    )
    listed = re.search(r'code=~"([^"]+)"', rule["expr"]).group(1).split("|")
    assert set(listed) == set(metrics.DATAWORKS_PERMANENT_FAMILIES)
