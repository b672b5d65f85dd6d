"""What the ticket page shows of a ticket's DataWorks context, per event kind (docs/ticket-context.md).

Reads only what preparation stored in `snapshot["context"]` (approvals.intake.context) and the settings: nothing here
calls DataWorks. Turns it into plain values for the templates `approvals/includes/context_*.html`: the headline
("14 downstream nodes will stop running"), people and the workspace by name, every read that failed as "could not
be read: <reason>", and the links back to DataWorks when their URL templates are set.
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from approvals.models import Ticket
from approvals.tickets import policy
from events.catalogue import Subject, subject_of

# The kinds whose downstream impact is the headline (see _impact_text).
_IMPACT_KINDS = frozenset({"undeploy-node", "freeze-node", "unfreeze-node"})


def _impact_text(event_code: str, n: int) -> str:
    """What happens downstream, per kind; each with its context so Chinese can say 下线后 / 冻结后 / 解冻后."""
    if event_code == "undeploy-node":
        return npgettext(
            "undeploy", "%(n)d downstream node will stop running", "%(n)d downstream nodes will stop running", n
        ) % {"n": n}
    if event_code == "freeze-node":
        return npgettext(
            "freeze", "%(n)d downstream node will stop running", "%(n)d downstream nodes will stop running", n
        ) % {"n": n}
    return npgettext("unfreeze", "%(n)d downstream node will run again", "%(n)d downstream nodes will run again", n) % {
        "n": n
    }


def error_text(error: dict[str, Any] | None) -> str:
    """Say why a read failed: "could not be read: Forbidden.Access (HTTP 403): You are not authorized…"."""
    if not error:
        return ""
    code = str(error.get("code") or "")
    status = error.get("http_status")
    message = str(error.get("message") or "")
    reason = code + (f" (HTTP {status})" if status else "") + (f": {message}" if message else "")
    return _("could not be read: %(reason)s") % {"reason": reason}


def link(template: str, **values: Any) -> str:
    """Fill a URL template (config/settings/links.py); "" when it is unset or needs a value this object lacks."""
    if not template:
        return ""
    needed = {field for _text, field, _spec, _conv in string.Formatter().parse(template) if field}
    if any(values.get(name) in (None, "") for name in needed):
        return ""
    return template.format(**{name: quote(str(values[name]), safe="") for name in needed})


def _node_link(node_id: Any, project_id: Any) -> str:
    return link(
        settings.REVIEW_GATE_OPERATION_CENTER_URL,
        region=settings.DATAWORKS_REGION,
        project_id=project_id,
        node_id=node_id,
        file_id=None,
    )


class _People:
    """Name DataWorks users from the stored members (display names), else keep the UID."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def __call__(self, uid: Any) -> dict[str, Any]:
        text = str(uid or "")
        return {"uid": text, "name": self.names.get(text, "")}


def _stopped_text(stopped_by: str | None) -> str:
    reasons = {
        "depth": _("the walk stops after a few levels"),
        "nodes": _("the walk counts a limited number of nodes"),
        "calls": _("the read budget of this ticket was spent"),
        "throttled": _("DataWorks' read rate limit was reached"),
    }
    return reasons.get(stopped_by or "", "")


def _node(entry: dict[str, Any], people: _People, project_id: int) -> dict[str, Any]:
    info = entry.get("info") or {}
    node_id = entry.get("node_id")
    walk = entry.get("downstream")
    downstream = None
    if walk:
        downstream = {
            **walk,
            "listed": [
                {
                    **child,
                    "owner": people(child.get("owner_id")),
                    "link": _node_link(child.get("node_id"), child.get("project_id") or project_id),
                }
                for child in walk.get("listed") or []
            ],
            "more": max(int(walk.get("total") or 0) - len(walk.get("listed") or []), 0),
            "stopped_text": _stopped_text(walk.get("stopped_by")) if walk.get("truncated") else "",
        }
    return {
        "node_id": node_id,
        "info": info,
        "owner": people(info.get("owner_id")) if info else None,
        "error": error_text(entry.get("error")),
        "not_read": bool(entry.get("not_read")),
        "downstream": downstream,
        "downstream_error": error_text(entry.get("downstream_error")),
        "link": _node_link(node_id, info.get("project_id") or project_id),
    }


def _headline(event_code: str, impact: dict[str, Any]) -> dict[str, Any] | None:
    if event_code not in _IMPACT_KINDS or not impact.get("walked"):
        return None
    total = int(impact.get("total") or 0)
    at_least = bool(impact.get("at_least"))
    if total == 0 and not at_least:
        return {"text": _("No other node depends on the nodes in this request."), "level": "info"}
    text = _impact_text(event_code, total)
    notes = []
    if at_least:
        notes.append(_("At least this many: some downstream nodes could not be counted (see below)."))
    if impact.get("on_baseline"):
        count = int(impact["on_baseline"])
        notes.append(
            ngettext("%(n)d of them is on a baseline.", "%(n)d of them are on a baseline.", count) % {"n": count}
        )
    return {"text": text, "notes": notes, "level": "info" if event_code == "unfreeze-node" else "warn"}


def _backfill(raw: dict[str, Any], people: _People, project_id: int) -> dict[str, Any]:
    periods = raw.get("periods") or {}
    days = int(periods.get("days") or 0)
    instances = int(raw.get("instances") or 0)
    warn_days = settings.REVIEW_GATE_BACKFILL_WARN_DAYS
    warn_instances = settings.REVIEW_GATE_BACKFILL_WARN_INSTANCES
    warnings = []
    if days > warn_days:
        warnings.append(
            ngettext(
                "It covers %(days)d business dates, more than %(limit)d day.",
                "It covers %(days)d business dates, more than %(limit)d days.",
                warn_days,
            )
            % {"days": days, "limit": warn_days}
        )
    if instances > warn_instances:
        warnings.append(
            ngettext(
                "It creates %(n)d instances, more than %(limit)d instance.",
                "It creates %(n)d instances, more than %(limit)d instances.",
                warn_instances,
            )
            % {"n": instances, "limit": warn_instances}
        )
    root = raw.get("root")
    return {
        **raw,
        "root": _node(root, people, project_id) if root else None,
        "include": [_node(e, people, project_id) for e in raw.get("include") or []],
        "exclude": [_node(e, people, project_id) for e in raw.get("exclude") or []],
        "days": days,
        "size_text": ngettext(
            "%(n)d instance: %(nodes)d nodes × %(days)d business dates",  # noqa: RUF001
            "%(n)d instances: %(nodes)d nodes × %(days)d business dates",  # noqa: RUF001
            instances,
        )
        % {"n": instances, "nodes": int(raw.get("node_count") or 0), "days": days},
        "warnings": warnings,
        "invalid": periods.get("invalid"),
        "period_list": periods.get("periods") or [],
    }


def _instances(ctx: dict[str, Any], people: _People, project_id: int) -> list[dict[str, Any]]:
    out = []
    for entry in ctx.get("instances") or []:
        info = entry.get("info") or {}
        out.append(
            {
                "instance_id": entry.get("instance_id"),
                "info": info,
                "owner": people(info.get("owner_id")) if info else None,
                "error": error_text(entry.get("error")),
                "link": _node_link(info.get("node_id"), project_id) if info else "",
            }
        )
    return out


def _table(raw: dict[str, Any], people: _People) -> dict[str, Any]:
    existing = raw.get("existing") or {}
    return {
        **raw,
        "error": error_text(raw.get("error")),
        "owner": people(existing.get("owner_id")) if existing.get("owner_id") else None,
        "changed": bool(
            raw.get("added")
            or raw.get("dropped")
            or raw.get("retyped")
            or (raw.get("partitions") or {}).get("changed")
            or (raw.get("life_cycle") or {}).get("changed")
        ),
    }


def _operator(ticket: Ticket, people: _People) -> dict[str, Any]:
    """The mapped Review Gate user, else the DataWorks member's display name, else the UID."""
    uid = ticket.operator_uid or ""
    mapped = policy.operator_display(ticket) if uid else ""
    if mapped and mapped != uid:
        return {"uid": uid, "name": mapped, "source": "user"}
    name = people(uid)["name"] if uid else ""
    return {"uid": uid, "name": name, "source": "member" if name else "uid"}


def ticket_dataworks_context(ticket: Ticket) -> dict[str, Any]:
    """Return what the page shows of the stored DataWorks context (`present` False for tickets prepared before)."""
    snapshot = ticket.snapshot if isinstance(ticket.snapshot, dict) else {}
    ctx = snapshot.get("context")
    ctx = ctx if isinstance(ctx, dict) else {}
    stored_people = ctx.get("people") or {}
    people = _People({str(k): str(v) for k, v in (stored_people.get("names") or {}).items()})
    workspace = ctx.get("workspace") or {}
    subject = subject_of(ticket.event_code)
    view: dict[str, Any] = {
        "present": bool(ctx),
        "api_version": ctx.get("api_version") or snapshot.get("api_version") or "",
        "workspace": {
            "project_id": ticket.project_id,
            "name": workspace.get("name") or "",
            "display_name": workspace.get("display_name") or "",
            "error": error_text(workspace.get("error")),
        },
        "operator": _operator(ticket, people),
        "people_error": error_text(stored_people.get("error")),
        "error": error_text(ctx.get("error")),
        "comment": ctx.get("comment") or "",
        "headline": None,
        "kind": "other",
    }
    if subject == Subject.FILE:
        view["kind"] = "file"
        view["file_link"] = link(
            settings.REVIEW_GATE_DATASTUDIO_URL,
            region=settings.DATAWORKS_REGION,
            project_id=ticket.project_id,
            file_id=ticket.file_id,
            node_id=(snapshot.get("committed_file") or snapshot.get("deleted_file") or {}).get("node_id"),
        )
    elif subject == Subject.TABLE and ctx.get("table"):
        view["kind"] = "table"
        view["table"] = _table(ctx["table"], people)
    elif ticket.event_code == "backfill-data" and ctx.get("backfill"):
        view["kind"] = "backfill"
        view["backfill"] = _backfill(ctx["backfill"], people, ticket.project_id)
    elif subject == Subject.NODE and "nodes" in ctx:
        view["kind"] = "nodes"
        view["nodes"] = [_node(e, people, ticket.project_id) for e in ctx.get("nodes") or []]
        view["not_read"] = ctx.get("not_read") or []
        view["not_ids"] = ctx.get("not_ids") or []
        view["impact"] = ctx.get("impact") or {}
        view["headline"] = _headline(ticket.event_code, view["impact"])
    elif subject == Subject.INSTANCE and "instances" in ctx:
        view["kind"] = "instances"
        view["instances"] = _instances(ctx, people, ticket.project_id)
        view["not_read"] = ctx.get("not_read") or []
        view["not_ids"] = ctx.get("not_ids") or []
        view["payload"] = ctx.get("payload") or {}
    return view
