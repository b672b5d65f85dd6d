"""Workspace settings in the admin."""

from __future__ import annotations

from django.contrib import admin

from workspaces.models import WorkspaceSettings


@admin.register(WorkspaceSettings)
class WorkspaceSettingsAdmin(admin.ModelAdmin):
    list_display = ("project_id", "name", "tip_language", "updated_at")
    search_fields = ("name", "project_id")
    ordering = ("project_id",)
