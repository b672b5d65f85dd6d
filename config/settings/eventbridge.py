"""EventBridge intake: the shared token the webhook checks and the largest body it accepts."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str
from config.settings._mode import DEMO_MODE, PRODUCTION

EVENTBRIDGE_TOKEN = env_str("EVENTBRIDGE_TOKEN")
if not EVENTBRIDGE_TOKEN and not DEMO_MODE:
    raise ImproperlyConfigured(
        "EVENTBRIDGE_TOKEN is not set; the webhook would accept events from anyone. Set the same value as the "
        "Token of the EventBridge HTTP target."
    )
if EVENTBRIDGE_TOKEN and PRODUCTION and len(EVENTBRIDGE_TOKEN) < 16:
    raise ImproperlyConfigured("EVENTBRIDGE_TOKEN must be at least 16 characters long.")
# Largest webhook body we accept; EventBridge caps an event at 256 KiB.
EVENTBRIDGE_MAX_BODY_BYTES = env_int("EVENTBRIDGE_MAX_BODY_BYTES", 256 * 1024, minimum=1024, maximum=1024 * 1024)
