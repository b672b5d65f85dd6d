"""The admin as a superuser: rules (form, matched tickets, tester), read-only tickets and audit, reviewer profiles."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from approvals.models import AuditEntry, ReviewerProfile, Rule, Ticket
from events.models import InboundEvent
from tests.factories import GroupFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES_URL = "/admin/approvals/rule/"
TESTER_URL = "/admin/approvals/rule/match-tester/"
TICKETS_URL = "/admin/approvals/ticket/"
AUDIT_URL = "/admin/approvals/auditentry/"


def make_ticket(*, title="ods_orders_daily", path="etl/orders/ods_orders_daily", project_id=123, **fields) -> Ticket:
    message_id = str(uuid.uuid4())
    event = InboundEvent.objects.create(
        source="acs.dataworks",
        message_id=message_id,
        type="dataworks:FileChange:CommitFile",
        event_code="commit-file",
        module="DATASTUDIO",
        raw_body="{}",
        body_sha256="0" * 64,
        project_id=project_id,
    )
    defaults = {
        "event_code": "commit-file",
        "module": "DATASTUDIO",
        "callback_api": "UpdateIDEEventResult",
        "status": Ticket.Status.PENDING,
        "file_type": 10,
    }
    return Ticket.objects.create(
        event=event, message_id=message_id, project_id=project_id, title=title, path=path, **{**defaults, **fields}
    )


def rule_form_data(**overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "prod-sql",
        "enabled": "on",
        "projects": "123, 456",
        "events": "commit-file\ndeploy-file",
        "paths": "etl/**\nods/*.sql",
        "file_types": "10",
        "min_approvals": "2",
        "timeout": "24h",
        "on_timeout": "WARN",
        "auto_outcome": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class TestRuleAdmin:
    def test_changelist_lists_rules_and_links_the_tester(self, admin_client):
        RuleFactory(
            name="prod-sql", projects=[123], events=["commit-file"], paths=["etl/**"], timeout=timedelta(days=1)
        )
        RuleFactory(name="<script>alert(1)</script>", enabled=False)

        response = admin_client.get(RULES_URL)

        assert response.status_code == 200
        assert [r.name for r in response.context["cl"].result_list] == ["<script>alert(1)</script>", "prod-sql"]
        content = response.content.decode()
        assert TESTER_URL in content
        assert "etl/**" in content
        assert "1d" in content
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content

    def test_add_form_saves_text_lists_as_validated_lists(self, admin_client):
        alice = UserFactory(username="alice")
        dba = GroupFactory(name="dba")

        response = admin_client.post(
            f"{RULES_URL}add/", rule_form_data(reviewers=[alice.pk], groups=[dba.pk]), follow=False
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        rule = Rule.objects.get(name="prod-sql")
        assert rule.projects == [123, 456]
        assert rule.events == ["commit-file", "deploy-file"]
        assert rule.paths == ["etl/**", "ods/*.sql"]
        assert rule.file_types == [10]
        assert (rule.min_approvals, rule.timeout, rule.on_timeout, rule.auto_outcome) == (
            2,
            timedelta(hours=24),
            "WARN",
            "",
        )
        assert list(rule.reviewers.all()) == [alice]
        assert list(rule.groups.all()) == [dba]

    def test_empty_lists_and_timeout_mean_all_and_none(self, admin_client):
        data = rule_form_data(projects="", events="", paths="", file_types="", timeout="", min_approvals="1")

        response = admin_client.post(f"{RULES_URL}add/", data)

        assert response.status_code == 302
        rule = Rule.objects.get(name="prod-sql")
        assert (rule.projects, rule.events, rule.paths, rule.file_types, rule.timeout) == ([], [], [], [], None)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("projects", "123, abc", "not a whole number"),
            ("projects", "0", "out of range"),
            ("projects", "5, 5", "listed twice"),
            ("events", "commit-file, nope", "not an event code Review Gate reviews"),
            ("events", "review-file", "not an event code Review Gate reviews"),
            ("paths", "etl/**\netl/**", "listed twice"),
            ("file_types", "10.5", "not a whole number"),
            ("min_approvals", "0", "at least 1"),
            ("timeout", "1w", "not a duration"),
            ("timeout", "0s", "longer than zero"),
            ("on_timeout", "MAYBE", "Select a valid choice"),
        ],
    )
    def test_add_form_rejects_what_the_toml_import_rejects(self, admin_client, field, value, message):
        response = admin_client.post(f"{RULES_URL}add/", rule_form_data(**{field: value}))

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert message in " ".join(errors[field])
        assert not Rule.objects.exists()

    def test_add_form_escapes_the_invalid_input_it_echoes(self, admin_client):
        response = admin_client.post(f"{RULES_URL}add/", rule_form_data(events="<b>x</b>"))

        assert response.status_code == 200
        assert b"<b>x</b>" not in response.content
        assert b"&lt;b&gt;x&lt;/b&gt;" in response.content

    def test_change_page_shows_lists_as_text_and_the_tickets_the_rule_matched(self, admin_client):
        rule = RuleFactory(name="prod-sql", projects=[123, 456], paths=["etl/**", "ods/*"], timeout=timedelta(hours=2))
        older = make_ticket(title="older_one")
        newer = make_ticket(title="<i>newer</i>")
        unrelated = make_ticket(title="not_matched")
        older.rules.set([rule])
        newer.rules.set([rule])

        response = admin_client.get(f"{RULES_URL}{rule.pk}/change/")

        assert response.status_code == 200
        form = response.context["adminform"].form
        assert form.initial["projects"] == "123, 456"
        assert form.initial["paths"] == "etl/**\nods/*"
        assert form.initial["timeout"] == "2h"
        content = response.content.decode()
        assert reverse("admin:approvals_ticket_change", args=[older.pk]) in content
        assert reverse("admin:approvals_ticket_change", args=[newer.pk]) in content
        assert reverse("admin:approvals_ticket_change", args=[unrelated.pk]) not in content
        assert content.index("&lt;i&gt;newer&lt;/i&gt;") < content.index("older_one")  # most recent first
        assert "<i>newer</i>" not in content

    def test_change_page_lists_at_most_twenty_tickets(self, admin_client):
        rule = RuleFactory(name="busy")
        tickets = [make_ticket(title=f"t{i:02d}") for i in range(22)]
        for ticket in tickets:
            ticket.rules.set([rule])

        response = admin_client.get(f"{RULES_URL}{rule.pk}/change/")

        content = response.content.decode()
        shown = [t for t in tickets if reverse("admin:approvals_ticket_change", args=[t.pk]) in content]
        assert shown == tickets[2:]

    def test_change_form_saves_an_edit(self, admin_client):
        rule = RuleFactory(name="prod-sql", projects=[1])

        response = admin_client.post(f"{RULES_URL}{rule.pk}/change/", rule_form_data(projects="7\n8"))

        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.projects == [7, 8]


class TestMatchTester:
    def test_the_empty_form_renders(self, admin_client):
        response = admin_client.get(TESTER_URL)

        assert response.status_code == 200
        assert response.context["form"].is_bound is False
        assert b"match-results" not in response.content

    def test_lists_enabled_matches_and_disabled_rules_that_would_match(self, admin_client):
        RuleFactory(name="etl-sql", projects=[123], paths=["etl/**"], timeout=timedelta(hours=4), on_timeout="WARN")
        RuleFactory(name="everything", timeout=timedelta(hours=1), auto_outcome="OK")
        RuleFactory(name="other-project", projects=[999])
        RuleFactory(name="off-but-matching", enabled=False, events=["commit-file"])
        RuleFactory(name="off-and-not-matching", enabled=False, events=["deploy-file"])

        response = admin_client.get(
            TESTER_URL, {"project_id": "123", "event_code": "commit-file", "path": "etl/a/x.sql", "file_type": "10"}
        )

        assert response.status_code == 200
        assert [row["rule"].name for row in response.context["matches"]] == ["etl-sql", "everything"]
        assert [row["rule"].name for row in response.context["disabled_matches"]] == ["off-but-matching"]
        assert response.context["timeout"] == {"after": "4h", "outcome": "WARN"}  # automatic rules have no timeout
        content = response.content.decode()
        assert "etl-sql" in content
        assert "off-but-matching" in content
        assert "off-and-not-matching" not in content
        assert not Rule.objects.get(name="off-but-matching").enabled

    def test_says_what_happens_when_nothing_matches(self, admin_client):
        RuleFactory(name="etl-sql", paths=["etl/**"])

        response = admin_client.get(TESTER_URL, {"project_id": "1", "event_code": "freeze-node"})

        assert response.context["matches"] == []
        assert b'id="no-match"' in response.content
        assert b"REVIEW_GATE_UNMATCHED" in response.content

    def test_invalid_input_shows_errors_and_escapes_it(self, admin_client):
        response = admin_client.get(TESTER_URL, {"project_id": "<script>", "event_code": "<script>x"})

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"project_id", "event_code"}
        assert "matches" not in response.context
        assert b"<script>" not in response.content

    def test_rule_names_in_results_are_escaped(self, admin_client):
        RuleFactory(name="<img src=x onerror=alert(1)>")

        response = admin_client.get(TESTER_URL, {"project_id": "1", "event_code": "commit-file"})

        assert b"<img src=x" not in response.content
        assert b"&lt;img src=x onerror=alert(1)&gt;" in response.content

    def test_needs_the_view_permission_on_rules(self, client):
        staff = UserFactory(username="staff")
        staff.is_staff = True
        staff.save(update_fields=["is_staff"])
        client.force_login(staff)

        response = client.get(TESTER_URL, {"project_id": "1", "event_code": "commit-file"})

        assert response.status_code == 403

    def test_anonymous_users_are_sent_to_the_login(self, client):
        response = client.get(TESTER_URL)

        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


class TestTicketAdmin:
    def test_list_filters_and_search(self, admin_client):
        pending = make_ticket(title="orders_daily", path="etl/orders/orders_daily")
        approved = make_ticket(title="users_daily", path="ods/users_daily")
        Ticket.objects.filter(pk=approved.pk).update(
            status=Ticket.Status.APPROVED, check_result="OK", decided_at=approved.created_at
        )

        everything = admin_client.get(TICKETS_URL)
        by_status = admin_client.get(TICKETS_URL, {"status__exact": "APPROVED"})
        by_callback = admin_client.get(TICKETS_URL, {"callback_status__exact": "NOT_SENT"})
        by_code = admin_client.get(TICKETS_URL, {"event_code": "commit-file"})
        by_title = admin_client.get(TICKETS_URL, {"q": "orders"})
        by_path = admin_client.get(TICKETS_URL, {"q": "ods/"})
        by_message_id = admin_client.get(TICKETS_URL, {"q": pending.message_id})

        assert everything.status_code == 200
        assert {t.pk for t in everything.context["cl"].result_list} == {pending.pk, approved.pk}
        assert [t.pk for t in by_status.context["cl"].result_list] == [approved.pk]
        assert len(by_callback.context["cl"].result_list) == 2
        assert len(by_code.context["cl"].result_list) == 2
        assert [t.pk for t in by_title.context["cl"].result_list] == [pending.pk]
        assert [t.pk for t in by_path.context["cl"].result_list] == [approved.pk]
        assert [t.pk for t in by_message_id.context["cl"].result_list] == [pending.pk]

    def test_the_list_does_not_load_the_code(self, admin_client):
        make_ticket()

        response = admin_client.get(TICKETS_URL)

        ticket = response.context["cl"].result_list[0]
        assert {"new_content", "old_content", "snapshot"} <= ticket.get_deferred_fields()

    def test_detail_is_read_only_with_its_audit_trail(self, admin_client):
        ticket = make_ticket(title="<b>bold</b>")
        AuditEntry.objects.create(ticket=ticket, action=AuditEntry.Action.CREATED, comment="Matched rules: none")

        response = admin_client.get(f"{TICKETS_URL}{ticket.pk}/change/")

        assert response.status_code == 200
        content = response.content.decode()
        assert "Matched rules: none" in content
        assert "&lt;b&gt;bold&lt;/b&gt;" in content
        assert 'name="_save"' not in content
        assert response.context["has_change_permission"] is False

    def test_edits_adds_and_deletes_are_refused(self, admin_client):
        ticket = make_ticket()

        add = admin_client.get(f"{TICKETS_URL}add/")
        edit = admin_client.post(f"{TICKETS_URL}{ticket.pk}/change/", {"status": "APPROVED", "title": "changed"})
        delete = admin_client.post(f"{TICKETS_URL}{ticket.pk}/delete/", {"post": "yes"})
        bulk_delete = admin_client.post(TICKETS_URL, {"action": "delete_selected", "_selected_action": [ticket.pk]})

        assert add.status_code == 403
        assert edit.status_code == 403
        assert delete.status_code == 403
        assert bulk_delete.status_code in (200, 302)
        ticket.refresh_from_db()
        assert (ticket.status, ticket.title) == (Ticket.Status.PENDING, "ods_orders_daily")


class TestAuditAdmin:
    def test_list_is_shown_and_links_the_ticket(self, admin_client):
        ticket = make_ticket()
        entry = AuditEntry.objects.create(ticket=ticket, action=AuditEntry.Action.CREATED)

        response = admin_client.get(AUDIT_URL)

        assert response.status_code == 200
        assert [e.pk for e in response.context["cl"].result_list] == [entry.pk]
        assert reverse("admin:approvals_ticket_change", args=[ticket.pk]) in response.content.decode()

    def test_entries_cannot_be_added_changed_or_deleted(self, admin_client):
        entry = AuditEntry.objects.create(ticket=make_ticket(), action=AuditEntry.Action.CREATED, comment="original")

        add = admin_client.get(f"{AUDIT_URL}add/")
        edit = admin_client.post(f"{AUDIT_URL}{entry.pk}/change/", {"comment": "rewritten"})
        delete = admin_client.post(f"{AUDIT_URL}{entry.pk}/delete/", {"post": "yes"})
        view = admin_client.get(f"{AUDIT_URL}{entry.pk}/change/")

        assert (add.status_code, edit.status_code, delete.status_code, view.status_code) == (403, 403, 403, 200)
        entry.refresh_from_db()
        assert entry.comment == "original"


class TestReviewerProfiles:
    def test_profile_admin_lists_users_and_uids(self, admin_client):
        UserFactory(username="alice", dataworks_uid="1234567890")

        response = admin_client.get("/admin/approvals/reviewerprofile/")

        assert response.status_code == 200
        assert b"1234567890" in response.content

    @staticmethod
    def _user_form(user, uid: str) -> dict[str, str]:
        return {
            "username": user.username,
            "email": "",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2024-01-01",
            "initial-date_joined_1": "00:00:00",
            "review_profile-TOTAL_FORMS": "1",
            "review_profile-INITIAL_FORMS": "0",
            "review_profile-MIN_NUM_FORMS": "0",
            "review_profile-MAX_NUM_FORMS": "1",
            "review_profile-0-dataworks_uid": uid,
            "review_profile-0-user": str(user.pk),
        }

    def test_the_user_page_edits_the_dataworks_uid(self, admin_client):
        user = UserFactory(username="alice")
        page = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
        assert page.status_code == 200
        assert b"review_profile-0-dataworks_uid" in page.content

        response = admin_client.post(f"/admin/auth/user/{user.pk}/change/", self._user_form(user, "193745001735"))

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert ReviewerProfile.objects.get(user=user).dataworks_uid == "193745001735"

    def test_a_uid_already_mapped_to_someone_else_is_refused(self, admin_client):
        UserFactory(username="alice", dataworks_uid="193745001735")
        bob = UserFactory(username="bob")

        response = admin_client.post(f"/admin/auth/user/{bob.pk}/change/", self._user_form(bob, "193745001735"))

        assert response.status_code == 200
        assert not ReviewerProfile.objects.filter(user=bob).exists()
