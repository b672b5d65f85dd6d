"""Template context for every page: banners for staff when results could not be delivered to DataWorks, or tickets
need attention or are stuck in preparation (a developer waits in DataWorks "Checking" for each)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from approvals.models import Callback, Ticket


def delivery_alerts(request: HttpRequest) -> dict[str, Any]:
    """Count failed deliveries, tickets needing attention and stuck preparations, for staff only (indexed COUNTs)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    # Stuck: preparing for longer than a lease plus a lost task's grace, so recovery should have finished it.
    stuck_since = timezone.now() - timedelta(
        seconds=settings.REVIEW_GATE_PREPARE_LEASE_SECONDS + 2 * settings.REVIEW_GATE_LOST_TASK_AFTER_SECONDS
    )
    return {
        "failed_deliveries": Callback.objects.filter(state=Callback.State.FAILED).count(),
        "tickets_needing_attention": Ticket.objects.filter(status=Ticket.Status.NEEDS_ATTENTION).count(),
        "tickets_stuck_preparing": Ticket.objects.filter(
            status=Ticket.Status.PREPARING, created_at__lt=stuck_since, prepare_next_attempt_at__isnull=True
        ).count(),
    }
