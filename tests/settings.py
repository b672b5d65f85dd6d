"""Test settings: production settings with test credentials supplied through the environment first.

Only what tests must change is changed here: known secrets, a fast password hasher, a file-backed test database
(so server threads and subprocesses see the same data) and plain static storage.
"""

from __future__ import annotations

import os

_TEST_ENV = {
    "DJANGO_SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "EVENTBRIDGE_TOKEN": "test-eventbridge-token-0123456789",
    "DATAWORKS_EXTENSION_CODE": "test-extension-code",
    "REVIEW_GATE_BASE_URL": "http://testserver",
    "DJANGO_SECURE_COOKIES": "0",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
    # The suite speaks English and UTC unless a test asks otherwise (tests/i18n checks the zh-hans defaults).
    "REVIEW_GATE_LANGUAGE": "en",
    "REVIEW_GATE_TIP_LANGUAGE": "en",
    "TIME_ZONE": "UTC",
}
for _name, _value in _TEST_ENV.items():
    os.environ.setdefault(_name, _value)

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR, DATABASES, STATIC_ROOT, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per test run (inherited by the app processes tests start), so parallel runs never share a database.
    os.environ.setdefault("REVIEW_GATE_TEST_DB", str(DATA_DIR / f"test-{os.getpid()}.sqlite3"))
    DATABASES["default"]["TEST"] = {"NAME": os.environ["REVIEW_GATE_TEST_DB"]}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root on every request
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The test process need not wait for each commit to reach disk (the data is thrown away); app processes that
    # tests start use the production settings and keep synchronous commits.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
