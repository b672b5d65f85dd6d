"""Review tickets, reviewer rules, reviewer profiles and the append-only audit trail.

Only `approvals.tickets.services` changes a ticket's status; everything else reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CheckResult(models.TextChoices):
    OK = "OK", _("OK (pass)")
    WARN = "WARN", _("WARN (pass with a warning)")
    FAIL = "FAIL", _("FAIL (block)")


class Risk(models.TextChoices):
    """A change's risk as the analyser found it at preparation (riskcheck): the highest severity of its findings,
    NONE when it found nothing, NOT_ASSESSED when it did not read the change (Operation Center, a file type it cannot
    read, a deletion, code too large, an analysis that failed)."""

    NONE = "NONE", _("None")
    LOW = "LOW", _("Low")
    MEDIUM = "MEDIUM", _("Medium")
    HIGH = "HIGH", _("High")
    CRITICAL = "CRITICAL", _("Critical")
    NOT_ASSESSED = "NOT_ASSESSED", _("Not assessed")


# A rule's risk bounds name severities only: "at least NONE" would match everything, so it is not offered.
RISK_AT_LEAST_CHOICES = [("", _("Not a criterion"))] + [
    (r.value, r.label) for r in Risk if r not in (Risk.NONE, Risk.NOT_ASSESSED)
]
RISK_AT_MOST_CHOICES = [("", _("Not a criterion"))] + [(r.value, r.label) for r in Risk if r is not Risk.NOT_ASSESSED]


class ReviewerProfile(models.Model):
    """Links a Review Gate user to their DataWorks (Alibaba Cloud) UID, so own changes can be recognised."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_profile", verbose_name=_("user")
    )
    dataworks_uid = models.CharField(
        _("DataWorks UID"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The Alibaba Cloud account UID DataWorks reports as the operator of this person's changes."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The interface language this person chose; messages written for them use it. Blank: the browser's."
        ),
    )

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self) -> str:
        return f"#{self.pk} {self.user} ({self.dataworks_uid or '-'})"


class Rule(models.Model):
    """Who must review which events; every enabled rule that matches a ticket applies."""

    class AutoOutcome(models.TextChoices):
        NONE = "", _("No: humans decide")
        OK = "OK", _("OK")
        WARN = "WARN", _("WARN")
        FAIL = "FAIL", _("FAIL")

    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    projects = models.JSONField(_("workspace IDs"), default=list, blank=True, help_text=_("Empty means all."))
    events = models.JSONField(_("event codes"), default=list, blank=True, help_text=_("Empty means all."))
    paths = models.JSONField(
        _("path globs"), default=list, blank=True, help_text=_("Globs over folder/path/file_name; empty means all.")
    )
    file_types = models.JSONField(_("file types"), default=list, blank=True, help_text=_("Empty means all."))
    # Risk found at preparation (riskcheck). A change nobody analysed (NOT_ASSESSED) counts as at least every level
    # and at most none: nothing passes automatically by not being analysed.
    risk_at_least = models.CharField(
        _("risk at least"),
        max_length=12,
        choices=RISK_AT_LEAST_CHOICES,
        blank=True,
        help_text=_("Matches changes whose risk is this or higher, and changes that were not assessed."),
    )
    risk_at_most = models.CharField(
        _("risk at most"),
        max_length=12,
        choices=RISK_AT_MOST_CHOICES,
        blank=True,
        help_text=_("Matches changes whose risk is this or lower; never a change that was not assessed."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_rules", verbose_name=_("reviewers")
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="review_rules", verbose_name=_("reviewer groups"))
    min_approvals = models.PositiveSmallIntegerField(_("minimum approvals"), default=1)
    timeout = models.DurationField(_("timeout"), null=True, blank=True)
    on_timeout = models.CharField(
        _("outcome on timeout"), max_length=4, choices=CheckResult.choices, default=CheckResult.FAIL
    )
    auto_outcome = models.CharField(
        _("automatic outcome"), max_length=4, choices=AutoOutcome.choices, default=AutoOutcome.NONE, blank=True
    )
    # Notifications (the notifications app reads these; channels and groups are named, checked when saved).
    notify = models.JSONField(
        _("notify channels"), default=list, blank=True, help_text=_("Names of notification channels.")
    )
    remind_every = models.DurationField(_("remind every"), null=True, blank=True)
    escalate_after = models.DurationField(_("escalate after"), null=True, blank=True)
    escalate_to_group = models.CharField(_("escalate to group"), max_length=150, blank=True)
    escalate_to_channel = models.CharField(_("escalate to channel"), max_length=100, blank=True)
    working_hours = models.BooleanField(
        _("count working hours only"),
        default=True,
        help_text=_("Reminders and escalation count only working time (the working day and the holiday table)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reviewer rule")
        verbose_name_plural = _("reviewer rules")
        constraints = [
            models.CheckConstraint(condition=Q(min_approvals__gte=1), name="rule_min_approvals_positive"),
        ]

    def __str__(self) -> str:
        return self.name


# The statuses that still wait for a decision (Ticket.OPEN_STATUSES); every other status is final and has a
# decided_at and a result. Plain strings here, for the constraints that Meta declares.
_OPEN_STATUS_VALUES = ["PREPARING", "PENDING", "NEEDS_ATTENTION"]


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> TicketQuerySet:
        """Tickets still waiting for a decision (preparing, pending, or needing attention)."""
        return self.filter(status__in=Ticket.OPEN_STATUSES)


class Ticket(models.Model):
    """One review of one DataWorks extension-point event (one MessageId)."""

    class Status(models.TextChoices):
        PREPARING = "PREPARING", _("Fetching details from DataWorks")
        PENDING = "PENDING", _("Waiting for review")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")
        EXPIRED = "EXPIRED", _("Expired")
        NEEDS_ATTENTION = "NEEDS_ATTENTION", _("Needs attention")
        RESOLVED_IN_DATAWORKS = "RESOLVED_IN_DATAWORKS", _("Resolved in DataWorks")

    OPEN_STATUSES = (Status.PREPARING, Status.PENDING, Status.NEEDS_ATTENTION)  # = _OPEN_STATUS_VALUES

    class CallbackStatus(models.TextChoices):
        NOT_SENT = "NOT_SENT", _("Not sent (no decision yet)")
        PENDING = "PENDING", _("Waiting to be sent")
        SENT = "SENT", _("Delivered to DataWorks")
        FAILED = "FAILED", _("Failed permanently")
        RESOLVED = "RESOLVED", _("Resolved without sending")

    event = models.OneToOneField(
        "events.InboundEvent", on_delete=models.PROTECT, related_name="ticket", verbose_name=_("event")
    )
    message_id = models.CharField(_("message ID"), max_length=128, unique=True)
    event_code = models.CharField(_("event code"), max_length=100, db_index=True)
    module = models.CharField(_("module"), max_length=20)
    callback_api = models.CharField(_("callback API"), max_length=40)
    project_id = models.BigIntegerField(_("workspace ID"), db_index=True)
    operator_uid = models.CharField(_("operator UID"), max_length=512, blank=True)
    title = models.CharField(_("title"), max_length=512, blank=True)
    path = models.CharField(_("path"), max_length=1024, blank=True, help_text=_("folder/path/file_name"))
    file_id = models.BigIntegerField(_("file ID"), null=True, blank=True)
    file_type = models.IntegerField(_("file type"), null=True, blank=True)
    snapshot = models.JSONField(_("details fetched from DataWorks"), default=dict, blank=True)
    # Written once by preparation with the analysis in `snapshot["risk"]`; rules match on it. Blank: not prepared
    # yet, or prepared before risk analysis existed (matched like NOT_ASSESSED).
    risk = models.CharField(_("risk"), max_length=12, choices=Risk.choices, blank=True, db_index=True)
    old_content = models.TextField(_("previous code"), blank=True)
    new_content = models.TextField(_("new code"), blank=True)
    old_label = models.CharField(_("previous side"), max_length=200, blank=True)
    new_label = models.CharField(_("new side"), max_length=200, blank=True)
    old_config = models.TextField(_("previous scheduling configuration"), blank=True)
    new_config = models.TextField(_("new scheduling configuration"), blank=True)
    rules = models.ManyToManyField(Rule, blank=True, related_name="tickets", verbose_name=_("matched rules"))
    # Written with `rules` (approvals.tickets.services.ticket_ready): "no rule matched" (review-any applies) as a
    # column the inbox can test per row, instead of a NOT EXISTS over the rule links that PostgreSQL chose to hash.
    has_rules = models.BooleanField(_("a rule matched"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.PREPARING)
    check_result = models.CharField(_("check result"), max_length=4, choices=CheckResult.choices, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("decision comment"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    timeout_outcome = models.CharField(_("outcome on timeout"), max_length=4, choices=CheckResult.choices, blank=True)
    prepare_attempts = models.PositiveIntegerField(_("preparation attempts"), default=0)
    # Preparation's due-time retry and its lease (approvals.jobs.timer): the next attempt is queued within about a
    # second of `prepare_next_attempt_at`; a worker preparing holds `prepare_claimed_until` and renews it while it
    # works, so a ticket whose lease ran out was left by a dead worker and is prepared again.
    prepare_next_attempt_at = models.DateTimeField(_("next preparation attempt at"), null=True, blank=True)
    prepare_claimed_until = models.DateTimeField(_("preparation claimed until"), null=True, blank=True)
    prepare_dispatched_at = models.DateTimeField(_("preparation last queued at"), null=True, blank=True)
    attention_reason = models.TextField(_("why it needs attention"), blank=True)
    unreachable_reason = models.TextField(
        _("why its rules cannot be met"),
        blank=True,
        help_text=_("Set when a matched rule has fewer eligible reviewers than it needs approvals."),
    )
    callback_status = models.CharField(
        _("callback status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.NOT_SENT
    )
    checked_in_dataworks_at = models.DateTimeField(_("last compared with DataWorks"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("earlier pending ticket for the same file"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("review_any", _("Can decide tickets that no rule covers")),
            ("override_decision", _("Can override a decision in an emergency")),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="ticket_status_created"),
            models.Index(fields=["status", "prepare_next_attempt_at"], name="ticket_prepare_due"),
            # A user's own changes, newest first, read straight off the index (the inbox's "what I triggered").
            models.Index(fields=["operator_uid", "created_at"], name="ticket_operator_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=_OPEN_STATUS_VALUES) | Q(decided_at__isnull=False),
                name="ticket_decided_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=_OPEN_STATUS_VALUES) | ~Q(check_result=""),
                name="ticket_decided_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_code} {self.title or self.message_id}"

    @property
    def is_open(self) -> bool:
        """Tell whether the ticket still waits for a decision."""
        return self.status in self.OPEN_STATUSES


class AppendOnly(models.Model):
    """A log row that, once written, is never rewritten or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name} rows are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self._meta.verbose_name} rows are append-only")


class AuditEntry(AppendOnly):
    """Append-only history of a ticket: creation, each approval or rejection, overrides, expiry, callbacks."""

    class Action(models.TextChoices):
        CREATED = "CREATED", _("Created")
        APPROVED = "APPROVED", _("Approved")
        APPROVED_WITH_WARNING = "APPROVED_WITH_WARNING", _("Approved with a warning")
        REJECTED = "REJECTED", _("Rejected")
        OVERRIDDEN = "OVERRIDDEN", _("Emergency override")
        EXPIRED = "EXPIRED", _("Expired")
        AUTO_DECIDED = "AUTO_DECIDED", _("Decided automatically")
        NEEDS_ATTENTION = "NEEDS_ATTENTION", _("Needs attention")
        PREPARATION_RETRIED = "PREPARATION_RETRIED", _("Preparation retried by an administrator")
        CALLBACK_SENT = "CALLBACK_SENT", _("Result delivered to DataWorks")
        CALLBACK_FAILED = "CALLBACK_FAILED", _("Result delivery failed")
        CALLBACK_RETRIED = "CALLBACK_RETRIED", _("Result delivery retried by an administrator")
        CALLBACK_RESOLVED = "CALLBACK_RESOLVED", _("Result delivery marked as resolved")
        RESOLVED_IN_DATAWORKS = "RESOLVED_IN_DATAWORKS", _("Resolved in DataWorks")
        FINDING_WAIVED = "FINDING_WAIVED", _("Risk finding waived")
        # Written next to the approval or rejection it explains (approvals.tickets.batch), in the same transaction.
        BATCH_DECISION = "BATCH_DECISION", _("Decided in a batch")
        # The ticket page (issue 18): a reviewer takes back an approval of a ticket still pending; changes requested
        # is a rejection that carries the reviewer's notes (and the line comments) to the developer.
        APPROVAL_WITHDRAWN = "APPROVAL_WITHDRAWN", _("Approval withdrawn")
        CHANGES_REQUESTED = "CHANGES_REQUESTED", _("Changes requested")
        LINE_COMMENTED = "LINE_COMMENTED", _("Commented on a line")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="audit", verbose_name=_("ticket"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    result = models.CharField(_("result"), max_length=4, choices=CheckResult.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["ticket", "created_at"], name="audit_ticket_time")]

    def __str__(self) -> str:
        return gettext("#%(pk)s %(action)s on ticket %(ticket)s") % {
            "pk": self.pk,
            "action": self.get_action_display(),
            "ticket": self.ticket_id,
        }


class FindingWaiver(AppendOnly):
    """A reviewer's waiver of one risk finding (rule and line) on one ticket, with the reason; audited.

    A waiver changes what the ticket page and the tip show, never which rules matched: matching used the risk found
    at preparation, so a waiver cannot remove a requirement.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="waivers", verbose_name=_("ticket"))
    rule = models.CharField(_("risk rule"), max_length=8)
    line = models.PositiveIntegerField(_("line"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("waived by")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("waived risk finding")
        verbose_name_plural = _("waived risk findings")
        constraints = [models.UniqueConstraint(fields=["ticket", "rule", "line"], name="waiver_once_per_finding")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rule}@{self.line} on ticket {self.ticket_id}"


class Callback(models.Model):
    """The outbox: one result to send to DataWorks for one MessageId, written with the decision it carries.

    Delivery claims the row with a conditional update before calling DataWorks, so a task that runs twice (django-q2
    delivers at least once) sends at most once per claim, and a delivered record is never sent again.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        SENDING = "SENDING", _("Sending")
        DELIVERED = "DELIVERED", _("Delivered")
        FAILED = "FAILED", _("Failed permanently")
        RESOLVED = "RESOLVED", _("Resolved by hand")

    message_id = models.CharField(_("message ID"), max_length=128, unique=True)
    ticket = models.OneToOneField(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="callback", verbose_name=_("ticket")
    )
    api = models.CharField(_("API"), max_length=40)
    result = models.CharField(_("result"), max_length=4, choices=CheckResult.choices)
    tip = models.TextField(_("tip"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    dispatched_at = models.DateTimeField(_("last queued at"), null=True, blank=True)
    last_error_code = models.CharField(_("last error code"), max_length=128, blank=True)
    last_error_message = models.TextField(_("last error"), blank=True)
    last_request_id = models.CharField(_("last request ID"), max_length=128, blank=True)
    last_http_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    resolved_reason = models.TextField(_("resolution reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("result delivery")
        verbose_name_plural = _("result deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="callback_due")]

    def __str__(self) -> str:
        return gettext("#%(pk)s %(result)s for %(message_id)s (%(state)s)") % {
            "pk": self.pk,
            "result": self.result,
            "message_id": self.message_id,
            "state": self.get_state_display(),
        }


class DeliveryAttempt(models.Model):
    """One call to DataWorks for a callback, kept so the admin can show every attempt and its outcome."""

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20)
    error_code = models.CharField(_("error code"), max_length=128, blank=True)
    request_id = models.CharField(_("request ID"), max_length=128, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt due at"), null=True, blank=True, help_text=_("Set when this attempt will be retried.")
    )

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return gettext("#%(pk)s %(outcome)s for callback %(callback)s") % {
            "pk": self.pk,
            "outcome": self.outcome,
            "callback": self.callback_id,
        }


class RuleChange(AppendOnly):
    """Append-only record of every change to the reviewer rules: who, when, from where, and the rule afterwards."""

    class Action(models.TextChoices):
        CREATED = "CREATED", _("Created")
        UPDATED = "UPDATED", _("Updated")
        DELETED = "DELETED", _("Deleted")

    rule_name = models.CharField(_("rule"), max_length=100, db_index=True)
    rule_id_at_change = models.BigIntegerField(_("rule ID"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    source = models.CharField(_("through"), max_length=40, help_text=_("admin, import_rules, ..."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    snapshot = models.JSONField(_("rule after the change"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.rule_name}"


class RenderedDiff(models.Model):
    """A diff rendered to HTML once, keyed by a hash of everything the HTML depends on (tickets.diff_store)."""

    key = models.CharField(_("content key"), max_length=64, unique=True)
    summary = models.JSONField(_("summary"))
    html = models.BinaryField(_("HTML, zlib-compressed"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rendered diff")
        verbose_name_plural = _("rendered diffs")

    def __str__(self) -> str:
        return f"rendered diff {self.key[:12]}"


def current_approvers(entries: Iterable[tuple[str, int | None]]) -> list[int]:
    """Return who approves a ticket now, in order of approval, from its audit entries (action, actor id) in time
    order: an approval counts until the same person withdraws it (`AuditEntry.Action.APPROVAL_WITHDRAWN`)."""
    approving = (AuditEntry.Action.APPROVED, AuditEntry.Action.APPROVED_WITH_WARNING)
    current: dict[int, None] = {}
    for action, actor_id in entries:
        if actor_id is None:
            continue
        if action in approving:
            current.setdefault(actor_id, None)
        elif action == AuditEntry.Action.APPROVAL_WITHDRAWN:
            current.pop(actor_id, None)
    return list(current)


class LineComment(AppendOnly):
    """A reviewer's comment on one line of a ticket's code diff (new side, or old side for a removed line).

    Append-only like the audit: a comment is history (the rejection's tip summarises them). The line is where the
    reader saw it in the diff `against` which version ("previous", or "approved": the last approved version).
    """

    class Side(models.TextChoices):
        NEW = "new", _("new version")
        OLD = "old", _("previous version")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="line_comments", verbose_name=_("ticket"))
    side = models.CharField(_("side"), max_length=3, choices=Side.choices, default=Side.NEW)
    line = models.PositiveIntegerField(_("line"))
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("line comment")
        verbose_name_plural = _("line comments")
        indexes = [models.Index(fields=["ticket", "created_at"], name="line_comment_ticket_time")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.side}:{self.line} on ticket {self.ticket_id}"


class RenderedDiffBlock(models.Model):
    """One block (a hunk, or a run of unchanged lines) of a diff rendered to HTML, so the ticket page sends the first
    screens and loads the rest on demand (tickets.diff_store). `key` is the paged diff's key in `RenderedDiff`."""

    key = models.CharField(_("content key"), max_length=64)
    index = models.PositiveIntegerField(_("block"))
    html = models.BinaryField(_("HTML, zlib-compressed"))

    class Meta:
        verbose_name = _("rendered diff block")
        verbose_name_plural = _("rendered diff blocks")
        constraints = [models.UniqueConstraint(fields=["key", "index"], name="rendered_block_once")]

    def __str__(self) -> str:
        return f"block {self.index} of {self.key[:12]}"
