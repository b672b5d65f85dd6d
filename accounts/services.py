"""Write a user's external identities: by an admin's import (unverified: used only to mention people)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.directory import users_by_email
from accounts.models import ExternalIdentity, Provider

IMPORT_COLUMNS = ("email", "provider", "tenant", "external_id", "mobile")
MAX_IMPORT_ROWS = 20_000


@dataclass
class IdentityImport:
    """What an import did, row by row: created and updated counts, and every row refused with its reason."""

    created: int = 0
    updated: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def identities_import_csv(text: str, *, dry_run: bool = False) -> IdentityImport:
    """Import identities from CSV text with the header `email,provider,tenant,external_id,mobile`.

    Each row is matched to exactly one active user by corporate e-mail (case-insensitive); an unknown or shared
    address, an unknown platform, or a row with neither an ID nor a mobile is refused and reported, the others are
    written in one transaction. Imported identities are unverified.
    """
    result = IdentityImport()
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in IMPORT_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        result.problems.append((1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
        return result
    rows = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            result.problems.append(
                (number, _("Too many rows; import at most %(n)d at a time.") % {"n": MAX_IMPORT_ROWS})
            )
            return result
        rows.append((number, {key: (row.get(key) or "").strip() for key in IMPORT_COLUMNS}))
    users = users_by_email([row["email"] for _number, row in rows])
    with transaction.atomic():
        for number, row in rows:
            problem = _row_problem(row, users)
            if problem:
                result.problems.append((number, problem))
                continue
            _identity, created = ExternalIdentity.objects.update_or_create(
                user=users[row["email"].lower()],
                provider=row["provider"],
                tenant=row["tenant"][:128],
                defaults={
                    "external_id": row["external_id"][:128],
                    "mobile": row["mobile"][:32],
                    "source": ExternalIdentity.Source.IMPORT,
                    "verified": False,
                },
            )
            if created:
                result.created += 1
            else:
                result.updated += 1
        if dry_run:
            transaction.set_rollback(True)
    return result


def _row_problem(row: dict[str, str], users: Mapping[str, AbstractBaseUser]) -> str:
    if row["provider"] not in Provider.values:
        return _("Unknown platform %(value)r; use one of %(allowed)s.") % {
            "value": row["provider"][:40],
            "allowed": ", ".join(Provider.values),
        }
    if not row["external_id"] and not row["mobile"]:
        return _("Give a user ID or a mobile number.")
    if row["email"].lower() not in users:
        return _("No single active user has the e-mail address %(email)r.") % {"email": row["email"][:254]}
    clash = ExternalIdentity.objects.filter(
        provider=row["provider"], tenant=row["tenant"], external_id=row["external_id"]
    ).exclude(external_id="")
    clash = clash.exclude(user_id=users[row["email"].lower()].pk)
    if clash.exists():
        return _("That platform ID already belongs to another user.")
    return ""
