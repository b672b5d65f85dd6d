"""Every corpus script gives exactly its marked findings (tests/riskcheck/corpus_lib.py explains the markers)."""

from __future__ import annotations

import pytest

from tests.riskcheck.corpus_lib import Case, cases, found

CASES = cases()


def test_the_corpus_is_large_and_covers_every_rule_and_language() -> None:
    scripts = [case for case in CASES]
    assert len(scripts) >= 60
    assert {case.language for case in scripts} == {"sql", "shell", "python"}
    covered = {rule for case in scripts for rule, _ in case.expected - case.misses}
    assert covered == {f"MC{n:02d}" for n in range(1, 19)}
    assert sum(1 for case in scripts if not case.expected and not case.false_positives) >= 10  # clean scripts


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_corpus_script(case: Case) -> None:
    analysis = case.analyse()
    assert analysis.reason is None, analysis.reason
    actual = found(analysis)
    assert actual == (case.expected - case.misses) | case.false_positives
    assert not actual & case.misses, "a recorded miss is now found: turn its !miss: marker into a plain one"
    for finding in analysis.findings:
        assert "LTAI5t" not in finding.excerpt or "*" in finding.excerpt
        assert set(finding.message) == {"en", "zh-hans"} and all(finding.message.values())
