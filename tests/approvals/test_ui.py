"""The reviewer's browser UI through Django's test client: inbox, ticket page, deciding, and who may do what."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from approvals.models import Ticket
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
OPERATOR_UID = "193745001735"


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def ticket(reviewer):
    return TicketFactory(
        matched=[RuleFactory(name="etl", reviewer_users=[reviewer])],
        old_content="SELECT 1 FROM t;\n",
        new_content="SELECT 2 FROM t; -- <script>alert('x')</script>\n",
    )


def _login(client, user):
    client.force_login(user)
    return client


def test_anonymous_users_are_sent_to_log_in(client, ticket):
    for url in ("/", f"/tickets/{ticket.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_inbox_lists_what_waits_for_me_first(client, reviewer, ticket):
    other = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory(username="someone")])])

    response = _login(client, reviewer).get("/")

    assert response.status_code == 200
    assert [t.pk for t in response.context["waiting"]] == [ticket.pk]
    assert [t.pk for t in response.context["page"].object_list] == [ticket.pk]
    assert other.pk not in [t.pk for t in response.context["page"].object_list]


def test_inbox_filters_and_ignores_bad_filter_values(client, reviewer, ticket):
    _login(client, reviewer)

    assert list(client.get("/", {"status": "APPROVED"}).context["page"].object_list) == []
    assert len(client.get("/", {"project": ticket.project_id}).context["page"].object_list) == 1
    assert client.get("/", {"project": "abc", "after": "999"}).status_code == 200


def test_ticket_page_shows_summary_diff_rules_and_escapes_code(client, reviewer, ticket):
    response = _login(client, reviewer).get(f"/tickets/{ticket.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "ods_orders_daily" in html and "etl" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert response.context["cannot_decide"] is None


@pytest.mark.parametrize("view", ["split", "unified"])
def test_both_diff_views_render(client, reviewer, ticket, view):
    response = _login(client, reviewer).get(f"/tickets/{ticket.pk}/", {"view": view})

    assert response.status_code == 200
    assert response.context["view"] == view


def test_reviewer_rejects_with_a_comment_through_the_form(client, reviewer, ticket, django_capture_on_commit_callbacks):
    _login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/tickets/{ticket.pk}/decide", {"action": "reject", "comment": "not on a Friday"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.decision_comment) == ("REJECTED", "not on a Friday")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "not on a Friday" in page and "already decided" in page


def test_reject_without_comment_is_refused_with_the_reason(client, reviewer, ticket):
    response = _login(client, reviewer).post(f"/tickets/{ticket.pk}/decide", {"action": "reject", "comment": ""})

    # Post-redirect-get: back to the form, where the reason is shown beside the field.
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{ticket.pk}/#decide")
    assert "comment is required" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_the_operator_sees_why_they_cannot_decide(client, ticket):
    author = UserFactory(username="author", dataworks_uid=OPERATOR_UID)

    page = _login(client, author).get(f"/tickets/{ticket.pk}/")
    assert "someone else must review" in page.content.decode()
    client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"})

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_an_unrelated_user_gets_404(client, ticket):
    stranger = UserFactory(username="stranger")
    _login(client, stranger)

    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"}).status_code == 404


def test_staff_see_every_ticket_but_cannot_decide_without_being_reviewers(client, ticket):
    staff = UserFactory(username="staffer", is_staff=True)

    page = _login(client, staff).get(f"/tickets/{ticket.pk}/")

    assert page.status_code == 200
    assert "not a reviewer" in page.content.decode()


def test_staff_override_is_shown_in_red_in_the_history(client, ticket):
    staff = UserFactory(username="oncall", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="override_decision"))
    _login(client, staff)

    client.post(f"/tickets/{ticket.pk}/override", {"result": "OK", "reason": "incident INC-7"})

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.APPROVED
    assert 'class="override-entry"' in client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_decisions_need_a_csrf_token(reviewer, ticket):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    response = client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"})

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_inbox_pages_without_counting_everything(client, reviewer, ticket):
    rule = ticket.rules.get()
    TicketFactory.create_batch(60, matched=[rule])
    _login(client, reviewer)

    first = client.get("/", {"tab": "all", "sort": "newest"}).context["page"]
    second = client.get("/", {"tab": "all", "sort": "newest", "after": first.next_after}).context["page"]

    assert (len(first.object_list), first.after, bool(first.next_after)) == (50, "", True)
    assert (len(second.object_list), second.after, second.next_after) == (11, first.next_after, "")
    newest_first = list(Ticket.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert [t.pk for t in first.object_list + second.object_list] == newest_first


def test_a_broken_page_link_shows_the_newest_page_and_says_so(client, reviewer, ticket):
    _login(client, reviewer)

    response = client.get("/", {"after": "not-a-cursor"})

    assert response.status_code == 200
    assert [t.pk for t in response.context["page"].object_list] == [ticket.pk]
    assert "That page link is not valid" in response.content.decode()
