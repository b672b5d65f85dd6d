"""Webhook outcomes as metrics, with the event code bounded by the catalogue (a hostile code is `other`)."""

from __future__ import annotations

from config import metrics
from events.catalogue import BY_CODE


def event_code_label(event_code: str | None) -> str:
    """Return the catalogue's code, `unknown` when there is none (never parsed), `other` for a code it lacks."""
    return metrics.bounded(event_code, BY_CODE)


def record_webhook(outcome: str, event_code: str | None = None) -> None:
    """Count one webhook delivery: accepted, duplicate, invalid, unauthorized, too_large or unavailable."""
    metrics.event_received(event_code_label(event_code), outcome)
