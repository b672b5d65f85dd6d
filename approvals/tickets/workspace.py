"""The extension's parameters (GetExtension) and each workspace's options (GetOptionValueForProject), cached briefly.

A failure to read them never blocks review: parameters fall back to the last known copy (or none, so nothing is
exempt and every change is reviewed), options to none (the defaults apply). Both are logged. The cache is only a
cache: when it is unreachable (Redis restarting) every read is a miss and every write is skipped.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError

logger = logging.getLogger(__name__)
PARAMS_KEY = "review-gate:extension-parameters"
PARAMS_LAST_KEY = "review-gate:extension-parameters:last-known"
OPTIONS_KEY = "review-gate:project-options:{project_id}"
FAILURE_TTL_SECONDS = 30


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception as exc:  # an unreachable cache server is a miss, never a failed preparation
        logger.warning("Cache unavailable (%s); reading from DataWorks", type(exc).__name__)
        return None


def _cache_set(key: str, value: Any, timeout: float | None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        logger.warning("Cache unavailable (%s); not cached", type(exc).__name__)


def extension_parameters(*, refresh: bool = False) -> dict[str, str]:
    """Return the extension's parameters (key=value lines from its registration)."""
    if not refresh:
        cached = _cache_get(PARAMS_KEY)
        if cached is not None:
            return dict(cached)
    try:
        params = dict(get_client().get_extension().parameters)
    except DataWorksError as exc:
        logger.warning("Could not read extension parameters (%s); using the last known copy", exc.code)
        fallback = dict(_cache_get(PARAMS_LAST_KEY) or {})
        _cache_set(PARAMS_KEY, fallback, FAILURE_TTL_SECONDS)  # do not ask again for every event while it fails
        return fallback
    _cache_set(PARAMS_KEY, params, settings.REVIEW_GATE_OPTIONS_TTL_SECONDS)
    _cache_set(PARAMS_LAST_KEY, params, None)
    return params


def _ids(value: str | None) -> set[int]:
    return {int(part) for part in (value or "").replace(";", ",").split(",") if part.strip().isdigit()}


def workspace_exempt(project_id: int, event_code: str, params: dict[str, str] | None = None) -> bool:
    """Tell whether the extension parameters disable review for this workspace (or this event in it)."""
    params = extension_parameters() if params is None else params
    disabled = _ids(params.get("extension.project.disabled")) | _ids(params.get("extension.project.disabled.append"))
    per_event = _ids(params.get(f"extension.project.{event_code}.disabled")) | _ids(
        params.get(f"extension.project.{event_code}.disabled.append")
    )
    return project_id in disabled or project_id in per_event


def project_options(project_id: int, *, refresh: bool = False) -> dict[str, Any]:
    """Return the options a workspace admin saved for the extension ({} when none, or when they cannot be read)."""
    key = OPTIONS_KEY.format(project_id=project_id)
    if not refresh:
        cached = _cache_get(key)
        if cached is not None:
            return dict(cached)
    try:
        options = dict(get_client().get_project_options(project_id))
    except DataWorksError as exc:
        logger.warning("Could not read options of workspace %s (%s); using defaults", project_id, exc.code)
        _cache_set(key, {}, FAILURE_TTL_SECONDS)
        return {}
    _cache_set(key, options, settings.REVIEW_GATE_OPTIONS_TTL_SECONDS)
    return options
