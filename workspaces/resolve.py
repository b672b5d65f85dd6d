"""Resolve a workspace's effective choice: the admin's workspace settings, else the extension's workspace option
from DataWorks (kept in the ticket's snapshot), else the global setting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from workspaces.models import WorkspaceSettings

_LANGUAGES = {code for code, _name in settings.LANGUAGES}
# The extension option's values, as the options form in DataWorks offers them (docs/extension-options.schema.json).
_OPTION_LANGUAGES = {"zh-hans": "zh-hans", "zh": "zh-hans", "zh-cn": "zh-hans", "en": "en"}


def tip_language(project_id: int, options: Mapping[str, Any] | None = None) -> str:
    """Return the language of the tips sent to DataWorks for this workspace."""
    chosen = WorkspaceSettings.objects.filter(project_id=project_id).values_list("tip_language", flat=True).first()
    if chosen in _LANGUAGES:
        return str(chosen)
    option = str((options or {}).get("tipLanguage") or "").strip().lower()
    if option in _OPTION_LANGUAGES:
        return _OPTION_LANGUAGES[option]
    return str(settings.REVIEW_GATE_TIP_LANGUAGE)
