"""Deprecated task name, kept for one release: tasks queued before the upgrade name `events.tasks.process_event`.

The task now lives in `approvals.tasks.process_event`. Remove this module in the release after the one that moved
it (the queue holds no task older than `Q_CLUSTER["retry"]` seconds by then). The import contract in pyproject.toml
ignores this one upward import explicitly.
"""

from __future__ import annotations

from approvals.tasks import process_event

__all__ = ["process_event"]
