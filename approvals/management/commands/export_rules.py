"""Write every reviewer rule as TOML, ordered by name, in the format `import_rules` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules.io import export_rules


class Command(BaseCommand):
    # Lazy: the command class is imported before a language is activated.
    help = gettext_lazy(  # type: ignore[assignment]
        "Write the reviewer rules as TOML (see docs/rules.md) to FILE, or to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help=_("where to write (default: standard output)"))

    def handle(self, *args: Any, **options: Any) -> None:
        text = export_rules()
        path: Path | None = options["file"]
        if path is None:
            self.stdout.write(text, ending="")
            return
        try:
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
        count = text.count("\n[[rules]]\n")  # strings never hold a raw newline, so only table headers match
        self.stderr.write(_("Wrote %(n)d rule(s) to %(path)s.") % {"n": count, "path": path})
