"""What an emulated call carries, and how handlers read its parameters (shared by every handler module)."""

from __future__ import annotations

from dataclasses import dataclass

from dataworks_client.emulator.errors import ApiError

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Call:
    action: str
    params: dict[str, str]
    params_in: str  # "query", "body" or "none"
    request_id: str
    received_at: str
    version: str = "2020-05-18"  # x-acs-version


def _text(call: Call, name: str) -> str:
    value = call.params.get(name, "")
    if not value:
        raise ApiError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    return value


def _int(call: Call, name: str, default: int | None = None) -> int:
    raw = call.params.get(name)
    if raw in (None, "") and default is not None:
        return default
    if raw is None or raw == "":
        raise ApiError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "InvalidParameter", f"The parameter {name} is not a number.") from None


def _page(call: Call) -> tuple[int, int]:
    number, size = _int(call, "PageNumber", 1), _int(call, "PageSize", 10)
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, "InvalidParameter", f"PageNumber must be >= 1 and PageSize 1..{MAX_PAGE_SIZE}.")
    return number, size
