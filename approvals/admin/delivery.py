"""Admin for the result outbox: every delivery with its attempts, plus "retry now" and "mark as resolved"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from approvals.admin.tickets import CheckedModelAdmin
from approvals.delivery import outbox
from approvals.models import Callback, DeliveryAttempt
from config.admin import ReadOnlyAdminMixin
from config.http import client_ip


def _admin_user(request: HttpRequest) -> AbstractBaseUser:
    assert isinstance(request.user, get_user_model())  # the admin only serves logged-in staff
    return request.user


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "outcome", "error_code", "http_status", "request_id", "duration_ms")
    readonly_fields = fields
    ordering = ("-started_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResolveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdminMixin, CheckedModelAdmin):
    list_display = (
        "id",
        "message_id",
        "ticket",
        "result",
        "state",
        "attempts",
        "last_error_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "result", "api", "created_at")
    search_fields = ("message_id", "last_request_id", "last_error_code")
    list_select_related = ("ticket",)
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now", "mark_resolved"]
    readonly_fields = [f.name for f in Callback._meta.fields]

    @admin.action(description=_("Retry now"), permissions=["view"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Callback]) -> None:
        for callback in queryset:
            outbox.callback_retry_now(callback_id=callback.pk, user=_admin_user(request), ip=client_ip(request))
        self.message_user(request, _("Queued %(n)d deliveries.") % {"n": queryset.count()}, messages.SUCCESS)

    @admin.action(description=_("Mark as resolved (passed by hand in DataWorks)"), permissions=["view"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Callback]) -> HttpResponse | None:
        if not request.user.is_superuser and not request.user.has_perm("approvals.override_decision"):
            self.message_user(
                request, _("Marking deliveries as resolved needs the override permission."), messages.ERROR
            )
            return None
        form = ResolveForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for callback in queryset:
                outbox.callback_mark_resolved(
                    callback_id=callback.pk,
                    user=_admin_user(request),
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            self.message_user(request, _("Marked %(n)d deliveries as resolved.") % {"n": queryset.count()})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Mark as resolved"),
            "form": form,
            "callbacks": queryset,
            "action": "mark_resolved",
            "opts": self.model._meta,
        }
        return render(request, "admin/approvals/callback/mark_resolved.html", context)
