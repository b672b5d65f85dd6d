"""`python manage.py doctor [--json]`: check the setup; exit 1 when something blocks reviews."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from operations.doctor import FAIL, OK, WARN, run_checks


class Command(BaseCommand):
    help = "Check DataWorks credentials, the extension, the queue and the settings; exit 1 if reviews are blocked."
    requires_system_checks: list[str] = []  # the doctor must run even when a system check would stop manage.py

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the report as JSON (for automation).")
        parser.add_argument("--offline", action="store_true", help="Skip the DataWorks read call.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_checks(call_dataworks=not options["offline"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            marks = {OK: self.style.SUCCESS("OK  "), WARN: self.style.WARNING("WARN"), FAIL: self.style.ERROR("FAIL")}
            for check in report.checks:
                self.stdout.write(f"{marks[check.status]}  {check.title}: {check.detail}")
                if check.fix and check.status != OK:
                    self.stdout.write("      " + _("Fix: %(fix)s") % {"fix": check.fix})
            summary = (
                _("Reviews are blocked: fix the FAIL lines above.") if report.blocking else _("Nothing blocks reviews.")
            )
            self.stdout.write(summary)
        if report.blocking:
            raise SystemExit(1)
