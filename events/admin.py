"""Read-only admin for received events, filterable by type, workspace and time."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.admin import ReadOnlyAdminMixin
from events.models import InboundEvent


class ProjectFilter(admin.SimpleListFilter):
    title = _("workspace")
    parameter_name = "project"
    max_choices = 200  # a filter list longer than this is unusable; search by ID instead

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        ids = (
            InboundEvent.objects.exclude(project_id=None)
            .order_by("project_id")
            .values_list("project_id", flat=True)
            .distinct()[: self.max_choices]
        )
        return [(str(pid), str(pid)) for pid in ids]

    def queryset(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> QuerySet[InboundEvent]:
        value = self.value()
        if value and value.isascii() and value.isdigit() and len(value) <= 19:
            return queryset.filter(project_id=int(value))
        return queryset


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "message_id",
        "event_code",
        "project_id",
        "operator",
        "gated",
        "status",
        "received_at",
    )
    list_filter = ("event_code", "module", "gated", "status", ProjectFilter, "received_at")
    search_fields = ("message_id", "=project_id", "operator")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a large event table is slow; the paginator does without it
