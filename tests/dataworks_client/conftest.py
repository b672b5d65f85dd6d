"""Make the DataWorks fixtures (emulator, dw_settings, dw) available to this package's tests."""

from __future__ import annotations

from tests.dataworks_client.fixtures import *  # noqa: F403
