"""``manage.py assess_sql`` as CI runs it: a subprocess with only DJANGO_DEBUG and EVENTBRIDGE_TOKEN, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(tmp_path: Path, *args: str, language: str = "en") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "1",
        "EVENTBRIDGE_TOKEN": "test-token",
        "REVIEW_GATE_LANGUAGE": language,
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "assess_sql", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "node.sql"
    path.write_text("-- 清理\nDROP TABLE dim_shop;\nINSERT INTO t SELECT * FROM s;\n", encoding="utf-8")
    return path


def test_json_output_and_exit_zero_whatever_the_risk(tmp_path: Path, script: Path) -> None:
    result = run(tmp_path, "--json", str(script))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "risk": "CRITICAL",
        "findings": [
            {"rule": "MC01", "severity": "CRITICAL", "line": 2, "message": "DROP TABLE dim_shop."},
            {
                "rule": "MC14",
                "severity": "LOW",
                "line": 3,
                "message": "INSERT into t uses SELECT *: a column added upstream shifts or breaks it.",
            },
        ],
    }


def test_fail_on_project_old_and_language(tmp_path: Path) -> None:
    new = tmp_path / "code.txt"
    new.write_text("CREATE TABLE t (a STRING) LIFECYCLE 7;\nINSERT INTO other.t2 SELECT a FROM s;\n", encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_text("CREATE TABLE t (a STRING) LIFECYCLE 30;\n", encoding="utf-8")
    args = ["--json", "--language", "sql", "--project", "mine", "--old", str(old), str(new)]
    result = run(tmp_path, *args, "--fail-on", "high")
    assert result.returncode == 1
    assert [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [("MC13", 1), ("MC11", 2)]
    assert run(tmp_path, *args, "--fail-on", "CRITICAL").returncode == 0


def test_human_output_in_chinese(tmp_path: Path, script: Path) -> None:
    result = run(tmp_path, str(script), language="zh-hans")
    assert result.returncode == 0, result.stderr
    assert "删除表 dim_shop。" in result.stdout
    assert "line 2" in run(tmp_path, str(script)).stdout


def test_usage_errors_exit_two(tmp_path: Path, script: Path) -> None:
    missing = run(tmp_path, str(tmp_path / "missing.sql"))
    assert missing.returncode == 2
    assert "missing.sql" in missing.stderr
    unknown = tmp_path / "notes.txt"
    unknown.write_text("x", encoding="utf-8")
    assert run(tmp_path, str(unknown)).returncode == 2
    assert run(tmp_path, "--fail-on", "SEVERE", str(script)).returncode == 2
