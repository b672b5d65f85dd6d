"""Line comments (issue 18): who may comment, where they show, and the rejection tip that summarises them."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from approvals.errors import ApprovalError, CommentRequired, TicketNotOpen
from approvals.models import AuditEntry, LineComment, ReviewerProfile, Ticket
from approvals.tickets import changes, services
from approvals.tickets.tips import build_tip, line_comments_summary
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
CODE = "".join(f"SELECT {n} FROM t;\n" for n in range(1, 21))  # noqa: S608 - code under review, not a query
KEY = "LTAI5tAbCdEfGhIjKlMnOpQr"


@pytest.fixture
def rita():
    return UserFactory(username="rita")


@pytest.fixture
def ticket(rita):
    return TicketFactory(
        matched=[RuleFactory(reviewer_users=[rita])], old_content=CODE, new_content=CODE.replace("12 FROM", "12 FRM")
    )


def test_a_comment_is_stored_audited_and_published(ticket, rita):
    seen: list[changes.TicketChanged] = []
    changes.subscribe(seen.append, when="in_transaction")
    try:
        comment = services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=12, body="typo: FRM")
    finally:
        changes.unsubscribe(seen.append, when="in_transaction")

    assert (comment.line, comment.side, comment.author) == (12, "new", rita)
    assert ticket.audit.get(action=AuditEntry.Action.LINE_COMMENTED).comment == "line 12: typo: FRM"
    assert seen[-1].change == changes.Change.LINE_COMMENTED


def test_bad_comments_are_refused(ticket, rita):
    with pytest.raises(ApprovalError):
        services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=21, body="past the end")
    with pytest.raises(CommentRequired):
        services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=1, body="   ")
    with pytest.raises(ApprovalError):
        services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=1, body="x", side="middle")
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.EXPIRED, check_result="OK", decided_at=timezone.now()
    )
    with pytest.raises(TicketNotOpen):
        services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=1, body="too late")


def test_the_developer_who_made_the_change_may_answer_on_a_line(client, ticket):
    """Decided: anyone who may see the ticket may comment; deciding stays with reviewers (policy)."""
    developer = UserFactory(username="dev")
    ReviewerProfile.objects.create(user=developer, dataworks_uid=ticket.operator_uid)
    client.force_login(developer)

    response = client.post(f"/tickets/{ticket.pk}/comment-line", {"side": "new", "line": "12", "body": "intended"})

    assert response.status_code == 302
    assert LineComment.objects.get().author == developer


def test_someone_who_may_not_see_the_ticket_cannot_comment(client, ticket):
    client.force_login(UserFactory(username="stranger"))
    response = client.post(f"/tickets/{ticket.pk}/comment-line", {"side": "new", "line": "1", "body": "x"})
    assert response.status_code == 404 and not LineComment.objects.exists()


def test_comments_show_in_the_list_the_history_and_the_json_beside_the_lines(client, ticket, rita):
    client.force_login(rita)
    response = client.post(
        f"/tickets/{ticket.pk}/comment-line", {"side": "new", "line": "12", "body": "<b>FRM</b> is a typo"}
    )
    comment = LineComment.objects.get()
    assert response["Location"] == f"/tickets/{ticket.pk}/#line-comment-{comment.pk}"

    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'id="line-comment-{comment.pk}"' in html and "&lt;b&gt;FRM&lt;/b&gt; is a typo" in html
    assert "<b>FRM</b>" not in html.replace("\\u003Cb\\u003E", "")  # JSON escapes it too
    assert 'id="line-comments-data"' in html and "Commented on a line" in html


def test_a_rejection_tip_summarises_the_line_comments_masked_and_within_the_limit(ticket, rita):
    services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=12, body=f"key {KEY} leaked here " + "x" * 600)
    services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=3, body="second")
    services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=2, body="third", side="old")
    services.ticket_reject(ticket_id=ticket.pk, user=rita, comment="see the comments")
    ticket.refresh_from_db()

    tip = build_tip(ticket)

    assert "3 line comments, first: line 12: key " in tip and KEY not in tip
    assert "see the comments" in tip and len(tip) <= 500
    assert LineComment.objects.filter(body__contains=KEY).count() == 0  # masked when written


@override_settings(REVIEW_GATE_TIP_MAX_LENGTH=120)
def test_the_summary_gives_way_when_there_is_no_room(ticket, rita):
    services.ticket_comment_line(ticket_id=ticket.pk, user=rita, line=1, body="y" * 300)
    assert line_comments_summary(ticket, room=10) == ""
    assert line_comments_summary(ticket, room=30) == "1 line comment"  # no room for the text: the count alone
    assert len(line_comments_summary(ticket, room=60)) <= 60
    services.ticket_reject(ticket_id=ticket.pk, user=rita, comment="no")
    ticket.refresh_from_db()
    assert len(build_tip(ticket)) <= 120
