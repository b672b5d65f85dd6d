"""URL routes: the EventBridge webhook, health probes, /metrics, the admin (with the doctor), accounts, the
reviewer UI/API, and in demo mode only the demo chat (notifications/demo.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from approvals.web.language import set_language
from events import views as event_views
from operations import views as operations_views


def account_urlpatterns(*, password_reset: bool) -> list[URLPattern]:
    """Log in and out, change one's password; reset it by mail only when mail is configured (MAIL_CONFIGURED).

    Without mail, the reset pages would say "sent" while nothing can be sent, so they are not routed at all (404).
    """
    patterns = [
        path("login/", auth_views.LoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
        path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    ]
    if password_reset:
        patterns += [
            path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
            path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
            path(
                "reset/<uidb64>/<token>/",
                auth_views.PasswordResetConfirmView.as_view(),
                name="password_reset_confirm",
            ),
            path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
        ]
    return patterns


def build_urlpatterns(*, password_reset: bool, demo: bool = False) -> list[URLPattern | URLResolver]:
    """Return every route of the site (tests build the site with and without password reset, and the demo's)."""
    # Demo mode only: where the demo's notification channels send, and the page that shows it (404 otherwise).
    demo_chat = [path("demo/chat/", include("notifications.demo"))] if demo else []
    return [
        *demo_chat,
        path("events/", include("events.urls")),
        path("healthz", event_views.healthz, name="healthz"),
        path("readyz", event_views.readyz, name="readyz"),
        path("metrics", operations_views.metrics, name="metrics"),
        path("admin/doctor/", operations_views.doctor_page, name="doctor"),
        path("admin/", admin.site.urls),
        path("accounts/", include(account_urlpatterns(password_reset=password_reset))),
        # The language switcher of templates/_base.html (POST): remembers the choice on the profile and in a cookie.
        path("i18n/setlang/", set_language, name="set_language"),
        path("api/v1/", include("approvals.api.urls")),
        path("", include("approvals.web.urls")),
    ]


urlpatterns = build_urlpatterns(password_reset=settings.REVIEW_GATE_PASSWORD_RESET, demo=settings.DEMO_MODE)
