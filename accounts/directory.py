"""Read a user's identities for messages: whom to mention, where to mail, whether to hold a direct message."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import ContactPreferences, ExternalIdentity


def identities_by_user(user_ids: list[int], provider: str) -> dict[int, ExternalIdentity]:
    """Return each user's identity on `provider` (verified ones first when a user has several tenants)."""
    found: dict[int, ExternalIdentity] = {}
    rows = ExternalIdentity.objects.filter(user_id__in=user_ids, provider=provider).order_by("-verified", "pk")
    for identity in rows:
        found.setdefault(identity.user_id, identity)
    return found


def direct_message_hold(user: AbstractBaseUser, now: datetime) -> tuple[bool, datetime | None]:
    """Return (muted, hold_until): a muted user gets no direct messages; in quiet hours they wait until the end."""
    prefs = ContactPreferences.objects.filter(user_id=user.pk).first()
    if prefs is None:
        return False, None
    if prefs.muted:
        return True, None
    if not prefs.quiet_at(now) or prefs.quiet_until is None:
        return False, None
    local = timezone.localtime(now)
    until = local.replace(hour=prefs.quiet_until.hour, minute=prefs.quiet_until.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return False, until


def users_by_email(emails: list[str]) -> dict[str, AbstractBaseUser]:
    """Return active users keyed by lower-cased e-mail; an address shared by several users matches none of them."""
    wanted = {email.strip().lower() for email in emails if email.strip()}
    matches: dict[str, list[AbstractBaseUser]] = {}
    users = get_user_model().objects.annotate(email_lower=Lower("email")).filter(is_active=True, email_lower__in=wanted)
    for user in users:
        matches.setdefault(str(user.email_lower), []).append(user)
    return {email: users[0] for email, users in matches.items() if len(users) == 1}
