"""Links back to DataWorks and the limits of the context a ticket shows (docs/ticket-context.md).

The two URL templates are empty by default: a link is shown only when its template is set, and a template is
checked at start (an http(s) URL whose only placeholders are {region}, {project_id}, {node_id} and {file_id}), so
a typo fails the start instead of printing broken links on every ticket.
"""

from __future__ import annotations

import string
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str

LINK_PLACEHOLDERS = frozenset({"region", "project_id", "node_id", "file_id"})


def _url_template(name: str) -> str:
    """Return the template of `name`, or "" when unset; refuse anything that could not format into an http URL."""
    raw = env_str(name)
    if not raw:
        return ""
    try:
        fields = {field for _text, field, _spec, _conv in string.Formatter().parse(raw) if field is not None}
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an unbalanced {{ or }} (got {raw!r}).") from None
    unknown = fields - LINK_PLACEHOLDERS
    if unknown:
        raise ImproperlyConfigured(
            f"{name} may only use the placeholders {{region}}, {{project_id}}, {{node_id}} and {{file_id}} "
            f"(got {', '.join(sorted(repr(f) for f in unknown))})."
        )
    sample = raw.format(region="cn-hangzhou", project_id=1, node_id=1, file_id=1)
    parts = urlsplit(sample)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name} must be an http or https URL (got {raw!r}).")
    return raw


# A DataStudio file, e.g. https://ide2-{region}.data.aliyun.com/?defaultProjectId={project_id}#/file/{file_id}
REVIEW_GATE_DATASTUDIO_URL = _url_template("REVIEW_GATE_DATASTUDIO_URL")
# An Operation Center node, e.g. https://workbench.data.aliyun.com/console?defaultProjectId={project_id}#/cyclicTaskDetail/{node_id}
REVIEW_GATE_OPERATION_CENTER_URL = _url_template("REVIEW_GATE_OPERATION_CENTER_URL")

# Backfills larger than either bound carry a warning at the top of the ticket.
REVIEW_GATE_BACKFILL_WARN_DAYS = env_int("REVIEW_GATE_BACKFILL_WARN_DAYS", 31, minimum=1, maximum=100_000)
REVIEW_GATE_BACKFILL_WARN_INSTANCES = env_int("REVIEW_GATE_BACKFILL_WARN_INSTANCES", 500, minimum=1, maximum=10**9)
# The downstream walk of each node (GetNodeChildren / ListDownstreamTasks, one read per expanded node). The depth is
# one more than the levels shown, so a tree that ends at the shown depth is known to end (no "at least").
REVIEW_GATE_DOWNSTREAM_MAX_DEPTH = env_int("REVIEW_GATE_DOWNSTREAM_MAX_DEPTH", 4, minimum=1, maximum=10)
REVIEW_GATE_DOWNSTREAM_MAX_NODES = env_int("REVIEW_GATE_DOWNSTREAM_MAX_NODES", 200, minimum=1, maximum=5000)
REVIEW_GATE_DOWNSTREAM_MAX_CALLS = env_int("REVIEW_GATE_DOWNSTREAM_MAX_CALLS", 60, minimum=1, maximum=1000)
# How many downstream nodes a ticket names (the rest are counted).
REVIEW_GATE_DOWNSTREAM_LISTED = env_int("REVIEW_GATE_DOWNSTREAM_LISTED", 10, minimum=0, maximum=200)
# How many node or instance ids of one event are read; the rest are listed as not read, never dropped.
REVIEW_GATE_CONTEXT_MAX_OBJECTS = env_int("REVIEW_GATE_CONTEXT_MAX_OBJECTS", 20, minimum=1, maximum=500)
# How long node metadata and downstream walks are cached (seconds; 0 turns the cache off).
REVIEW_GATE_NODE_CACHE_SECONDS = env_int("REVIEW_GATE_NODE_CACHE_SECONDS", 60, minimum=0, maximum=3600)
