"""Retention: old bodies, renderings, delivered results and sent notifications go; tickets and the audit stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from approvals.jobs.sweeper import sweep
from approvals.models import AuditEntry, Callback, DeliveryAttempt, RenderedDiff, Ticket
from events.models import InboundEvent
from notifications.models import Notification
from operations.purge import purge, purge_daily_step
from tests.factories import InboundEventFactory, TicketFactory

pytestmark = pytest.mark.django_db
OLD = timezone.now() - timedelta(days=400)


def _notification(state: str, created_at) -> Notification:
    row = Notification.objects.create(
        delivery_id=str(uuid.uuid4()), dedupe_key=str(uuid.uuid4()), intent="ready", target="channel", state=state
    )
    Notification.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


@pytest.fixture
def old_and_new():
    old_ticket = TicketFactory(event=InboundEventFactory(raw_body='{"secret":"code"}', received_at=OLD))
    new_event = InboundEventFactory(raw_body='{"fresh":1}')
    AuditEntry.objects.create(ticket=old_ticket, action=AuditEntry.Action.CALLBACK_SENT)
    old_cb = Callback.objects.create(
        message_id=old_ticket.message_id,
        ticket=old_ticket,
        api="UpdateIDEEventResult",
        result="OK",
        tip="t",
        state=Callback.State.DELIVERED,
        delivered_at=OLD,
    )
    DeliveryAttempt.objects.create(callback=old_cb, outcome="DELIVERED")
    failed_cb = Callback.objects.create(
        message_id="failed-1", api="UpdateIDEEventResult", result="OK", tip="t", state=Callback.State.FAILED
    )
    Callback.objects.filter(pk=failed_cb.pk).update(created_at=OLD)
    old_diff = RenderedDiff.objects.create(key="a" * 64, summary={}, html=b"x", created_at=OLD)
    new_diff = RenderedDiff.objects.create(key="b" * 64, summary={}, html=b"x")
    sent_old, pending_old = _notification("SENT", OLD), _notification("PENDING", OLD)
    sent_new = _notification("SENT", timezone.now())
    return locals()


def test_dry_run_counts_and_changes_nothing(old_and_new, capsys):
    call_command("purge", "--dry-run")
    out = capsys.readouterr().out
    assert "would purge" in out and "raw event bodies" in out
    assert purge(dry_run=True) == {"event_bodies": 1, "rendered_diffs": 1, "delivered_results": 1, "notifications": 1}
    assert InboundEvent.objects.get(pk=old_and_new["old_ticket"].event_id).raw_body


def test_purge_removes_only_what_is_past_its_age(old_and_new):
    assert purge() == {"event_bodies": 1, "rendered_diffs": 1, "delivered_results": 1, "notifications": 1}
    old_ticket = old_and_new["old_ticket"]
    assert InboundEvent.objects.get(pk=old_ticket.event_id).raw_body == ""
    assert InboundEvent.objects.get(pk=old_and_new["new_event"].pk).raw_body == '{"fresh":1}'
    assert Ticket.objects.filter(pk=old_ticket.pk).exists()  # tickets stay
    assert AuditEntry.objects.filter(ticket=old_ticket).exists()  # and their audit trail
    assert not Callback.objects.filter(pk=old_and_new["old_cb"].pk).exists()
    assert not DeliveryAttempt.objects.exists()
    assert Callback.objects.filter(pk=old_and_new["failed_cb"].pk).exists()  # undelivered results stay
    assert list(RenderedDiff.objects.values_list("pk", flat=True)) == [old_and_new["new_diff"].pk]
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        old_and_new["pending_old"].pk,
        old_and_new["sent_new"].pk,
    }
    assert purge() == {"event_bodies": 0, "rendered_diffs": 0, "delivered_results": 0, "notifications": 0}


def test_zero_days_keeps_forever(old_and_new, settings):
    settings.REVIEW_GATE_RETAIN_EVENT_BODIES_DAYS = 0
    assert purge()["event_bodies"] == 0


def test_the_sweeper_purges_once_a_day(old_and_new, emulator, dw_settings):
    now = timezone.now()
    report = sweep(now)
    assert report["operations.purge"]["event_bodies"] == 1
    assert sweep(now + timedelta(minutes=1))["operations.purge"] is None  # already ran today
    assert purge_daily_step(now + timedelta(hours=12)) is None
    assert purge_daily_step(now + timedelta(days=1)) is not None
