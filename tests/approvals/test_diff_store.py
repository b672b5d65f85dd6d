"""Rendered diffs are stored once per content and served from the store; the partial renders them like live ones."""

from __future__ import annotations

import zlib

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from approvals.diff import compute_diff
from approvals.models import RenderedDiff
from approvals.tickets.diff_store import rendered_diff
from tests.approvals.test_diff_html import code_cells, sample_diff
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "".join(f"SELECT {n};\n" for n in range(1, 31))
NEW = OLD.replace("SELECT 5;", "SELECT 5 + 1;").replace("SELECT 25;\n", "SELECT 25;\n-- added\n")


def partial(diff: object, view: str) -> str:
    return render_to_string("approvals/includes/diff.html", {"diff": diff, "view": view})


@pytest.mark.parametrize("view", ["split", "unified"])
def test_a_stored_diff_renders_the_partial_exactly_like_a_live_one(view):
    first = partial(rendered_diff(OLD, NEW, file_type=10, view=view), view)  # rendered now and stored
    again = partial(rendered_diff(OLD, NEW, file_type=10, view=view), view)  # read from the store

    assert first == again == partial(sample_diff(), view)
    assert RenderedDiff.objects.count() == 1


def test_the_second_view_reads_the_store_instead_of_diffing_again():
    rendered_diff(OLD, NEW, file_type=10, view="split")
    row = RenderedDiff.objects.get()
    RenderedDiff.objects.filter(pk=row.pk).update(html=zlib.compress(b'<div class="marker">stored</div>'))

    assert rendered_diff(OLD, NEW, file_type=10, view="split").split_html == '<div class="marker">stored</div>'


def test_anything_the_html_depends_on_is_a_different_entry():
    base = {"file_type": 10, "file_name": "a.sql", "view": "split"}
    rendered_diff(OLD, NEW, **base)
    rendered_diff(OLD, NEW + "x", **base)  # other code
    rendered_diff(OLD, NEW, **{**base, "view": "unified"})
    rendered_diff(OLD, NEW, **{**base, "file_type": 6})  # other language: other highlighting
    rendered_diff(OLD, NEW, **{**base, "file_name": "b.sql"})
    with translation.override("zh-hans"):
        rendered_diff(OLD, NEW, **base)  # translated fold and no-newline labels
    rendered_diff(OLD, NEW, **base)  # the first again

    assert RenderedDiff.objects.count() == 6


def test_hostile_code_stays_escaped_through_the_store():
    hostile = '<script>alert(1)</script>\n<img src=x onerror="alert(2)">\n'
    rendered_diff("", hostile, file_type=10, view="split")
    stored = rendered_diff("", hostile, file_type=10, view="split")

    cells, _ = code_cells(stored.split_html)
    assert "<script>" not in stored.split_html and "<img" not in stored.split_html
    assert [c for c in cells if c] == hostile.splitlines()
    assert stored.added == compute_diff("", hostile, file_type=10).added == 2


def test_the_ticket_page_serves_the_stored_diff(client):
    reviewer = UserFactory(username="rita")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])], old_content=OLD, new_content=NEW)
    client.force_login(reviewer)

    first = client.get(f"/tickets/{ticket.pk}/")
    second = client.get(f"/tickets/{ticket.pk}/")

    def diff_panel(response) -> str:
        html = response.content.decode()
        start = html.index('<section class="rg-diff-panel"')
        return html[start : html.index("</section>", start)]

    assert first.status_code == second.status_code == 200
    assert diff_panel(first) == diff_panel(second)
    assert "1 line removed" in diff_panel(second)
    assert "SELECT 5 + 1;" in code_cells(diff_panel(second))[0]
    assert RenderedDiff.objects.count() == 1


def test_the_worker_prerenders_a_ready_ticket_in_every_interface_language(client, settings):
    from approvals.tickets.diff_store import prerender_ticket

    reviewer = UserFactory()
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])], old_content=OLD, new_content=NEW)

    prerender_ticket(ticket)

    assert RenderedDiff.objects.count() == len(settings.LANGUAGES)  # one stored rendering per language
    client.force_login(reviewer)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            assert client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    assert RenderedDiff.objects.count() == len(settings.LANGUAGES)  # both pages read what the worker stored
