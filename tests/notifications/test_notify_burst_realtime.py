"""DingTalk's real limit, in real time, through a real `qcluster`: a burst of 30 tickets never gets the robot muted.

The fake robot enforces DingTalk's own rule with its own clock: 20 messages in any 60 s, past that errcode 130101
and a 10-minute mute. The first 20 messages go out at once; the other 10 wait for the window to free (about 61 s,
the pacing keeps a 2 % margin for clock differences) and then go out folded into a digest that names each ticket.
About 70 s of wall time: behind the `slow` marker. The fast variant with shortened windows is in test_outbox.py.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notifications.models import Channel, Notification
from tests.factories import RuleFactory, UserFactory
from tests.fakes.chat_servers import FakeDingTalkRobot
from tests.notifications.conftest import TICKET_URL, ready_ticket, tickets_named
from tests.processes import ROOT, app_env, start_cluster, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]
BURST = 30
LIMIT, WINDOW = 20, 60.0  # DingTalk: 20 messages a minute per robot
EVERY_TICKET_WITHIN = 70.0  # seconds after the burst: the window frees after ~61 s, then one digest
FIRST_BATCH_WITHIN = 20.0  # the first 20 go out at once


def test_a_burst_of_30_tickets_stays_within_20_a_minute_and_names_every_ticket(
    emulator: Any, chat_fakes: Callable[..., Any], tmp_path: Path
) -> None:
    robot = chat_fakes(FakeDingTalkRobot, mute_seconds=600.0)
    env = {"RG_BURST_DINGTALK_URL": robot.url, "RG_BURST_DINGTALK_SECRET": robot.secret}
    Channel.objects.create(
        name="burst-dingtalk", kind="dingtalk", url_env="RG_BURST_DINGTALK_URL", secret_env="RG_BURST_DINGTALK_SECRET"
    )
    RuleFactory(name="burst", reviewer_users=[UserFactory(username="alice")], notify=["burst-dingtalk"])
    log = tmp_path / "qcluster.log"

    cluster = start_cluster(app_env(emulator, REVIEW_GATE_QUEUE_WORKERS="2", **env), log)
    try:
        wait_for(lambda: "running" in (log.read_text(errors="replace") if log.exists() else ""), 60, "the cluster")
        burst_at = time.time()
        ids = {ready_ticket(title=f"burst_{i:02d}").pk for i in range(BURST)}
        made_in = time.time() - burst_at
        wait_for(lambda: ids <= tickets_named(robot), EVERY_TICKET_WITHIN + 20, "every ticket to be named", every=0.5)
    finally:
        stop(cluster)

    first_named: dict[int, float] = {}
    for message in robot.messages:
        for found in TICKET_URL.findall(message.raw.decode()):
            first_named.setdefault(int(found), message.at - burst_at)
    timeline = sorted(first_named[pk] for pk in ids)
    _record(
        {
            "tickets": BURST,
            "made_ready_in_s": made_in,
            "named_after_s": timeline,
            "messages_at_s": [m.at - burst_at for m in robot.messages],
            "max_in_any_60s": robot.max_in_any_window(WINDOW),
        }
    )

    assert robot.rejected == [], robot.rejected  # every signature verified
    assert robot.requests == len(robot.messages), "the robot answered 130101 at least once"
    assert robot.muted_until == 0.0  # never muted
    assert robot.max_in_any_window(WINDOW) <= LIMIT
    assert set(first_named) == ids  # every ticket named, none dropped
    assert sorted(timeline)[LIMIT - 1] <= FIRST_BATCH_WITHIN, timeline  # 20 at once...
    assert timeline[-1] <= EVERY_TICKET_WITHIN, timeline  # ...the rest as soon as the window frees
    digests = [m for m in robot.messages if len(set(TICKET_URL.findall(m.raw.decode()))) > 1]
    assert digests, "the waiting tickets went out one by one instead of in a digest"
    states = dict.fromkeys(Notification.objects.values_list("state", flat=True))
    assert set(states) <= {Notification.State.SENT, Notification.State.FOLDED}


def _record(figures: dict[str, object]) -> None:
    out = Path(os.environ.get("REVIEW_GATE_NOTIFY_TEST_OUT") or ROOT / "test-results" / "notify-burst.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*runs, figures], indent=2))
