from __future__ import annotations

import pytest

from tests.conftest import load_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_events(admin_client, post_event):
    for name in ("commit_file", "freeze_node", "node_change_created"):
        assert post_event(load_fixture(name)).status_code == 202
    return admin_client


def test_events_are_listed_and_filterable_by_type_project_and_time(admin_client_with_events):
    client = admin_client_with_events

    everything = client.get("/admin/events/inboundevent/")
    by_code = client.get("/admin/events/inboundevent/", {"event_code": "freeze-node"})
    by_project = client.get("/admin/events/inboundevent/", {"project": "98764"})
    by_time = client.get("/admin/events/inboundevent/", {"received_at__gte": "2000-01-01T00:00:00+00:00"})

    assert everything.status_code == 200
    assert len(everything.context["cl"].result_list) == 3
    assert [e.event_code for e in by_code.context["cl"].result_list] == ["freeze-node"]
    assert len(by_project.context["cl"].result_list) == 3
    assert len(by_time.context["cl"].result_list) == 3


def test_events_are_read_only_in_the_admin(admin_client_with_events):
    client = admin_client_with_events
    from events.models import InboundEvent

    event = InboundEvent.objects.first()

    assert client.get("/admin/events/inboundevent/add/").status_code == 403
    assert client.post(f"/admin/events/inboundevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    detail = client.get(f"/admin/events/inboundevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b"acs.dataworks" in detail.content
