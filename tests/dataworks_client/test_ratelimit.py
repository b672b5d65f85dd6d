"""The shared rate limiter against its real stores: the database always, Redis when 127.0.0.1:6379 answers."""

from __future__ import annotations

import uuid

import pytest

from dataworks_client.client import get_client, reset_client
from dataworks_client.errors import DataWorksThrottled
from dataworks_client.models import RateWindow
from dataworks_client.ratelimit import (
    PRUNE_AFTER_SECONDS,
    READ,
    WRITE,
    DatabaseBackend,
    RateLimiter,
    RedisBackend,
    action_kind,
)

REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    """Time that only moves when the limiter sleeps, so window boundaries are exact."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def limiter(backend, clock, *, reads=3, writes=2, max_wait=0.0) -> RateLimiter:
    return RateLimiter(
        backend,
        reads_per_second=reads,
        writes_per_second=writes,
        max_wait_seconds=max_wait,
        namespace=f"test:{uuid.uuid4().hex[:8]}",
        clock=clock,
        sleep=clock.sleep,
    )


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("GetIDEEventDetail", READ),
        ("ListFileVersions", READ),
        ("UpdateIDEEventResult", WRITE),
        ("UpdateWorkbenchEventResult", WRITE),
        ("CallbackExtension", WRITE),
        ("DeleteFile", WRITE),
    ],
)
def test_action_kind(action, kind):
    assert action_kind(action) == kind


@pytest.mark.django_db
class TestDatabaseBackend:
    def test_refuses_beyond_the_limit_within_one_window(self):
        clock = FakeClock(1_000.25)
        rl = limiter(DatabaseBackend(), clock)

        rl.acquire("UpdateIDEEventResult")
        rl.acquire("UpdateIDEEventResult")
        with pytest.raises(DataWorksThrottled) as caught:
            rl.acquire("UpdateIDEEventResult")

        assert caught.value.code == "Local.RateBudget"
        assert caught.value.retry_after == pytest.approx(0.75)
        assert RateWindow.objects.get(bucket=f"{rl.namespace}:write", window_start=1000).count == 2

    def test_reads_and_writes_have_separate_budgets(self):
        rl = limiter(DatabaseBackend(), FakeClock(1_000.0))

        for _ in range(2):
            rl.acquire("UpdateIDEEventResult")
        for _ in range(3):
            rl.acquire("GetIDEEventDetail")

        with pytest.raises(DataWorksThrottled):
            rl.acquire("ListFileVersions")

    def test_waits_for_the_next_window_when_allowed(self):
        clock = FakeClock(1_000.6)
        rl = limiter(DatabaseBackend(), clock, max_wait=1.0)

        for _ in range(3):
            rl.acquire("UpdateIDEEventResult")

        assert clock.slept == [pytest.approx(0.4)]
        assert RateWindow.objects.get(bucket=f"{rl.namespace}:write", window_start=1001).count == 1

    def test_gives_up_when_the_next_window_is_beyond_the_maximum_wait(self):
        clock = FakeClock(1_000.1)
        rl = limiter(DatabaseBackend(), clock, max_wait=0.5)
        rl.acquire("UpdateIDEEventResult")
        rl.acquire("UpdateIDEEventResult")

        with pytest.raises(DataWorksThrottled):
            rl.acquire("UpdateIDEEventResult")

        assert clock.slept == []

    def test_opening_a_window_prunes_old_ones(self):
        clock = FakeClock(1_000.0)
        rl = limiter(DatabaseBackend(), clock)
        rl.acquire("GetFile")
        clock.now += PRUNE_AFTER_SECONDS + 2

        rl.acquire("GetFile")

        windows = RateWindow.objects.filter(bucket=f"{rl.namespace}:read").values_list("window_start", flat=True)
        assert list(windows) == [1_000 + PRUNE_AFTER_SECONDS + 2]

    def test_a_window_created_by_someone_else_is_shared(self):
        rl = limiter(DatabaseBackend(), FakeClock(1_000.0))
        RateWindow.objects.create(bucket=f"{rl.namespace}:write", window_start=1_000, count=1)

        rl.acquire("UpdateIDEEventResult")

        with pytest.raises(DataWorksThrottled):
            rl.acquire("UpdateIDEEventResult")

    def test_zero_disables_limiting(self):
        rl = limiter(DatabaseBackend(), FakeClock(1_000.0), writes=0)

        for _ in range(10):
            rl.acquire("UpdateIDEEventResult")

        assert not RateWindow.objects.filter(bucket__startswith=rl.namespace).exists()


@pytest.fixture
def redis_backend():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__}); Redis limiter not tested")
    return RedisBackend(REDIS_URL, key_prefix=f"test:{uuid.uuid4().hex}")


class TestRedisBackend:
    def test_refuses_beyond_the_limit_and_resets_next_window(self, redis_backend):
        clock = FakeClock(2_000.5)
        rl = limiter(redis_backend, clock, max_wait=1.0)

        rl.acquire("UpdateIDEEventResult")
        rl.acquire("UpdateIDEEventResult")
        rl.acquire("UpdateIDEEventResult")  # waits for window 2001

        assert clock.slept == [pytest.approx(0.5)]

    def test_raises_when_exhausted(self, redis_backend):
        rl = limiter(redis_backend, FakeClock(2_000.0), reads=1)
        rl.acquire("GetFile")

        with pytest.raises(DataWorksThrottled) as caught:
            rl.acquire("GetFile")

        assert caught.value.code == "Local.RateBudget"

    def test_keys_expire(self, redis_backend):
        rl = limiter(redis_backend, FakeClock(2_000.0))
        rl.acquire("GetFile")

        key = f"{redis_backend._prefix}:{rl.namespace}:read:2000"
        assert 0 < redis_backend._redis.ttl(key) <= 5

    def test_unreachable_redis_lets_calls_through(self):
        rl = limiter(RedisBackend("redis://127.0.0.1:1/0"), FakeClock(2_000.0), writes=1)

        rl.acquire("UpdateIDEEventResult")
        rl.acquire("UpdateIDEEventResult")


def test_client_refuses_before_sending_when_the_budget_is_spent(dw_settings, db, emulator):
    dw_settings.DATAWORKS_WRITES_PER_SECOND = 1
    dw_settings.DATAWORKS_RATE_MAX_WAIT_SECONDS = 0.0
    reset_client()
    client = get_client()

    outcomes = []
    for _ in range(3):
        try:
            client.send_ide_result("msg-1", "OK", "")
            outcomes.append("sent")
        except DataWorksThrottled as exc:
            outcomes.append(exc.code)

    # At most two windows can be touched by three quick calls, so at least one is refused locally.
    assert "Local.RateBudget" in outcomes
    assert len(emulator.store.callbacks_json()) == outcomes.count("sent")
