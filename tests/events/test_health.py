from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django raises if the view touches the database.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["ready"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"] == {"ok": True, "broker": "redis" if settings.REDIS_URL else "orm", "depth": 0}
    assert body["checks"]["settings"] == {"ok": True, "missing": []}


@pytest.mark.django_db
def test_readyz_is_503_naming_missing_settings(client, settings):
    settings.DATAWORKS_EXTENSION_CODE = ""

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["settings"]["missing"] == ["DATAWORKS_EXTENSION_CODE"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_fails(client):
    with mock.patch("events.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
