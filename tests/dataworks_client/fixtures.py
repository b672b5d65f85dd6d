"""Fixtures for the DataWorks client: one emulator per test session, a clean store and a fresh client per test.

Other test packages can use them too: `from tests.dataworks_client.fixtures import *` in their conftest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from dataworks_client.client import DataWorksClient, get_client, reset_client
from dataworks_client.emulator import RunningEmulator, start_emulator

# The credentials package reads these when it is first imported, so they must be set before any SDK import;
# proxies would send loopback calls elsewhere.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
os.environ["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"] = "true"
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)

ACCESS_KEY_ID = "LTAItest0000emulator"
ACCESS_KEY_SECRET = "emulator-test-secret-0123456789"
EXTENSION_CODE = "ext-review-gate-test"


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[RunningEmulator]:
    running = start_emulator(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET)
    yield running
    running.stop()


@pytest.fixture
def emulator(emulator_server: RunningEmulator) -> Iterator[RunningEmulator]:
    """Return the session's emulator with an empty store and the test key pair."""
    emulator_server.store.reset()
    emulator_server.set_credentials({ACCESS_KEY_ID: ACCESS_KEY_SECRET})
    yield emulator_server
    emulator_server.store.reset()


@pytest.fixture
def dw_settings(settings: Any, emulator: RunningEmulator) -> Iterator[Any]:
    """Point the DATAWORKS_* settings at the emulator; the cached client is rebuilt around each test."""
    settings.DATAWORKS_REGION = "cn-hangzhou"
    settings.DATAWORKS_ENDPOINT = emulator.endpoint
    settings.DATAWORKS_PROTOCOL = "http"
    settings.DATAWORKS_EXTENSION_CODE = EXTENSION_CODE
    settings.DATAWORKS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.DATAWORKS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.DATAWORKS_CONNECT_TIMEOUT_MS = 1000
    settings.DATAWORKS_READ_TIMEOUT_MS = 3000
    # Contract tests are about the protocol; the limiter has its own tests with real budgets.
    settings.DATAWORKS_READS_PER_SECOND = 100_000
    settings.DATAWORKS_WRITES_PER_SECOND = 100_000
    settings.DATAWORKS_RATE_MAX_WAIT_SECONDS = 0.0
    settings.REDIS_URL = ""
    reset_client()
    yield settings
    reset_client()


@pytest.fixture
def dw(dw_settings: Any, db: Any) -> DataWorksClient:
    """Return the real client (real SDK) configured for the emulator; the database limiter is live."""
    return get_client()
