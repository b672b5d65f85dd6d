"""The analyser's contract: risk semantics, configuration, limits, JSON, masking, file types."""

from __future__ import annotations

import json

import pytest

from riskcheck import (
    NOT_ASSESSED,
    Analysis,
    AnalysisConfig,
    Severity,
    analyse,
    language_for,
    mask_secrets,
    risk_at_least,
    risk_at_most,
)


def rules(analysis: Analysis) -> list[tuple[str, int, Severity]]:
    return [(f.rule, f.line, f.severity) for f in analysis.findings]


def test_risk_is_the_highest_severity_and_none_when_clean() -> None:
    assert analyse("SELECT 1;", language="sql").risk is Severity.NONE
    analysis = analyse("TRUNCATE TABLE t;\nINSERT INTO t2 SELECT * FROM s;", language="sql")
    assert analysis.risk is Severity.CRITICAL
    assert rules(analysis) == [("MC02", 1, Severity.CRITICAL), ("MC14", 2, Severity.LOW)]


def test_not_assessed_is_never_at_most_and_always_at_least() -> None:
    for level in Severity:
        assert not risk_at_most(NOT_ASSESSED, level)
        assert risk_at_least(NOT_ASSESSED, level)
    assert risk_at_most(Severity.NONE, Severity.NONE)
    assert not risk_at_most(Severity.LOW, Severity.NONE)
    assert risk_at_least(Severity.HIGH, Severity.MEDIUM)
    assert not risk_at_least(Severity.MEDIUM, Severity.HIGH)


def test_unknown_language_and_oversized_input_are_not_assessed() -> None:
    assert analyse("DROP TABLE t;", language="scala").risk is NOT_ASSESSED
    config = AnalysisConfig(max_chars=100)
    too_big = analyse("SELECT 1;\n" * 50, language="sql", config=config)
    assert too_big.risk is NOT_ASSESSED
    assert too_big.reason is not None and "100" in too_big.reason["en"] and "100" in too_big.reason["zh-hans"]
    many_lines = analyse("\n" * 20, language="sql", config=AnalysisConfig(max_lines=10))
    assert many_lines.risk is NOT_ASSESSED


def test_time_limit_gives_not_assessed() -> None:
    analysis = analyse("SELECT 1;\n" * 2000, language="sql", config=AnalysisConfig(time_limit_s=0.0))
    assert analysis.risk is NOT_ASSESSED and analysis.reason is not None


def test_overrides_disabled_rules_and_scratch_patterns() -> None:
    code = "DROP TABLE dim_a;\nDROP TABLE scratch_b;\nINSERT INTO t SELECT * FROM s;"
    config = AnalysisConfig(
        severity_overrides={"MC01": Severity.HIGH},
        disabled_rules=frozenset({"mc14"}),
        scratch_patterns=("SCRATCH_*",),
    )
    assert rules(analyse(code, language="sql", config=config)) == [
        ("MC01", 1, Severity.HIGH),
        ("MC01", 2, Severity.LOW),
    ]


def test_mc11_needs_the_own_project_and_counts_dev_as_own() -> None:
    code = "INSERT INTO prj_dev.t SELECT a FROM s;\nINSERT INTO other.t SELECT a FROM s;"
    assert [r for r, _, _ in rules(analyse(code, language="sql"))] == []
    found = rules(analyse(code, language="sql", config=AnalysisConfig(projects={"PRJ", "prj_dev"})))
    assert found == [("MC11", 2, Severity.HIGH)]


def test_parse_failure_is_a_finding_not_a_crash() -> None:
    analysis = analyse("SELECT FROM WHERE;\nSELECT 1;", language="sql")
    assert rules(analysis) == [("MC17", 1, Severity.MEDIUM)]
    assert analysis.statements == 2 and analysis.parse_failures == 1


def test_access_keys_are_masked_everywhere() -> None:
    key = "LTAI5tAbCdEfGhIjKl"
    assert mask_secrets(f"id={key};") == "id=LTAI" + "*" * (len(key) - 6) + "Kl;"
    analysis = analyse(f"-- {key}\nSELECT 1;", language="sql")
    stored = json.dumps(analysis.to_json(), ensure_ascii=False)
    assert key not in stored
    assert rules(analysis) == [("MC16", 1, Severity.CRITICAL)]


def test_json_round_trip_uses_plain_types() -> None:
    analysis = analyse("DROP TABLE t;\nrm", language="sql")
    data = json.loads(json.dumps(analysis.to_json()))
    again = Analysis.from_json(data)
    assert again.risk == analysis.risk and again.findings == analysis.findings
    not_assessed = analyse("x", language=None)
    assert Analysis.from_json(not_assessed.to_json()).risk is NOT_ASSESSED
    with pytest.raises(ValueError, match="stored analysis"):
        Analysis.from_json({"risk": "HIGH"})
    with pytest.raises(ValueError, match="severity"):
        Analysis.from_json({**data, "risk": "SEVERE"})


@pytest.mark.parametrize(
    ("file", "language"),
    [
        ("node.sql", "sql"),
        ("a/b/Node.SQL", "sql"),
        ("job.py", "python"),
        ("run.sh", "shell"),
        ("notes.txt", None),
        (10, "sql"),
        ("10", "sql"),
        (6, "shell"),
        (221, "python"),
        (1221, "python"),
        (23, None),
        (None, None),
    ],
)
def test_language_for(file: str | int | None, language: str | None) -> None:
    assert language_for(file) == language


def test_finding_lines_point_into_the_script() -> None:
    code = "-- a; b\n\n/* c;\n*/\nSELECT *\nFROM a\nCROSS JOIN b;\n"
    assert rules(analyse(code, language="sql")) == [("MC12", 7, Severity.MEDIUM)]


def test_messages_in_both_languages() -> None:
    (finding,) = analyse("DROP TABLE dim_x;", language="sql").findings
    assert finding.message == {"en": "DROP TABLE dim_x.", "zh-hans": "删除表 dim_x。"}
    assert finding.why["en"] and finding.why["zh-hans"]
