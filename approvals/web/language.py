"""The language switcher: a chosen language is kept on the user's profile (for messages workers write) and in a
cookie (for pages before login); the browser's Accept-Language decides until someone chooses."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from approvals.profiles import LANGUAGE_CODES, profile_language, profile_set_language

SESSION_KEY = "review_gate_language"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (POST `language`, optional `next`) and remember it."""
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CODES:
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain; charset=utf-8")
    if request.user.is_authenticated:
        profile_set_language(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return django_set_language(request)  # sets the cookie and redirects to `next` (same-site only)


def remember_language_at_login(sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: object) -> None:
    """Put the user's chosen language in the session at login (`user_logged_in`), so pages never query for it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = profile_language(user)


class UserLanguageMiddleware:
    """Activate a logged-in user's chosen language (after LocaleMiddleware and authentication, which it overrides).

    The choice is read from the profile once per session and kept in the session, so a page costs no extra query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:
                language = profile_language(user)
                request.session[SESSION_KEY] = language
            if language in LANGUAGE_CODES:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
