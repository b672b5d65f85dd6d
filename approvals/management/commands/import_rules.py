"""Load reviewer rules from a TOML file: create or update by name, optionally delete the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from approvals.rules.io import RulesFileError, import_rules


class Command(BaseCommand):
    help = "Load reviewer rules from a TOML file (see docs/rules.md). Nothing changes unless the whole file is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the rules file, e.g. rules.toml")
        parser.add_argument("--prune", action="store_true", help="delete rules that are not in the file")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, but change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            result = import_rules(data, prune=options["prune"], dry_run=options["dry_run"])
        except RulesFileError as exc:
            lines = [
                f"{path}:{p.line if p.line is not None else '?'}: {p.field or 'file'}: {p.message}"
                for p in exc.problems
            ]
            raise CommandError(f"{path} was not loaded; nothing was changed.\n" + "\n".join(lines)) from None
        prefix = "would be " if result.dry_run else ""
        for label, names in (("created", result.created), ("updated", result.updated), ("deleted", result.deleted)):
            for name in names:
                self.stdout.write(f"  {prefix}{label}: {name}")
        if result.open_tickets_losing_rules:
            self.stderr.write(
                self.style.WARNING(
                    f"{result.open_tickets_losing_rules} open ticket(s) matched the deleted rules; their approval "
                    "now depends on their remaining rules (or on the no-rule default)."
                )
            )
        summary = (
            f"{len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {len(result.deleted)} deleted"
        )
        if result.dry_run:
            self.stdout.write(f"Dry run, nothing was changed. Rules: {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Rules: {summary}."))
