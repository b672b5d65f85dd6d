"""A local DataWorks OpenAPI 2020-05-18 emulator that the real SDK can call (docs/emulator.md)."""

from __future__ import annotations

from dataworks_client.emulator.runner import RunningEmulator, start_emulator
from dataworks_client.emulator.store import EmulatorStore

__all__ = ["EmulatorStore", "RunningEmulator", "start_emulator"]
