"""Admin for people: reviewer profiles (DataWorks UIDs), the user page that edits them, and masked API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from approvals.models import ReviewerProfile


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
