"""Plain `manage.py` uses the demo's settings once `make run` set the demo up, and only then (README, "Set up and run").

`.ci/readme_commands.sh` runs README's commands themselves in a fresh demo, as a CI step; this checks the rule
behind them quickly, in `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SETTINGS_PREFIXES = ("DJANGO_", "EVENTBRIDGE_", "DATAWORKS_", "REVIEW_GATE_", "ALIBABA_CLOUD_", "DATABASE_", "REDIS_")
DEMO_ENV = (
    "DJANGO_SECRET_KEY=demo-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG\n"
    "EVENTBRIDGE_TOKEN=demo-eventbridge-token-0123456789\n"
    "ALIBABA_CLOUD_ACCESS_KEY_ID=demo-0123456789abcdef\n"
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-secret\n"
    "DATAWORKS_EXTENSION_CODE=review-gate-demo\n"
    "REVIEW_GATE_EMULATOR_PORT=8099\n"
)


def _manage(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS_PREFIXES)}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update(REVIEW_GATE_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    (tmp_path / "demo.env").write_text(DEMO_ENV, encoding="utf-8")
    return tmp_path


def test_manage_py_uses_the_demo_settings_once_make_run_wrote_them(demo_dir):
    result = _manage(
        demo_dir, "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEMO_MODE)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert "using the demo settings" in result.stderr


def test_without_a_demo_manage_py_still_names_the_missing_variable(tmp_path):
    result = _manage(tmp_path, "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "production",
    [
        {"DJANGO_SECRET_KEY": "x" * 50},
        {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-real-key"},
        {"REVIEW_GATE_DEMO": "0"},
    ],
)
def test_settings_of_its_own_keep_the_demo_out(demo_dir, production):
    result = _manage(demo_dir, "check", **production)

    assert "using the demo settings" not in result.stderr
    assert result.returncode != 0  # incomplete production settings: the start-up check names what is missing
    assert "is not set" in result.stderr or "must be" in result.stderr
