"""The ticket page at scale (issue 18): the first screens of a large diff, the rest on demand, compressed answers,
POST-redirect-GET decisions with inline errors, the decision panel, and the diff against the last approved version."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.utils import timezone, translation

from approvals.models import RenderedDiffBlock, Ticket
from approvals.tickets.diff_store import FIRST_ROWS, paged_diff, prerender_ticket
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def large_code(lines: int = 3000, every: int = 20) -> tuple[str, str]:
    old = [f"SELECT col_{n} FROM t_{n % 7} WHERE ds = '${{bizdate}}';" for n in range(lines)]  # noqa: S608
    new = [line.replace("SELECT", "SELECT DISTINCT") if n % every == 10 else line for n, line in enumerate(old)]
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def large(reviewer):
    old, new = large_code()
    return TicketFactory(matched=[RuleFactory(name="etl", reviewer_users=[reviewer])], old_content=old, new_content=new)


def rows(html: str) -> int:
    return html.count('class="rg-row')


def test_a_large_diff_sends_its_first_screens_and_placeholders_for_the_rest(client, reviewer, large):
    client.force_login(reviewer)
    html = client.get(f"/tickets/{large.pk}/").content.decode()

    assert 0 < rows(html) <= FIRST_ROWS + 10  # a hunk is never cut, so one may pass the budget by its size
    assert "rg-lazy-more" in html and "rg-lazy-fold" in html
    assert "150 changes" in html  # the size of the whole change is shown
    assert 'data-ln="11"' in html and 'data-ln="2991"' not in html  # the first change is there, the last one not
    whole = client.get(f"/tickets/{large.pk}/", {"full": "1"}).content.decode()
    assert rows(whole) == 3000  # everything, without JavaScript: one split row per line (changed pairs side by side)
    assert 'data-ln="2991"' in whole


def test_load_more_returns_the_next_blocks_and_a_placeholder_for_the_rest(client, reviewer, large):
    client.force_login(reviewer)
    html = client.get(f"/tickets/{large.pk}/").content.decode()
    start, end = re.search(r'rg-lazy-more" data-from="(\d+)" data-to="(\d+)"', html).groups()

    more = client.get(f"/tickets/{large.pk}/diff", {"part": "code", "from": start, "to": end})
    body = more.json()["html"]

    assert more.status_code == 200 and rows(body) > 0
    assert 'class="rg-lazy rg-lazy-more"' in body  # still more to come after this load
    fold = re.search(r'rg-lazy-fold" data-from="(\d+)"', html).group(1)
    unchanged = client.get(f"/tickets/{large.pk}/diff", {"block": fold}).json()["html"]
    assert "rg-fold-loaded" in unchanged and rows(unchanged) == 7  # lines 1-7, before the first change's context


def test_the_diff_endpoint_refuses_what_is_not_a_block_number_and_hides_invisible_tickets(client, reviewer, large):
    client.force_login(reviewer)
    assert client.get(f"/tickets/{large.pk}/diff", {"from": "1e9"}).status_code == 400
    assert client.get(f"/tickets/{large.pk}/diff", {"block": "99999"}).status_code == 404
    client.force_login(UserFactory(username="stranger"))
    assert client.get(f"/tickets/{large.pk}/diff", {"from": "0"}).status_code == 404


def test_the_worker_stores_blocks_in_every_language_and_the_page_reads_only_a_few(client, reviewer, large, settings):
    prerender_ticket(large)
    stored = RenderedDiffBlock.objects.count()
    assert stored == 2 * len(paged_diff(*large_code(), file_type=10, file_name=large.title, view="split").blocks)

    client.force_login(reviewer)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            assert client.get(f"/tickets/{large.pk}/", HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    assert RenderedDiffBlock.objects.count() == stored  # nothing rendered again on the request


def test_a_change_over_the_threshold_opens_collapsed_with_its_size(client, reviewer, settings):
    old = "".join(f"SELECT {n};\n" for n in range(6000))
    new = "".join(f"SELECT {n} + 1;\n" for n in range(6000))
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])], old_content=old, new_content=new)
    client.force_login(reviewer)

    html = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert 'data-testid="diff-collapsed"' in html and "+6000 / -6000" in html
    assert rows(html) == 0 and "rg-lazy-more" in html


def test_html_and_json_answers_are_compressed_but_not_the_webhook_or_metrics(client, reviewer, large):
    client.force_login(reviewer)
    page = client.get(f"/tickets/{large.pk}/", HTTP_ACCEPT_ENCODING="gzip")
    more = client.get(f"/tickets/{large.pk}/diff", {"from": "0"}, HTTP_ACCEPT_ENCODING="gzip")

    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"rg-diff-panel" in gzip.decompress(page.content)
    assert more["Content-Encoding"] == "gzip" and "html" in json.loads(gzip.decompress(more.content))
    assert client.get(f"/tickets/{large.pk}/").get("Content-Encoding") is None  # the client did not ask for it
    webhook = client.post(
        "/events/eventbridge/", data="{}", content_type="application/json", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert webhook.get("Content-Encoding") is None
    assert client.get("/metrics", HTTP_ACCEPT_ENCODING="gzip").get("Content-Encoding") is None


def test_the_csrf_token_differs_on_every_compressed_page(client, reviewer, large):
    """BREACH: the secret of a page with a form is the CSRF token, masked anew in every response."""
    client.force_login(reviewer)
    tokens = set()
    for _ in range(3):
        html = gzip.decompress(client.get(f"/tickets/{large.pk}/", HTTP_ACCEPT_ENCODING="gzip").content).decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert len(tokens) == 3


def test_a_refused_decision_redirects_to_the_form_with_the_reason_inline(client, reviewer, large):
    client.force_login(reviewer)
    response = client.post(f"/tickets/{large.pk}/decide", {"action": "reject", "comment": "  "})

    assert response.status_code == 302 and response["Location"] == f"/tickets/{large.pk}/#decide"
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="comment-error"' in html and "A comment is required" in html
    assert 'aria-invalid="true"' in html
    again = client.get(f"/tickets/{large.pk}/").content.decode()
    assert 'data-testid="comment-error"' not in again  # shown once


def test_the_inline_error_is_in_the_readers_language_and_keeps_the_comment(client, reviewer, large):
    client.force_login(reviewer)
    client.post(f"/tickets/{large.pk}/decide", {"action": "warn", "comment": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = client.get(f"/tickets/{large.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="comment-error"' in html and "A comment is required" not in html


def test_a_domain_refusal_is_shown_in_the_form_after_the_redirect(client, large):
    client.force_login(UserFactory(username="not-a-reviewer", is_superuser=True))
    response = client.post(f"/tickets/{large.pk}/decide", {"action": "approve"})
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="decision-error"' in html and "not a reviewer" in html
    large.refresh_from_db()
    assert large.status == Ticket.Status.PENDING


def test_decide_opened_with_get_goes_to_the_ticket(client, reviewer, large):
    client.force_login(reviewer)
    response = client.get(f"/tickets/{large.pk}/decide")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{large.pk}/"


def test_a_decision_redirects_to_the_ticket(client, reviewer, large):
    client.force_login(reviewer)
    response = client.post(f"/tickets/{large.pk}/decide", {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{large.pk}/"
    assert "Your decision is recorded." in client.get(response["Location"]).content.decode()


def test_the_decision_panel_names_who_approved_and_who_is_still_needed(client, reviewer):
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    rule = RuleFactory(name="two eyes", reviewer_users=[reviewer, bob, carol], min_approvals=2)
    ticket = TicketFactory(matched=[rule])
    client.force_login(bob)
    client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"})

    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    panel = html[html.index('data-testid="requirements"') :]
    panel = panel[: panel.index("</ul>")]
    assert "1 of 2 approvals" in panel and "approved by bob" in panel
    assert "1 more approval needed" in panel and "carol" in panel and "rita" in panel
    assert 'data-testid="bar-approvals"' in html


def test_the_diff_against_the_last_approved_version_is_offered(client, reviewer):
    rule = RuleFactory(reviewer_users=[reviewer])
    decided = {"decided_at": timezone.now(), "check_result": "OK"}
    approved = TicketFactory(
        matched=[rule], file_id=77, status=Ticket.Status.APPROVED, old_content="a\n", new_content="a\nb\n", **decided
    )
    TicketFactory(
        matched=[rule],
        file_id=77,
        status=Ticket.Status.REJECTED,
        old_content="a\nb\n",
        new_content="x\n",
        decided_at=timezone.now(),
        check_result="FAIL",
    )
    ticket = TicketFactory(matched=[rule], file_id=77, old_content="x\n", new_content="a\nb\nc\n")
    client.force_login(reviewer)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="against-approved"' in page and f"#{approved.pk}" in page
    delta = client.get(f"/tickets/{ticket.pk}/", {"against": "approved"})
    assert delta.context["against"] == "approved"
    assert (delta.context["diff"].added, delta.context["diff"].removed) == (1, 0)  # only "c" is new since approval
    assert (client.get(f"/tickets/{ticket.pk}/").context["diff"].removed) == 1  # "x" against the previous version


def test_no_approved_version_means_no_second_diff(client, reviewer, large):
    client.force_login(reviewer)
    response = client.get(f"/tickets/{large.pk}/", {"against": "approved"})
    assert response.context["against"] == "previous" and 'data-testid="against-switch"' not in response.content.decode()
