"""A queue worker builds the DataWorks client when it starts, not during its first task."""

from __future__ import annotations

import logging

import pytest
from django_q.signals import post_spawn

from dataworks_client import client as client_module
from dataworks_client.client import get_client, reset_client

pytestmark = pytest.mark.django_db


def test_a_new_worker_process_has_the_client_ready_before_its_first_task(dw_settings):
    reset_client()
    assert client_module._client is None

    post_spawn.send(sender="django_q", proc_name="Process-1:1")  # what django-q2 sends in a new worker

    built = client_module._client
    assert built is not None
    assert get_client() is built  # the first task reuses it


def test_a_worker_with_broken_dataworks_settings_still_starts_and_says_why(settings, caplog):
    settings.DATAWORKS_ENDPOINT = "https://dataworks.example.com"  # a scheme where host[:port] belongs
    reset_client()

    with caplog.at_level(logging.INFO, logger="approvals.jobs.worker"):
        post_spawn.send(sender="django_q", proc_name="Process-1:1")  # must not raise: the worker starts

    assert client_module._client is None
    assert "DataWorks client not built at worker start: DATAWORKS_ENDPOINT takes host[:port]" in caplog.text
    reset_client()
