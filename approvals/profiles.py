"""A person's own settings in Review Gate (their interface language); the one write path for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from approvals.models import ReviewerProfile

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def profile_language(user: AbstractBaseUser) -> str:
    """Return the language the user chose ("" when they never chose)."""
    value = ReviewerProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return value or ""


def profile_set_language(*, user: AbstractBaseUser, language: str) -> None:
    """Store the user's chosen interface language, so e-mails and chat messages written by workers use it too.

    :raises ValueError: not one of the configured languages.
    """
    if language not in LANGUAGE_CODES:
        raise ValueError(f"unknown language {language!r}")
    ReviewerProfile.objects.update_or_create(user_id=user.pk, defaults={"language": language})
