"""Forms of the reviewer's decision panel; they validate input only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from approvals.models import CheckResult


class DecisionForm(forms.Form):
    ACTIONS = (("approve", _("Approve")), ("warn", _("Approve with warning")), ("reject", _("Reject")))

    action = forms.ChoiceField(choices=ACTIONS)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields["comment"]
        assert isinstance(comment, forms.CharField)
        comment.max_length = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
        comment.validators.append(MaxLengthValidator(settings.REVIEW_GATE_COMMENT_MAX_LENGTH))
        comment.widget.attrs["maxlength"] = settings.REVIEW_GATE_COMMENT_MAX_LENGTH

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") in {"warn", "reject"} and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("A comment is required to reject or to approve with a warning."))
        return cleaned


class OverrideForm(forms.Form):
    result = forms.ChoiceField(choices=CheckResult.choices, label=_("Result to send"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason (mandatory, audited)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.CharField)
        reason.max_length = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
        reason.validators.append(MaxLengthValidator(settings.REVIEW_GATE_COMMENT_MAX_LENGTH))


class InboxFilterForm(forms.Form):
    AGES = (
        ("", _("Any age")),
        ("1h", _("Older than 1 hour")),
        ("1d", _("Older than 1 day")),
        ("7d", _("Older than 7 days")),
    )

    SORTS = (("", _("Newest first")), ("risk", _("Riskiest first")))

    status = forms.ChoiceField(required=False, label=_("Status"))
    project = forms.IntegerField(required=False, min_value=0, label=_("Workspace ID"))
    event = forms.CharField(required=False, max_length=100, label=_("Event"))
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


class WaiveFindingForm(forms.Form):
    """Waive one risk finding of a ticket: which one (rule and line) and why."""

    rule = forms.RegexField(regex=r"\AMC[0-9]{2}\Z", max_length=4)
    line = forms.IntegerField(min_value=1, max_value=10_000_000)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Why it is acceptable (audited)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.CharField)
        reason.max_length = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
        reason.validators.append(MaxLengthValidator(settings.REVIEW_GATE_COMMENT_MAX_LENGTH))
        reason.widget.attrs["maxlength"] = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
