"""Admin for reviewer rules (with a "which rules match this?" tester), read-only tickets and audit trail, and the
reviewer profiles that map users to DataWorks UIDs.

Tickets and audit entries are never edited here: their status changes only through `approvals.tickets.services`.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from approvals.rules import io as rules_io
from approvals.rules.forms import MatchTesterForm, RuleAdminForm
from approvals.tickets.matching import Subject, matching_rules, rule_matches
from approvals.models import AuditEntry, ReviewerProfile, Rule, RuleChange, Ticket
from approvals.rules.audit import record_rule_change

RECENT_TICKETS = 20
# Columns a ticket list never shows and that can be large (fetched code, scheduling configuration, snapshot).
_TICKET_BULKY_FIELDS = ("snapshot", "old_content", "new_content", "old_config", "new_config")


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


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = (
        "name",
        "enabled",
        "projects_display",
        "events_display",
        "paths_display",
        "min_approvals",
        "timeout_display",
        "auto_outcome",
    )
    list_filter = ("enabled", "auto_outcome")
    search_fields = ("name",)
    ordering = ("name",)
    filter_horizontal = ("reviewers", "groups")
    readonly_fields = ("recent_tickets",)

    # Every admin change to a rule also lands in the append-only RuleChange log, with the client's address.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, obj, RuleChange.Action.CREATED)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, obj, RuleChange.Action.UPDATED)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for rule in queryset:
            self._record(request, rule, RuleChange.Action.DELETED)
        return super().log_deletions(request, queryset)

    def _record(self, request: HttpRequest, rule: Rule, action: str) -> None:
        actor = request.user if isinstance(request.user, AuthUser) else None
        record_rule_change(rule=rule, action=action, source="admin", actor=actor, ip=request.META.get("REMOTE_ADDR"))

    def get_fieldsets(self, request: HttpRequest, obj: Rule | None = None) -> Any:
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (None, {"fields": ("name", "enabled")}),
            (
                _("What it matches"),
                {
                    "fields": ("projects", "events", "paths", "file_types"),
                    "description": _("Every criterion that is filled in must match; empty criteria match everything."),
                },
            ),
            (_("Who reviews"), {"fields": ("reviewers", "groups", "min_approvals")}),
            (_("Automatic outcome and timeout"), {"fields": ("auto_outcome", "timeout", "on_timeout")}),
        ]
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

    @admin.display(description=_("timeout"), ordering="timeout")
    def timeout_display(self, obj: Rule) -> str:
        return rules_io.format_duration(obj.timeout) or "-"

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
            enabled, disabled = _rules_for_tester(form.subject())
            context["matches"] = [self._tester_row(rule) for rule in enabled]
            context["disabled_matches"] = [self._tester_row(rule) for rule in disabled]
            timeouts = [(r.timeout, r) for r in enabled if r.timeout and not r.auto_outcome]
            if timeouts:
                shortest, rule = min(timeouts, key=lambda pair: pair[0])
                context["timeout"] = {"after": rules_io.format_duration(shortest), "outcome": rule.on_timeout}
        return TemplateResponse(request, "admin/approvals/rule/match_tester.html", context)

    @staticmethod
    def _tester_row(rule: Rule) -> dict[str, Any]:
        return {
            "url": reverse("admin:approvals_rule_change", args=[rule.pk]),
            "rule": rule,
            "timeout": rules_io.format_duration(rule.timeout),
        }


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    fields = ("created_at", "action", "result", "actor", "comment", "ip_address")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketChangeList(ChangeList):
    """The ticket list, without loading the large code and snapshot columns it never shows."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        return super().get_queryset(request, exclude_parameters).defer(*_TICKET_BULKY_FIELDS)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "message_id",
        "event_code",
        "project_id",
        "title",
        "status",
        "check_result",
        "callback_status",
        "created_at",
    )
    list_filter = ("status", "callback_status", "event_code", "created_at")
    search_fields = ("=message_id", "title", "path")
    ordering = ("-created_at", "-pk")
    list_per_page = 50
    # The list shows no related object; never join the event, whose raw payload is large.
    list_select_related = ()
    show_full_result_count = False  # COUNT(*) over a large ticket table is slow; the paginator does without it
    inlines = (AuditEntryInline,)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TicketChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "ticket_link", "action", "result", "actor", "ip_address")
    list_filter = ("action", "result", "created_at")
    search_fields = ("=ticket__message_id", "comment")
    ordering = ("-created_at", "-pk")
    list_per_page = 100
    # Join the actor only: joining the ticket would load its code and snapshot for every row.
    list_select_related = ("actor",)
    show_full_result_count = False

    @admin.display(description=_("ticket"), ordering="ticket_id")
    def ticket_link(self, obj: AuditEntry) -> str:
        url = reverse("admin:approvals_ticket_change", args=[obj.ticket_id])
        return format_html('<a href="{}">#{}</a>', url, obj.ticket_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "dataworks_uid")
    search_fields = ("user__username", "=dataworks_uid")
    list_select_related = ("user",)
    ordering = ("user__username",)
    autocomplete_fields = ("user",)


class ReviewerProfileInline(admin.StackedInline):
    model = ReviewerProfile
    fields = ("dataworks_uid",)
    max_num = 1
    can_delete = True
    verbose_name = _("DataWorks identity")
    verbose_name_plural = _("DataWorks identity")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class ReviewGateUserAdmin(DjangoUserAdmin):
    """Django's user admin with the reviewer's DataWorks UID on the same page."""

    inlines = (*DjangoUserAdmin.inlines, ReviewerProfileInline)


@admin.register(RuleChange)
class RuleChangeAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaskedTokenAdmin(TokenAdmin):
    """DRF's token admin, but a token is shown by its first characters only: staff must not read users' keys."""

    list_display = ("masked_key", "user", "created")
    list_display_links = None
    actions = None  # the bulk-action checkboxes would carry each row's primary key, which is the token itself
    fields = ("user",)
    search_fields = ("user__username",)

    # A token's page titles itself with the whole key; tokens are made and replaced with `drf_create_token [-r]`.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("key"))
    def masked_key(self, obj: TokenProxy) -> str:
        return f"{obj.key[:6]}…"


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, MaskedTokenAdmin)


from approvals.admin import delivery  # noqa: E402,F401 - registers the outbox (result delivery) admin
