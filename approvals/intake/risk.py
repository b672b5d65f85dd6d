"""Run the risk analyser (riskcheck) on a prepared change, in the worker, once: pages read the stored result.

What is stored: `snapshot["risk"]` (the analysis as `Analysis.to_json()`, plus a `context` of what the analyser was
told) and the risk's name on `Ticket.risk`, which rules match on. Nothing here fails a preparation: a change the
analyser does not read, an analysis that raises or runs out of time, is NOT_ASSESSED with the reason; a workspace
whose own project names cannot be read from DataWorks is analysed without them (MC11 stays silent, and the context
says why).
"""

# ruff: noqa: RUF001

from __future__ import annotations

import logging
from typing import Any

from dataworks_client.client import DataWorksClient
from dataworks_client.errors import DataWorksError
from dataworks_client.sdk import V2020
from events.catalogue import Subject, subject_of
from riskcheck import NOT_ASSESSED, Analysis, analyse, language_for, risk_name
from workspaces.resolve import risk_config

logger = logging.getLogger(__name__)

# Why a change was not analysed, in both languages the analyser writes (its own reasons cover the rest).
_REASONS: dict[str, dict[str, str]] = {
    "not_code": {
        "en": "This event carries no code to analyse (an Operation Center or table event).",
        "zh-hans": "此事件不包含可分析的代码（运维中心或表事件）。",
    },
    "deleted": {
        "en": "A deletion has no new code to analyse; review what is removed.",
        "zh-hans": "删除操作没有新代码可分析，请审阅被删除的内容。",
    },
    "too_large": {
        "en": "The code was too large to store, so it was not analysed.",
        "zh-hans": "代码过大未能保存，因此未做分析。",
    },
    "failed": {
        "en": "The analysis failed unexpectedly; see the server log.",
        "zh-hans": "分析意外失败，请查看服务器日志。",
    },
}


def _not_assessed(reason: str) -> Analysis:
    return Analysis(risk=NOT_ASSESSED, findings=[], reason=dict(_REASONS[reason]))


def own_projects(client: DataWorksClient, project_id: int, *, api_version: str = V2020) -> tuple[list[str], str]:
    """Return the workspace's own MaxCompute projects (GetProject, cached by the client; both `name` and `name_dev`
    in standard mode) and "" — or no projects and the error code when DataWorks could not tell."""
    try:
        project = client.get_project(project_id, api_version=api_version)
    except DataWorksError as exc:
        logger.warning("Workspace %s: GetProject failed (%s); MC11 stays silent", project_id, exc.code)
        return [], exc.code or type(exc).__name__
    except Exception as exc:  # a bug or an odd answer must not fail preparation over one rule
        logger.warning("Workspace %s: GetProject failed unexpectedly (%s)", project_id, type(exc).__name__)
        return [], type(exc).__name__
    return [name for name in (project.name, project.dev_name) if name], ""


def assess_change(
    client: DataWorksClient,
    *,
    project_id: int,
    event_code: str,
    file_type: int | None,
    new_content: str,
    old_content: str,
    snapshot: dict[str, Any],
    api_version: str = V2020,
) -> tuple[str, dict[str, Any]]:
    """Analyse one prepared change; return the risk's name and what to store as `snapshot["risk"]`."""
    context: dict[str, Any] = {}
    readable_type = isinstance(file_type, int) and not isinstance(file_type, bool)
    language = language_for(file_type) if readable_type else None
    if subject_of(event_code) != Subject.FILE:
        analysis = _not_assessed("not_code")
    elif event_code == "delete-file":
        analysis = _not_assessed("deleted")
    elif language is None:
        analysis = analyse(new_content, language=None)  # the analyser's own "cannot read this type" reason
    elif snapshot.get("too_large") and not new_content:
        analysis = _not_assessed("too_large")
    else:
        projects, error = own_projects(client, project_id, api_version=api_version)
        context["projects"] = projects
        if error:
            context["projects_error"] = error  # MC11 was silent: the workspace's own projects were not known
        options = snapshot.get("options")
        try:
            config = risk_config(project_id, options if isinstance(options, dict) else None, projects=projects)
            analysis = analyse(new_content, language=language, old_code=old_content or None, config=config)
        except Exception as exc:  # analyse never raises by contract; a bug here must still not fail preparation
            logger.exception("Workspace %s: risk analysis failed (%s)", project_id, type(exc).__name__)
            analysis = _not_assessed("failed")
    stored = analysis.to_json()
    stored["context"] = context
    return risk_name(analysis.risk), stored
