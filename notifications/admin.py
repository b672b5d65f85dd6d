from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin import ReadOnlyAdminMixin
from notifications.holidays import years_without_data
from notifications.models import Channel, Holiday, Notification
from notifications.rules_file import channel_problems
from notifications.services import channel_send_test, notification_retry


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ("name", "kind", "enabled", "url_env", "secret_env", "to", "language")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {key: cleaned.get(key) for key in self.Meta.fields if key in cleaned}
        values["to"] = values.get("to") or []
        for key, message in channel_problems({k: v for k, v in values.items() if v is not None}):
            if key in self.fields and key not in self.errors:
                self.add_error(key, message)
        return cleaned


def _variable(name: str) -> str:
    """Say which variable holds a value and whether it is set, never the value."""
    if not name:
        return "-"
    state = _("set") if os.environ.get(name, "").strip() else _("NOT SET")
    return f"{name} ({state})"


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "enabled", "url_variable", "secret_variable", "language", "updated_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    actions = ("send_test_message",)

    @admin.display(description=_("URL variable"))
    def url_variable(self, obj: Channel) -> str:
        return _variable(obj.url_env)

    @admin.display(description=_("secret variable"))
    def secret_variable(self, obj: Channel) -> str:
        return _variable(obj.secret_env)

    @admin.action(description=_("Send a test message"))
    def send_test_message(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        email = str(getattr(request.user, "email", "") or "")
        for channel in queryset:
            channel_send_test(channel, email=email)
        self.message_user(
            request,
            ngettext(
                "A test message was queued; its outcome shows under Notifications.",
                "%(n)d test messages were queued; their outcome shows under Notifications.",
                queryset.count(),
            )
            % {"n": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "intent", "ticket_link", "channel", "target", "state", "attempts", "error", "sent_at")
    list_filter = ("state", "intent", "channel__kind", "channel")
    search_fields = ("delivery_id", "ticket__message_id", "target")
    list_select_related = ("ticket", "channel")
    actions = ("send_again",)

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: Notification) -> str:
        if obj.ticket_id is None:
            return "-"
        return format_html('<a href="/tickets/{}/">#{}</a>', obj.ticket_id, obj.ticket_id)

    @admin.display(description=_("last error"))
    def error(self, obj: Notification) -> str:
        if not obj.last_error_code and not obj.last_error:
            return ""
        return f"{obj.last_error_code} {obj.last_error}"[:200]

    @admin.action(description=_("Send again (failed ones)"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)d failed notifications queued again.") % {"n": count}, messages.SUCCESS)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "seeded")
    list_filter = ("kind", "seeded")
    date_hierarchy = "date"
    search_fields = ("name",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from django.utils import timezone

        year = timezone.now().year
        for missing in sorted(years_without_data({year, year + 1})):
            self.message_user(
                request,
                _(
                    "No holidays are known for %(year)s: reminders count plain weekdays that year. Add its public "
                    "holidays and make-up working days here."
                )
                % {"year": missing},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)
