"""The webhook contract: HTTP status AND what is (or is not) stored and queued, for every case."""

from __future__ import annotations

import copy
import json

import pytest

from events.catalogue import BY_TYPE
from events.models import InboundEvent
from tests.conftest import fixture_names, load_fixture
from tests.queue import queued_tasks

pytestmark = pytest.mark.django_db


def test_good_event_is_stored_verbatim_and_queued(post_event):
    payload = load_fixture("commit_file")
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")

    response = post_event(body)

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    event = InboundEvent.objects.get(message_id=payload["id"])
    assert event.raw_body.encode("utf-8") == body
    assert (event.event_code, event.project_id, event.tenant_id) == ("commit-file", 98764, 283787765610656)
    assert (event.gated, event.callback_api, event.module) == (True, "UpdateIDEEventResult", "DATASTUDIO")
    assert event.operator == "193745001735"
    assert event.status == InboundEvent.Status.RECEIVED
    tasks = queued_tasks()
    assert [(t["func"], t["kwargs"]) for t in tasks] == [("approvals.tasks.process_event", {"event_id": event.pk})]


def test_an_event_rolled_back_leaves_no_task_behind(django_capture_on_commit_callbacks):
    # The task is queued with the event's transaction (ORM broker) or after its commit (Redis): never for an event
    # that was not stored. Here the surrounding transaction fails after the event was written.
    from django.db import transaction

    from events.services import event_receive

    body = json.dumps(load_fixture("commit_file")).encode("utf-8")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        assert event_receive(body=body).created
        raise RuntimeError("the caller's transaction fails")

    assert InboundEvent.objects.count() == 0
    assert queued_tasks() == []


def test_sequential_duplicate_is_acknowledged_and_stores_nothing_new(post_event):
    payload = load_fixture("deploy_file")
    first = post_event(payload)

    second = post_event(payload)

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["status"] == "duplicate"
    assert second.json()["event"] == first.json()["event"]
    assert InboundEvent.objects.filter(message_id=payload["id"]).count() == 1
    assert len(queued_tasks()) == 1


def test_duplicate_with_a_different_body_keeps_the_first(post_event):
    payload = load_fixture("commit_file")
    post_event(payload)
    altered = copy.deepcopy(payload)
    altered["data"]["fileName"] = "something_else"

    response = post_event(altered)

    assert response.status_code == 200
    assert json.loads(InboundEvent.objects.get(message_id=payload["id"]).raw_body)["data"]["fileName"] == (
        "ods_orders_daily"
    )


@pytest.mark.parametrize("token", ["", "wrong-token-wrong-token-wrong"])
def test_missing_or_wrong_token_is_rejected_and_nothing_stored(post_event, token):
    response = post_event(load_fixture("commit_file"), token=token)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not InboundEvent.objects.exists()
    assert queued_tasks() == []


def test_token_prefix_is_not_enough(post_event, settings):
    response = post_event(load_fixture("commit_file"), token=settings.EVENTBRIDGE_TOKEN[:-1])

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "body"),
        (b"{not json", "body"),
        (b"\xff\xfe\x00garbage", "body"),
        (b"[1, 2, 3]", "body"),
        (b'{"id": NaN}', "body"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
    ],
)
def test_malformed_bodies_are_400_naming_the_problem(post_event, body, field):
    response = post_event(body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert not InboundEvent.objects.exists()


def _without(key):
    payload = load_fixture("commit_file")
    del payload[key]
    return payload


def _with(path, value):
    payload = load_fixture("commit_file")
    target = payload
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[parent]
    target[leaf] = value
    return payload


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_without("id"), "id"),
        (_without("type"), "type"),
        (_without("source"), "source"),
        (_without("data"), "data"),
        (_with("source", "acs.ecs"), "source"),
        (_with("id", ["a"]), "id"),
        (_with("id", ""), "id"),
        (_with("type", 7), "type"),
        (_with("data", "not-an-object"), "data"),
        (_with("data.projectId", "12ab"), "data.projectId"),
        (_with("data.projectId", -5), "data.projectId"),
        (_with("data.projectId", 2**64), "data.projectId"),
        (_with("data.projectId", True), "data.projectId"),
        (_with("data.projectId", 1.5), "data.projectId"),
        (_with("data.fileId", {"x": 1}), "data.fileId"),
        (_with("data.operator", ["x"]), "data.operator"),
        (_with("data.eventCode", "deploy-file"), "data.eventCode"),
        (_with("time", 12), "time"),
    ],
)
def test_not_a_dataworks_cloudevent_is_400_naming_the_field(post_event, payload, field):
    response = post_event(payload)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    assert not InboundEvent.objects.exists()


def test_gated_event_without_a_workspace_id_is_stored_for_staff_to_answer(post_event):
    # Refusing it would leave DataWorks in "Checking" with no record here; its ticket needs attention instead.
    payload = _with("data.projectId", None)

    response = post_event(payload)

    assert response.status_code == 202, response.content
    event = InboundEvent.objects.get(message_id=payload["id"])
    assert (event.gated, event.project_id, event.status) == (True, None, InboundEvent.Status.RECEIVED)


def test_duplicate_json_keys_are_rejected(post_event):
    body = json.dumps(load_fixture("commit_file"))[:-1].encode() + b', "id": "other"}'

    response = post_event(body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "id"
    assert not InboundEvent.objects.exists()


def test_bad_node_id_list_item_is_named(post_event):
    payload = load_fixture("freeze_node")
    payload["data"]["nodeIds"] = [1, "two"]

    response = post_event(payload)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "data.nodeIds[1]"


def test_oversized_body_is_413_and_nothing_stored(post_event, settings):
    payload = load_fixture("commit_file")
    payload["data"]["padding"] = "x" * settings.EVENTBRIDGE_MAX_BODY_BYTES

    response = post_event(payload)

    assert response.status_code == 413
    assert not InboundEvent.objects.exists()


def test_body_exactly_at_the_limit_is_accepted(post_event, settings):
    payload = load_fixture("commit_file")
    payload["data"]["padding"] = ""
    base = len(json.dumps(payload).encode())
    payload["data"]["padding"] = "x" * (settings.EVENTBRIDGE_MAX_BODY_BYTES - base)
    body = json.dumps(payload).encode()
    assert len(body) == settings.EVENTBRIDGE_MAX_BODY_BYTES

    assert post_event(body).status_code == 202


def test_unknown_type_is_stored_as_informational_and_not_queued(post_event):
    payload = load_fixture("commit_file")
    payload["type"] = "dataworks:Future:SomethingNew"
    payload["data"]["eventCode"] = "something-new"

    response = post_event(payload)

    assert response.status_code == 202
    event = InboundEvent.objects.get(message_id=payload["id"])
    assert (event.gated, event.status, event.module) == (False, InboundEvent.Status.INFORMATIONAL, "OTHER")
    assert event.event_code == "something-new"
    assert queued_tasks() == []


def test_numeric_strings_are_accepted_for_ids(post_event):
    payload = load_fixture("commit_file")
    payload["data"].update(projectId="98764", tenantId="283787765610656", fileId="501234830")

    response = post_event(payload)

    assert response.status_code == 202
    event = InboundEvent.objects.get(message_id=payload["id"])
    assert (event.project_id, event.tenant_id) == (98764, 283787765610656)


def test_numeric_envelope_id_is_accepted_as_text(post_event):
    payload = load_fixture("commit_file")
    payload["id"] = 1234567

    assert post_event(payload).status_code == 202
    assert InboundEvent.objects.filter(message_id="1234567").exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/cloudevents+json"])
def test_any_content_type_is_parsed_as_raw_json(post_event, content_type):
    assert post_event(load_fixture("commit_file"), content_type=content_type).status_code == 202


def test_get_is_405_with_json(client):
    response = client.get("/events/eventbridge/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("name", fixture_names())
def test_every_captured_fixture_replays_through_the_webhook(post_event, name):
    payload = load_fixture(name)
    spec = BY_TYPE[payload["type"]]

    response = post_event(payload)

    assert response.status_code == 202
    event = InboundEvent.objects.get(message_id=payload["id"])
    assert event.event_code == spec.code
    assert event.gated is spec.gated
    assert event.callback_api == spec.callback.value
    assert event.project_id == (payload["data"].get("projectId"))
    assert len(queued_tasks()) == (1 if spec.gated else 0)


@pytest.mark.parametrize("header", ["", "anything"])
def test_unset_token_rejects_every_delivery(post_event, settings, header):
    settings.EVENTBRIDGE_TOKEN = ""  # demo mode started without one: intake stays closed

    response = post_event(load_fixture("commit_file"), token=header or None)

    assert response.status_code == 401
    assert not InboundEvent.objects.exists()
