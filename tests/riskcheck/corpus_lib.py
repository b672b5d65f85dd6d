"""The golden corpus: DataWorks-style scripts whose expected findings are marked inline.

Markers sit in a comment on the line they are about (``-- !MC01`` in SQL, ``# !MC15`` in Shell and Python):

- ``!MC01``: the analyser must report MC01 on this line (a true positive);
- ``!miss:MC08``: a correct analyser would report MC08 here and ours does not (an honest false negative);
- ``!fp:MC15``: ours reports MC15 here and should not (an honest false positive).

Any finding not marked is a failure of the corpus test. An optional first-lines header configures the analysis:
``-- config: projects=a,b; protected=ods_*; partitions=t:ds+hh; old=old/file.sql``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from riskcheck import Analysis, AnalysisConfig, analyse, language_for

CORPUS = Path(__file__).resolve().parent / "corpus"
MARKER = re.compile(r"!(?:(miss|fp):)?(MC\d\d)\b")
CONFIG = re.compile(r"^(?:--|#)\s*config:\s*(.*)$", re.MULTILINE)

Key = tuple[str, int]  # (rule, line)


@dataclass
class Case:
    path: Path
    language: str
    code: str
    old_code: str | None
    config: AnalysisConfig
    expected: set[Key]  # what a correct analyser reports (true positives and honest misses)
    misses: set[Key]
    false_positives: set[Key]

    @property
    def name(self) -> str:
        return self.path.name

    def analyse(self) -> Analysis:
        return analyse(self.code, language=self.language, old_code=self.old_code, config=self.config)


def load(path: Path) -> Case:
    code = path.read_text(encoding="utf-8")
    expected: set[Key] = set()
    misses: set[Key] = set()
    false_positives: set[Key] = set()
    for number, line in enumerate(code.split("\n"), start=1):
        for kind, rule in MARKER.findall(line):
            key = (rule, number)
            if kind == "fp":
                false_positives.add(key)
            else:
                expected.add(key)
                if kind == "miss":
                    misses.add(key)
    options: dict[str, str] = {}
    if match := CONFIG.search(code):
        for item in match.group(1).split(";"):
            name, _, value = item.partition("=")
            options[name.strip()] = value.strip()
    partitions = {}
    for item in filter(None, options.get("partitions", "").split(",")):
        table, _, columns = item.partition(":")
        partitions[table] = columns.split("+")
    config = AnalysisConfig(
        projects=frozenset(filter(None, options.get("projects", "").split(","))),
        protected_patterns=tuple(filter(None, options.get("protected", "").split(","))),
        partition_columns=partitions,
    )
    old = options.get("old")
    language = language_for(path.name)
    assert language is not None, path
    return Case(
        path=path,
        language=language,
        code=code,
        old_code=(CORPUS / old).read_text(encoding="utf-8") if old else None,
        config=config,
        expected=expected,
        misses=misses,
        false_positives=false_positives,
    )


def cases() -> list[Case]:
    return [load(path) for path in sorted(CORPUS.iterdir()) if path.is_file() and language_for(path.name)]


def found(analysis: Analysis) -> set[Key]:
    return {(finding.rule, finding.line) for finding in analysis.findings}


def score(all_cases: list[Case]) -> dict[str, Counter[str]]:
    """Per rule: true positives, false positives, false negatives over the corpus."""
    table: dict[str, Counter[str]] = {}
    for case in all_cases:
        actual = found(case.analyse())
        for rule, _ in actual | case.expected:
            table.setdefault(rule, Counter())
        for key in actual:
            table[key[0]]["tp" if key in case.expected else "fp"] += 1
        for key in case.expected - actual:
            table[key[0]]["fn"] += 1
    return table
