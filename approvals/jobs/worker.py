"""Queue worker start-up: build the DataWorks client before the first task instead of during it."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def warm_up(sender: Any = None, **kwargs: Any) -> None:
    """Import the SDK and build the client when django-q2 starts a worker process (its `post_spawn` signal).

    django-q2 replaces a worker after `recycle` tasks; the SDK import (about 0.5 s) then landed on the new worker's
    first task and set the pipeline's worst latencies (bench/RESULTS.md, queue worker recycling).
    """
    from dataworks_client.client import get_client
    from dataworks_client.sdk import sdk_models

    try:
        get_client()
        sdk_models()
    except ImproperlyConfigured as exc:  # reported where a task needs the client; start-up goes on
        logger.info("DataWorks client not built at worker start: %s", exc)
