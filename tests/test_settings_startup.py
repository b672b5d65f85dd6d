"""Production settings that are missing or inconsistent stop the process at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_ENV = {
    "DJANGO_SECRET_KEY": "kq3-Zr9vP1xw_Lm8Tt2bYc7Ns4Hd6Gf0Ja5Ue1Wi9Ro3Qp8Vs2Xl7",
    "DJANGO_ALLOWED_HOSTS": "review.example.com",
    "EVENTBRIDGE_TOKEN": "t" * 32,
    "DATAWORKS_EXTENSION_CODE": "ext-code",
    "REVIEW_GATE_BASE_URL": "https://review.example.com",
}
_RELEVANT_PREFIXES = (
    "DJANGO_",
    "EVENTBRIDGE_",
    "DATAWORKS_",
    "REVIEW_GATE_",
    "ALIBABA_CLOUD_",
    "DATABASE_URL",
    "REDIS_URL",
)


def _start(overrides: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_RELEVANT_PREFIXES)}
    env.update(GOOD_ENV, DJANGO_SETTINGS_MODULE="config.settings")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_complete_production_settings_start():
    result = _start({})

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "a" * 60}, "DJANGO_SECRET_KEY"),
        ({"EVENTBRIDGE_TOKEN": None}, "EVENTBRIDGE_TOKEN"),
        ({"EVENTBRIDGE_TOKEN": "short"}, "EVENTBRIDGE_TOKEN"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATAWORKS_EXTENSION_CODE": None}, "DATAWORKS_EXTENSION_CODE"),
        ({"REVIEW_GATE_BASE_URL": None}, "REVIEW_GATE_BASE_URL"),
        ({"REVIEW_GATE_BASE_URL": "javascript:alert(1)"}, "REVIEW_GATE_BASE_URL"),
        ({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample"}, "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        ({"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret"}, "ALIBABA_CLOUD_ACCESS_KEY_ID"),
        (
            {"DATAWORKS_PROTOCOL": "http", "DATAWORKS_ENDPOINT": "dataworks.cn-shanghai.aliyuncs.com"},
            "DATAWORKS_PROTOCOL",
        ),
        ({"DATAWORKS_ENDPOINT": "https://dataworks.cn-shanghai.aliyuncs.com"}, "DATAWORKS_ENDPOINT"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATAWORKS_READ_TIMEOUT_MS": "ten"}, "DATAWORKS_READ_TIMEOUT_MS"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
    ],
)
def test_bad_production_settings_fail_at_start_naming_the_variable(overrides, named):
    result = _start(overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_demo_mode_starts_without_a_token():
    result = _start({"REVIEW_GATE_DEMO": "1", "EVENTBRIDGE_TOKEN": None, "DATAWORKS_EXTENSION_CODE": None})

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checklist():
    env = {k: v for k, v in os.environ.items() if not k.startswith(_RELEVANT_PREFIXES)}
    env.update(
        GOOD_ENV,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_SSL_REDIRECT="1",
        DJANGO_BEHIND_TLS_PROXY="1",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_health_probes_are_not_redirected_to_https():
    env = {k: v for k, v in os.environ.items() if not k.startswith(_RELEVANT_PREFIXES)}
    env.update(GOOD_ENV, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SSL_REDIRECT="1")
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='review.example.com')\n"
        "print(c.get('/healthz').status_code, c.get('/accounts/login/').status_code)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.stdout.split() == ["200", "301"], result.stderr


@pytest.mark.parametrize(
    ("region", "expected"), [("cn-shanghai", "zh-hans"), ("cn-hangzhou", "zh-hans"), ("ap-southeast-1", "en")]
)
def test_chinese_tips_in_mainland_regions_english_elsewhere_and_chinese_shanghai_time_by_default(region, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith((*_RELEVANT_PREFIXES, "TIME_ZONE"))}
    env.update(GOOD_ENV, DJANGO_SETTINGS_MODULE="config.settings", DATAWORKS_REGION=region)
    show = "print(settings.REVIEW_GATE_TIP_LANGUAGE, settings.LANGUAGE_CODE, settings.TIME_ZONE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {show}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [expected, "zh-hans", "Asia/Shanghai"]


def test_an_unknown_language_is_refused_by_name():
    result = _start({"REVIEW_GATE_TIP_LANGUAGE": "fr"})

    assert result.returncode != 0
    assert "REVIEW_GATE_TIP_LANGUAGE" in result.stderr
