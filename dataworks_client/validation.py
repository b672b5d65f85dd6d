"""Check operation arguments before anything is sent, with ValueErrors that name the argument."""

from __future__ import annotations

import re
from typing import Any

from dataworks_client.types import CHECK_RESULTS

CHECK_PROCESS_STATUSES = ("CHECKING", "PASSED", "BLOCKED")


def require_text(name: str, value: Any) -> str:
    """Return `value` if it is a non-blank string.

    :raises ValueError: otherwise.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {type(value).__name__}")
    return value


def require_id(name: str, value: Any) -> int:
    """Return `value` as a positive int; decimal strings (as event payloads carry them) are accepted.

    :raises ValueError: for anything else, booleans included.
    """
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def require_result(value: Any) -> str:
    """Return the check result if it is OK, WARN or FAIL.

    :raises ValueError: otherwise.
    """
    if value not in CHECK_RESULTS:
        raise ValueError(f"result must be one of {', '.join(CHECK_RESULTS)}, got {value!r}")
    return str(value)


def require_tip(value: Any) -> str:
    """Return the tip text ('' for None).

    :raises ValueError: when it is not a string.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"tip must be a string, got {type(value).__name__}")
    return value


def optional_status(value: Any) -> str | None:
    """Return a check-process status filter (CHECKING, PASSED, BLOCKED) or None.

    :raises ValueError: for any other value.
    """
    if value is None:
        return None
    if value not in CHECK_PROCESS_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CHECK_PROCESS_STATUSES)}, got {value!r}")
    return str(value)


# MaxCompute project and table names: letters, digits and underscores (projects: up to 28, tables: up to 128).
_TABLE_GUID = re.compile(r"odps\.[A-Za-z][A-Za-z0-9_]{0,63}\.[A-Za-z0-9_]{1,128}")


def require_table_guid(value: Any) -> str:
    """Return `value` if it is a MaxCompute table GUID `odps.<project>.<table>` (no schema level).

    :raises ValueError: otherwise.
    """
    if not isinstance(value, str) or not _TABLE_GUID.fullmatch(value):
        shown = value[:80] if isinstance(value, str) else type(value).__name__
        raise ValueError(f"table guid must look like odps.<project>.<table>, got {shown!r}")
    return value


def table_guid(project: Any, table: Any) -> str:
    """Build and check the GUID of MaxCompute table `table` in project `project`.

    :raises ValueError: a name is not a MaxCompute identifier.
    """
    return require_table_guid(f"odps.{project}.{table}")
