"""Read-only admin for tickets (each with its audit trail) and for the audit trail itself.

Tickets and audit entries are never edited here: their status changes only through `approvals.tickets.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from approvals.admin.actions import retry_preparation
from approvals.models import AuditEntry, FindingWaiver, Ticket
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


class FindingWaiverInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FindingWaiver
    fields = ("created_at", "rule", "line", "actor", "reason")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    extra = 0
    can_delete = False
    show_change_link = False


# --- Checked lists and actions (shared with the other approvals admins) ----------------------------------------------

_MAX_ID = 2**63 - 1  # largest value of a 64-bit primary key


def check_lookup_params(model: type[Model], params: QueryDict) -> None:
    """Refuse list filters the database could not compare, or that name no choice of a choice field.

    A NUL anywhere (PostgreSQL refuses it in any text parameter: a 500 on `?status__exact=%00`), and, for a field
    with choices, an exact or `in` value that is not one of them. IncorrectLookupParameters makes Django's admin
    answer as it does for any invalid lookup: a redirect to `?e=1`.
    """
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise IncorrectLookupParameters(gettext("A list parameter contains a NUL character."))
        name, __, lookup = key.partition(LOOKUP_SEP)
        if lookup not in ("", "exact", "in"):
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        choices = {str(value) for value, __label in getattr(field, "flatchoices", None) or ()}
        if not choices:
            continue
        for value in values:
            wanted = value.split(",") if lookup == "in" else [value]
            if any(item not in choices for item in wanted):
                raise IncorrectLookupParameters(gettext("%(field)s has no such choice.") % {"field": name})


class CheckedChangeList(ChangeList):
    """A changelist whose filters are checked first (`check_lookup_params`): a bad one is `?e=1`, never a 500."""

    def __init__(self, request: HttpRequest, model: type[Model], *args: Any, **kwargs: Any) -> None:
        check_lookup_params(model, request.GET)
        super().__init__(request, model, *args, **kwargs)


def _is_object_id(model: type[Model], value: str) -> bool:
    if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}:
        return value.isascii() and value.isdigit() and int(value) <= _MAX_ID
    return "\x00" not in value


class CheckedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose list filters are checked (CheckedChangeList) and whose action selections are IDs.

    Django filters `pk__in=<the posted _selected_action values>` as they come: `_selected_action=abc` on an integer
    key raised ValueError, a 500. Here a selection that is not a list of object IDs runs nothing and says so.
    """

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckedChangeList

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_object_id(self.model, value) for value in selected):
            self.message_user(request, gettext("The selection is not a list of IDs; nothing was done."), messages.ERROR)
            return None
        return super().response_action(request, queryset)


# --- Tickets -------------------------------------------------------------------------------------------------------


class TicketChangeList(CheckedChangeList):
    """The ticket list, without loading the large code and snapshot columns it never shows."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        return super().get_queryset(request, exclude_parameters).defer(*_TICKET_BULKY_FIELDS)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, CheckedModelAdmin):
    list_display = (
        "id",
        "message_id",
        "event_code",
        "project_id",
        "title",
        "risk",
        "status",
        "check_result",
        "callback_status",
        "created_at",
    )
    list_filter = ("status", "risk", "callback_status", "event_code", "created_at")
    search_fields = ("=message_id", "title", "path")
    ordering = ("-created_at", "-pk")
    actions = (retry_preparation,)
    list_per_page = 50
    # The list shows no related object; never join the event, whose raw payload is large.
    list_select_related = ()
    show_full_result_count = False  # COUNT(*) over a large ticket table is slow; the paginator does without it
    inlines = (AuditEntryInline, FindingWaiverInline)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TicketChangeList


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, CheckedModelAdmin):
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
