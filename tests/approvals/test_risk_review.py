"""Risk in the review: from the event through preparation (the real SDK against the emulator over HTTP) to the
stored risk, the rules that match on it, the approvals they need, waivers, the tip, masking, the inbox and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.errors import NotAllowed
from approvals.models import AuditEntry, FindingWaiver, ReviewerProfile, Rule, Ticket
from approvals.tickets import policy, services
from approvals.tickets.selectors import RiskCursor, riskiest_visible_ids, ticket_risk, ticket_risk_view
from approvals.tickets.tips import build_tip
from events import simulation
from riskcheck import analyse
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory
from tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db
PROJECT = 10001
ACCESS_KEY = "LTAI5tAbCdEfGhIjKlMn"  # the shape MC16 looks for; not a real key
DROP = "-- retire the shop dimension\nDROP TABLE dim_shop;\n"
CROSS_PROJECT = (
    "INSERT OVERWRITE TABLE finance_prd.ads_gmv PARTITION (ds = '${bizdate}')\n"
    "SELECT shop_id, SUM(amount) FROM ods_orders WHERE ds = '${bizdate}' GROUP BY shop_id;\n"
)
SALES_DW = {"ProjectId": PROJECT, "ProjectIdentifier": "sales_dw", "ProjectName": "销售数仓", "ProjectMode": 3}


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    """Post a simulated event with the given code, run its processing like a worker, return the ticket."""

    def _deliver(code, content=None, **kwargs):
        sim = simulation.build(code, project_id=PROJECT, content=content, **kwargs)
        emulator.store.load_seed(sim.seed)
        response = post_event(sim.event)
        assert response.status_code == 202, response.content
        run_queued_tasks()
        return Ticket.objects.get(message_id=sim.message_id)

    return _deliver


@pytest.fixture
def dbas():
    group = GroupFactory(name="dba")
    members = [UserFactory(username="dba1"), UserFactory(username="dba2")]
    for user in members:
        user.groups.add(group)
    return group, members


# --- Event -> preparation -> risk -> rule -> approvals needed --------------------------------------------------------


def test_a_drop_is_critical_and_a_risk_rule_asks_two_dbas(deliver, dbas):
    group, _members = dbas
    risky = RuleFactory(name="risky-needs-dbas", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[group])
    RuleFactory(name="harmless-passes", risk_at_most="NONE", auto_outcome="OK")

    ticket = deliver("commit-file", DROP)

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert ticket.risk == "CRITICAL"
    [finding] = ticket.snapshot["risk"]["findings"]
    assert (finding["rule"], finding["line"], finding["severity"]) == ("MC01", 2, "CRITICAL")
    assert list(ticket.rules.all()) == [risky]
    [requirement] = policy.requirements(ticket)
    assert (requirement.label, requirement.required, requirement.group_names) == ("risky-needs-dbas", 2, ("dba",))


def test_a_harmless_commit_in_the_dev_workspace_passes_automatically(deliver, emulator, dbas):
    group, _members = dbas
    RuleFactory(name="risky-needs-dbas", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[group])
    RuleFactory(
        name="dev-harmless",
        projects=[PROJECT],
        events=["commit-file"],
        risk_at_most="NONE",
        auto_outcome="OK",
    )

    ticket = deliver("commit-file")  # the simulation's ordinary change: partitioned, parameterised, nothing to flag

    ticket.refresh_from_db()
    assert ticket.risk == "NONE"
    assert (ticket.status, ticket.check_result, ticket.callback_status) == ("APPROVED", "OK", "SENT")
    [callback] = emulator.store.callbacks_json()
    assert callback["params"]["CheckResult"] == "OK"


def test_the_same_rules_leave_a_risky_commit_to_humans(deliver, dbas):
    group, _members = dbas
    RuleFactory(name="risky-needs-dbas", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[group])
    RuleFactory(name="dev-harmless", events=["commit-file"], risk_at_most="NONE", auto_outcome="OK")

    ticket = deliver("commit-file", DROP)

    assert ticket.status == Ticket.Status.PENDING
    assert [rule.name for rule in ticket.rules.all()] == ["risky-needs-dbas"]


@pytest.mark.parametrize("code", ["freeze-node", "deploy-table", "delete-file"])
def test_what_the_analyser_does_not_read_is_not_assessed_and_never_passes_by_risk(deliver, code):
    careful = RuleFactory(name="careful", risk_at_least="CRITICAL")
    RuleFactory(name="harmless-passes", risk_at_most="LOW", auto_outcome="OK")

    ticket = deliver(code)

    assert ticket.status == Ticket.Status.PENDING
    assert ticket.risk == "NOT_ASSESSED"
    assert ticket.snapshot["risk"]["reason"]["en"]
    assert list(ticket.rules.all()) == [careful]  # at least every level, at most none


def test_own_projects_come_from_getproject_so_a_write_elsewhere_is_flagged(deliver, emulator):
    emulator.store.put_project(SALES_DW)

    ticket = deliver("commit-file", CROSS_PROJECT)

    assert ticket.risk == "HIGH"
    assert [f["rule"] for f in ticket.snapshot["risk"]["findings"]] == ["MC11"]
    assert ticket.snapshot["risk"]["context"]["projects"] == ["sales_dw", "sales_dw_dev"]


def test_a_failed_getproject_leaves_mc11_silent_and_says_so(deliver, client):
    # No project is seeded: the emulator answers GetProject with Invalid.Project.NotExist.
    ticket = deliver("commit-file", CROSS_PROJECT)

    assert ticket.status == Ticket.Status.PENDING  # never a failed preparation
    assert ticket.risk == "NONE"
    assert ticket.snapshot["risk"]["context"]["projects_error"]
    assert ticket_risk_view(ticket).projects_unknown


def test_workspace_settings_change_what_the_analyser_reports(deliver, emulator):
    from workspaces.models import WorkspaceSettings

    WorkspaceSettings.objects.create(
        project_id=PROJECT, risk_disabled_rules=["MC01"], risk_protected_patterns=["ods_*"]
    )

    ticket = deliver("commit-file", DROP + "INSERT INTO ods_orders SELECT 1;\n")

    assert [(f["rule"], f["line"]) for f in ticket.snapshot["risk"]["findings"]] == [("MC18", 3)]
    assert ticket.risk == "CRITICAL"


def test_an_analysis_that_blows_up_is_not_assessed_not_a_failed_preparation(deliver, monkeypatch):
    import approvals.intake.risk as intake_risk

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake_risk, "analyse", broken)
    RuleFactory(name="careful", risk_at_least="HIGH")

    ticket = deliver("commit-file", DROP)

    assert ticket.status == Ticket.Status.PENDING
    assert ticket.risk == "NOT_ASSESSED"
    assert "failed" in ticket.snapshot["risk"]["reason"]["en"]
    assert [rule.name for rule in ticket.rules.all()] == ["careful"]


# --- Waivers ---------------------------------------------------------------------------------------------------------


def _analysed_ticket(code: str, *, rules: list[Rule], **kwargs) -> Ticket:
    analysis = analyse(code, language="sql")
    snapshot = {"risk": {**analysis.to_json(), "context": {}}}
    return TicketFactory(new_content=code, snapshot=snapshot, risk=analysis.risk.name, matched=rules, **kwargs)


WARNED = "DROP TABLE dim_shop;\nSELECT * FROM a, b;\n"  # MC01 (CRITICAL) line 1, MC12 (MEDIUM) line 2


def test_a_reviewer_waives_a_finding_audited_and_the_requirements_stay(dbas):
    group, (dba1, _dba2) = dbas
    rule = RuleFactory(name="risky", risk_at_least="HIGH", min_approvals=2, reviewer_groups=[group])
    ticket = _analysed_ticket(WARNED, rules=[rule])
    before = policy.requirements(ticket)

    services.ticket_waive_finding(
        ticket_id=ticket.pk, user=dba1, rule="MC01", line=1, reason="dim_shop was replaced by dim_store", ip="10.0.0.9"
    )

    [waiver] = FindingWaiver.objects.filter(ticket=ticket)
    assert (waiver.rule, waiver.line, waiver.actor) == ("MC01", 1, dba1)
    entry = ticket.audit.get(action=AuditEntry.Action.FINDING_WAIVED)
    assert (entry.actor, entry.ip_address) == (dba1, "10.0.0.9")
    assert "MC01" in entry.comment and "dim_store" in entry.comment
    ticket.refresh_from_db()
    assert ticket.risk == "CRITICAL"  # what rules matched on does not change
    assert list(ticket.rules.all()) == [rule]
    assert [(r.label, r.required) for r in policy.requirements(ticket)] == [(r.label, r.required) for r in before]
    risk, findings = ticket_risk(ticket)
    assert risk == "MEDIUM"  # what the page and the tip show: the findings nobody waived
    assert [(f["rule"], f["line"]) for f in findings] == [("MC12", 2)]


def test_the_operator_of_the_change_cannot_waive_its_findings(dbas):
    group, (dba1, _dba2) = dbas
    rule = RuleFactory(name="risky", reviewer_groups=[group])
    ticket = _analysed_ticket(WARNED, rules=[rule])
    ReviewerProfile.objects.create(user=dba1, dataworks_uid=ticket.operator_uid)

    with pytest.raises(NotAllowed):
        services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC01", line=1, reason="mine, trust me")

    assert not FindingWaiver.objects.exists()
    assert not ticket.audit.filter(action=AuditEntry.Action.FINDING_WAIVED).exists()


def test_someone_who_does_not_review_the_ticket_cannot_waive(dbas):
    group, _members = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", reviewer_groups=[group])])

    with pytest.raises(NotAllowed):
        services.ticket_waive_finding(
            ticket_id=ticket.pk, user=UserFactory(username="mallory"), rule="MC01", line=1, reason="nope"
        )


def test_a_waiver_needs_a_reason_and_a_real_finding_once(dbas):
    from approvals.errors import ApprovalError, CommentRequired, TicketNotOpen

    group, (dba1, _dba2) = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", reviewer_groups=[group])])

    with pytest.raises(CommentRequired):
        services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC01", line=1, reason="  ")
    with pytest.raises(ApprovalError):
        services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC01", line=7, reason="no such line")
    services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC01", line=1, reason="fine")
    with pytest.raises(TicketNotOpen):
        services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC01", line=1, reason="again")


def test_the_ticket_page_shows_findings_and_waives_through_the_form(client, dbas):
    group, (dba1, dba2) = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", reviewer_groups=[group])])
    client.force_login(dba1)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="risk-badge" data-risk="CRITICAL"' in page
    assert 'data-rule="MC01" data-line="1"' in page and 'data-rule="MC12" data-line="2"' in page
    assert 'id="risk-findings"' in page  # the inline marks' data, for risk.js

    response = client.post(
        f"/tickets/{ticket.pk}/waive-finding", {"rule": "MC01", "line": "1", "reason": "replaced <b>by</b> dim_store"}
    )
    assert response.status_code == 302
    client.force_login(dba2)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="waiver"' in page
    assert "replaced &lt;b&gt;by&lt;/b&gt; dim_store" in page
    assert 'data-testid="risk-after-waivers"' in page


# --- Tip, masking ---------------------------------------------------------------------------------------------------


def test_a_warned_approval_names_the_open_findings_in_the_tip(dbas, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "en"
    group, (dba1, dba2) = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", min_approvals=2, reviewer_groups=[group])])
    services.ticket_waive_finding(ticket_id=ticket.pk, user=dba1, rule="MC12", line=2, reason="small lookup tables")

    services.ticket_approve(ticket_id=ticket.pk, user=dba2)
    services.ticket_approve(ticket_id=ticket.pk, user=dba1, warn=True, comment="drop agreed with the owners")

    ticket.refresh_from_db()
    assert ticket.check_result == "WARN"
    tip = build_tip(ticket)
    assert "MC01 line 1" in tip
    assert "MC12" not in tip  # waived: the tip shows what the page shows
    assert "drop agreed with the owners" in tip
    assert len(tip) <= settings.REVIEW_GATE_TIP_MAX_LENGTH


def test_the_tip_names_findings_in_the_tip_language_within_the_limit(dbas, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "zh-hans"
    settings.REVIEW_GATE_TIP_MAX_LENGTH = 200
    group, (dba1, _dba2) = dbas
    code = "".join(f"DROP TABLE t{n};\n" for n in range(40))
    ticket = _analysed_ticket(code, rules=[RuleFactory(name="risky", reviewer_groups=[group])])

    services.ticket_approve(ticket_id=ticket.pk, user=dba1, warn=True, comment="x" * 500)

    ticket.refresh_from_db()
    tip = build_tip(ticket)
    assert len(tip) <= 200
    assert "已批准" in tip  # the tip language (the findings' own words come from the catalogue: "MC01 第 1 行")
    assert "MC01" in tip and "MC01 line 40" not in tip  # what does not fit is counted, not cut mid-item
    assert f"/tickets/{ticket.pk}/" in tip  # the link always fits


def test_an_ok_approval_leaves_the_findings_out_of_the_tip(dbas):
    group, (dba1, _dba2) = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", reviewer_groups=[group])])

    services.ticket_approve(ticket_id=ticket.pk, user=dba1)

    ticket.refresh_from_db()
    assert "MC01" not in build_tip(ticket)


def test_an_access_key_is_masked_on_the_page_in_the_api_and_in_the_tip(client, dbas, settings):
    settings.REVIEW_GATE_TIP_LANGUAGE = "en"
    group, (dba1, _dba2) = dbas
    code = f"SELECT 1;\n-- key for the export job: {ACCESS_KEY}\n"
    ticket = _analysed_ticket(code, rules=[RuleFactory(name="risky", reviewer_groups=[group])])
    assert ticket.risk == "CRITICAL"
    client.force_login(dba1)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    api = client.get(f"/api/v1/tickets/{ticket.pk}/").content.decode()
    _risk, findings = ticket_risk(ticket)
    services.ticket_approve(ticket_id=ticket.pk, user=dba1, warn=True, comment=f"rotate {ACCESS_KEY} today")
    ticket.refresh_from_db()
    tip = build_tip(ticket)

    for shown in (page, api, repr(findings), tip):
        assert ACCESS_KEY not in shown
    assert "LTAI**************Mn" in page  # masked in the diff too, same length so the lines still match
    assert '"rule":"MC16"' in api.replace(" ", "")
    assert "MC16 line 2" in tip


def test_the_api_carries_risk_and_findings(client, dbas):
    group, (dba1, _dba2) = dbas
    ticket = _analysed_ticket(WARNED, rules=[RuleFactory(name="risky", reviewer_groups=[group])])
    client.force_login(dba1)

    body = client.get(f"/api/v1/tickets/{ticket.pk}/").json()

    assert body["risk"] == "CRITICAL"
    assert [(f["rule"], f["line"], f["severity"], f["waived"]) for f in body["findings"]] == [
        ("MC01", 1, "CRITICAL", False),
        ("MC12", 2, "MEDIUM", False),
    ]
    assert body["findings"][0]["message"] and body["findings"][0]["why"]


# --- Inbox: filter and sort by risk ---------------------------------------------------------------------------------


@pytest.fixture
def risky_inbox():
    staff = UserFactory(username="boss", is_staff=True)
    now = timezone.now()
    tickets = {}
    for age, risk in enumerate(["LOW", "CRITICAL", "NONE", "NOT_ASSESSED", "HIGH", "CRITICAL", "MEDIUM"]):
        ticket = TicketFactory(risk=risk, title=f"{risk.lower()}-{age}")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=age))
        tickets[ticket.title] = ticket.pk
    return staff, tickets


def test_the_inbox_sorts_riskiest_first_then_newest(client, risky_inbox):
    staff, tickets = risky_inbox
    client.force_login(staff)

    page = client.get("/", {"sort": "risk"}).content.decode()

    order = sorted(tickets, key=lambda title: page.index(f">{title}<"))
    assert order == [
        "critical-1",
        "critical-5",
        "high-4",
        "medium-6",
        "low-0",
        "not_assessed-3",
        "none-2",
    ]
    assert 'data-risk="CRITICAL"' in page


def test_the_inbox_filters_by_risk(client, risky_inbox):
    staff, _tickets = risky_inbox
    client.force_login(staff)

    critical = client.get("/", {"risk": "CRITICAL"}).content.decode()
    high_or_worse = client.get("/", {"risk": "HIGH+"}).content.decode()

    assert "critical-1" in critical and "critical-5" in critical and "high-4" not in critical
    for title in ("critical-1", "critical-5", "high-4", "not_assessed-3"):
        assert title in high_or_worse
    assert "medium-6" not in high_or_worse and "none-2" not in high_or_worse


def test_riskiest_first_pages_continue_where_they_stopped(risky_inbox):
    staff, tickets = risky_inbox
    seen: list[int] = []
    after: RiskCursor | None = None
    while True:
        page = riskiest_visible_ids(staff, after=after, limit=2)
        seen.extend(page.ids)
        if page.next is None:
            break
        after = RiskCursor.decode(page.next.encode())
    assert seen == riskiest_visible_ids(staff, limit=100).ids
    assert sorted(seen) == sorted(tickets.values())


def test_a_bad_risk_cursor_shows_the_first_page_with_a_message(client, risky_inbox):
    staff, _tickets = risky_inbox
    client.force_login(staff)

    response = client.get("/", {"sort": "risk", "after": "r9.x.1"})

    assert response.status_code == 200
    assert "That page link is not valid" in response.content.decode()


# --- Rules: TOML and the admin's tester ------------------------------------------------------------------------------


def test_a_rules_file_sets_and_exports_the_risk_bounds(dbas):
    from approvals.rules import io as rules_io

    rules_io.import_rules(b'[[rules]]\nname = "risky"\nrisk_at_least = "HIGH"\ngroups = ["dba"]\nmin_approvals = 2\n')

    rule = Rule.objects.get(name="risky")
    assert (rule.risk_at_least, rule.risk_at_most) == ("HIGH", "")
    assert 'risk_at_least = "HIGH"\nrisk_at_most = ""\n' in rules_io.export_rules()


@pytest.mark.parametrize("line", ['risk_at_least = "NONE"', 'risk_at_most = "NOT_ASSESSED"', 'risk_at_least = "high"'])
def test_a_rules_file_refuses_bad_risk_bounds(line):
    from approvals.rules.io import RulesFileError, parse_rules

    with pytest.raises(RulesFileError) as raised:
        parse_rules(f'[[rules]]\nname = "r"\n{line}\n')

    assert [problem.line for problem in raised.value.problems] == [3]


def test_the_rule_tester_takes_and_shows_the_risk_it_used(admin_client):
    RuleFactory(name="risky", risk_at_least="HIGH")
    RuleFactory(name="harmless", risk_at_most="NONE", auto_outcome="OK")
    url = "/admin/approvals/rule/match-tester/"
    query = {"project_id": "1", "event_code": "commit-file", "path": "a.sql", "file_type": "10"}

    harmless = admin_client.get(url, {**query, "risk": "NONE"}).content.decode()
    unread = admin_client.get(url, query).content.decode()

    assert 'data-risk="NONE"' in harmless and ">harmless<" in harmless and ">risky<" not in harmless
    assert 'data-risk="NOT_ASSESSED"' in unread and ">risky<" in unread and ">harmless<" not in unread
