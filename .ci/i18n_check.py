"""CI check of the zh-Hans catalogue: every marked string is in it, translated, not fuzzy, with matching
placeholders, and the compiled .mo matches the .po.

Run from the repository root with the project's Python: `.venv/bin/python .ci/i18n_check.py`. Needs gettext
(msgfmt, xgettext). It runs makemessages in a temporary copy of the tracked files, so the work tree is never
touched, and compares message ids with polib (not `git diff`, whose header line changes every run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("django", "djangojs")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "1",
    "EVENTBRIDGE_TOKEN": "i18n-check-token-0123456789",
}


def _ids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if not entry.obsolete}


def main() -> int:
    problems: list[str] = []
    locale = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        tracked = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        for name in tracked.stdout.splitlines():
            source = ROOT / name
            if source.is_file():
                target = copy / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        for domain in DOMAINS:
            committed = locale / f"{domain}.po"
            if not committed.exists():
                if domain == "django":
                    problems.append(f"{committed} is missing")
                continue
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "zh_Hans",
                    "-d",
                    domain,
                    "--no-obsolete",
                    "--ignore=.venv",
                    "--ignore=bench",
                    "--ignore=tests",
                    "--ignore=var",
                ],
                cwd=copy,
                env=ENV,
                check=True,
                capture_output=True,
            )
            fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
            current = polib.pofile(str(committed))
            missing = _ids(fresh) - _ids(current)
            stale = _ids(current) - _ids(fresh)
            problems += [f"{domain}: marked but not in the catalogue: {msgid!r}" for _ctx, msgid in sorted(missing)]
            problems += [f"{domain}: in the catalogue but no longer marked: {msgid!r}" for _ctx, msgid in sorted(stale)]
            problems += [f"{domain}: untranslated: {e.msgid!r}" for e in current.untranslated_entries()]
            problems += [f"{domain}: fuzzy: {e.msgid!r}" for e in current.fuzzy_entries()]
            check = subprocess.run(
                ["msgfmt", "--check-format", "-o", "/dev/null", str(committed)], capture_output=True, text=True
            )
            if check.returncode:
                problems.append(f"{domain}: msgfmt --check-format: {check.stderr.strip()}")
            compiled = committed.with_suffix(".mo")
            if not compiled.exists():
                problems.append(f"{compiled} is missing: run manage.py compilemessages")
            else:
                mo = {
                    (e.msgctxt or "", e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                    for e in polib.mofile(str(compiled))
                }
                po = {
                    (e.msgctxt or "", e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                    for e in current.translated_entries()
                }
                if mo != po:
                    problems.append(f"{compiled} does not match {committed.name}: run manage.py compilemessages")
    for problem in problems:
        print(problem)
    if problems:
        print(f"i18n check: {len(problems)} problem(s)")
        return 1
    print("i18n check: the catalogue is complete, translated, well-formed and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
