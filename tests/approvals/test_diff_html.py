"""Diff HTML: hostile code stays inert text, and the template partial renders both views correctly."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.safestring import SafeString

from approvals.diff import Diff, compute_diff, render_diff_html

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "&amp; &lt;script&gt; &#60;script&#62; &#x3C;",
    "</span></div></details><script>alert(2)</script>",
    "{{ request }} {% csrf_token %} ${bizdate}",
    "nul\x00byte and bell\x07 and esc\x1b[31m",
    "rtl \u202eevil\u202c and isolate \u2066x\u2069 and zero\u200bwidth",
    "\ufeffbom at start, line sep\u2028here, para\u2029there",
    "emoji 👩\u200d👩\u200d👧 cjk 数据工场 combining é arabic مرحبا",
    "\x01\x02\x03\x04\x05 placeholders",
    "<!-- comment --> <![CDATA[ x ]]> <style>*{}</style>",
    "x" * 5000 + "<script>",
]
VISIBLE_MARKERS = re.compile(r'<span class="rg-ctl" title="U\+([0-9A-F]{4,5}) [^"]*">[^<]*</span>')


class _CodeText(HTMLParser):
    """Collect the text of each code cell, turning hidden-character markers back into the character."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.depth = 0  # >0 while inside a code cell
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if self.depth:
            self.depth += 1
            if attributes.get("class") == "rg-ctl":
                title = attributes.get("title") or ""
                self.cells[-1] += chr(int(title.split()[0][2:], 16))
                self.skip = self.depth
        elif attributes.get("class") == "rg-c":
            self.cells.append("")
            self.depth = 1
            self.skip = 0

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            if self.skip == self.depth:
                self.skip = 0
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.cells[-1] += data


def code_cells(html: str) -> tuple[list[str], list[tuple[str, dict[str, str | None]]]]:
    parser = _CodeText()
    parser.feed(html)
    parser.close()
    return parser.cells, parser.tags


def assert_inert(html: str) -> None:
    """Assert no markup an attacker could have injected survived."""
    lowered = html.lower()
    assert "<script" not in lowered.replace('<script src="/static/approvals/diff.js" defer></script>', "")
    assert "<img" not in lowered and "<svg" not in lowered and "<style" not in lowered and "<!--" not in lowered
    assert "\x00" not in html and "\u202e" not in html and "\r" not in html
    _, tags = code_cells(html)
    allowed = {
        "div",
        "span",
        "del",
        "ins",
        "details",
        "summary",
        "section",
        "header",
        "p",
        "nav",
        "a",
        "button",
        "link",
        "script",
    }
    assert {tag for tag, _ in tags} <= allowed
    for tag, attributes in tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)  # no onerror= etc.
        assert set(attributes) <= {
            "class",
            "data-ln",
            "title",
            "href",
            "aria-current",
            "aria-label",
            "rel",
            "src",
            "defer",
            "hidden",
            "type",
            "role",
            "data-label-expand",
            "data-label-collapse",
        }, (tag, attributes)


@pytest.mark.parametrize("view", ["split", "unified"])
@pytest.mark.parametrize("file_type", [10, 221, 6, None])
def test_hostile_code_is_escaped_once_and_round_trips(view: str, file_type: int | None) -> None:
    old = "\n".join(f"-- safe {n}" for n in range(len(HOSTILE))) + "\n"
    new = "\n".join(HOSTILE) + "\n"
    diff = compute_diff(old, new, file_type=file_type)
    html = render_diff_html(diff, view)
    assert isinstance(html, SafeString)
    assert_inert(html)
    cells, _ = code_cells(html)
    new_cells = cells[1::2] if view == "split" else [cell for cell in cells if cell not in old.splitlines()]
    assert [cell for cell in new_cells if cell] == [line for line in HOSTILE if line]
    if file_type is None:  # unhighlighted, the entity line is one run of text: "&amp;" shows literally
        assert "&amp;amp; &amp;lt;script&amp;gt; &amp;#60;script&amp;#62; &amp;#x3C;" in html


def test_hidden_characters_are_visible_markers_with_titles() -> None:
    diff = compute_diff("", "a\u202eb\x00c\n", file_type=10)
    html = diff.split_html
    markers = VISIBLE_MARKERS.findall(html)
    assert markers == ["202E", "0000"]
    assert 'title="U+202E RIGHT-TO-LEFT OVERRIDE">U+202E</span>' in html
    assert ">\u2400</span>" in html  # NUL shown as the visible "NUL" control picture
    assert diff.has_hidden_chars


def test_hostile_changed_pair_keeps_escaping_with_word_marks() -> None:
    old = 'SELECT "<b>" AS x FROM t;\n'
    new = 'SELECT "<script>alert(1)</script>" AS x FROM t;\n'
    diff = compute_diff(old, new, file_type=10)
    [row] = diff.hunks[0].rows
    assert row.new and row.new.changes
    assert_inert(str(row.new.html))
    assert "&lt;<ins>script&gt;alert(1)&lt;/script</ins>&gt;" in row.new.html
    cells, _ = code_cells(diff.split_html)
    assert cells == [old.rstrip("\n"), new.rstrip("\n")]


def test_very_long_line_is_rendered_without_word_diff() -> None:
    old = "SELECT " + ", ".join(f"c{n}" for n in range(3000)) + "\n"
    new = old.replace("c1500,", "c1500 <x>,")
    diff = compute_diff(old, new, file_type=10)
    assert (diff.added, diff.removed) == (1, 1)
    cells, _ = code_cells(diff.unified_html)
    assert cells == [old.rstrip("\n"), new.rstrip("\n")]
    assert "<ins>" not in diff.unified_html


def render_partial(diff: Diff, view: str = "split", **extra: object) -> str:
    return render_to_string("approvals/includes/diff.html", {"diff": diff, "view": view, **extra})


def sample_diff() -> Diff:
    old = "".join(f"SELECT {n};\n" for n in range(1, 31))
    new = old.replace("SELECT 5;", "SELECT 5 + 1;").replace("SELECT 25;\n", "SELECT 25;\n-- added\n")
    return compute_diff(old, new, file_type=10)


def test_partial_split_view_structure() -> None:
    diff = sample_diff()
    html = render_partial(diff, "split", diff_label_old="v1 <old>", diff_label_new="v2")
    assert 'class="rg-diff rg-split rg-code"' in html
    assert "v1 &lt;old&gt;" in html and "v2" in html
    assert "1 line removed" in html and "2 lines added" in html
    assert html.count('<details class="rg-fold">') == 3
    assert html.count('class="rg-hunk-header"') == 2
    assert html.count('class="rg-row') == 31  # 29 equal rows, 1 changed pair, 1 added row
    assert html.count('class="rg-row rg-chg"') == 1 and html.count('class="rg-row rg-add"') == 1
    assert '<a href="?view=split" aria-current="page">' in html and 'href="?view=unified"' in html
    assert 'href="/static/approvals/diff.css"' in html
    assert "style=" not in html and "<script>" not in html  # CSP: no inline style or script
    cells, _ = code_cells(html)
    assert len(cells) == 62  # 31 rows x 2 sides (one empty)
    assert_inert(html)


def test_partial_unified_view_structure() -> None:
    diff = sample_diff()
    html = render_partial(diff, "unified")
    assert 'class="rg-diff rg-unified rg-code"' in html
    assert html.count('class="rg-row') == 32  # 29 equal, 1 removed, 2 added
    assert html.count('class="rg-row rg-del"') == 1 and html.count('class="rg-row rg-add"') == 2
    assert '<a href="?view=unified" aria-current="page">' in html
    numbers = re.findall(
        r'<div class="rg-row rg-del"><span class="rg-n" data-ln="(\d+)"></span><span class="rg-n"></span>', html
    )
    assert numbers == ["5"]
    assert "style=" not in html
    assert_inert(html)


def test_partial_keeps_other_query_parameters_with_a_request() -> None:
    request = RequestFactory().get("/tickets/7/", {"tab": "code", "view": "split"})
    html = render_partial(sample_diff(), "split", request=request, diff_assets=False)
    assert 'href="?tab=code&amp;view=unified"' in html
    assert "diff.css" not in html


def test_partial_messages_for_special_diffs() -> None:
    assert "too large to display" in render_partial(compute_diff("a\n" * 20, "b\n", max_lines=10))
    assert "identical" in render_partial(compute_diff("same\n", "same\n"))
    html = render_partial(compute_diff("a\r\nb\r\n", "a\nb\n"))
    assert "Line endings changed from CRLF to LF" in html and "rg-diff rg-" not in html
    assert "bidirectional" in render_partial(compute_diff("a\n", "a\u202e\n"))
    assert "rg-view-switch" not in render_partial(compute_diff("same\n", "same\n"))
