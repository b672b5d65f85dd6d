"""Serializers of the API: shared ticket output shapes, decision input, and the documented error body.

Output serializers only read; building the diff goes through `_diff_for` / `_config_diff_for`.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator, RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from approvals.diff import compute_diff
from approvals.models import AuditEntry, CheckResult, Risk, Rule, Ticket
from approvals.tickets import tips
from approvals.tickets.policy import Requirement
from approvals.tickets.selectors import Cursor, ReviewState, operator_name, ticket_review_state, ticket_risk_view
from events.catalogue import Subject, subject_of
from riskcheck import mask_secrets

MAX_ID = 2**63 - 1  # largest value of a 64-bit database column

# --- The diff ---------------------------------------------------------------------------------------------------


def _diff_for(ticket: Ticket) -> dict[str, Any] | None:
    """Return the code diff of a file event as plain JSON, or None while preparing or for other events."""
    if subject_of(ticket.event_code) != Subject.FILE or ticket.status == Ticket.Status.PREPARING:
        return None
    # as_dict() carries no HTML, so syntax highlighting would be computed for nothing.
    # AccessKey IDs masked, as on the ticket page (risk rule MC16).
    diff = compute_diff(
        mask_secrets(ticket.old_content),
        mask_secrets(ticket.new_content),
        file_type=ticket.file_type,
        file_name=ticket.title,
        highlight=False,
    )
    return diff.as_dict()


def _config_diff_for(ticket: Ticket) -> dict[str, Any] | None:
    """Return the scheduling-configuration diff when the ticket has one (like the ticket page), else None."""
    if ticket.status == Ticket.Status.PREPARING or not (ticket.old_config or ticket.new_config):
        return None
    return compute_diff(ticket.old_config, ticket.new_config, highlight=False).as_dict()


class DiffSideSerializer(serializers.Serializer):
    line_count = serializers.IntegerField()
    eol = serializers.CharField(help_text=_('"LF", "CRLF", "CR", "mixed", or "" when the text has no line break.'))
    missing_newline = serializers.BooleanField()


class DiffLineSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("1-based line number on its side."))
    text = serializers.CharField(help_text=_("The line without its line ending (untrusted text, not HTML)."))
    changes = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        required=False,
        help_text=_("Changed character ranges [start, end) of a changed pair; absent when none."),
    )
    missing_newline = serializers.BooleanField(
        required=False, help_text=_("Present (true) on a last line without a line break.")
    )


class DiffRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["equal", "added", "removed", "changed"])
    old = DiffLineSerializer(allow_null=True)
    new = DiffLineSerializer(allow_null=True)


class DiffHunkSerializer(serializers.Serializer):
    header = serializers.CharField(help_text=_("Unified diff header, e.g. @@ -3,7 +3,8 @@"))
    old_start = serializers.IntegerField()
    old_count = serializers.IntegerField()
    new_start = serializers.IntegerField()
    new_count = serializers.IntegerField()
    rows = DiffRowSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    """A diff as plain text rows (no HTML); unchanged runs between hunks are left out."""

    too_large = serializers.BooleanField(help_text=_("True when a side is too large to diff; hunks are then empty."))
    is_identical = serializers.BooleanField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    language = serializers.CharField()
    old = DiffSideSerializer()
    new = DiffSideSerializer()
    has_hidden_chars = serializers.BooleanField(help_text=_("Bidirectional controls or other invisible characters."))
    hunks = DiffHunkSerializer(many=True)


# --- Tickets ----------------------------------------------------------------------------------------------------


class TicketSerializer(serializers.Serializer):
    """A ticket as listed."""

    id = serializers.IntegerField()
    message_id = serializers.CharField(help_text=_("The DataWorks MessageId of the event under review."))
    event_code = serializers.CharField()
    module = serializers.CharField()
    project_id = serializers.IntegerField(help_text=_("DataWorks workspace ID."))
    title = serializers.CharField()
    path = serializers.CharField(help_text=_("folder/path/file_name"))
    file_type = serializers.IntegerField(allow_null=True)
    operator = serializers.SerializerMethodField(
        help_text=_("User name mapped to the DataWorks operator, else the raw UID, or - when unknown.")
    )
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    check_result = serializers.SerializerMethodField(help_text=_("OK, WARN or FAIL once decided, else null."))
    callback_status = serializers.ChoiceField(choices=Ticket.CallbackStatus.choices)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField(help_text=_("User name of who decided, null when nobody did."))
    expires_at = serializers.DateTimeField(allow_null=True)
    risk = serializers.SerializerMethodField(
        help_text=_("The risk found when the change was prepared (rules matched on it); null before preparation.")
    )
    url = serializers.SerializerMethodField(help_text=_("Absolute link to the ticket's page in the browser UI."))

    @extend_schema_field(serializers.ChoiceField(choices=Risk.choices, allow_null=True))
    def get_risk(self, ticket: Ticket) -> str | None:
        return ticket.risk or None

    def get_operator(self, ticket: Ticket) -> str:
        return operator_name(ticket)

    @extend_schema_field(serializers.ChoiceField(choices=CheckResult.choices, allow_null=True))
    def get_check_result(self, ticket: Ticket) -> str | None:
        return ticket.check_result or None

    def get_decided_by(self, ticket: Ticket) -> str | None:
        return ticket.decided_by.get_username() if ticket.decided_by else None

    def get_url(self, ticket: Ticket) -> str:
        return tips.ticket_url(ticket)


# --- Input fields -----------------------------------------------------------------------------------------------

# What str.strip() removes, so the schema's "not blank" pattern and the trimming agree on every character.
PYTHON_WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
NO_NUL_NOT_BLANK = rf"^[^\x00]*[^\x00{PYTHON_WHITESPACE}][^\x00]*$"


class TextField(serializers.CharField):
    """DRF's CharField, refusing NUL with a pattern instead of a plain validator, so the schema states it too."""

    nul_pattern = NO_NUL

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        nul = RegexValidator(
            self.nul_pattern, _("Null characters are not allowed."), code="null_characters_not_allowed"
        )
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)] + [nul]


class CommentField(TextField):
    """A comment: a JSON string only (a number or a boolean is not coerced), without NUL, at most the configured
    length as sent, and with `not_blank` something besides whitespace.

    The NUL and blank rules are one pattern, so the OpenAPI schema states them; `max_length` is set per serializer
    instance from REVIEW_GATE_COMMENT_MAX_LENGTH, so the schema states it too.
    """

    default_error_messages = {"invalid": _("Not a valid string.")}

    def __init__(self, *, not_blank: bool = False, **kwargs: Any) -> None:
        # allow_blank stays False (DRF's own "" rule would make the schema a oneOf that "" matches twice): a blank
        # comment is handled in run_validation, and the pattern says whether it is allowed. A blank value never
        # reaches the validators, so the pattern only ever fails on a NUL.
        self.not_blank = not_blank
        self.nul_pattern = NO_NUL_NOT_BLANK if not_blank else NO_NUL
        super().__init__(**kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if not self.not_blank and isinstance(data, str) and not data.strip():
            self.to_internal_value(data)  # blank is allowed here, but not longer than the limit
            return ""
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                gettext("The comment is longer than %(n)d characters.") % {"n": self.max_length}, code="max_length"
            )
        return str(super().to_internal_value(data))


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter written as digits only, as the schema's `integer` says.

    DRF's IntegerField also takes "1.0", " 1", "+1" and "1_000" (Python's int() does), which the schema calls invalid.
    """

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not re.fullmatch(r"-?[0-9]+", data):
            self.fail("invalid")
        return int(super().to_internal_value(data))


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,18}\.[0-9]{1,18}$", "maxLength": 37})
class CursorField(serializers.Field):
    """A list position as `Cursor.encode()` writes it; anything else is a 400 naming the parameter."""

    default_error_messages = {"invalid": _("Not a list position; use the `next` link of the previous page.")}

    def to_internal_value(self, data: Any) -> Cursor:
        cursor = Cursor.decode(data) if isinstance(data, str) else None
        if cursor is None:
            self.fail("invalid")
        return cursor

    def to_representation(self, value: Cursor) -> str:
        return value.encode()


class TicketFilterSerializer(serializers.Serializer):
    """Query parameters of the ticket list; empty values mean no filter."""

    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False, allow_blank=True)
    project_id = QueryIntegerField(
        required=False, min_value=0, max_value=MAX_ID, help_text=_("DataWorks workspace ID.")
    )
    event_code = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$", required=False, allow_blank=True, max_length=100, help_text=_("e.g. commit-file")
    )
    # Not allow_blank: an empty query value is no value (DRF skips it), and the schema stays one plain pattern. Not
    # trimmed: an exact match, as the schema's plain string says.
    message_id = TextField(required=False, max_length=128, trim_whitespace=False)
    after = CursorField(
        required=False,
        help_text=_("Continue after this position: copy it from the previous page's `next` link, never build it."),
    )
    page_size = QueryIntegerField(
        required=False,
        min_value=1,
        max_value=10**9,
        help_text=_("Tickets per page: 50 by default, at most 200 (larger values give 200)."),
    )


class TicketPageSerializer(serializers.Serializer):
    """One page of tickets, newest first."""

    next = serializers.URLField(allow_null=True, help_text=_("The next (older) page; null on the last page."))
    results = TicketSerializer(many=True)


class RequirementSerializer(serializers.Serializer):
    """One matched rule's demand (or the no-rule default) and how much of it is met."""

    rule_id = serializers.IntegerField(allow_null=True, help_text=_("Null for the no-rule default."))
    # `label` and `required` shadow Field attributes in the type stubs only; the metaclass collects them as fields.
    label = serializers.CharField()  # type: ignore[assignment]
    required = serializers.IntegerField(help_text=_("Approvals the rule needs."))  # type: ignore[assignment]
    approvals = serializers.SerializerMethodField(help_text=_("Approvals by eligible reviewers so far."))
    satisfied = serializers.BooleanField()
    auto_outcome = serializers.SerializerMethodField(help_text=_("Set when the rule decides without humans."))
    reviewers = serializers.ListField(child=serializers.CharField(), source="reviewer_names")
    groups = serializers.ListField(child=serializers.CharField(), source="group_names")

    def get_approvals(self, req: Requirement) -> int:
        return len(req.approver_ids)

    @extend_schema_field(serializers.ChoiceField(choices=Rule.AutoOutcome.choices[1:], allow_null=True))
    def get_auto_outcome(self, req: Requirement) -> str | None:
        return req.auto_outcome or None


class AuditEntrySerializer(serializers.Serializer):
    """One entry of a ticket's append-only history."""

    action = serializers.ChoiceField(choices=AuditEntry.Action.choices)
    actor = serializers.SerializerMethodField(help_text=_("User name, null for Review Gate itself."))
    result = serializers.SerializerMethodField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, entry: AuditEntry) -> str | None:
        return entry.actor.get_username() if entry.actor else None

    @extend_schema_field(serializers.ChoiceField(choices=CheckResult.choices, allow_null=True))
    def get_result(self, entry: AuditEntry) -> str | None:
        return entry.result or None


class FindingSerializer(serializers.Serializer):
    """One risk finding, in the requester's language, AccessKeys masked."""

    rule = serializers.CharField(help_text=_("The risk rule, MC01 to MC18."))
    severity = serializers.ChoiceField(choices=["LOW", "MEDIUM", "HIGH", "CRITICAL"])
    line = serializers.IntegerField(help_text=_("1-based line of the new code."))
    title = serializers.CharField()
    message = serializers.CharField()
    why = serializers.CharField(help_text=_("Why this matters."))
    excerpt = serializers.CharField()
    waived = serializers.BooleanField()
    waived_by = serializers.CharField(allow_null=True)
    waiver_reason = serializers.CharField(allow_null=True)


class TicketStateSerializer(TicketSerializer):
    """A ticket with its review state for the requesting user (what a decision returns)."""

    old_label = serializers.CharField(help_text=_("What the old side of the diff is."))
    new_label = serializers.CharField(help_text=_("What the new side of the diff is."))
    decision_comment = serializers.CharField()
    attention_reason = serializers.CharField()
    requirements = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    can_decide = serializers.SerializerMethodField(help_text=_("Whether the requesting user may decide it now."))
    cannot_decide_reason = serializers.SerializerMethodField(help_text=_("Why not, or null when they may."))
    risk_after_waivers = serializers.SerializerMethodField(
        help_text=_("The highest severity of the findings nobody waived (what the page and the tip show).")
    )
    findings = serializers.SerializerMethodField(help_text=_("The risk findings, waived ones marked."))

    def _state(self, ticket: Ticket) -> ReviewState:
        cache: dict[int, ReviewState] = self.context.setdefault("review_states", {})
        if ticket.pk not in cache:
            cache[ticket.pk] = ticket_review_state(ticket=ticket, user=self.context["request"].user)
        return cache[ticket.pk]

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, ticket: Ticket) -> Any:
        return RequirementSerializer(self._state(ticket).requirements, many=True).data

    @extend_schema_field(AuditEntrySerializer(many=True))
    def get_history(self, ticket: Ticket) -> Any:
        return AuditEntrySerializer(self._state(ticket).history, many=True).data

    def get_can_decide(self, ticket: Ticket) -> bool:
        return self._state(ticket).can_decide

    def get_cannot_decide_reason(self, ticket: Ticket) -> str | None:
        return self._state(ticket).cannot_decide_reason

    # A plain string in the schema: the same choices as `risk` under a second enum name would warn.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_risk_after_waivers(self, ticket: Ticket) -> str | None:
        return ticket_risk_view(ticket).effective

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, ticket: Ticket) -> Any:
        findings = [finding.as_dict() for finding in ticket_risk_view(ticket).findings]
        for finding in findings:  # masked by the selector already; again here, where the JSON leaves the server
            for key in ("message", "why", "excerpt", "waiver_reason"):
                if isinstance(finding.get(key), str):
                    finding[key] = mask_secrets(finding[key])
        return FindingSerializer(findings, many=True).data


class TicketDetailSerializer(TicketStateSerializer):
    """A ticket with its review state and its diffs."""

    diff = serializers.SerializerMethodField(help_text=_("The code diff of a file event; null otherwise."))
    config_diff = serializers.SerializerMethodField(help_text=_("The scheduling-configuration diff, when present."))

    @extend_schema_field(DiffSerializer(allow_null=True))
    def get_diff(self, ticket: Ticket) -> dict[str, Any] | None:
        return _diff_for(ticket)

    @extend_schema_field(DiffSerializer(allow_null=True))
    def get_config_diff(self, ticket: Ticket) -> dict[str, Any] | None:
        return _config_diff_for(ticket)


# --- Decisions --------------------------------------------------------------------------------------------------


class DecisionInputSerializer(serializers.Serializer):
    """The body of approve: an optional comment."""

    comment_required = False

    comment = CommentField(
        required=False,
        default="",
        help_text=_("Shown to the developer in DataWorks; at most REVIEW_GATE_COMMENT_MAX_LENGTH characters."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields["comment"]
        assert isinstance(comment, CommentField)
        comment.max_length = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
        comment.validators.append(MaxLengthValidator(comment.max_length))  # for the schema: to_internal_value checks

    def validate_comment(self, value: str) -> str:
        value = value.strip()
        if self.comment_required and not value:
            raise serializers.ValidationError(
                gettext("A comment is required to reject or to approve with a warning."), code="required"
            )
        limit = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
        if len(value) > limit:
            raise serializers.ValidationError(
                gettext("The comment is longer than %(n)d characters.") % {"n": limit}, code="max_length"
            )
        return value


class CommentedDecisionInputSerializer(DecisionInputSerializer):
    """The body of reject and warn: the comment is required."""

    comment_required = True

    comment = CommentField(
        required=True,
        not_blank=True,
        error_messages={
            "required": _("A comment is required to reject or to approve with a warning."),
            "blank": _("A comment is required to reject or to approve with a warning."),
        },
        help_text=_(
            "Required, not blank. Shown to the developer in DataWorks; at most REVIEW_GATE_COMMENT_MAX_LENGTH "
            "characters."
        ),
    )


# --- Errors -----------------------------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable machine-readable code, e.g. not_allowed, conflict, invalid."))
    message = serializers.CharField(help_text=_("Human-readable, translated message."))
    field = serializers.CharField(required=False, help_text=_("The body field or query parameter at fault."))
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Every invalid field with its messages (validation errors only)."),
    )


class ErrorSerializer(serializers.Serializer):
    """Every error response of the API."""

    error = ErrorDetailSerializer()


# --- Batch decisions --------------------------------------------------------------------------------------------


class BatchDecisionInputSerializer(CommentedDecisionInputSerializer):
    """The body of a batch decision: which tickets, approve or reject, and one comment for all, required either way
    (a decision across many tickets says why; one request shape, so the schema states exactly what is accepted)."""

    ticket_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=500,
        help_text=_("The tickets to decide, 1 to 500 `id`s; repeated ones count once."),
    )
    action = serializers.ChoiceField(
        choices=[("approve", "approve"), ("reject", "reject")],
        help_text=_("`approve` (result OK when every rule is satisfied) or `reject` (result FAIL)."),
    )


class BatchDecidedSerializer(serializers.Serializer):
    """A ticket the batch decided (or, with more approvals needed, recorded your approval on)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Ticket.Status.choices, help_text=_("The ticket's status after it."))


class BatchSkippedSerializer(serializers.Serializer):
    """A ticket the batch left alone, and why."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text=_("not_found, not_allowed, conflict or invalid_comment."))
    reason = serializers.CharField(help_text=_("Why, in your language."))


class BatchResultSerializer(serializers.Serializer):
    """What a batch decision did to each ticket."""

    batch = serializers.CharField(help_text=_("The batch's identifier, also in each ticket's history."))
    action = serializers.CharField()
    decided = BatchDecidedSerializer(many=True)
    skipped = BatchSkippedSerializer(many=True)
