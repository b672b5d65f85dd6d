"""``analyse`` is total: arbitrary text, alone or mixed with SQL keywords, never raises in any language."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from riskcheck import NOT_ASSESSED, Analysis, Severity, analyse

WORDS = [
    "SELECT",
    "INSERT",
    "OVERWRITE",
    "TABLE",
    "PARTITION",
    "(",
    ")",
    "ds",
    "=",
    "'${bizdate}'",
    "${bizdate}",
    ";",
    "DROP",
    "TRUNCATE",
    "ALTER",
    "FROM",
    "JOIN",
    "ON",
    "WHERE",
    "1=1",
    "LIFECYCLE",
    "@a",
    ":=",
    "/*+ MAPJOIN(b) */",
    "--",
    "/*",
    "*/",
    "'",
    "`",
    "`表`",
    "\n",
    "set",
    "odps.sql.allow.fullscan=true",
    "max_pt(",
    "rm -rf",
    "|",
    "curl",
    "execute_sql(",
    '"""',
    "LTAI0123456789abcdef",
    "FROM t INSERT INTO t2 SELECT *",
    "CROSS",
    "\\",
]
LANGUAGES = st.sampled_from(["sql", "python", "shell"])
mixed = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=40).map(" ".join)


def check(analysis: Analysis) -> None:
    assert analysis.risk is NOT_ASSESSED or isinstance(analysis.risk, Severity)
    assert Analysis.from_json(analysis.to_json()).risk == analysis.risk
    for finding in analysis.findings:
        assert finding.line >= 1


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), language=LANGUAGES)
def test_arbitrary_text(text: str, language: str) -> None:
    check(analyse(text, language=language))


@settings(max_examples=200, deadline=None)
@given(text=mixed, old=st.one_of(st.none(), mixed), language=LANGUAGES)
def test_text_mixed_with_keywords(text: str, old: str | None, language: str) -> None:
    check(analyse(text, language=language, old_code=old))
