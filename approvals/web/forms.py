"""Forms of the reviewer's decision panel; they validate input only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from approvals.models import CheckResult


def limit_to_comment_length(field: forms.Field, *, in_html: bool = True) -> None:
    """Hold a text field to REVIEW_GATE_COMMENT_MAX_LENGTH (read when the form is built, so tests may change it),
    and, with `in_html`, tell the browser too."""
    assert isinstance(field, forms.CharField)
    field.max_length = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
    field.validators.append(MaxLengthValidator(settings.REVIEW_GATE_COMMENT_MAX_LENGTH))
    if in_html:
        field.widget.attrs["maxlength"] = settings.REVIEW_GATE_COMMENT_MAX_LENGTH


class DecisionForm(forms.Form):
    ACTIONS = (
        ("approve", _("Approve")),
        ("warn", _("Approve with warning")),
        ("reject", _("Reject")),
        ("changes", _("Request changes")),
    )

    action = forms.ChoiceField(choices=ACTIONS)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_comment_length(self.fields["comment"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == "changes" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Write the changes you ask for: the developer reads them in DataWorks."))
        elif action in {"warn", "reject"} and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("A comment is required to reject or to approve with a warning."))
        return cleaned


class LineCommentForm(forms.Form):
    """A comment on one line of the diff: which side, which line, and the text."""

    side = forms.ChoiceField(choices=(("new", "new"), ("old", "old")))
    line = forms.IntegerField(min_value=1, max_value=10_000_000)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment on this line"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_comment_length(self.fields["body"])


class OverrideForm(forms.Form):
    result = forms.ChoiceField(choices=CheckResult.choices, label=_("Result to send"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason (mandatory, audited)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_comment_length(self.fields["reason"], in_html=False)


class InboxFilterForm(forms.Form):
    """The inbox's tab, search, filters and order (GET). Invalid values are ignored, never an error page."""

    TABS = (
        ("waiting", _("Waiting for me")),
        ("all", _("All I may see")),
        ("mine", _("My changes")),
        ("decided", _("Decided")),
    )
    AGES = (
        ("", _("Any age")),
        ("1h", _("Older than 1 hour")),
        ("1d", _("Older than 1 day")),
        ("7d", _("Older than 7 days")),
    )
    SORTS = (("", _("Oldest first")), ("newest", _("Newest first")), ("risk", _("Riskiest first")))

    tab = forms.ChoiceField(required=False, choices=TABS)
    q = forms.CharField(required=False, max_length=200, label=_("Search"), strip=True)
    status = forms.ChoiceField(required=False, label=_("Status"))
    workspace = forms.CharField(required=False, max_length=200, label=_("Workspace"))
    project = forms.IntegerField(required=False, min_value=0, max_value=10**18, label=_("Workspace ID"))
    event = forms.CharField(required=False, max_length=100, label=_("Event"))
    operator = forms.CharField(required=False, max_length=150, label=_("Operator"))
    age = forms.ChoiceField(required=False, choices=AGES, label=_("Age"))
    risk = forms.ChoiceField(required=False, label=_("Risk"))
    sort = forms.ChoiceField(required=False, choices=SORTS, label=_("Order"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from approvals.models import Risk, Ticket

        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("Any status")), *Ticket.Status.choices]
        risk = self.fields["risk"]
        assert isinstance(risk, forms.ChoiceField)
        # "HIGH+" reads "high or worse" (critical, high, and the changes nobody could assess, as rules count them).
        risk.choices = [("", _("Any risk")), ("HIGH+", _("High or worse, or not assessed")), *Risk.choices]
        for name in ("q", "workspace", "event", "operator"):
            self.fields[name].widget.attrs["maxlength"] = self.fields[name].max_length  # type: ignore[attr-defined]


MAX_BATCH = 500  # as approvals.tickets.batch.MAX_BATCH: each ticket is a transaction, and the answer lists them all


class TicketIdsField(forms.Field):
    """Ticket numbers given as repeated form values (`ticket=1&ticket=2`): digits only, at most `MAX_BATCH`."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_BATCH:
            raise forms.ValidationError(
                _("Choose at most %(max)d tickets at once."), code="too_many", params={"max": MAX_BATCH}
            )
        ids = []
        for item in values:
            text = str(item)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(_("Give the tickets by their numbers."), code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class BatchDecisionForm(forms.Form):
    """Approve or reject several tickets with one comment: the checked ones, or all that match the inbox's filters."""

    ACTIONS = (("approve", _("Approve")), ("reject", _("Reject")))
    SCOPES = (("selected", _("The tickets I selected")), ("matching", _("All tickets matching this filter")))

    action = forms.ChoiceField(choices=ACTIONS)
    scope = forms.ChoiceField(choices=SCOPES, required=False)
    ticket = TicketIdsField(required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_comment_length(self.fields["comment"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("comment") or "").strip():  # as in the API: a decision across many tickets says why
            self.add_error("comment", _("A batch decision needs one comment; it is recorded on every ticket."))
        if cleaned.get("scope") != "matching" and not cleaned.get("ticket") and "ticket" not in self.errors:
            self.add_error("ticket", _("Select at least one ticket, or choose all tickets matching this filter."))
        return cleaned


class WaiveFindingForm(forms.Form):
    """Waive one risk finding of a ticket: which one (rule and line) and why."""

    rule = forms.RegexField(regex=r"\AMC[0-9]{2}\Z", max_length=4)
    line = forms.IntegerField(min_value=1, max_value=10_000_000)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Why it is acceptable (audited)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to_comment_length(self.fields["reason"])
