"""Each gated ticket kind in a real browser, with the context preparation stored (issue 17): the impact headline of
a freeze, the backfill's size, the instance, the table diff, the developer's comment, names instead of ids, and the
copy buttons (static/approvals/copy.js, no inline script). With REVIEW_GATE_SCREENSHOTS=1 each page is saved as
docs/screenshots/context-<kind>.png, as test_risk_review does."""

from __future__ import annotations

from pathlib import Path

import pytest

from approvals.models import Ticket
from events import simulation
from tests.browser.helpers import PASSWORD
from tests.browser.helpers import log_in as _log_in
from tests.browser.helpers import shoot as _shoot
from tests.factories import UserFactory
from tests.queue import run_queued_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PROJECT = 10001


@pytest.fixture
def tickets(post_event, emulator, dw_settings, settings):
    settings.REVIEW_GATE_OPERATION_CENTER_URL = (
        "https://dataworks.data.aliyun.com/{region}/ops?defaultProjectId={project_id}#/cycleTask/{node_id}"
    )
    settings.REVIEW_GATE_DATASTUDIO_URL = (
        "https://ide2-{region}.data.aliyun.com/?defaultProjectId={project_id}#/file/{file_id}"
    )

    def _deliver(code, **kwargs):
        sim = simulation.build(code, project_id=PROJECT, context=True, **kwargs)
        emulator.store.load_seed(sim.seed)
        assert post_event(sim.event).status_code == 202
        run_queued_tasks()
        ticket = Ticket.objects.get(message_id=sim.message_id)
        assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
        return ticket

    return _deliver


@pytest.mark.parametrize(
    ("name", "code", "kwargs", "expected"),
    [
        ("context-freeze-node", "freeze-node", {"ids": [700000001]}, "40 downstream nodes will stop running"),
        ("context-undeploy-node", "undeploy-node", {"ids": [700000100, 700000999]}, "could not be read"),
        ("context-backfill", "backfill-data", {}, "52 instances: 4 nodes × 13 business dates"),  # noqa: RUF001
        ("context-instance", "pre-rerun-instance", {}, "FAILURE"),
        ("context-table", "commit-table", {}, "DECIMAL(18,2)"),
        ("context-commit-file", "commit-file", {}, "add currency, drop cancelled orders"),
    ],
)
def test_each_ticket_kind_shows_its_context(page, live_server, tickets, name, code, kwargs, expected):
    UserFactory(username="rita", is_staff=True, is_superuser=True, password=PASSWORD)
    ticket = tickets(code, **kwargs)
    _log_in(page, live_server, "rita")

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    assert expected in page.inner_text("main")
    assert "销售数仓" in page.inner_text("[data-testid=workspace]")
    assert page.locator("button.copy-button").count() >= 2
    _shoot(page, name)


def test_a_copy_button_copies_its_id(page, live_server, tickets):
    UserFactory(username="rita", is_staff=True, is_superuser=True, password=PASSWORD)
    ticket = tickets("freeze-node", ids=[700000100])
    _log_in(page, live_server, "rita")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    button = page.locator("[data-node-id='700000100'] h3 button.copy-button")
    button.click()

    page.wait_for_selector("[data-node-id='700000100'] h3 button.copy-button.copied")
    assert button.inner_text() == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == "700000100"
    assert not page.dialogs  # type: ignore[attr-defined]
