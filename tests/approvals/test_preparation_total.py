"""No accepted event can get stuck (issue 12): whatever the payload or DataWorks' answer, preparation ends PENDING or
NEEDS_ATTENTION (with the reason), or waits for a retry at a known time until its retry horizon.

Events go through the real webhook (`post_event`), the real queue and the real worker function
(`approvals.tasks.process_event`), with the real SDK calling the emulator over HTTP. A retry's due time is reached by
moving the ticket's times back by the wait (the test's clock travel), then running the due-time loop once
(`approvals.jobs.timer.run_due_once`) or, where that loop does not exist, the worker function itself.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth.models import Permission
from django.db.models import F
from django.test import TestCase, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from approvals.models import AuditEntry, Callback, Ticket
from approvals.tasks import process_event
from events import simulation
from events.catalogue import GATED_CODES
from events.models import InboundEvent
from tests.factories import TicketFactory, UserFactory
from tests.queue import clear_queue, run_queued_tasks

pytestmark = pytest.mark.django_db

PROJECT = 10001
FINAL = {Ticket.Status.PENDING, Ticket.Status.NEEDS_ATTENTION}
RETRY_ROUNDS = 4  # due retries run before the horizon is taken away; bounded transient faults need at most 3
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_RAW = "@@raw@@"  # a string "@@raw@@1e999" is written into the JSON text as the bare token 1e999
_MISSING = object()


# --- Running events through intake and preparation ---------------------------------------------------------------


def body_of(event_: dict[str, Any]) -> bytes:
    """Serialise like EventBridge, as ASCII JSON (so NUL and lone surrogates travel as \\u escapes), raw tokens bare."""
    text = json.dumps(event_, ensure_ascii=True)
    return re.sub(rf'"{re.escape(_RAW)}([^"]*)"', r"\1", text).encode("ascii")


def _due_time_loop() -> Callable[[], Any] | None:
    try:
        from approvals.jobs import timer
    except ImportError:
        return None
    return getattr(timer, "run_due_once", None)


def run_due_retries(ticket: Ticket) -> None:
    """Let the ticket's retry come due (its times move back, as if the wait had passed), then run what a worker runs."""
    ticket.refresh_from_db()
    if ticket.prepare_next_attempt_at is not None:
        waited = max(ticket.prepare_next_attempt_at - timezone.now(), timedelta(0)) + timedelta(seconds=1)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=F("created_at") - waited,
            prepare_next_attempt_at=F("prepare_next_attempt_at") - waited,
            prepare_dispatched_at=F("prepare_dispatched_at") - waited,
        )
    loop = _due_time_loop()
    with TestCase.captureOnCommitCallbacks(execute=True):
        if loop is not None:
            loop()
        else:  # approvals.jobs.timer.run_due_once does not exist yet: the worker function, as the loop would queue it
            process_event(event_id=ticket.event_id)
    run_queued_tasks()


def settle(message_id: str) -> Ticket:
    """Run the queued processing, then due retries, then one attempt past the retry horizon; return the ticket.

    Between attempts a ticket that is not final must be waiting for a retry at a known time: never just PREPARING.
    """
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=message_id)
    for _ in range(RETRY_ROUNDS):
        if ticket.status in FINAL:
            return ticket
        assert_waits_for_a_retry(ticket)
        run_due_retries(ticket)
        ticket.refresh_from_db()
    if ticket.status not in FINAL:
        assert_waits_for_a_retry(ticket)
        with override_settings(REVIEW_GATE_PREPARE_HORIZON_SECONDS=0):
            run_due_retries(ticket)
        ticket.refresh_from_db()
    return ticket


def assert_waits_for_a_retry(ticket: Ticket) -> None:
    assert ticket.status == Ticket.Status.PREPARING, ticket.status
    assert ticket.prepare_next_attempt_at is not None, (
        f"ticket {ticket.pk} is PREPARING with no retry scheduled (stuck): {ticket.attention_reason!r}"
    )
    assert ticket.attention_reason, "a deferred preparation says why"


def unstorable_in(value: Any, where: str = "") -> list[str]:
    """Name every NUL, lone surrogate or non-finite number in a value (PostgreSQL stores none of them)."""
    found: list[str] = []
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            found.append(where or "value")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            found.append(where or "value")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unstorable_in(str(key), f"{where}.<key>") + unstorable_in(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += unstorable_in(item, f"{where}[{index}]")
    return found


def storage_notes(ticket: Ticket) -> list[str]:
    """What the ticket says it changed to store DataWorks' answer (cut, replaced)."""
    notes = ticket.snapshot.get("stored_with_changes") if isinstance(ticket.snapshot, dict) else None
    return [str(n) for n in notes] if isinstance(notes, list) else []


def assert_consistent_final(ticket: Ticket) -> None:
    """What every accepted event's ticket must satisfy once preparation ended."""
    assert ticket.status in FINAL, (ticket.status, ticket.attention_reason)
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        assert ticket.attention_reason.strip(), "NEEDS_ATTENTION without a reason"
    actions = list(ticket.audit.values_list("action", flat=True))
    expected = (
        AuditEntry.Action.CREATED if ticket.status == Ticket.Status.PENDING else AuditEntry.Action.NEEDS_ATTENTION
    )
    assert actions.count(expected) == 1, actions
    assert InboundEvent.objects.get(pk=ticket.event_id).status != InboundEvent.Status.RECEIVED
    for name in ("title", "path", "old_label", "new_label", "operator_uid"):
        limit = Ticket._meta.get_field(name).max_length
        assert len(getattr(ticket, name)) <= limit, f"{name} is {len(getattr(ticket, name))} > {limit} characters"
    texts = {
        name: getattr(ticket, name)
        for name in ("title", "path", "old_content", "new_content", "old_label", "new_label", "old_config")
    }
    texts |= {"new_config": ticket.new_config, "attention_reason": ticket.attention_reason}
    assert not unstorable_in(texts), unstorable_in(texts)
    assert not unstorable_in(ticket.snapshot, "snapshot"), unstorable_in(ticket.snapshot, "snapshot")
    json.dumps(ticket.snapshot, allow_nan=False)


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    """Seed the emulator, post the event (or a raw body), expect 202, and settle its preparation."""

    def _deliver(sim: simulation.Simulation, *, body: bytes | None = None) -> Ticket:
        emulator.store.load_seed(sim.seed)
        response = post_event(body if body is not None else body_of(sim.event))
        assert response.status_code == 202, response.content
        return settle(sim.message_id)

    return _deliver


def build(code: str, *, project_id: int = PROJECT) -> simulation.Simulation:
    return simulation.build(code, project_id=project_id, message_id=str(uuid.uuid4()))


def committed(sim: simulation.Simulation) -> dict[str, Any]:
    detail: dict[str, Any] = sim.seed["event_details"][0]["detail"]["CommittedFile"]
    return detail


# --- The property: arbitrary schema-valid payloads and DataWorks answers ------------------------------------------

ODD_CHARS = ["\x00", "\ud800", "\udbff", "\udfff", "\ufffd", "\u202e", "中", "🦆", "\\", '"', "'", "\n", "%s", "/"]
odd_char = st.one_of(st.sampled_from(ODD_CHARS), st.characters(codec="utf-8"))
short_odd = st.lists(odd_char, max_size=10).map("".join)
LENGTHS = [1, 200, 511, 512, 513, 604, 1023, 1024, 1025, 2039, 5000]
odd_text = st.one_of(
    short_odd,
    st.builds(lambda head, n, tail: head + "n" * n + tail, short_odd, st.sampled_from(LENGTHS), short_odd),
    st.builds(lambda n: "/".join(["folder"] * n), st.sampled_from([50, 300, 1000])),  # long paths: 350-7000 chars
)
# Schema-valid DataWorks values: a string field holds any string, an integer field any integer, either may be absent.
odd_int = st.one_of(st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, 2**70, 10**30]), st.integers())
odd_string = st.one_of(odd_text, st.none())
project_ids = st.sampled_from([PROJECT, str(PROJECT), 0, "0", None, _MISSING])
parallel_groups = st.sampled_from(
    [f"{_RAW}1e999", f"{_RAW}-1e999", f"{_RAW}1e308", f"{_RAW}{10**40}", f"{_RAW}-0.0", 2, 0, -1, 2.5, 2**64]
)
periods = st.one_of(
    # JSON in a string, as DataWorks sends it: the odd text reaches preparation through the inner JSON's escapes.
    st.builds(lambda b, e: json.dumps([{"bizBeginTime": b, "bizEndTime": e}]), odd_text, odd_text),
    odd_text,
    st.sampled_from(
        ['[{"bizBeginTime": 1e999, "bizEndTime": -1e999}]', "[1e999]", "{}", "null", "[" * 100_000, '"\\u0000"']
    ),
)
ODD_KEYS = {
    "CommittedFile": ["FileName", "Content", "Comment", "ChangeType", "FileId", "FileType", "NodeId", "Committor"],
    "DeletedFile": ["FileName", "Content", "FileId", "FileType", "CurrentVersion", "FolderId", "Owner"],
    "FileExecutionCommand": ["FileId", "FileType", "Content", "DataSourceName"],
    "TableModel": ["TableName", "Comment", "Env", "LifeCycle", "DataSourceName", "Columns"],
}
INT_KEYS = {"FileId", "FileType", "NodeId", "CurrentVersion", "LifeCycle", "FileVersion"}
odd_columns = st.lists(
    st.fixed_dictionaries(
        {"ColumnName": odd_string, "ColumnType": odd_string, "Comment": odd_string, "IsPartitionColumn": st.booleans()}
    ),
    max_size=3,
)
ODD_DETAILS = [{}, {"CommittedFile": None}, {"CommittedFile": {}}, {"TableModel": {}}, {"DeletedFile": {}}]


def odd_value_for(key: str) -> st.SearchStrategy[Any]:
    if key == "Columns":
        return odd_columns
    return st.one_of(odd_int, st.none()) if key in INT_KEYS else odd_string


# Weighted towards the calls preparation makes (the workspace reads fall back on their own).
ACTIONS = ["GetIDEEventDetail"] * 3 + ["ListFileVersions", "GetFolder", "GetExtension", "GetOptionValueForProject", "*"]
# Events whose preparation asks DataWorks (file and table) twice as often as the Operation Center ones.
CODES = [*GATED_CODES, *(c for c in GATED_CODES if c.endswith(("-file", "-table")))]
faults = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "action": st.sampled_from(ACTIONS),
            "mode": st.sampled_from(["server_error", "throttle", "drop", "forbidden"]),
            "count": st.integers(1, 3),
        }
    ),
    st.fixed_dictionaries(
        {
            "action": st.sampled_from(ACTIONS),
            "mode": st.just("error"),
            "status": st.sampled_from([400, 403, 404, 409, 429, 500, 502, 503]),
            "code": st.one_of(
                st.sampled_from(["Forbidden.Access", "Invalid.Event.MessageNotExist", "Throttling.User", "X\x00Y"]),
                odd_text.filter(bool),
                st.builds(lambda head, tail: f"{head}\x00{tail}", short_odd, short_odd),
            ),
            "message": odd_text,
        }
    ),
)


@dataclass
class Case:
    sim: simulation.Simulation
    fault: dict[str, Any] | None
    labels: list[str] = field(default_factory=list)


def _odd_event(draw: st.DrawFn, sim: simulation.Simulation, code: str, labels: list[str]) -> None:
    data = sim.event["data"]
    project = draw(project_ids)
    if project is _MISSING:
        del data["projectId"]
    else:
        data["projectId"] = project
    labels.append(f"projectId={project if project is not _MISSING else 'missing'}")
    keys = ["fileName", "folder", "path", "name", "extensionBizName", "fileOwner", "comment"]
    for key in draw(st.sets(st.sampled_from(keys), max_size=3)):
        data[key] = draw(odd_text)
    if code == "backfill-data":
        data["parallelGroup"] = draw(parallel_groups)
        data["multipleTimePeriods"] = draw(periods)


def _odd_answers(draw: st.DrawFn, sim: simulation.Simulation, labels: list[str]) -> None:
    if draw(st.integers(0, 9)) == 0:
        sim.seed.pop("event_details", None)  # DataWorks no longer knows the message
        labels.append("no detail")
        return
    details = sim.seed.get("event_details")
    if not details:
        return
    if draw(st.integers(0, 9)) == 0:
        details[0]["detail"] = draw(st.sampled_from(ODD_DETAILS))
        labels.append("odd detail shape")
        return
    ((kind, obj),) = details[0]["detail"].items()
    for key in draw(st.sets(st.sampled_from(ODD_KEYS[kind]), max_size=4)):
        obj[key] = draw(odd_value_for(key))
        labels.append(f"odd {kind}.{key}")
    if kind == "CommittedFile" and draw(st.booleans()):
        key = draw(st.sampled_from(["FolderId", "CurrentVersion", "Owner"]))
        obj["FilePropertyContent"][key] = draw(odd_value_for(key))
        labels.append(f"odd FilePropertyContent.{key}")
    for folder in sim.seed.get("folders", []):
        if draw(st.booleans()):
            folder["path"] = draw(odd_text)
            labels.append(f"folder path of {len(folder['path'])}")
    for entry in sim.seed.get("file_versions", []):
        for version in entry["versions"]:
            for key in draw(
                st.sets(st.sampled_from(["FileContent", "NodeContent", "Status", "FileVersion"]), max_size=2)
            ):
                version[key] = draw(odd_value_for(key))
                labels.append(f"odd version {key}")


@st.composite
def cases(draw: st.DrawFn) -> Case:
    code = draw(st.sampled_from(CODES))
    sim = build(code)
    labels = [code]
    if draw(st.booleans()):
        _odd_event(draw, sim, code, labels)
    _odd_answers(draw, sim, labels)
    return Case(sim=sim, fault=draw(faults), labels=labels)


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    # No shrinking: each example is a few real HTTP calls, and shrinking several distinct failures took minutes.
    # `note` prints what a failing example was made of instead.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(case=cases())
def test_every_accepted_event_ends_pending_or_needing_attention(case, post_event, emulator, dw_settings):
    from django.core.cache import cache

    emulator.store.reset()
    cache.clear()  # workspace options and extension parameters cached by an earlier example
    clear_queue()
    emulator.store.load_seed(case.sim.seed)
    if case.fault is not None:
        emulator.store.add_fault(**case.fault)
        case.labels.append(f"fault {case.fault!r:.300}")

    note(f"case: {', '.join(case.labels)}")
    body = body_of(case.sim.event)
    note(f"body: {body[:2000]!r}")
    response = post_event(body)

    assert response.status_code < 500, response.content[:500]
    event(f"webhook {response.status_code}")
    if response.status_code != 202:
        return
    ticket = settle(case.sim.message_id)  # a task that raises fails the test here
    event(f"ticket {ticket.status}")
    assert_consistent_final(ticket)


# --- Regressions: each poison input of finding 4 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "project"),
    [("commit-file", 0), ("freeze-node", 0), ("commit-file", "0"), ("commit-file", _MISSING)],
    ids=["commit-file-0", "freeze-node-0", "commit-file-string-0", "commit-file-missing"],
)
def test_gated_event_without_a_usable_workspace_is_stored_and_needs_attention(deliver, code, project):
    sim = build(code)
    if project is _MISSING:
        del sim.event["data"]["projectId"]
    else:
        sim.event["data"]["projectId"] = project

    ticket = deliver(sim)

    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    assert ticket.attention_reason.strip()
    assert_consistent_final(ticket)


def test_backfill_whose_parallel_group_is_1e999(deliver):
    sim = build("backfill-data")
    sim.event["data"]["parallelGroup"] = f"{_RAW}1e999"
    body = body_of(sim.event)
    assert b'"parallelGroup": 1e999' in body

    ticket = deliver(sim, body=body)

    assert_consistent_final(ticket)
    assert ticket.attention_reason.strip() or storage_notes(ticket), "the ticket says what it could not store"


@pytest.mark.parametrize("odd", ["2026-11-01\x00", "2026-11-\ud800"], ids=["nul", "lone-surrogate"])
def test_backfill_whose_periods_hold_a_nul_or_a_lone_surrogate(deliver, odd):
    sim = build("backfill-data")
    # DataWorks sends the periods as JSON in a string: the odd character arrives as an escape inside it.
    sim.event["data"]["multipleTimePeriods"] = json.dumps([{"bizBeginTime": odd, "bizEndTime": "2026-11-07"}])

    ticket = deliver(sim)

    assert_consistent_final(ticket)
    assert ticket.attention_reason.strip() or storage_notes(ticket), "the ticket says what it replaced"


def test_dataworks_code_containing_a_nul(deliver):
    sim = build("commit-file")
    committed(sim)["Content"] = "SELECT 1;\x00 -- after the NUL\n"

    ticket = deliver(sim)

    assert_consistent_final(ticket)
    assert ticket.status == Ticket.Status.PENDING
    assert "after the NUL" in ticket.new_content
    assert storage_notes(ticket), "the ticket says what it replaced"


@pytest.mark.parametrize(
    ("status", "code", "message", "final"),
    [
        (403, "Forbidden\x00.Access", "no\x00", Ticket.Status.NEEDS_ATTENTION),
        (403, "Forbidden.Access", "denied \udfff", Ticket.Status.NEEDS_ATTENTION),
        (500, "InternalError\x00", "x\ud800y", Ticket.Status.PENDING),  # retried once, then answered
    ],
    ids=["permanent-nul", "permanent-lone-surrogate", "transient-nul-and-lone-surrogate"],
)
def test_dataworks_error_answer_containing_a_nul_or_a_lone_surrogate(deliver, emulator, status, code, message, final):
    sim = build("commit-file")
    emulator.store.add_fault("GetIDEEventDetail", "error", status=status, code=code, message=message)

    ticket = deliver(sim)

    assert ticket.status == final, ticket.attention_reason
    assert_consistent_final(ticket)


def test_dataworks_file_name_of_604_characters(deliver):
    sim = build("commit-file")
    committed(sim)["FileName"] = "n" * 604

    ticket = deliver(sim)

    assert_consistent_final(ticket)
    assert ticket.title.startswith("n" * 500)
    assert storage_notes(ticket), "the ticket says what was cut"


def test_dataworks_folder_path_of_2039_characters(deliver):
    sim = build("commit-file")
    folder = "/".join(f"level{i:03d}" for i in range(227))[:2039]
    assert len(folder) == 2039
    sim.seed["folders"][0]["path"] = folder

    ticket = deliver(sim)

    assert_consistent_final(ticket)
    assert ticket.path.startswith(folder[:1000])
    assert storage_notes(ticket), "the ticket says what was cut"


def test_an_unexpected_exception_needs_attention_with_an_error_log(deliver, monkeypatch, caplog):
    from dataworks_client.client import DataWorksClient

    def explode(self: Any, message_id: str, project_id: int) -> Any:
        raise RuntimeError("nobody foresaw this")

    monkeypatch.setattr(DataWorksClient, "get_event_detail", explode)

    with caplog.at_level(logging.ERROR):
        ticket = deliver(build("commit-file"))

    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    assert_consistent_final(ticket)
    assert any(r.levelno >= logging.ERROR and r.name.startswith("approvals") for r in caplog.records)


@pytest.mark.parametrize(
    ("key", "value"),
    [("FileId", ["x"]), ("FileName", 42), ("FileType", "ten")],
    ids=["list-id", "int-name", "str-type"],
)
def test_a_wrongly_typed_dataworks_answer_still_ends(deliver, key, value):
    """Beyond the documented schema: whatever DataWorks answers, the ticket ends (issue 12, "any answer")."""
    sim = build("commit-file")
    committed(sim)[key] = value

    ticket = deliver(sim)

    assert_consistent_final(ticket)


def test_transient_answers_wait_for_their_retry_then_end_pending(post_event, emulator, dw_settings):
    sim = build("commit-file")
    emulator.store.load_seed(sim.seed)
    emulator.store.add_fault("GetIDEEventDetail", "throttle", retry_after_ms=5000)
    emulator.store.add_fault("GetIDEEventDetail", "server_error")
    emulator.store.add_fault("ListFileVersions", "drop")
    assert post_event(sim.event).status_code == 202

    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)
    assert_waits_for_a_retry(ticket)
    assert ticket.prepare_next_attempt_at > timezone.now()  # the retry waits for its time (Retry-After: 5 s)

    for _ in range(3):
        run_due_retries(ticket)
        ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert_consistent_final(ticket)
    assert [r["action"] for r in emulator.store.requests_json()].count("GetIDEEventDetail") == 4


def test_a_transient_error_past_the_retry_horizon_needs_attention(post_event, emulator, dw_settings, settings):
    settings.REVIEW_GATE_PREPARE_HORIZON_SECONDS = 0
    sim = build("commit-file")
    emulator.store.load_seed(sim.seed)
    emulator.store.add_fault("GetIDEEventDetail", "server_error", count=5)
    assert post_event(sim.event).status_code == 202

    run_queued_tasks()

    ticket = Ticket.objects.get(message_id=sim.message_id)
    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    assert_consistent_final(ticket)


# --- Staff can still answer; reconciliation survives the poison ---------------------------------------------------


@pytest.mark.parametrize("result", ["OK", "FAIL"])
def test_staff_override_decides_a_ticket_that_needs_attention(deliver, emulator, result):
    from approvals.tickets import services

    sim = build("commit-file")
    sim.event["data"]["projectId"] = 0
    ticket = deliver(sim)
    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    staff = UserFactory(username="oncall", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="override_decision"))

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_override(ticket_id=ticket.pk, user=staff, result=result, reason="answered by hand, INC-7")
    run_queued_tasks()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result) == ("APPROVED" if result == "OK" else "REJECTED", result)
    assert Callback.objects.get(ticket=ticket).state == Callback.State.DELIVERED
    [callback] = emulator.store.callbacks_json()  # UpdateIDEEventResult needs only the MessageId
    assert (callback["message_id"], callback["check_result"]) == (sim.message_id, result)


def _list_check_process_projects(emulator: Any) -> Iterator[str]:
    for request in emulator.store.requests_json():
        if request["action"] == "ListCheckProcesses":
            params = dict(parse_qsl(request["query_string"])) | dict(parse_qsl(request["body"]))
            yield params.get("ProjectId", "")


def test_reconciliation_survives_a_poison_workspace(post_event, emulator, dw_settings, settings):
    from approvals.delivery.reconcile import reconcile

    settings.REVIEW_GATE_WORKSPACES = [20002]
    good, poison = build("commit-file", project_id=10001), build("freeze-node")
    poison.event["data"]["projectId"] = 0
    for sim in (good, poison):
        assert post_event(sim.event).status_code == 202
    clear_queue()  # not prepared here: reconciliation reads the stored events' workspaces
    # The poison event's ticket, as preparation leaves it: open, so the second pass may ask DataWorks about it.
    TicketFactory(
        event=InboundEvent.objects.get(message_id=poison.message_id),
        project_id=0,
        status=Ticket.Status.NEEDS_ATTENTION,
        attention_reason="no usable workspace",
        created_at=timezone.now() - timedelta(minutes=10),
    )

    report = reconcile(now=timezone.now() + timedelta(minutes=5))  # raises nothing

    projects = list(_list_check_process_projects(emulator))
    for workspace in ("10001", "20002"):
        assert projects.count(workspace) >= len(GATED_CODES), (workspace, projects)
    # Workspace 0 is either never asked (no workspace DataWorks could have sent) or reported as skipped.
    assert "0" not in projects or 0 in report.skipped_workspaces


def test_reconciliation_skips_and_reports_a_workspace_it_cannot_query(post_event, emulator, dw_settings, settings):
    from approvals.delivery.reconcile import reconcile

    settings.REVIEW_GATE_WORKSPACES = [10001, 20002]
    emulator.store.add_fault("ListCheckProcesses", "error", status=403, code="Forbidden\x00.Workspace", count=1)

    report = reconcile()

    projects = list(_list_check_process_projects(emulator))
    assert projects.count("20002") == len(GATED_CODES), projects  # the next workspace is still queried in full
    assert report.errors >= 1
    assert report.skipped_workspaces == [10001]
