"""Several deliveries of one event at the same instant, through a real threaded HTTP server."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from events.models import InboundEvent
from tests.conftest import WEBHOOK_URL, load_fixture
from tests.queue import queued_tasks

DELIVERIES = 12


def _deliver(url: str, body: bytes, barrier: threading.Barrier, results: list[int]) -> None:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "x-eventbridge-signature-token": settings.EVENTBRIDGE_TOKEN,
            "Content-Type": "application/json",
        },
    )
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.append(response.status)
    except urllib.error.HTTPError as exc:
        results.append(exc.code)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_store_one_event_and_queue_one_task(live_server):
    payload = load_fixture("commit_file")
    body = json.dumps(payload).encode()
    barrier = threading.Barrier(DELIVERIES)
    results: list[int] = []
    threads = [
        threading.Thread(target=_deliver, args=(live_server.url + WEBHOOK_URL, body, barrier, results))
        for _ in range(DELIVERIES)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [200] * (DELIVERIES - 1) + [202]
    assert InboundEvent.objects.filter(message_id=payload["id"]).count() == 1
    assert len(queued_tasks()) == 1
