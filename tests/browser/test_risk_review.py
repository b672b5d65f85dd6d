"""Risk in a real browser: a CRITICAL ticket with its findings marked on their diff lines (risk.js), the inbox sorted
riskiest first, and a rule that matches on risk in the admin. With REVIEW_GATE_SCREENSHOTS=1 the three pages are saved
under docs/screenshots/ (risk-ticket.png, risk-inbox.png, risk-rule-admin.png), as test_i18n_walk does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from approvals.models import Ticket
from riskcheck import analyse
from tests.browser.helpers import log_in as _log_in
from tests.browser.helpers import shoot as _shoot
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "LTAI5tAbCdEfGhIjKlMn"
OLD = """-- dim_shop: daily shop dimension
INSERT OVERWRITE TABLE dim_shop PARTITION (ds = '${bizdate}')
SELECT shop_id, shop_name FROM ods_shop WHERE ds = '${bizdate}';
"""
NEW = f"""-- dim_shop: daily shop dimension (rebuilt)
DROP TABLE IF EXISTS dim_shop;
CREATE TABLE dim_shop (shop_id BIGINT, shop_name STRING) PARTITIONED BY (ds STRING) LIFECYCLE 30;
-- export with {ACCESS_KEY}
INSERT OVERWRITE TABLE dim_shop PARTITION (ds = '20240301')
SELECT s.shop_id, s.shop_name FROM ods_shop s, ods_region r;
"""  # noqa: S608 - SQL under review, never run


def _ticket(code: str, old: str = "", **kwargs) -> Ticket:
    analysis = analyse(code, language="sql", old_code=old or None)
    return TicketFactory(
        old_content=old,
        new_content=code,
        snapshot={"risk": {**analysis.to_json(), "context": {"projects": ["sales_dw", "sales_dw_dev"]}}},
        risk=analysis.risk.name,
        old_label="version 6",
        new_label="version 7 (this change)",
        **kwargs,
    )


def test_a_critical_ticket_marks_its_findings_on_their_lines(page, live_server):
    dba = GroupFactory(name="dba")
    for name in ("dora", "dmitri"):
        UserFactory(username=name).groups.add(dba)
    rule = RuleFactory(name="risk-high-needs-dbas", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[dba])
    ticket = _ticket(NEW, OLD, matched=[rule], title="dim_shop", path="etl/dim/dim_shop")
    assert ticket.risk == "CRITICAL"
    _log_in(page, live_server, "dora")

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.wait_for_selector("#code-diff[data-risk-marked]")

    assert page.inner_text("[data-testid=risk-badge]") == "Critical"
    marked = page.locator(".rg-row.rg-flagged")
    assert marked.count() >= 4
    notes = page.inner_text("#code-diff")
    assert "MC01" in notes and "MC16" in notes and "MC12" in notes
    assert page.locator("#risk-line-2 + .rg-finding-note").count() == 1  # the DROP, on new line 2
    assert ACCESS_KEY not in page.inner_text("main")  # masked in the diff, the findings and the notes
    _shoot(page, "risk-ticket")


def test_the_inbox_sorted_by_risk(page, live_server):
    reviewer = UserFactory(username="dora")
    rule = RuleFactory(name="all-sql", reviewer_users=[reviewer])
    now = timezone.now()
    codes = {
        "ods_orders_daily": "INSERT OVERWRITE TABLE ods_orders PARTITION (ds='${bizdate}') SELECT * FROM src;\n",
        "dim_shop_rebuild": "DROP TABLE dim_shop;\n",
        "ads_gmv_cleanup": "DELETE FROM ads_gmv;\n",
        "dws_user_daily": "SELECT a FROM t WHERE ds = max_pt('prj.t');\n",
        "tmp_cleanup": "DROP TABLE tmp_orders_${bizdate};\n",
        "report_daily": "SELECT 1;\n",
    }
    for age, (title, code) in enumerate(codes.items()):
        ticket = _ticket(code, matched=[rule], title=title, path=f"etl/{title}")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=5 * age))
    TicketFactory(title="freeze-night-batch", event__event_code="freeze-node", risk="NOT_ASSESSED", matched=[rule])
    _log_in(page, live_server, "dora")

    page.select_option("select[name=sort]", "risk")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**sort=risk**")

    risks = page.locator("#inbox-list [data-risk]").evaluate_all("els => els.map(e => e.dataset.risk)")
    assert risks == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "LOW", "NOT_ASSESSED", "NONE"]
    _shoot(page, "risk-inbox")


def test_a_rule_on_risk_in_the_admin(page, live_server):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    dba = GroupFactory(name="dba")
    for name in ("dora", "dmitri"):
        UserFactory(username=name).groups.add(dba)
    rule = RuleFactory(name="risk-high-needs-dbas", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[dba])
    _log_in(page, live_server, "admin")

    page.goto(f"{live_server.url}/admin/approvals/rule/{rule.pk}/change/")

    assert page.input_value("#id_risk_at_least") == "HIGH"
    assert page.input_value("#id_risk_at_most") == ""
    _shoot(page, "risk-rule-admin")
    page.goto(f"{live_server.url}/admin/approvals/rule/match-tester/?project_id=1&event_code=commit-file&risk=CRITICAL")
    assert "risk-high-needs-dbas" in page.inner_text("#match-results")
