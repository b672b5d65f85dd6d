"""The one backoff formula for every retry (event preparation, result delivery, and later notifications)."""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Return the delay before retry number `attempt` (1 = the first retry): exponential backoff with full jitter,
    capped, and never sooner than the server asked (`Retry-After`)."""
    ceiling = min(cap, base * 2 ** min(max(attempt - 1, 0), 20))
    return max(random.uniform(0, ceiling), retry_after or 0.0)  # noqa: S311 - jitter, not cryptography
