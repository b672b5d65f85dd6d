"""``analyse``: one entry point over SQL, Shell and Python code, total over any input."""

from __future__ import annotations

import time
from pathlib import PurePosixPath

from riskcheck.accesskeys import ACCESS_KEY, mask_key
from riskcheck.collect import Collector, TimeLimitExceeded, shorten
from riskcheck.messages import MESSAGES, REASONS, render
from riskcheck.model import DEFAULT_CONFIG, NOT_ASSESSED, Analysis, AnalysisConfig, Severity
from riskcheck.scripts import analyse_python, analyse_shell
from riskcheck.sqlrules import SqlAnalyser, SqlResult

LANGUAGES = ("sql", "python", "shell")

# DataWorks file types (docs: dataworks-protocol §4.3): 10 ODPS SQL, 24 ODPS Script, 6 Shell, 257 EMR Shell,
# 221 PyODPS 2, 1221 PyODPS 3. EMR Hive/Spark SQL are not MaxCompute SQL, so they stay unassessed.
FILE_TYPES = {10: "sql", 24: "sql", 6: "shell", 257: "shell", 221: "python", 1221: "python"}
EXTENSIONS = {".sql": "sql", ".odps": "sql", ".py": "python", ".sh": "shell", ".bash": "shell"}


def language_for(file: str | int | None) -> str | None:
    """The language of a file name (by extension) or a DataWorks file type number; None when not analysed."""
    if file is None or isinstance(file, bool):
        return None
    if isinstance(file, int):
        return FILE_TYPES.get(file)
    text = str(file).strip()
    if text.isdigit():
        return FILE_TYPES.get(int(text))
    return EXTENSIONS.get(PurePosixPath(text.lower()).suffix)


def analyse(
    new_code: str,
    *,
    language: str | None,
    old_code: str | None = None,
    config: AnalysisConfig = DEFAULT_CONFIG,
) -> Analysis:
    """Analyse ``new_code``; never raises. The risk is the highest severity found, NONE when nothing was found, and
    NOT_ASSESSED (with a reason) for a language it does not read, an input over the limits, or a failure."""
    started = time.monotonic()
    try:
        analysis = _analyse(new_code, language, old_code, config, started)
    except TimeLimitExceeded:
        analysis = _not_assessed(language, "time_limit", limit=config.time_limit_s)
    except Exception as error:
        analysis = _not_assessed(language, "internal", error=shorten(f"{type(error).__name__}: {error}", 160))
    analysis.duration_ms = (time.monotonic() - started) * 1000
    return analysis


def _not_assessed(language: str | None, reason: str, **params: object) -> Analysis:
    return Analysis(risk=NOT_ASSESSED, findings=[], language=language, reason=render(reason, REASONS, **params))


def _analyse(code: str, language: str | None, old_code: str | None, config: AnalysisConfig, started: float) -> Analysis:
    if language not in LANGUAGES:
        return _not_assessed(None, "language")
    if not isinstance(code, str):
        code = str(code)
    code = code.replace("\r\n", "\n").replace("\r", "\n")
    if len(code) > config.max_chars:
        return _not_assessed(language, "too_large", limit=config.max_chars)
    if code.count("\n") + 1 > config.max_lines:
        return _not_assessed(language, "too_many_lines", limit=config.max_lines)
    deadline = started + config.time_limit_s
    out = Collector(config, code, deadline)
    result = SqlResult()

    def embedded_sql(sql: str, line_offset: int) -> int:
        embedded = SqlAnalyser(out, line_offset=line_offset).run(sql)
        result.parse_failures += embedded.parse_failures
        return embedded.statements

    if language == "sql":
        result = SqlAnalyser(out).run(code)
        if old_code is not None and "MC13" not in config.disabled_rules:
            _lifecycle_changes(out, result, old_code, config, deadline)
    elif language == "shell":
        result.statements = analyse_shell(code, out, embedded_sql)
    else:
        result.statements = analyse_python(code, out, embedded_sql)
    _access_keys(code, out)
    findings = out.findings()
    risk = max((finding.severity for finding in findings), default=Severity.NONE)
    return Analysis(
        risk=risk,
        findings=findings,
        statements=result.statements,
        parse_failures=result.parse_failures,
        language=language,
    )


def _lifecycle_changes(out: Collector, new: SqlResult, old_code: str, config: AnalysisConfig, deadline: float) -> None:
    """MC13: a table whose LIFECYCLE the new version shortens or removes."""
    old_code = str(old_code).replace("\r\n", "\n").replace("\r", "\n")
    if len(old_code) > config.max_chars:
        return
    old = SqlAnalyser(Collector(config, old_code, deadline)).run(old_code).lifecycles
    for table, (days, line) in new.lifecycles.items():
        previous = old.get(table, (None, 0))[0]
        if previous is None:
            continue
        if days is None:
            out.add("MC13", line, "MC13.removed", name=table, old=previous)
        elif days < previous:
            out.add("MC13", line, "MC13.shortened", name=table, old=previous, new=days)


def _access_keys(code: str, out: Collector) -> None:
    """MC16 in any language, comments and strings included."""
    for number, line in enumerate(code.split("\n"), start=1):
        for match in ACCESS_KEY.finditer(line):
            out.add("MC16", number, access_key=mask_key(match.group(0)))


__all__ = ["LANGUAGES", "MESSAGES", "analyse", "language_for"]
