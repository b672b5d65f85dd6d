from __future__ import annotations

from django.contrib import admin

from accounts.models import ContactPreferences, ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "tenant", "external_id", "mobile", "source", "verified", "updated_at")
    list_filter = ("provider", "source", "verified")
    search_fields = ("user__username", "user__email", "external_id", "mobile")
    autocomplete_fields = ("user",)
    # An admin types identities in; only the platform itself can verify one (sign-in or a signed callback).
    readonly_fields = ("verified", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change or {"provider", "tenant", "external_id", "mobile"} & set(form.changed_data):
            obj.source, obj.verified = ExternalIdentity.Source.ADMIN, False
        super().save_model(request, obj, form, change)


@admin.register(ContactPreferences)
class ContactPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "muted", "quiet_from", "quiet_until")
    list_filter = ("muted",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
