"""Review policy (REVIEW_GATE_*): unmatched tickets, overrides, input limits, retry horizons, reconciliation."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str

# What happens to a ticket no rule matches: "review" (default, fail closed: any user with the approvals.review_any
# permission must decide), or an automatic "OK", "WARN" or "FAIL".
REVIEW_GATE_UNMATCHED = env_str("REVIEW_GATE_UNMATCHED", "review")
if REVIEW_GATE_UNMATCHED not in {"review", "OK", "WARN", "FAIL"}:
    raise ImproperlyConfigured(
        f"REVIEW_GATE_UNMATCHED must be review, OK, WARN or FAIL (got {REVIEW_GATE_UNMATCHED!r})."
    )
REVIEW_GATE_ALLOW_OVERRIDE = env_bool("REVIEW_GATE_ALLOW_OVERRIDE", True)
REVIEW_GATE_COMMENT_MAX_LENGTH = env_int("REVIEW_GATE_COMMENT_MAX_LENGTH", 4000, minimum=100, maximum=100_000)
# DataWorks documents no limit for CheckResultTip (protocol doc §6.1, GAP); keep tips short enough for a dialog.
REVIEW_GATE_TIP_MAX_LENGTH = env_int("REVIEW_GATE_TIP_MAX_LENGTH", 500, minimum=120, maximum=4000)
# Code larger than this is stored truncated-away with a "too large to display" notice instead of a diff.
REVIEW_GATE_MAX_CODE_BYTES = env_int("REVIEW_GATE_MAX_CODE_BYTES", 2 * 1024 * 1024, minimum=1024)
# How long a ticket keeps retrying to fetch its details from DataWorks before it needs attention.
REVIEW_GATE_PREPARE_HORIZON_SECONDS = env_int("REVIEW_GATE_PREPARE_HORIZON_SECONDS", 24 * 3600, minimum=60)
# Result delivery: retry throttled/transient failures with exponential backoff and full jitter for this long
# (24 h matches EventBridge's longest retry policy), then give up loudly.
REVIEW_GATE_DELIVERY_HORIZON_SECONDS = env_int("REVIEW_GATE_DELIVERY_HORIZON_SECONDS", 24 * 3600, minimum=60)
REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS = env_float("REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS", 5.0)
REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS = env_float("REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS", 600.0)
# Workspaces the reconciler always checks, beyond those it has seen events from (comma-separated IDs).
REVIEW_GATE_WORKSPACES = [int(p) for p in env_list("REVIEW_GATE_WORKSPACES") if p.isdigit()]
# How long GetExtension / GetOptionValueForProject answers are cached.
REVIEW_GATE_OPTIONS_TTL_SECONDS = env_int("REVIEW_GATE_OPTIONS_TTL_SECONDS", 120, minimum=0)

# --- Due-time loop and recovery (approvals.jobs.timer) ---
# How often each queue worker's due-time loop looks for retries that are due: a retry starts within about this
# long of its time, whatever the broker (django-q2's own scheduler looks only every ~30 s).
REVIEW_GATE_TIMER_INTERVAL_SECONDS = env_float("REVIEW_GATE_TIMER_INTERVAL_SECONDS", 0.5, minimum=0.05)
# A queued task not started after this long is taken for lost (a broker restart) and queued again.
REVIEW_GATE_LOST_TASK_AFTER_SECONDS = env_int("REVIEW_GATE_LOST_TASK_AFTER_SECONDS", 30, minimum=5, maximum=3600)
# A worker preparing a ticket holds it this long and renews it every third of it; a lease that runs out means the
# worker died, and the ticket is prepared again.
REVIEW_GATE_PREPARE_LEASE_SECONDS = env_int("REVIEW_GATE_PREPARE_LEASE_SECONDS", 30, minimum=3, maximum=3600)

# How often signed-in pages poll /inbox/poll for the title count and the inbox's lists (static/approvals/inbox.js).
REVIEW_GATE_INBOX_POLL_SECONDS = env_float("REVIEW_GATE_INBOX_POLL_SECONDS", 15.0, minimum=5.0)
