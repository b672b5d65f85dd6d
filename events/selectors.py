"""Read queries of stored events."""

from __future__ import annotations

from events.models import InboundEvent


def event_by_id(event_id: int) -> InboundEvent | None:
    """Return a stored event, or None when there is none."""
    return InboundEvent.objects.filter(pk=event_id).first()
