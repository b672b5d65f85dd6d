"""A short-lived cache of workspace metadata (GetProject, ListProjectMembers) in Django's cache.

Only successful answers are stored; a cache that is down is skipped (the call goes to DataWorks), never an error.
"""

from __future__ import annotations

import logging
from typing import Any

from dataworks_client.conf import ClientSettings

logger = logging.getLogger(__name__)

KEY_PREFIX = "review_gate:dataworks_meta"


class MetadataCache:
    """Get and set typed metadata under keys scoped by region, API version, kind and id."""

    def __init__(self, config: ClientSettings, *, alias: str = "default") -> None:
        self.timeout = config.metadata_cache_seconds
        self.region = config.region
        self.alias = alias

    def key(self, kind: str, version: str, object_id: int) -> str:
        return f"{KEY_PREFIX}:{self.region}:{version}:{kind}:{object_id}"

    def _backend(self) -> Any:
        from django.core.cache import caches

        return caches[self.alias]

    def get(self, key: str) -> Any:
        """Return the cached value, or None when absent, disabled or the cache is unreachable."""
        if self.timeout <= 0:
            return None
        try:
            return self._backend().get(key)
        except Exception as exc:  # a cache outage must not fail a read that DataWorks can answer
            logger.warning("DataWorks metadata cache read failed key=%s error=%s", key, type(exc).__name__)
            return None

    def set(self, key: str, value: Any) -> None:
        """Store `value` for the configured time; errors are logged and ignored."""
        if self.timeout <= 0:
            return
        try:
            self._backend().set(key, value, timeout=self.timeout)
        except Exception as exc:
            logger.warning("DataWorks metadata cache write failed key=%s error=%s", key, type(exc).__name__)

    def delete(self, key: str) -> None:
        try:
            self._backend().delete(key)
        except Exception as exc:
            logger.warning("DataWorks metadata cache delete failed key=%s error=%s", key, type(exc).__name__)
