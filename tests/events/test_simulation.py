"""simulate_event produces every gated kind with payloads matching the emulator's example seed (issue 17)."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from dataworks_client.emulator.store import EmulatorStore
from events import simulation
from events.catalogue import GATED_CODES, Subject, subject_of
from events.management.commands.simulate_event import Command
from events.payload import parse_event

SEED = json.loads(simulation.EXAMPLE_SEED.read_text(encoding="utf-8"))
SEEDED_NODES = {n["NodeId"] for n in SEED["nodes"]}
SEEDED_INSTANCES = {i["InstanceId"] for i in SEED["instances"]}
SEEDED_TABLES = {t["guid"] for t in SEED["tables"]}


@pytest.mark.parametrize("code", GATED_CODES)
def test_every_gated_kind_builds_a_valid_event_whose_seed_the_emulator_takes(code):
    sim = simulation.build(code, project_id=10001, context=True)

    parse_event(json.dumps(sim.event).encode())  # what the webhook validates
    store = EmulatorStore()
    counts = store.load_seed(sim.seed)
    assert counts.get("nodes") == len(SEED["nodes"])  # the context travels with every simulation
    assert counts.get("projects") == len(SEED["projects"])
    data = sim.event["data"]
    if subject_of(code) == Subject.NODE and code != "backfill-data":
        assert data["nodeIds"] and set(data["nodeIds"]) <= SEEDED_NODES
    if subject_of(code) == Subject.INSTANCE:
        assert set(data["taskIds"]) <= SEEDED_INSTANCES
    if subject_of(code) == Subject.TABLE:
        assert f"odps.{data['maxComputeProject']}.{data['tableName']}" in SEEDED_TABLES


def test_the_backfill_is_the_emulator_sample_with_three_periods():
    sample = simulation.example_payload("backfill-data")
    data = simulation.build("backfill-data", project_id=42, context=True).event["data"]

    assert data["multipleTimePeriods"] == sample["multipleTimePeriods"]
    assert len(json.loads(data["multipleTimePeriods"])) == 3
    assert data["rootNodeId"] == 700000001 and data["rootNodeProjectId"] == 42
    assert data["projectId"] == 42 and data["eventCode"] == "backfill-data"


def test_ids_replace_the_suggested_nodes_and_instances():
    assert simulation.build("freeze-node", project_id=1, ids=[7]).event["data"]["nodeIds"] == [7]
    assert simulation.build("undeploy-node", project_id=1).event["data"]["nodeIds"] == simulation.UNDEPLOY_NODES
    assert simulation.build("pre-kill-instance", project_id=1, ids=[5, 6]).event["data"]["taskIds"] == [5, 6]


def test_the_context_seed_is_a_copy():
    first = simulation.context_seed()
    first["nodes"].clear()
    assert simulation.context_seed()["nodes"]


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("1, 2,3", [1, 2, 3])])
def test_the_ids_option_reads_numeric_ids(raw, expected):
    assert Command()._ids(raw) == expected


@pytest.mark.parametrize("raw", ["1,x", "-1", "1" * 19, ",".join(["1"] * 1001)])
def test_the_ids_option_refuses_anything_else(raw):
    with pytest.raises(CommandError):
        Command()._ids(raw)


def test_without_context_the_seed_holds_only_the_event_details():
    sim = simulation.build("commit-file", project_id=10001)
    assert not set(sim.seed) & set(simulation.CONTEXT_KEYS)
