"""No secret and no payload content in the logs of a full flow, and no secret in the pages an administrator sees.

The flow: EventBridge posts an event (and a few bad ones) to the webhook; the worker prepares the ticket through the
real Alibaba Cloud SDK against the emulator (signed calls, so the AccessKey secret is in use); a reviewer rejects it
through the API; the worker delivers the result. Every log record of every logger, at DEBUG, is captured at the
source (`Logger.handle`, so loggers that do not propagate, like django-q's, are included) with its message,
arguments, exception text and extra fields. The local emulator is not the application: its own records are left out.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from approvals.models import Ticket
from events import simulation
from events.models import InboundEvent
from tests.dataworks_client.fixtures import ACCESS_KEY_SECRET
from tests.factories import RuleFactory, UserFactory
from tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

PROJECT = 10001
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_FORMAT = logging.Formatter("%(levelname)s %(name)s %(message)s")


def _render(record: logging.LogRecord) -> str:
    """Everything a handler could write about a record: the formatted line, exception, stack and extra fields."""
    text = _FORMAT.format(record)
    extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
    return f"{text} {extras!r}" if extras else text


@pytest.fixture
def all_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Capture (logger name, rendered record) of every record any logger handles, at DEBUG."""
    captured: list[tuple[str, str]] = []
    original = logging.Logger.handle

    def handle(self: logging.Logger, record: logging.LogRecord) -> None:
        captured.append((record.name, _render(record)))
        original(self, record)

    loggers = [
        logging.getLogger(),
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    levels = [(lg, lg.level) for lg in loggers]
    disabled = logging.root.manager.disable
    monkeypatch.setattr(logging.Logger, "handle", handle)
    logging.disable(logging.NOTSET)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    yield captured
    logging.disable(disabled)
    for lg, level in levels:
        lg.setLevel(level)


def _app_logs(captured: list[tuple[str, str]]) -> str:
    # The emulator stands in for DataWorks and factory_boy builds test data: neither is the application.
    return "\n".join(text for name, text in captured if not name.startswith(("dataworks_client.emulator", "factory")))


def test_a_full_flow_logs_no_secret_and_no_payload_content(
    all_logs, post_event, emulator, dw_settings, client, django_capture_on_commit_callbacks
):
    marker = uuid.uuid4().hex
    file_marker, code_marker, comment_marker = f"file-{marker}", f"code-{marker}", f"comment-{marker}"
    reviewer = UserFactory(username="rita")
    RuleFactory(name="all", reviewer_users=[reviewer])
    api_token = Token.objects.create(user=reviewer).key
    sim = simulation.build(
        "commit-file", project_id=PROJECT, file_name=file_marker, content=f"-- {code_marker}\nselect 1;\n"
    )
    emulator.store.load_seed(sim.seed)

    # Intake: the event, a repeat, a wrong token, a bad event and a body that is not JSON, each carrying the marker.
    assert post_event(sim.event).status_code == 202
    assert post_event(sim.event).status_code == 200
    assert post_event(sim.event, token="wrong-token-0123456789").status_code == 401
    bad = {**sim.event, "id": str(uuid.uuid4()), "data": {**sim.event["data"], "projectId": f"x{file_marker}"}}
    assert post_event(bad).status_code == 400
    assert post_event(f"{{not json {file_marker}".encode()).status_code == 400
    # Processing: GetIDEEventDetail, ListFileVersions, GetFolder through the real SDK, signed with the secret.
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)
    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert code_marker in ticket.new_content  # the code really went through the pipeline
    # Decision through the API, then delivery through UpdateIDEEventResult.
    with django_capture_on_commit_callbacks(execute=True):  # queue the delivery as the commit would
        response = client.post(
            f"/api/v1/tickets/{ticket.pk}/reject",
            {"comment": f"no: {comment_marker}"},
            content_type="application/json",
            headers={"Authorization": f"Token {api_token}"},
        )
    assert response.status_code == 200, response.content
    run_queued_tasks()
    ticket.refresh_from_db()
    assert ticket.callback_status == Ticket.CallbackStatus.SENT
    [callback] = emulator.store.callbacks_json()
    assert comment_marker in callback["params"]["CheckResultTip"]

    logs = _app_logs(all_logs)
    assert len(all_logs) > 10, "the capture saw almost nothing; is it wired to the loggers?"
    # The capture sees the application at work: its SDK calls and the delivery, as identifiers.
    assert "action=GetIDEEventDetail" in logs
    assert f"Delivered FAIL for result delivery {ticket.callback.pk}" in logs
    secrets = {
        "EVENTBRIDGE_TOKEN": settings.EVENTBRIDGE_TOKEN,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "the reviewer's API token": api_token,
    }
    for name, secret in secrets.items():
        assert secret and secret not in logs, f"{name} appears in the logs"
    for name, content in {"file name": file_marker, "code": code_marker, "comment": comment_marker}.items():
        assert content not in logs, f"the event's {name} appears in the logs"
    assert json.dumps(sim.event)[:200] not in logs


def _secrets() -> dict[str, str]:
    return {
        "EVENTBRIDGE_TOKEN": settings.EVENTBRIDGE_TOKEN,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }


def _assert_clean(response: Any, where: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    for name, secret in _secrets().items():
        assert secret not in text, f"{name} appears in {where}"


def test_admin_and_error_pages_show_no_secret(post_event, emulator, dw_settings, settings):
    settings.DATAWORKS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    reviewer = UserFactory(username="rita")
    RuleFactory(name="all", reviewer_users=[reviewer])
    sim = simulation.build("commit-file", project_id=PROJECT)
    emulator.store.load_seed(sim.seed)
    assert post_event(sim.event).status_code == 202
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)
    from approvals.tickets import services

    services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="no")
    run_queued_tasks()
    event = InboundEvent.objects.get()
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root)

    pages = [
        "/admin/",
        "/admin/events/inboundevent/",
        f"/admin/events/inboundevent/{event.pk}/change/",
        "/admin/approvals/ticket/",
        f"/admin/approvals/ticket/{ticket.pk}/change/",
        "/admin/approvals/callback/",
        f"/admin/approvals/callback/{ticket.callback.pk}/change/",
        "/admin/approvals/auditentry/",
        "/admin/django_q/schedule/",
        "/admin/django_q/success/",
        "/admin/django_q/failure/",
        "/admin/django_q/ormq/",
        "/readyz",
        "/healthz",
        "/api/v1/schema/",
        "/api/v1/docs/",
        "/admin/no-such-page/",
        "/no-such-page/",
        f"/tickets/{ticket.pk + 1000}/",
    ]
    for url in pages:
        response = admin.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        _assert_clean(response, url)
    anonymous = Client(enforce_csrf_checks=True)
    errors = {
        "webhook 401": anonymous.post("/events/eventbridge/", b"{}", content_type="application/json"),
        "webhook 405": anonymous.get("/events/eventbridge/"),
        "webhook 400": post_event(b"{"),
        "webhook 413": post_event(b" " * (settings.EVENTBRIDGE_MAX_BODY_BYTES + 1)),
        "api 401": anonymous.get("/api/v1/tickets/"),
        "api 404": anonymous.get("/api/v1/nothing"),
        "csrf 403": anonymous.post("/accounts/login/", {"username": "root", "password": "x"}),
        "login page": anonymous.get("/accounts/login/"),
        "ui 404": admin.get("/tickets/99999999/"),
    }
    assert errors["webhook 401"].status_code == 401 and errors["csrf 403"].status_code == 403
    for where, response in errors.items():
        _assert_clean(response, where)
