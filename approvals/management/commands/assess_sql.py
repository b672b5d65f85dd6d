"""Analyse one SQL, Shell or PyODPS file for risk (docs/risk-rules.md), for people and CI.

Thin by design: argument parsing and output only; the analysis is the pure ``riskcheck`` package. Needs no database
(no system or migration checks), so it runs in a fresh checkout with only the settings' required environment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from riskcheck import (
    DEFAULT_CONFIG,
    LANGUAGES,
    Analysis,
    AnalysisConfig,
    Severity,
    analyse,
    language_for,
    risk_at_least,
    risk_name,
)

# Bytes read at most: four per character is the widest encoding, so a longer file is still "too large" to analyse.
READ_LIMIT = 4 * DEFAULT_CONFIG.max_chars + 4
LEVELS = [level.name for level in Severity if level is not Severity.NONE]
EXIT_FAIL_ON = 1
EXIT_USAGE = 2
EXIT_NOT_ASSESSED = 3


def read_code(path: Path) -> str:
    """The file's text: UTF-8, else GB18030 (common for Chinese scripts), else UTF-8 with replacement characters."""
    with path.open("rb") as handle:
        data = handle.read(READ_LIMIT)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


class Command(BaseCommand):
    # Lazy: the command class is imported before a language is activated.
    help = gettext_lazy(  # type: ignore[assignment]
        "Analyse a SQL, Shell or PyODPS file for risky changes (rules MC01-MC18, docs/risk-rules.md). Exit status: "
        "0 analysed, 1 the risk reached --fail-on, 2 bad arguments or an unreadable file, 3 not assessed."
    )
    requires_system_checks: list[str] = []  # no database needed
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("the file to analyse"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object (messages in English)"))
        parser.add_argument(
            "--project",
            action="append",
            default=[],
            help=_("a project of the current workspace (for MC11); may be given more than once"),
        )
        parser.add_argument("--old", type=Path, help=_("the previous version of the file (for MC13)"))
        parser.add_argument(
            "--language", choices=LANGUAGES, help=_("the file's language (default: from its extension)")
        )
        parser.add_argument(
            "--fail-on",
            choices=LEVELS,
            type=str.upper,
            help=_("exit with status 1 when the risk is at or above this level"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        language = options["language"] or language_for(path.name)
        if language is None:
            raise CommandError(
                _("Cannot tell the language of %(path)s; pass --language sql, python or shell.") % {"path": path},
                returncode=EXIT_USAGE,
            )
        code = self._read(path)
        old_path: Path | None = options["old"]
        old_code = self._read(old_path) if old_path is not None else None
        config = AnalysisConfig(projects=frozenset(options["project"]))
        analysis = analyse(code, language=language, old_code=old_code, config=config)
        if options["json"]:
            self.stdout.write(json.dumps(self._json(analysis), ensure_ascii=False))
        else:
            self._human(analysis, path)
        if analysis.reason is not None:
            self.stderr.write(_("Not assessed: %(reason)s") % {"reason": self._text(analysis.reason)})
            raise SystemExit(EXIT_NOT_ASSESSED)
        fail_on = options["fail_on"]
        if fail_on and risk_at_least(analysis.risk, Severity[fail_on]):
            raise SystemExit(EXIT_FAIL_ON)

    def _read(self, path: Path) -> str:
        try:
            return read_code(path)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc},
                returncode=EXIT_USAGE,
            ) from None

    @staticmethod
    def _json(analysis: Analysis) -> dict[str, Any]:
        return {
            "risk": risk_name(analysis.risk),
            "findings": [
                {"rule": f.rule, "severity": f.severity.name, "line": f.line, "message": f.message["en"]}
                for f in analysis.findings
            ],
        }

    @staticmethod
    def _text(texts: dict[str, str]) -> str:
        language = "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"
        return texts.get(language) or texts.get("en", "")

    def _human(self, analysis: Analysis, path: Path) -> None:
        self.stdout.write(
            _("%(path)s: risk %(risk)s, %(findings)d finding(s) in %(statements)d statement(s).")
            % {
                "path": path,
                "risk": risk_name(analysis.risk),
                "findings": len(analysis.findings),
                "statements": analysis.statements,
            }
        )
        for finding in analysis.findings:
            self.stdout.write(
                _("line %(line)d: %(severity)s %(rule)s %(message)s")
                % {
                    "line": finding.line,
                    "severity": finding.severity.name,
                    "rule": finding.rule,
                    "message": self._text(finding.message),
                }
            )
            self.stdout.write("    " + _("Why: %(why)s") % {"why": self._text(finding.why)})
            if finding.excerpt:
                self.stdout.write("    > " + finding.excerpt)
