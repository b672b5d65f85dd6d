"""Pages that tell the truth: what failed instead of a false "no changes", a retry for staff (page and admin), rules
that cannot be met said out loud (ticket, inbox, rule admin), and linked tickets shown with their current state."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from approvals.admin.actions import retry_preparation
from approvals.admin.tickets import TicketAdmin
from approvals.models import AuditEntry, CheckResult, Ticket
from approvals.tickets import services
from approvals.tickets.quorum import connect_quorum_signals, ticket_refresh_unreachable
from dataworks_client.errors import DataWorksPermanent
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
OPERATOR_UID = "193745001735"  # the factories' event operator
REQUEST_ID = "5C4B0E6A-0D2B-4D0C-9D5E-2F1A3B4C5D6E"
FALSE_CLAIMS = ("No changes", "identical")


@pytest.fixture(autouse=True)
def _quorum_signals():
    connect_quorum_signals()  # ApprovalsConfig.ready() connects them; idempotent


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def staff():
    return UserFactory(username="sam", is_staff=True)


def _forbidden() -> DataWorksPermanent:
    return DataWorksPermanent(
        "Access is forbidden. Please first activate DataWorks Enterprise Edition or Flagship Edition.",
        code="Forbidden.Access",
        request_id=REQUEST_ID,
        http_status=403,
        action="GetIDEEventDetail",
    )


@pytest.fixture
def failed(reviewer):
    """A ticket whose details DataWorks refused, stored as preparation stores it (reason, event status detail)."""
    error = _forbidden()
    ticket = TicketFactory(
        matched=[RuleFactory(name="etl", reviewer_users=[reviewer])],
        status=Ticket.Status.NEEDS_ATTENTION,
        old_content="",
        new_content="",
        attention_reason=f"DataWorks refused a call ({error}). Fix the cause, then retry from the admin.",
    )
    ticket.event.status_detail = str(error)
    ticket.event.save(update_fields=["status_detail"])
    return ticket


def _page(client, user, ticket) -> str:
    client.force_login(user)
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


class TestCodeNotFetched:
    def test_a_ticket_needing_attention_shows_what_failed_not_a_diff(self, client, reviewer, failed):
        html = _page(client, reviewer, failed)

        assert 'data-testid="preparation-failed"' in html
        assert "Access is forbidden" in html
        assert "Forbidden.Access" in html and REQUEST_ID in html and "GetIDEEventDetail" in html
        for claim in FALSE_CLAIMS:
            assert claim not in html
        assert "rg-diff-panel" not in html
        # A reviewer gets no retry control, and is told who can retry.
        assert "retry-preparation" not in html
        assert "An administrator can retry the preparation" in html

    def test_staff_see_a_retry_button(self, client, staff, failed):
        html = _page(client, staff, failed)

        assert f'action="/tickets/{failed.pk}/retry-preparation"' in html
        assert "Retry preparation" in html

    def test_a_preparing_ticket_claims_nothing(self, client, reviewer):
        ticket = TicketFactory(
            matched=[RuleFactory(reviewer_users=[reviewer])],
            status=Ticket.Status.PREPARING,
            old_content="",
            new_content="",
            attention_reason="GetIDEEventDetail InternalError.System HTTP 500: busy",
        )

        html = _page(client, reviewer, ticket)

        assert 'data-testid="preparing"' in html
        assert "will be retried automatically" in html and "InternalError.System" in html
        for claim in FALSE_CLAIMS:
            assert claim not in html

    def test_a_ticket_decided_before_anything_was_fetched_claims_nothing(self, client, reviewer, failed, staff):
        failed.status, failed.check_result = Ticket.Status.APPROVED, CheckResult.OK
        failed.decided_at = failed.created_at
        failed.save()

        html = _page(client, reviewer, failed)

        assert 'data-testid="not-fetched"' in html
        for claim in FALSE_CLAIMS:
            assert claim not in html

    def test_fetched_identical_versions_still_say_so(self, client, reviewer):
        ticket = TicketFactory(
            matched=[RuleFactory(reviewer_users=[reviewer])],
            old_content="SELECT 1;\n",
            new_content="SELECT 1;\n",
            snapshot={"too_large": False},
        )

        assert "No changes: both versions are identical." in _page(client, reviewer, ticket)


def test_a_403_from_dataworks_shows_on_the_page_end_to_end(post_event, emulator, dw_settings, client, staff):
    """The finding as found: GetIDEEventDetail answers 403; the page says so, with the code and the request id."""
    from events import simulation
    from tests.queue import run_queued_tasks

    emulator.store.add_fault("GetIDEEventDetail", "forbidden", count=1)
    sim = simulation.build("commit-file", project_id=10001)
    emulator.store.load_seed(sim.seed)
    assert post_event(sim.event).status_code == 202
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)
    assert ticket.status == Ticket.Status.NEEDS_ATTENTION

    html = _page(client, staff, ticket)

    assert "Forbidden.Access" in html and "Access is forbidden" in html
    request_id = html.split("Request ID</dt><dd><code>", 1)[1].split("<", 1)[0]
    assert request_id and request_id in ticket.attention_reason
    for claim in FALSE_CLAIMS:
        assert claim not in html
    assert "Retry preparation" in html


class TestRetryPreparation:
    def test_staff_retry_from_the_page_is_audited(self, client, staff, failed):
        client.force_login(staff)

        response = client.post(f"/tickets/{failed.pk}/retry-preparation", follow=True)

        assert response.redirect_chain == [(f"/tickets/{failed.pk}/", 302)]
        failed.refresh_from_db()
        assert failed.status == Ticket.Status.PREPARING
        assert failed.attention_reason == ""
        entry = failed.audit.get(action=AuditEntry.Action.PREPARATION_RETRIED)
        assert entry.actor == staff
        assert any("retried" in str(m) for m in response.context["messages"])

    def test_a_reviewer_is_refused(self, client, reviewer, failed):
        client.force_login(reviewer)

        response = client.post(f"/tickets/{failed.pk}/retry-preparation")

        assert response.status_code == 403
        failed.refresh_from_db()
        assert failed.status == Ticket.Status.NEEDS_ATTENTION
        assert not failed.audit.filter(action=AuditEntry.Action.PREPARATION_RETRIED).exists()

    def test_a_ticket_that_does_not_need_attention_is_left_alone(self, client, staff):
        ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory()])])
        client.force_login(staff)

        response = client.post(f"/tickets/{ticket.pk}/retry-preparation", follow=True)

        assert response.status_code == 200
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.PENDING
        assert any("needs attention" in str(m) for m in response.context["messages"])

    def test_only_post(self, client, staff, failed):
        client.force_login(staff)

        assert client.get(f"/tickets/{failed.pk}/retry-preparation").status_code == 405

    def test_the_admin_action_retries_tickets_needing_attention_and_skips_the_rest(
        self, admin_client, admin_user, failed, monkeypatch
    ):
        # As approvals/admin/tickets.py lists it (TicketAdmin.actions).
        monkeypatch.setattr(TicketAdmin, "actions", (retry_preparation,))
        pending = TicketFactory()

        response = admin_client.post(
            "/admin/approvals/ticket/",
            {"action": "retry_preparation", "_selected_action": [failed.pk, pending.pk]},
            follow=True,
        )

        assert response.status_code == 200
        failed.refresh_from_db()
        pending.refresh_from_db()
        assert (failed.status, pending.status) == (Ticket.Status.PREPARING, Ticket.Status.PENDING)
        assert failed.audit.get(action=AuditEntry.Action.PREPARATION_RETRIED).actor == admin_user
        texts = [str(m) for m in get_messages(response.wsgi_request)] or [str(m) for m in response.context["messages"]]
        assert any("retried for 1 ticket" in t for t in texts)
        assert any("does not need attention" in t for t in texts)


class TestUnreachableQuorum:
    @pytest.fixture
    def stuck(self):
        """A rule needing two approvals from a group of two, one of whom made the change."""
        author = UserFactory(username="author", dataworks_uid=OPERATOR_UID)
        colleague = UserFactory(username="colleague")
        group = GroupFactory(name="etl-team")
        group.user_set.set([author, colleague])
        ticket = TicketFactory(matched=[RuleFactory(name="two-of-two", min_approvals=2, reviewer_groups=[group])])
        ticket_refresh_unreachable(ticket_ids=[ticket.pk])  # as ticket_ready does
        return ticket, colleague, group

    def test_the_ticket_page_says_which_rule_cannot_be_met_and_why(self, client, stuck):
        ticket, colleague, _group = stuck

        html = _page(client, colleague, ticket)

        decision = html[html.index('id="decide"') :]
        assert 'data-testid="unreachable"' in decision
        assert "two-of-two" in decision and "needs 2 approvals" in decision
        assert "other than the person who made the change" in decision

    def test_staff_see_it_in_the_inbox_and_reviewers_do_not(self, client, stuck, staff):
        _ticket, colleague, _group = stuck

        client.force_login(staff)
        staff_html = client.get("/").content.decode()
        assert 'data-testid="unreachable"' in staff_html and "two-of-two" in staff_html

        client.force_login(colleague)
        assert 'data-testid="unreachable"' not in client.get("/").content.decode()

    def test_the_marker_follows_a_group_change(self, client, stuck, staff):
        ticket, _colleague, group = stuck
        client.force_login(staff)
        assert 'data-testid="unreachable"' in client.get("/").content.decode()

        group.user_set.add(UserFactory(username="newcomer"))

        assert 'data-testid="unreachable"' not in client.get("/").content.decode()
        assert 'data-testid="unreachable"' not in _page(client, staff, ticket)

    def test_the_rule_admin_warns_on_save_and_on_the_form(self, admin_client):
        alice = UserFactory(username="alice")
        data = {
            "name": "short",
            "enabled": "on",
            "min_approvals": "2",
            "on_timeout": "FAIL",
            "auto_outcome": "",
            "reviewers": [alice.pk],
        }

        response = admin_client.post("/admin/approvals/rule/add/", data, follow=True)

        assert response.status_code == 200
        warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
        assert len(warnings) == 1 and "short" in warnings[0] and "can never be approved" in warnings[0]
        rule_id = response.context["cl"].result_list[0].pk
        form = admin_client.get(f"/admin/approvals/rule/{rule_id}/change/").content.decode()
        assert 'data-testid="quorum-warning"' in form and "can never be approved" in form

    def test_a_rule_with_enough_reviewers_saves_without_a_warning(self, admin_client):
        alice, bob, carol = UserFactory(username="alice"), UserFactory(username="bob"), UserFactory(username="carol")
        data = {
            "name": "fine",
            "enabled": "on",
            "min_approvals": "2",
            "on_timeout": "FAIL",
            "auto_outcome": "",
            "reviewers": [alice.pk, bob.pk, carol.pk],
        }

        response = admin_client.post("/admin/approvals/rule/add/", data, follow=True)

        assert [m for m in response.context["messages"] if m.level_tag == "warning"] == []


class TestLinkedTickets:
    @pytest.fixture
    def linked(self, reviewer):
        rule = RuleFactory(reviewer_users=[reviewer])
        first = TicketFactory(matched=[rule], file_id=42)
        second = TicketFactory(matched=[rule], file_id=42, supersedes=first)
        return first, second

    def test_an_open_earlier_ticket_is_still_waiting(self, client, reviewer, linked):
        first, second = linked

        html = _page(client, reviewer, second)

        assert f"An earlier change to this file is still waiting: ticket #{first.pk} (Waiting for review)." in html
        newer = _page(client, reviewer, first)
        assert f"A newer change to this file arrived: ticket #{second.pk} (Waiting for review)." in newer

    def test_a_decided_earlier_ticket_shows_its_state_and_is_no_longer_waiting(self, client, reviewer, linked):
        first, second = linked
        services.ticket_approve(ticket_id=first.pk, user=reviewer)

        html = _page(client, reviewer, second)

        assert "still waiting" not in html
        assert f"An earlier change to this file is no longer waiting: ticket #{first.pk} (Approved)." in html


def test_the_user_admin_warns_when_deactivating_someone_leaves_a_rule_short(admin_client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    RuleFactory(name="pair", min_approvals=2, reviewer_users=[alice, bob])
    page = admin_client.get(f"/admin/auth/user/{bob.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "is_active"}
    data.update(
        {
            "date_joined_0": bob.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": bob.date_joined.strftime("%H:%M:%S"),
            "groups": [],
            "user_permissions": [],
        }
    )
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{key}": value for key, value in management.initial.items()})

    response = admin_client.post(f"/admin/auth/user/{bob.pk}/change/", data, follow=True)

    bob.refresh_from_db()
    assert not bob.is_active, response.context.get("adminform") and response.context["adminform"].form.errors
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("pair" in w and "can never be approved" in w for w in warnings)
