"""events 0002 fills InboundEvent.data_json for stored events, on any body, without aborting."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("events", "0001_initial")]
AFTER = [("events", "0002_inboundevent_data_json")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_data_migration_keeps_odd_characters_and_survives_bodies_it_cannot_read():
    old_apps = _migrate(BEFORE)
    Event = old_apps.get_model("events", "InboundEvent")
    odd = {"fileName": "a\u0000b", "folder": "x\ud800y", "n": 10**30, "nested": {"k": ["v"]}}
    bodies = {
        "odd": json.dumps({"id": "1", "data": odd}),  # escapes (\\u0000, \\ud800) as the webhook stored them
        "broken": "{not json",
        "no-data": json.dumps({"id": "3"}),
        "data-not-object": json.dumps({"id": "4", "data": [1, 2]}),
    }
    for message_id, body in bodies.items():
        Event.objects.create(
            source="acs.dataworks", message_id=message_id, type="t", module="DATASTUDIO", raw_body=body, body_sha256=""
        )
    try:
        new_apps = _migrate(AFTER)
        Event = new_apps.get_model("events", "InboundEvent")
        stored = dict(Event.objects.values_list("message_id", "data_json"))
        assert json.loads(stored["odd"]) == odd
        assert stored["odd"].isascii()  # storable in any text column, PostgreSQL's included
        assert stored["broken"] == stored["no-data"] == stored["data-not-object"] == ""
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())  # back to the latest state of every app
        from events.models import InboundEvent

        InboundEvent.objects.all().delete()
