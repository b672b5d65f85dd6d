"""Template context for every page: the count of tickets waiting for the signed-in user (the page title and the
self-refreshing inbox), and banners for staff when results could not be delivered to DataWorks, or tickets need
attention or are stuck in preparation (a developer waits in DataWorks "Checking" for each)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from approvals.models import Callback, Ticket
from approvals.tickets.selectors import waiting_count as count_waiting

# How often a signed-in page asks whether anything changed (static/approvals/inbox.js); the setting wins.
DEFAULT_POLL_SECONDS = 15.0


def waiting_count(request: HttpRequest) -> dict[str, Any]:
    """The number of tickets waiting for the signed-in user, counted only when a template prints it.

    Lazy, so a page that does not show it (the admin, a JSON response) never runs the COUNT; the inbox passes the
    number it already knows instead. Nothing for anonymous visitors.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    seconds = getattr(settings, "REVIEW_GATE_INBOX_POLL_SECONDS", DEFAULT_POLL_SECONDS)
    return {
        "waiting_count": SimpleLazyObject(lambda: count_waiting(user)),
        "live_poll_seconds": str(float(seconds)),  # a plain number in the page, whatever the language's format
    }


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
