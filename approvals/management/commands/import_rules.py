"""Load reviewer rules from a TOML file: create or update by name, optionally delete the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules.io import RulesFileError, import_rules


class Command(BaseCommand):
    # Lazy: the command class is imported before a language is activated.
    help = gettext_lazy(  # type: ignore[assignment]
        "Load reviewer rules from a TOML file (see docs/rules.md). Nothing changes unless the whole file is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("the rules file, e.g. rules.toml"))
        parser.add_argument("--prune", action="store_true", help=_("delete rules that are not in the file"))
        parser.add_argument("--dry-run", action="store_true", help=_("validate and report, but change nothing"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
        try:
            result = import_rules(data, prune=options["prune"], dry_run=options["dry_run"])
        except RulesFileError as exc:
            lines = [
                f"{path}:{p.line if p.line is not None else '?'}: {p.field or _('file')}: {p.message}"
                for p in exc.problems
            ]
            raise CommandError(
                _("%(path)s was not loaded; nothing was changed.") % {"path": path} + "\n" + "\n".join(lines)
            ) from None
        if result.dry_run:
            labels = (_("would be created"), _("would be updated"), _("would be deleted"))
        else:
            labels = (_("created"), _("updated"), _("deleted"))
        for label, names in zip(labels, (result.created, result.updated, result.deleted), strict=True):
            for name in names:
                self.stdout.write(f"  {label}: {name}")
        if result.open_tickets_losing_rules:
            n = result.open_tickets_losing_rules
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "%(n)d open ticket(s) matched the deleted rules; their approval now depends on their "
                        "remaining rules (or on the no-rule default)."
                    )
                    % {"n": n}
                )
            )
        summary = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(deleted)d deleted") % {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "deleted": len(result.deleted),
        }
        if result.dry_run:
            self.stdout.write(_("Dry run, nothing was changed. Rules: %(summary)s.") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("Rules: %(summary)s.") % {"summary": summary}))
