"""Create the periodic django-q2 schedules idempotently (after every migrate), keyed by name."""

from __future__ import annotations

from typing import Any

SCHEDULES = {
    "review-gate-sweeper": {"func": "approvals.jobs.sweeper.sweep", "minutes": 1},
    "review-gate-reconcile": {"func": "approvals.delivery.reconcile.reconcile", "minutes": 5},
}


def ensure_schedules(**kwargs: Any) -> None:
    """Create or update the sweeper and reconciliation schedules; safe to run any number of times."""
    from django_q.models import Schedule

    for name, spec in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": spec["func"],
                "schedule_type": Schedule.MINUTES,
                "minutes": spec["minutes"],
                "repeats": -1,
            },
        )
