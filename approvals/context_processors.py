"""Template context for every page: a banner for staff when results could not be delivered to DataWorks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from approvals.models import Callback


def delivery_alerts(request: HttpRequest) -> dict[str, Any]:
    """Count permanently failed deliveries, for staff only (one cheap indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"failed_deliveries": Callback.objects.filter(state=Callback.State.FAILED).count()}
