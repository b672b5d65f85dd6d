"""Read-only admin for tickets (each with its audit trail) and for the audit trail itself.

Tickets and audit entries are never edited here: their status changes only through `approvals.tickets.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from approvals.models import AuditEntry, Ticket
from config.admin import ReadOnlyAdminMixin

# Columns a ticket list never shows and that can be large (fetched code, scheduling configuration, snapshot).
_TICKET_BULKY_FIELDS = ("snapshot", "old_content", "new_content", "old_config", "new_config")


class AuditEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEntry
    fields = ("created_at", "action", "result", "actor", "comment", "ip_address")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return super().get_queryset(request).select_related("actor")


class TicketChangeList(ChangeList):
    """The ticket list, without loading the large code and snapshot columns it never shows."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        return super().get_queryset(request, exclude_parameters).defer(*_TICKET_BULKY_FIELDS)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
