"""Write every reviewer rule as TOML, ordered by name, in the format `import_rules` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from approvals.rules.io import export_rules


class Command(BaseCommand):
    help = "Write the reviewer rules as TOML (see docs/rules.md) to FILE, or to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="where to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        text = export_rules()
        path: Path | None = options["file"]
        if path is None:
            self.stdout.write(text, ending="")
            return
        try:
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
        count = text.count("\n[[rules]]\n")  # strings never hold a raw newline, so only table headers match
        self.stderr.write(f"Wrote {count} rule(s) to {path}.")
