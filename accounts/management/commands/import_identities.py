"""`manage.py import_identities FILE.csv [--dry-run]`: map users to chat identities by corporate e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.services import identities_import_csv


class Command(BaseCommand):
    help = _("Import chat identities (email,provider,tenant,external_id,mobile) matched to users by e-mail.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("CSV file with a header row"))
        parser.add_argument("--dry-run", action="store_true", help=_("Report what would change; write nothing."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = Path(options["file"]).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": exc}) from None
        result = identities_import_csv(text, dry_run=options["dry_run"])
        for line, problem in result.problems:
            self.stderr.write(_("line %(line)d: %(problem)s") % {"line": line, "problem": problem})
        verb = _("Would create") if options["dry_run"] else _("Created")
        self.stdout.write(
            _("%(verb)s %(created)d, updated %(updated)d, refused %(refused)d.")
            % {"verb": verb, "created": result.created, "updated": result.updated, "refused": len(result.problems)}
        )
        if result.problems:
            raise CommandError(_("Some rows were refused."), returncode=1)
