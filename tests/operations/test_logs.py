"""Request ids and log ids: honoured or generated, echoed, bound to every line, carried into queued tasks."""

from __future__ import annotations

import io
import json
import logging

import pytest

from config import logging_context
from config.middleware import request_id_from
from operations.logs import TASK_KEY, bind_task_context, carry_context, unbind_task_context
from tests.factories import InboundEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging_context.json_formatter())
    logger = logging.getLogger("tests.operations")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("3f2a9c1e-0b4d-4c1a-9a77-1234567890ab", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("short", False),
        ("x" * 200, False),
        ("evil\nINFO forged line", False),
        ("", False),
        (None, False),
    ],
)
def test_a_proxy_request_id_is_kept_only_when_well_formed(header, kept):
    value = request_id_from(header)
    assert (value == header) is kept
    assert 8 <= len(value) <= 128 and "\n" not in value


def test_the_response_echoes_the_request_id(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-0123456789")
    assert given["X-Request-ID"] == "proxy-id-0123456789"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id")
    assert made["X-Request-ID"] != "bad id" and len(made["X-Request-ID"]) == 32


def test_json_lines_carry_what_is_bound_and_nothing_after(json_log):
    logger, stream = json_log
    token = logging_context.bind(request_id="req-0123456789", ticket_id=7)
    logger.info("inside %s", "the request")
    logging_context.unbind(token)
    logger.info("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first == {**first, "message": "inside the request", "request_id": "req-0123456789", "ticket_id": "7"}
    assert {"time", "level", "logger"} <= set(first)
    assert "request_id" not in second


def test_a_queued_task_carries_the_request_id_into_the_worker(json_log):
    logger, stream = json_log
    event = InboundEventFactory()
    task = {"func": "approvals.tasks.process_event", "kwargs": {"event_id": event.pk}}
    token = logging_context.bind(request_id="webhook-0123456789")
    carry_context(task=task)
    logging_context.unbind(token)
    assert task[TASK_KEY] == {"request_id": "webhook-0123456789"}

    logging_context.clear()  # the worker: another process, nothing bound
    bind_task_context(task=task)
    logger.info("processing")
    unbind_task_context()
    logger.info("idle")
    working, idle = (json.loads(line) for line in stream.getvalue().splitlines())
    assert working["request_id"] == "webhook-0123456789"
    assert (working["event_id"], working["message_id"]) == (str(event.pk), event.message_id)
    assert working["task"] == "approvals.tasks.process_event"
    assert "request_id" not in idle


def test_the_text_format_appends_the_ids():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = logging_context.bind(request_id="abc-0123456789", event_id=3)
    try:
        line = logging_context.TextFormatter("%(message)s").format(record)
    finally:
        logging_context.unbind(token)
    assert line == "hello [request_id=abc-0123456789 event_id=3]"
