"""Pacing per target: never more than a robot's limit in any window, shared through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.pacing import acquire, block, limits_for, target_key

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def max_in_window(stamps: list[float], seconds: float) -> int:
    return max(sum(1 for t in stamps if s <= t < s + seconds) for s in stamps)


def test_a_burst_gets_exactly_the_limit_then_waits_for_the_oldest_send_to_leave_the_window():
    key = target_key("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a")
    granted = [acquire(key, [(20, 60.0)], T0 + timedelta(milliseconds=i)) for i in range(30)]

    assert sum(slot.granted for slot in granted) == 20
    waiting = granted[20]
    assert not waiting.granted
    assert 60 < waiting.wait_seconds <= 62.5  # the window plus a margin for clock differences


def test_simulated_hour_of_greedy_sending_never_exceeds_any_window():
    key = target_key("feishu", "https://open.feishu.cn/hook/x")
    windows = [(100, 60.0), (5, 1.0)]
    now, sent = T0, []
    while now < T0 + timedelta(minutes=10):
        slot = acquire(key, windows, now)
        if slot.granted:
            sent.append(now.timestamp())
            now += timedelta(milliseconds=10)
        else:
            now += timedelta(seconds=slot.wait_seconds)

    assert max_in_window(sent, 60.0) <= 100
    assert max_in_window(sent, 1.0) <= 5
    assert len(sent) >= 900  # and it still sends close to the limit


def test_a_throttle_answer_blocks_the_target_until_the_mute_ends():
    key = target_key("dingtalk", "https://x/robot")
    block(key, 600, T0)

    assert acquire(key, [(20, 60.0)], T0 + timedelta(seconds=599)).granted is False
    assert acquire(key, [(20, 60.0)], T0 + timedelta(seconds=601)).granted is True


def test_targets_are_paced_separately_and_keys_hide_the_url():
    a, b = target_key("dingtalk", "https://x/?access_token=SECRET1"), target_key("dingtalk", "https://x/?t=2")
    assert "SECRET1" not in a and a != b
    for i in range(20):
        assert acquire(a, [(20, 60.0)], T0 + timedelta(milliseconds=i)).granted
    assert acquire(b, [(20, 60.0)], T0).granted


def test_limits_come_from_the_setting_before_the_documented_ones(settings):
    assert limits_for("dingtalk") == [(20, 60.0)]
    assert limits_for("webhook") == []
    settings.REVIEW_GATE_NOTIFY_LIMITS = {"dingtalk": [(3, 1.0)]}
    assert limits_for("dingtalk") == [(3, 1.0)]


def test_a_send_restamped_later_holds_the_window_from_its_real_departure():
    from notifications.pacing import restamp

    key = target_key("dingtalk", "https://x/robot/restamp")
    slot = acquire(key, [(1, 10.0)], T0)
    assert slot.granted
    restamp(key, [(1, 10.0)], slot, T0 + timedelta(seconds=3))  # built slowly: it left 3 s later

    assert not acquire(key, [(1, 10.0)], T0 + timedelta(seconds=11)).granted  # still in the window from 3 s
    assert acquire(key, [(1, 10.0)], T0 + timedelta(seconds=14)).granted
