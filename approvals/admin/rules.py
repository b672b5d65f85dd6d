"""Admin for reviewer rules (with the "which rules match this?" tester) and the rule-change log.

A rule is saved and deleted through `approvals.rules.services`, as `import_rules` does, so both log it alike.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from approvals.admin.forms import MatchTesterForm, RuleAdminForm
from approvals.models import Risk, Rule, RuleChange
from approvals.rules.fields import VALUE_FIELDS, admin_fieldsets
from approvals.rules.services import rule_delete, rule_save
from approvals.rules.validators import format_duration
from approvals.tickets.matching import Subject, matching_rules, rule_matches, timeout_choice
from approvals.tickets.quorum import rule_quorum_warning
from config.admin import ReadOnlyAdminMixin

RECENT_TICKETS = 20
SOURCE = "admin"


def _short_list(values: list[Any] | None, limit: int = 5) -> str:
    values = list(values or [])
    if not values:
        return str(_("all"))
    shown = ", ".join(str(v) for v in values[:limit])
    return f"{shown}, … (+{len(values) - limit})" if len(values) > limit else shown


def _rules_for_tester(subject: Subject) -> tuple[list[Rule], list[Rule]]:
    """Return the enabled rules that match the subject, and the disabled ones that would match if enabled."""
    rules = list(Rule.objects.order_by("name"))
    enabled = matching_rules(subject, [rule for rule in rules if rule.enabled])
    would_match = []
    for rule in rules:
        if rule.enabled:
            continue
        candidate = copy.copy(rule)  # an unsaved in-memory copy; the stored rule stays disabled
        candidate.enabled = True
        if rule_matches(candidate, subject):
            would_match.append(rule)
    return enabled, would_match


def _actor(request: HttpRequest) -> AbstractBaseUser | None:
    return request.user if isinstance(request.user, get_user_model()) else None


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = (
        "name",
        "enabled",
        "projects_display",
        "events_display",
        "paths_display",
        "risk_display",
        "min_approvals",
        "timeout_display",
        "auto_outcome",
    )
    list_filter = ("enabled", "auto_outcome")
    search_fields = ("name",)
    ordering = ("name",)
    filter_horizontal = ("reviewers", "groups")
    readonly_fields = ("recent_tickets",)

    # Every admin change to a rule goes through the rule services, which also log it (RuleChange) with the client's
    # address. The rule is saved with its reviewers and groups in save_model; save_related has only inlines left.
    def save_model(self, request: HttpRequest, obj: Rule, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        # Validating the form already set the new values on `obj`: compare them with the rule as stored.
        stored = Rule.objects.get(pk=obj.pk) if change else obj
        saved = rule_save(
            rule=stored,
            values={field.name: data[field.name] for field in VALUE_FIELDS},
            reviewers={user.pk for user in data["reviewers"]},
            groups={group.pk for group in data["groups"]},
            actor=_actor(request),
            source=SOURCE,
            ip=request.META.get("REMOTE_ADDR"),
        )
        # Said after the save, with the reviewers and groups as stored: a rule that can never be met is worth a look.
        warning = rule_quorum_warning(saved)
        if warning:
            messages.warning(request, warning)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Rule | None = None,
    ) -> HttpResponse:
        # The stored rule's reviewers (templates/admin/approvals/rule/change_form.html shows the warning).
        context["quorum_warning"] = rule_quorum_warning(obj) if obj is not None and obj.pk else ""
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet], change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        rule_delete(rule=obj, actor=_actor(request), source=SOURCE, ip=request.META.get("REMOTE_ADDR"))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        for rule in queryset:
            self.delete_model(request, rule)

    def get_fieldsets(self, request: HttpRequest, obj: Rule | None = None) -> Any:
        fieldsets: list[tuple[Any, dict[str, Any]]] = []
        for fieldset, names in admin_fieldsets():
            options: dict[str, Any] = {"fields": names}
            if fieldset.description:
                options["description"] = fieldset.description
            fieldsets.append((fieldset.title, options))
        if obj is not None:
            fieldsets.append((_("Recent tickets"), {"fields": ("recent_tickets",)}))
        return fieldsets

    @admin.display(description=_("workspace IDs"))
    def projects_display(self, obj: Rule) -> str:
        return _short_list(obj.projects)

    @admin.display(description=_("event codes"))
    def events_display(self, obj: Rule) -> str:
        return _short_list(obj.events)

    @admin.display(description=_("path globs"))
    def paths_display(self, obj: Rule) -> str:
        return _short_list(obj.paths)

    @admin.display(description=_("risk"))
    def risk_display(self, obj: Rule) -> str:
        labels = dict(Risk.choices)
        low, high = obj.risk_at_least, obj.risk_at_most
        if low and high:
            return f"{labels.get(low, low)}..{labels.get(high, high)}"
        if low:
            return f"≥ {labels.get(low, low)}"
        if high:
            return f"≤ {labels.get(high, high)}"
        return str(_("any"))

    @admin.display(description=_("timeout"), ordering="timeout")
    def timeout_display(self, obj: Rule) -> str:
        return format_duration(obj.timeout) or "-"

    @admin.display(description=_("tickets it matched (most recent first)"))
    def recent_tickets(self, obj: Rule) -> SafeString:
        fields = ("pk", "message_id", "event_code", "title", "status", "created_at")
        tickets = obj.tickets.only(*fields).order_by("-created_at", "-pk")[:RECENT_TICKETS] if obj.pk else []
        rows = [(reverse("admin:approvals_ticket_change", args=[t.pk]), t) for t in tickets]
        # Rendered by a template so every value is autoescaped.
        return render_to_string("admin/approvals/rule/matched_tickets.html", {"rows": rows})

    def get_urls(self) -> list[URLPattern]:
        tester = path(
            "match-tester/",
            self.admin_site.admin_view(self.match_tester_view),
            name="approvals_rule_match_tester",
        )
        return [tester, *super().get_urls()]

    def match_tester_view(self, request: HttpRequest) -> HttpResponse:
        """Show which enabled rules match a described change, and which disabled rules would have."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = MatchTesterForm(request.GET or None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Which rules match this?"),
            "form": form,
            "submitted": form.is_bound,
            "unmatched_setting": settings.REVIEW_GATE_UNMATCHED,
        }
        if form.is_valid():
            risk = form.risk_used()
            context["risk_used"] = {"value": risk, "label": dict(Risk.choices).get(risk, risk)}
            enabled, disabled = _rules_for_tester(form.subject())
            context["matches"] = [self._tester_row(rule) for rule in enabled]
            context["disabled_matches"] = [self._tester_row(rule) for rule in disabled]
            choice = timeout_choice(enabled)
            if choice is not None:
                shortest, outcome = choice
                context["timeout"] = {"after": format_duration(shortest), "outcome": outcome}
        return TemplateResponse(request, "admin/approvals/rule/match_tester.html", context)

    @staticmethod
    def _tester_row(rule: Rule) -> dict[str, Any]:
        return {
            "url": reverse("admin:approvals_rule_change", args=[rule.pk]),
            "rule": rule,
            "timeout": format_duration(rule.timeout),
        }


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "rule_name", "action", "actor", "source", "ip_address")
    list_filter = ("action", "source", "created_at")
    search_fields = ("rule_name",)
    readonly_fields = (
        "rule_name",
        "rule_id_at_change",
        "action",
        "actor",
        "source",
        "ip_address",
        "snapshot",
        "created_at",
    )
    show_full_result_count = False
