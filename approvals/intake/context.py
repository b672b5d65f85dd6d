"""Fetch what a reviewer needs beyond the change itself, in the worker, once: stored as `snapshot["context"]`.

Per event kind (docs/ticket-context.md): the workspace by name (GetProject) and people by name (ListProjectMembers),
both cached by the client; Operation Center nodes (GetNode) with their downstream impact (a bounded walk of
GetNodeChildren); backfill periods, nodes and size; instances (GetInstance); a table's column-level diff against the
table as it exists (GetMetaTableColumn, GetMetaTableBasicInfo); the developer's commit comment.

Nothing here fails a preparation: every read that fails is stored as `{"code", "message", "http_status"}` under
`error` next to what it was about, and the page says "could not be read" with that reason. A node or instance that
cannot be read is kept, never dropped. Reads pass the client's rate limiter; node metadata and walks are cached
briefly here (the client caches only workspaces and members).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from dataworks_client.client import DataWorksClient
from dataworks_client.errors import DataWorksError, DataWorksNotFound
from dataworks_client.types import DownstreamWalk, MemberDirectory, NodeChild, NodeInfo, TableColumnInfo
from dataworks_client.validation import table_guid
from events.catalogue import Subject, subject_of

logger = logging.getLogger(__name__)
T = TypeVar("T")

CONTEXT_FORMAT = 1  # bump when the stored shape changes; approvals.tickets.context reads it
NODE_CACHE_PREFIX = "review_gate:node_context"
MAX_PERIODS = 1000  # a backfill payload with more periods is cut (and says so)
MAX_COLUMNS = 2000  # MaxCompute allows 1200 columns; anything larger is not a real table model
MAX_TEXT = 300  # error messages and payload strings stored per item


def error_of(exc: BaseException) -> dict[str, Any]:
    """Describe a failed read for the page: DataWorks' code, status and message (cut), or the local error's type."""
    if isinstance(exc, DataWorksError):
        return {
            "code": exc.code or type(exc).__name__,
            "http_status": exc.http_status,
            "message": exc.message[:MAX_TEXT],
        }
    if isinstance(exc, ValueError):
        return {"code": "Local.Invalid", "http_status": None, "message": str(exc)[:MAX_TEXT]}
    return {"code": "Local.Unexpected", "http_status": None, "message": type(exc).__name__}


def _attempt(what: str, call: Callable[[], T]) -> tuple[T | None, dict[str, Any] | None]:
    """Run one read; return (value, None) or (None, its error). Never raises: context never fails a preparation."""
    try:
        return call(), None
    except (DataWorksError, ValueError) as exc:
        logger.warning("Context read failed what=%s error=%s", what, getattr(exc, "code", type(exc).__name__))
        return None, error_of(exc)
    except Exception as exc:  # a bug or an answer nobody foresaw shows as unreadable, never a failed preparation
        logger.exception("Context read failed unexpectedly what=%s", what)
        return None, error_of(exc)


# --- a brief cache for node metadata and walks (the client caches only workspaces and members) --------------------


def _cache_key(client: DataWorksClient, version: str, kind: str, object_id: int) -> str:
    return f"{NODE_CACHE_PREFIX}:{client.config.region}:{version}:{kind}:{object_id}"


def _cached(key: str, load: Callable[[], T]) -> T:
    """Return the cached value of `key`, else load it and cache it (successes only; a cache outage is a miss)."""
    seconds = settings.REVIEW_GATE_NODE_CACHE_SECONDS
    if seconds > 0:
        try:
            hit = cache.get(key)
        except Exception:  # an unreachable cache is only a miss
            hit = None
        if hit is not None:
            return hit
    value = load()
    if seconds > 0:
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.warning("Node context cache unavailable; not cached")
    return value


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip()) or None
    return None


def _ids(values: Any) -> tuple[list[int], list[str]]:
    """Split a payload list into usable ids and the entries that are not ids (kept as text, never dropped)."""
    if values is None:
        return [], []
    if not isinstance(values, list):
        values = [values]
    ids: list[int] = []
    bad: list[str] = []
    for value in values[:10_000]:
        number = _as_id(value)
        if number is None:
            bad.append(str(value)[:80])
        elif number not in ids:
            ids.append(number)
    return ids, bad


class Gatherer:
    """Read the context of one event for one workspace, with one API version and one read budget for its walks."""

    def __init__(self, client: DataWorksClient, *, project_id: int, api_version: str) -> None:
        self.client = client
        self.project_id = project_id
        self.version = api_version
        self.calls_left = settings.REVIEW_GATE_DOWNSTREAM_MAX_CALLS
        self.uids: set[str] = set()
        self._nodes: dict[int, tuple[NodeInfo | None, dict[str, Any] | None]] = {}

    # --- workspace and people ---

    def workspace(self) -> dict[str, Any]:
        project, error = _attempt(
            "GetProject", lambda: self.client.get_project(self.project_id, api_version=self.version)
        )
        if project is None:
            return {"project_id": self.project_id, "error": error}
        return {
            "project_id": self.project_id,
            "name": project.name,
            "display_name": project.display_name,
            "mode": project.mode,
        }

    def people(self) -> dict[str, Any]:
        """Name every user id this context mentions (members of the ticket's workspace), or say why not."""
        directory, error = _attempt(
            "ListProjectMembers", lambda: self.client.list_project_members(self.project_id, api_version=self.version)
        )
        if directory is None:
            return {"names": {}, "error": error}
        return {"names": _names(directory, self.uids), "error": None}

    # --- nodes ---

    def node(self, node_id: int) -> tuple[NodeInfo | None, dict[str, Any] | None]:
        if node_id not in self._nodes:
            key = _cache_key(self.client, self.version, "node", node_id)
            self._nodes[node_id] = _attempt(
                "GetNode",
                lambda: _cached(key, lambda: self.client.get_node(node_id, self.project_id, api_version=self.version)),
            )
        info, error = self._nodes[node_id]
        if info is not None and info.owner_id:
            self.uids.add(str(info.owner_id))
        return info, error

    def node_entry(self, node_id: int) -> dict[str, Any]:
        info, error = self.node(node_id)
        return {"node_id": node_id, "info": _node_info(info) if info else None, "error": error}

    def walk(self, node_id: int) -> tuple[DownstreamWalk | None, dict[str, Any] | None]:
        max_nodes = settings.REVIEW_GATE_DOWNSTREAM_MAX_NODES
        depth = settings.REVIEW_GATE_DOWNSTREAM_MAX_DEPTH
        key = _cache_key(self.client, self.version, f"walk-{depth}-{max_nodes}", node_id)
        try:
            hit = cache.get(key) if settings.REVIEW_GATE_NODE_CACHE_SECONDS > 0 else None
        except Exception:
            hit = None
        if isinstance(hit, DownstreamWalk):
            return hit, None
        if self.calls_left < 1:
            return None, {
                "code": "Local.ReadBudget",
                "http_status": None,
                "message": "read budget of this ticket spent",
            }
        walk, error = _attempt(
            "GetNodeChildren",
            lambda: self.client.walk_downstream(
                node_id,
                self.project_id,
                max_depth=depth,
                max_nodes=max_nodes,
                max_calls=self.calls_left,
                max_listed=max_nodes,  # all of them: the ticket's impact is the union over its nodes
                api_version=self.version,
            ),
        )
        if walk is not None:
            self.calls_left -= walk.calls
            if not walk.truncated and settings.REVIEW_GATE_NODE_CACHE_SECONDS > 0:
                try:
                    cache.set(key, walk, settings.REVIEW_GATE_NODE_CACHE_SECONDS)
                except Exception:
                    logger.warning("Node context cache unavailable; walk not cached")
        return walk, error

    def nodes_with_impact(self, node_ids: list[int]) -> dict[str, Any]:
        """Each requested node with its metadata and downstream walk, and the impact over all of them."""
        limit = settings.REVIEW_GATE_CONTEXT_MAX_OBJECTS
        listed = settings.REVIEW_GATE_DOWNSTREAM_LISTED
        entries: list[dict[str, Any]] = []
        union: dict[int, NodeChild] = {}
        at_least = False
        walked = 0
        for node_id in node_ids[:limit]:
            entry = self.node_entry(node_id)
            walk, error = self.walk(node_id)
            if walk is None:
                entry["downstream"], entry["downstream_error"] = None, error
                at_least = True  # the impact below misses this node's descendants
            else:
                walked += 1
                for child in walk.nodes:
                    if child.node_id is not None and child.node_id not in union:
                        union[child.node_id] = child
                at_least = at_least or walk.truncated
                entry["downstream"] = _walk(walk, listed)
                entry["downstream_error"] = None
                self.uids.update(str(n.owner_id) for n in walk.nodes[:listed] if n.owner_id)
            entries.append(entry)
        nearest = sorted(union.values(), key=lambda n: n.depth)
        return {
            "nodes": entries,
            "not_read": node_ids[limit:],
            "impact": {
                "total": len(union),
                "at_least": at_least or len(node_ids) > limit,
                "walked": walked,
                "any_on_baseline": any(n.on_baseline for n in union.values()),
                "on_baseline": sum(1 for n in union.values() if n.on_baseline),
            },
            "_nearest": nearest,
        }

    # --- instances ---

    def instance_entry(self, instance_id: int) -> dict[str, Any]:
        info, error = _attempt(
            "GetInstance", lambda: self.client.get_instance(instance_id, self.project_id, api_version=self.version)
        )
        if info is None:
            return {"instance_id": instance_id, "info": None, "error": error}
        if info.owner:
            self.uids.add(str(info.owner))
        return {
            "instance_id": instance_id,
            "info": {
                "node_id": info.node_id,
                "node_name": info.node_name,
                "business_date": info.business_date.isoformat() if info.business_date else None,
                "cyc_time": _ms_iso(info.cyc_time),
                "status": info.status,
                "owner_id": info.owner,
                "task_type": info.task_type,
                "baseline_id": info.baseline_id,
                "dag_type": info.dag_type,
            },
            "error": None,
        }


def _names(directory: MemberDirectory, uids: Iterable[str]) -> dict[str, str]:
    names = {}
    for uid in uids:
        name = directory.display_name(uid)
        if name:
            names[uid] = name[:200]
    return names


def _node_info(info: NodeInfo) -> dict[str, Any]:
    return {
        "node_name": info.node_name,
        "owner_id": info.owner_id,
        "program_type": info.program_type,
        "cron_express": info.cron_express,
        "cycle_type": info.cycle_type,
        "priority": info.priority,
        "baseline_id": info.baseline_id,
        "on_baseline": info.on_baseline,
        "scheduler_type": info.scheduler_type,
        "project_id": info.project_id,
        "description": (info.description or "")[:MAX_TEXT],
        "res_group_name": info.res_group_name,
        "file_id": info.file_id,
    }


def _child(child: NodeChild) -> dict[str, Any]:
    return {
        "node_id": child.node_id,
        "node_name": child.node_name,
        "owner_id": child.owner_id,
        "program_type": child.program_type,
        "baseline_id": child.baseline_id,
        "on_baseline": child.on_baseline,
        "project_id": child.project_id,
        "depth": child.depth,
    }


def _walk(walk: DownstreamWalk, listed: int) -> dict[str, Any]:
    return {
        "total": walk.total,
        "truncated": walk.truncated,
        "stopped_by": walk.stopped_by,
        "calls": walk.calls,
        "unreadable": list(walk.unreadable),
        "any_on_baseline": walk.any_on_baseline,
        "on_baseline": sum(1 for n in walk.nodes if n.on_baseline),
        "max_depth_reached": walk.max_depth_reached,
        "listed": [_child(n) for n in walk.nodes[:listed]],
    }


def _ms_iso(value: int | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone(dt.timedelta(hours=8))).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


# --- backfill -----------------------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    """Read a backfill business date: "2026-11-01", "2026-11-01 00:00:00" or "20261101"."""
    text = str(value or "").strip()[:19]
    for fmt, width in (("%Y-%m-%d", 10), ("%Y%m%d", 8)):
        try:
            return dt.datetime.strptime(text[:width], fmt).date()
        except ValueError:
            continue
    return None


def parse_periods(raw: Any) -> dict[str, Any]:
    """Parse `multipleTimePeriods` (a JSON string of {bizBeginTime, bizEndTime}) into periods and a day count.

    Invalid input is reported (`invalid` with what was sent, cut), never raised; days count distinct business dates,
    so overlapping periods are not counted twice.
    """
    if raw is None or raw == "":
        return {"periods": [], "days": 0, "invalid": None}
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return {"periods": [], "days": 0, "invalid": raw[:MAX_TEXT]}
    if not isinstance(value, list):
        return {"periods": [], "days": 0, "invalid": str(raw)[:MAX_TEXT]}
    periods: list[dict[str, Any]] = []
    spans: list[tuple[dt.date, dt.date]] = []
    for item in value[:MAX_PERIODS]:
        if not isinstance(item, dict):
            periods.append({"begin": str(item)[:40], "end": "", "days": None, "valid": False})
            continue
        begin_raw, end_raw = item.get("bizBeginTime"), item.get("bizEndTime")
        begin, end = _date(begin_raw), _date(end_raw)
        valid = begin is not None and end is not None and begin <= end
        days = (end - begin).days + 1 if valid and begin and end else None
        periods.append(
            {"begin": str(begin_raw or "")[:40], "end": str(end_raw or "")[:40], "days": days, "valid": valid}
        )
        if valid and begin and end:
            spans.append((begin, end))
    spans.sort()
    total, last_end = 0, None
    for begin, end in spans:  # merge overlaps: a date in two periods is one business date
        if last_end is not None and begin <= last_end:
            if end > last_end:
                total += (end - last_end).days
                last_end = end
            continue
        total += (end - begin).days + 1
        last_end = end
    any_invalid = any(not p["valid"] for p in periods)
    return {
        "periods": periods,
        "days": total,
        "invalid": None if not any_invalid else str(raw)[:MAX_TEXT],
        "cut": len(value) > MAX_PERIODS,
        "first": spans[0][0].isoformat() if spans else None,
        "last": max(end for _b, end in spans).isoformat() if spans else None,
    }


def backfill_context(g: Gatherer, data: dict[str, Any]) -> dict[str, Any]:
    periods = parse_periods(data.get("multipleTimePeriods"))
    root = _as_id(data.get("rootNodeId"))
    include, include_bad = _ids(data.get("includeNodeIds"))
    exclude, exclude_bad = _ids(data.get("excludeNodeIds"))
    chosen = ([root] if root else []) + [i for i in include if i != root]
    nodes = [i for i in chosen if i not in set(exclude)]
    limit = settings.REVIEW_GATE_CONTEXT_MAX_OBJECTS

    def named(ids: list[int]) -> list[dict[str, Any]]:
        out = []
        for index, node_id in enumerate(ids):
            if index >= limit:
                out.append({"node_id": node_id, "info": None, "error": None, "not_read": True})
            else:
                out.append(g.node_entry(node_id))
        return out

    return {
        "name": str(data.get("name") or "")[:MAX_TEXT],
        "root": g.node_entry(root) if root else None,
        "root_project_id": _as_id(data.get("rootNodeProjectId")),
        "include": named(include),
        "exclude": named(exclude),
        "not_ids": include_bad + exclude_bad,
        "periods": periods,
        "node_count": len(nodes),
        "instances": len(nodes) * periods["days"],
        "parallel": bool(data.get("isParallel")),
        "parallel_group": _as_id(data.get("parallelGroup")),
        "order": str(data.get("order") or "")[:20],
        "start_future_instance_immediately": bool(data.get("startFutureInstanceImmediately")),
    }


# --- tables -------------------------------------------------------------------------------------------------------


def _norm_type(value: Any) -> str:
    return " ".join(str(value or "").upper().split())


def table_diff(
    model_columns: list[dict[str, Any]],
    model_life_cycle: Any,
    existing_columns: list[TableColumnInfo],
    existing_life_cycle: int | None,
    existing_partitions: Iterable[str],
) -> dict[str, Any]:
    """Compare a table model with the table as it exists: added, dropped and retyped columns, partitions, lifecycle.

    Names compare case-insensitively (MaxCompute identifiers are), types after upper-casing and folding spaces.
    """
    new = {str(c.get("column_name") or "").lower(): c for c in model_columns[:MAX_COLUMNS] if c.get("column_name")}
    old = {str(c.column_name).lower(): c for c in existing_columns[:MAX_COLUMNS] if c.column_name}
    added = [
        {"name": c.get("column_name"), "type": c.get("column_type"), "partition": bool(c.get("is_partition_column"))}
        for key, c in new.items()
        if key not in old
    ]
    dropped = [
        {"name": c.column_name, "type": c.column_type, "partition": bool(c.is_partition_column)}
        for key, c in old.items()
        if key not in new
    ]
    retyped = [
        {"name": c.get("column_name"), "old": old[key].column_type, "new": c.get("column_type")}
        for key, c in new.items()
        if key in old and _norm_type(old[key].column_type) != _norm_type(c.get("column_type"))
    ]
    old_parts = [p.lower() for p in existing_partitions if p] or [
        str(c.column_name).lower() for c in existing_columns if c.is_partition_column and c.column_name
    ]
    new_parts = [str(c.get("column_name")).lower() for c in model_columns if c.get("is_partition_column")]
    new_life = _as_id(model_life_cycle)
    return {
        "added": added,
        "dropped": dropped,
        "retyped": retyped,
        "unchanged": sum(1 for key in new if key in old) - len(retyped),
        "partitions": {"old": old_parts, "new": new_parts, "changed": old_parts != new_parts},
        "life_cycle": {
            "old": existing_life_cycle,
            "new": new_life,
            "changed": existing_life_cycle != new_life,
        },
    }


def table_context(
    g: Gatherer, table: dict[str, Any], data: dict[str, Any], workspace: dict[str, Any]
) -> dict[str, Any]:
    name = str(table.get("table_name") or data.get("tableName") or "")
    mc_project = str(data.get("maxComputeProject") or workspace.get("name") or "")
    try:
        guid = table_guid(mc_project, name)
    except ValueError as exc:
        return {"guid": f"odps.{mc_project}.{name}"[:MAX_TEXT], "is_new": None, "error": error_of(exc)}
    try:
        basic = g.client.get_table_basic_info(guid)
        columns = g.client.get_table_columns(guid)
    except DataWorksNotFound:
        return {"guid": guid, "is_new": True, "error": None}  # no such table yet: the model creates it
    except Exception as exc:  # as _attempt: shown as unreadable, never a failed preparation
        if not isinstance(exc, DataWorksError | ValueError):
            logger.exception("Context read failed unexpectedly what=GetMetaTable")
        return {"guid": guid, "is_new": None, "error": error_of(exc)}
    if basic.owner_id:
        g.uids.add(str(basic.owner_id))
    diff = table_diff(
        list(table.get("columns") or []), table.get("life_cycle"), columns, basic.life_cycle, basic.partition_keys
    )
    return {
        "guid": guid,
        "is_new": False,
        "error": None,
        "existing": {
            "owner_id": basic.owner_id,
            "comment": (basic.comment or "")[:MAX_TEXT],
            "column_count": len(columns),
            "last_ddl_time": _ms_iso(basic.last_ddl_time),
        },
        **diff,
    }


# --- the whole context --------------------------------------------------------------------------------------------


def gather_context(
    client: DataWorksClient,
    *,
    project_id: int,
    event_code: str,
    data: dict[str, Any],
    snapshot: dict[str, Any],
    api_version: str,
) -> dict[str, Any]:
    """Return what the ticket page shows beyond the change: never raises (see the module docstring)."""
    g = Gatherer(client, project_id=project_id, api_version=api_version)
    operator = str(data.get("operator") or "")[:64]
    if operator:
        g.uids.add(operator)
    context: dict[str, Any] = {"format": CONTEXT_FORMAT, "api_version": api_version, "operator_uid": operator}
    context["workspace"] = g.workspace()
    subject = subject_of(event_code)
    try:
        if subject == Subject.FILE:
            committed = snapshot.get("committed_file") or {}
            context["comment"] = str(committed.get("comment") or "")[:2000]
            file_id = _as_id(committed.get("file_id") or (snapshot.get("deleted_file") or {}).get("file_id"))
            context["file_id"] = file_id
        elif subject == Subject.TABLE:
            context["table"] = table_context(g, snapshot.get("table") or {}, data, context["workspace"])
        elif event_code == "backfill-data":
            context["backfill"] = backfill_context(g, data)
        elif subject == Subject.NODE:
            ids, bad = _ids(data.get("nodeIds"))
            result = g.nodes_with_impact(ids)
            result.pop("_nearest")
            result["not_ids"] = bad
            context.update(result)
        elif subject == Subject.INSTANCE:
            ids, bad = _ids(data.get("taskIds"))
            limit = settings.REVIEW_GATE_CONTEXT_MAX_OBJECTS
            context["instances"] = [g.instance_entry(i) for i in ids[:limit]]
            context["not_read"] = ids[limit:]
            context["not_ids"] = bad
            context["payload"] = {
                "extension_biz_name": str(data.get("extensionBizName") or "")[:MAX_TEXT],
                "extension_biz_id": str(data.get("extensionBizId") or "")[:80],
            }
    except Exception as exc:  # totality: the context is a help, the ticket must still be reviewable
        logger.exception("Context of a %s event failed unexpectedly", event_code)
        context["error"] = error_of(exc)
    context["people"] = g.people()
    return context


def context_title(event_code: str, context: dict[str, Any]) -> str:
    """Name an Operation Center ticket after what it acts on ("ods_orders_daily and 1 more node"), or ""."""
    is_instance = subject_of(event_code) == Subject.INSTANCE
    if subject_of(event_code) == Subject.NODE and event_code != "backfill-data":
        entries = context.get("nodes") or []
    elif is_instance:
        entries = context.get("instances") or []
    else:
        return ""
    names = [str((e.get("info") or {}).get("node_name") or "") for e in entries]
    total = len(entries) + len(context.get("not_read") or [])
    first = next((name for name in names if name), "")
    if not first:
        return ""
    if total <= 1:
        return first[:200]
    if is_instance:
        text = ngettext("%(name)s and %(n)d more instance", "%(name)s and %(n)d more instances", total - 1)
    else:
        text = ngettext("%(name)s and %(n)d more node", "%(name)s and %(n)d more nodes", total - 1)
    return text % {"name": first[:200], "n": total - 1}
