"""Admin for people: reviewer profiles (DataWorks UIDs), the user page that edits them, and masked API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from approvals.models import ReviewerProfile, Rule
from approvals.tickets.quorum import rule_shortfall


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

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Deactivating someone or taking them out of a group can leave a rule with fewer reviewers than it needs.
        user = form.instance
        groups = {getattr(g, "pk", g) for g in form.initial.get("groups") or ()} | set(
            user.groups.values_list("pk", flat=True)
        )
        rules = Rule.objects.filter(Q(reviewers=user) | Q(groups__in=groups), enabled=True, auto_outcome="")
        for rule in rules.distinct().order_by("name"):
            shortfall = rule_shortfall(rule)
            if shortfall is not None and shortfall[0] < shortfall[1]:
                eligible, required = shortfall
                self.message_user(
                    request,
                    _(
                        "Rule “%(rule)s” now has %(eligible)d active reviewers but needs %(required)d approvals: "
                        "the tickets it matches can never be approved."
                    )
                    % {"rule": rule.name, "eligible": eligible, "required": required},
                    messages.WARNING,
                )


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
