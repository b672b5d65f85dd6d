"""The emulator's one error type: answer the call with this HTTP status and DataWorks error code."""

from __future__ import annotations


class ApiError(Exception):
    """Answer the call with this HTTP status and DataWorks error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
