"""Domain errors of the approvals app; each knows the HTTP status the API and UI translate it to."""

from __future__ import annotations


class ApprovalError(Exception):
    """Base of every expected failure of a ticket transition."""

    http_status = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CommentRequired(ApprovalError):
    http_status = 400
    code = "invalid_comment"


class NotAllowed(ApprovalError):
    http_status = 403
    code = "not_allowed"


class TicketNotOpen(ApprovalError):
    http_status = 409
    code = "conflict"
