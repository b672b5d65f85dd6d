"""URL routes: the EventBridge webhook, health probes, the admin, and the reviewer UI/API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from events import views as event_views

urlpatterns = [
    path("events/", include("events.urls")),
    path("healthz", event_views.healthz, name="healthz"),
    path("readyz", event_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("approvals.api.urls")),
    path("", include("approvals.web.urls")),
]
