"""The tip DataWorks shows is written in the tip language: the workspace's settings, else its extension option,
else the deployment's setting (Chinese for cn-* regions, English elsewhere; tests/test_settings_startup.py pins
those defaults). Delivered through the outbox to the emulator over HTTP with the real SDK."""

from __future__ import annotations

import re

import pytest

from approvals.delivery import outbox
from approvals.models import Callback
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory
from workspaces.models import WorkspaceSettings

pytestmark = pytest.mark.django_db
CJK = re.compile("[\u4e00-\u9fff]")


def _delivered_tip(emulator, *, options=None, reject=False):
    reviewer = UserFactory(username="tipper")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])], snapshot={"options": options or {}})
    if reject:
        services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="缺少分区过滤 / missing partition filter")
    else:
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer, comment="ok")
    callback = Callback.objects.get(ticket=ticket)
    assert outbox.callback_deliver(callback_id=callback.pk).called
    [sent] = [c for c in emulator.store.callbacks_json() if c["params"]["MessageId"] == ticket.message_id]
    return ticket, sent["params"]["CheckResultTip"]


def test_a_mainland_deployment_sends_a_chinese_tip(dw_settings, emulator, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "zh-hans"  # what DATAWORKS_REGION=cn-shanghai gives

    _ticket, tip = _delivered_tip(emulator)

    assert CJK.search(tip.split("—")[0]), tip
    assert "Approved by" not in tip


def test_an_overseas_deployment_sends_an_english_tip(dw_settings, emulator, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "en"  # what DATAWORKS_REGION=ap-southeast-1 gives

    _ticket, tip = _delivered_tip(emulator)

    assert tip.startswith("[Review Gate] Approved by tipper")


def test_the_workspace_option_overrides_the_deployment(dw_settings, emulator, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "zh-hans"

    _ticket, tip = _delivered_tip(emulator, options={"tipLanguage": "en"})

    assert tip.startswith("[Review Gate] Approved by tipper")


def test_the_workspace_settings_in_the_admin_override_the_option(dw_settings, emulator, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "en"
    WorkspaceSettings.objects.create(project_id=98764, tip_language="zh-hans")  # the factory's workspace

    _ticket, tip = _delivered_tip(emulator, options={"tipLanguage": "en"}, reject=True)

    assert CJK.search(tip.split("—")[0]) and "Rejected by" not in tip, tip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_tip_stays_within_the_length_limit_in_either_language(settings, language):
    settings.REVIEW_GATE_TIP_LANGUAGE = language
    reviewer = UserFactory(username="long")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])])

    services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="很长的意见 " * 400)

    assert len(Callback.objects.get(ticket=ticket).tip) <= settings.REVIEW_GATE_TIP_MAX_LENGTH
