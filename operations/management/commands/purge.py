"""`python manage.py purge [--dry-run]`: purge what is past its retention age now (the sweeper does it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from operations.purge import KINDS, purge


class Command(BaseCommand):
    help = "Purge raw event bodies, stored diffs, delivered results and sent notifications past their retention age."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be purged.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        done = purge(dry_run=dry_run)
        labels = {
            "event_bodies": _("raw event bodies"),
            "rendered_diffs": _("stored diff renderings"),
            "delivered_results": _("delivered result records"),
            "notifications": _("sent notifications"),
        }
        for kind in KINDS:
            days = kind.days()
            age = _("kept forever") if days <= 0 else _("older than %(days)d days") % {"days": days}
            verb = _("would purge") if dry_run else _("purged")
            self.stdout.write(f"{verb} {done[kind.name]:>7} {labels[kind.name]} ({age})")
