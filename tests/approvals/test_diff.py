"""Diff engine: alignment, hunks and folds, line numbers, stats, intra-line marks, limits, JSON form."""

from __future__ import annotations

import difflib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.diff import Diff, Fold, Hunk, Kind, compute_diff, language_for_file_type, lexer_for_file_type
from approvals.diff.intraline import pair_lines, word_changes
from approvals.diff.linediff import diff_opcodes


def numbered(count: int, prefix: str = "line") -> str:
    return "".join(f"{prefix} {n}\n" for n in range(1, count + 1))


def replace_lines(text: str, changes: dict[int, str]) -> str:
    """Replace 1-based line numbers of text."""
    lines = text.splitlines(keepends=True)
    for number, value in changes.items():
        lines[number - 1] = value + "\n"
    return "".join(lines)


def kinds(diff: Diff) -> list[str]:
    return [row.kind.value for hunk in diff.hunks for row in hunk.rows]


def unified_headers(old: str, new: str, context: int = 3) -> list[str]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    return [line for line in lines if line.startswith("@@")]


def test_identical_input_has_no_hunks() -> None:
    text = numbered(20)
    diff = compute_diff(text, text, file_type=10)
    assert diff.is_identical
    assert not diff.has_changes
    assert (diff.added, diff.removed, diff.hunks, diff.blocks) == (0, 0, [], [])
    assert diff.as_dict()["hunks"] == []


def test_both_empty_is_identical() -> None:
    diff = compute_diff("", "")
    assert diff.is_identical and not diff.has_changes and not diff.too_large


def test_new_file_is_all_added() -> None:
    diff = compute_diff("", "a\nb\nc\n", file_type=10)
    assert (diff.added, diff.removed) == (3, 0)
    assert kinds(diff) == ["added"] * 3
    [hunk] = diff.hunks
    assert hunk.header == "@@ -0,0 +1,3 @@"
    assert [row.new.number for row in hunk.rows if row.new] == [1, 2, 3]
    assert all(row.old is None for row in hunk.rows)


def test_deleted_file_is_all_removed() -> None:
    diff = compute_diff("a\nb\n", "", file_type=6)
    assert (diff.added, diff.removed) == (0, 2)
    assert kinds(diff) == ["removed", "removed"]
    assert diff.hunks[0].header == "@@ -1,2 +0,0 @@"
    assert diff.new.line_count == 0


def test_change_in_the_middle_folds_both_ends() -> None:
    old = numbered(30)
    new = replace_lines(old, {15: "line fifteen"})
    diff = compute_diff(old, new, file_type=10)
    assert (diff.added, diff.removed) == (1, 1)
    assert [type(block).__name__ for block in diff.blocks] == ["Fold", "Hunk", "Fold"]
    first, hunk, last = diff.blocks
    assert isinstance(first, Fold) and isinstance(hunk, Hunk) and isinstance(last, Fold)
    assert (first.old_start, first.new_start, first.count) == (1, 1, 11)
    assert (last.old_start, last.count) == (19, 12)
    assert hunk.header == "@@ -12,7 +12,7 @@" == unified_headers(old, new)[0]
    assert kinds(diff) == ["equal"] * 3 + ["changed"] + ["equal"] * 3
    # Every line of both sides appears exactly once, in order, across folds and hunks.
    rows = [row for block in diff.blocks for row in block.rows]
    assert [row.old.number for row in rows if row.old] == list(range(1, 31))
    assert [row.new.number for row in rows if row.new] == list(range(1, 31))


@pytest.mark.parametrize(
    ("changed", "context"),
    [
        ((5, 25), 3),  # far apart: two hunks
        ((5, 11), 3),  # gap of 5 lines <= 2*context: one hunk
        ((5, 12), 3),  # gap of 6 lines == 2*context: still one hunk
        ((5, 13), 3),  # gap of 7 lines: two hunks with a one-line fold
        ((1, 30), 3),  # first and last lines
        ((2, 29), 0),  # no context at all
        ((10, 20), 1),
        ((10, 20), 5),
    ],
)
def test_hunk_boundaries_match_unified_diff(changed: tuple[int, int], context: int) -> None:
    old = numbered(30)
    new = replace_lines(old, {n: f"changed {n}" for n in changed})
    diff = compute_diff(old, new, context=context)
    assert [hunk.header for hunk in diff.hunks] == unified_headers(old, new, context)
    folded = sum(block.count for block in diff.blocks if isinstance(block, Fold))
    shown = sum(len(hunk.rows) for hunk in diff.hunks)
    assert folded + shown == 30  # one changed pair per row


def test_multiple_hunks_line_numbers_after_insertions() -> None:
    old = numbered(40)
    lines = old.splitlines(keepends=True)
    new = "".join([*lines[:5], "inserted a\n", "inserted b\n", *lines[5:30], *lines[31:]])
    diff = compute_diff(old, new)
    assert (diff.added, diff.removed) == (2, 1)
    assert [hunk.header for hunk in diff.hunks] == unified_headers(old, new)
    second = diff.hunks[1]
    removed = [row for row in second.rows if row.kind is Kind.REMOVED]
    assert [(row.old.number, row.old.text) for row in removed if row.old] == [(31, "line 31")]
    # After two insertions, old line 32 is new line 33.
    after = [row for row in second.rows if row.old and row.old.number == 32]
    assert after and after[0].new and after[0].new.number == 33


def test_trailing_newline_difference_shows_last_line_changed() -> None:
    diff = compute_diff("a\nb\n", "a\nb", file_type=10)
    assert not diff.is_identical
    assert (diff.added, diff.removed) == (1, 1)
    [row] = [row for row in diff.hunks[0].rows if row.kind is not Kind.EQUAL]
    assert row.kind is Kind.CHANGED
    assert row.old and row.new and row.old.text == row.new.text == "b"
    assert not row.old.missing_newline and row.new.missing_newline
    assert diff.new.missing_newline and not diff.old.missing_newline
    assert "No newline at end of file" in diff.split_html


def test_crlf_only_change_has_no_hunks_but_is_reported() -> None:
    diff = compute_diff("a\r\nb\r\n", "a\nb\n")
    assert not diff.is_identical and not diff.has_changes
    assert (diff.old.eol, diff.new.eol, diff.eol_changed) == ("CRLF", "LF", True)


def test_crlf_and_lone_cr_split_lines() -> None:
    diff = compute_diff("a\r\nb\rc\n", "a\r\nB\rc\n")
    assert diff.old.line_count == 3 and diff.old.eol == "mixed"
    rows = diff.hunks[0].rows
    assert [row.old.text for row in rows if row.old] == ["a", "b", "c"]
    assert all("\r" not in (row.new.text if row.new else "") for row in rows)


def test_one_word_change_marks_only_that_word() -> None:
    old = "SELECT user_id, amount FROM ods_orders WHERE ds = '${bizdate}';\n"
    new = "SELECT user_id, price FROM ods_orders WHERE ds = '${bizdate}';\n"
    diff = compute_diff(old, new, file_type=10)
    [row] = diff.hunks[0].rows
    assert row.kind is Kind.CHANGED and row.old and row.new
    assert [row.old.text[s:e] for s, e in row.old.changes] == ["amount"]
    assert [row.new.text[s:e] for s, e in row.new.changes] == ["price"]
    assert row.old.html.count("<del>") == 1 and "<del>amount</del>" in row.old.html
    assert "<ins>price</ins>" in row.new.html


def test_word_changes_merge_across_spaces_and_handle_edges() -> None:
    assert word_changes("same", "same") == ((), ())
    assert word_changes("a b c", "a x y c") == (((2, 3),), ((2, 5),))
    assert word_changes("", "new") == ((), ((0, 3),))
    old, new = word_changes("x = 1", "x = 1  # note")
    assert old == () and new == ((5, 13),)


def test_dissimilar_lines_are_not_paired() -> None:
    rows = pair_lines(["SELECT a FROM t", "-- comment"], ["totally different words here", "SELECT a FROM t2"])
    assert (0, 1) in rows
    assert (1, None) in rows and (None, 0) in rows


def test_pairing_keeps_order_in_big_blocks() -> None:
    old = [f"value_{n} = compute({n})" for n in range(40)]
    new = ["# header"] + [f"value_{n} = compute({n}, fast=True)" for n in range(40)]
    rows = pair_lines(old, new)
    pairs = [(i, j) for i, j in rows if i is not None and j is not None]
    assert pairs == [(n, n + 1) for n in range(40)]
    assert sorted(i for i, _ in rows if i is not None) == list(range(40))
    assert sorted(j for _, j in rows if j is not None) == list(range(41))


def test_stats_count_changed_pairs_on_both_sides() -> None:
    old = numbered(10)
    new = replace_lines(old, {2: "two", 3: "three"}).replace("line 7\n", "") + "tail\n"
    diff = compute_diff(old, new)
    expected = sum(1 for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line.startswith("+ "))
    assert diff.added == expected == 3
    assert diff.removed == 3


@settings(max_examples=200, deadline=None, derandomize=True)  # a quality bound, not an invariant: keep stable
@given(
    st.lists(st.sampled_from(["a", "b", "c", "", "d", "SELECT 1;", "e"]), max_size=30),
    st.lists(st.sampled_from(["a", "b", "c", "", "x", "SELECT 1;", "e"]), max_size=30),
)
def test_opcodes_rebuild_the_new_side(old: list[str], new: list[str]) -> None:
    opcodes = diff_opcodes(old, new)
    rebuilt: list[str] = []
    position = (0, 0)
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == position
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        rebuilt.extend(new[j1:j2])
        position = (i2, j2)
    assert position == (len(old), len(new))
    assert rebuilt == new
    # Small inputs keep as many lines as difflib does.
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")
    best = sum(size for _, _, size in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())
    assert kept >= best


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_opcodes_rebuild_big_inputs(data: st.DataObject) -> None:
    alphabet = [f"line {n}" for n in range(40)] + ["", "}", "END;"]
    old = data.draw(st.lists(st.sampled_from(alphabet), min_size=60, max_size=300))
    new = data.draw(st.lists(st.sampled_from(alphabet), min_size=60, max_size=300))
    rebuilt: list[str] = []
    for tag, i1, i2, j1, j2 in diff_opcodes(old, new):
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        rebuilt.extend(new[j1:j2])
    assert rebuilt == new


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab\n\r x<&", max_size=60), st.text(alphabet="ab\n\r y<&", max_size=60))
def test_every_line_appears_once_per_side(old: str, new: str) -> None:
    diff = compute_diff(old, new, context=1)
    rows = [row for block in diff.blocks for row in block.rows]
    if diff.has_changes:
        assert [row.old.number for row in rows if row.old] == list(range(1, diff.old.line_count + 1))
        assert [row.new.number for row in rows if row.new] == list(range(1, diff.new.line_count + 1))
    json.dumps(diff.as_dict())


@pytest.mark.parametrize(
    ("file_type", "file_name", "language", "lexer"),
    [
        (10, "", "sql", "SqlLexer"),
        (227, "", "sql", "SqlLexer"),
        (1093, "", "sql", "SqlLexer"),
        (221, "", "python2", "Python2Lexer"),
        (1221, "", "python", "PythonLexer"),
        (6, "", "bash", "BashLexer"),
        (257, "", "bash", "BashLexer"),
        (11, "job.sql", "text", None),
        (99999, "", "text", None),
        (None, "etl.SQL", "sql", "SqlLexer"),
        (None, "run.sh", "bash", "BashLexer"),
        (None, "job.py", "python", "PythonLexer"),
        (None, "notes", "text", None),
        (None, "", "text", None),
    ],
)
def test_lexer_for_file_type(file_type: int | None, file_name: str, language: str, lexer: str | None) -> None:
    assert language_for_file_type(file_type, file_name) == language
    found = lexer_for_file_type(file_type, file_name)
    assert (type(found).__name__ if found else None) == lexer


def test_plain_text_and_highlight_off() -> None:
    diff = compute_diff("select 1\n", "select 2\n", file_type=11)
    assert not diff.highlighted and diff.language == "text"
    diff = compute_diff("select 1\n", "select 2\n", file_type=10, highlight=False)
    assert not diff.highlighted and '<span class="' not in diff.hunks[0].rows[0].new.html  # type: ignore[union-attr]
    diff = compute_diff("select 1\n", "select 2\n", file_type=10)
    assert diff.highlighted and '<span class="k">' in diff.split_html


def test_too_large_by_lines_and_by_size() -> None:
    diff = compute_diff("x\n" * 11, "y\n", max_lines=10)
    assert diff.too_large and diff.hunks == [] and diff.old.line_count == 11 and diff.max_lines == 10
    assert diff.as_dict()["too_large"] is True
    diff = compute_diff("", "y" * 101, max_chars=100)
    assert diff.too_large and diff.new.char_count == 101


def test_highlighting_skipped_above_its_own_limit() -> None:
    diff = compute_diff("select 1\n", "select 2\n", file_type=10, max_highlight_chars=5)
    assert not diff.too_large and not diff.highlighted and diff.has_changes


def test_multiline_comment_is_highlighted_across_lines() -> None:
    old = "/* start\nSELECT inside comment\nend */\nSELECT 1;\n"
    new = old.replace("SELECT 1", "SELECT 2")
    diff = compute_diff(old, new, file_type=10, context=5)
    inside = diff.hunks[0].rows[1]
    assert inside.new and inside.new.html == '<span class="cm">SELECT inside comment</span>'


def test_as_dict_is_plain_text_json() -> None:
    diff = compute_diff("a\n<b>\n", "a\n<c>\n", file_type=10)
    data = diff.as_dict()
    text = json.dumps(data)
    assert "&lt;" not in text and "<span" not in text
    row = data["hunks"][0]["rows"][1]
    assert row["kind"] == "removed" or row["kind"] == "changed"
    assert data["hunks"][0]["header"] == "@@ -1,2 +1,2 @@"
    assert data["hunks"][0]["rows"][0] == {
        "kind": "equal",
        "old": {"number": 1, "text": "a"},
        "new": {"number": 1, "text": "a"},
    }
    assert (data["added"], data["removed"], data["language"]) == (1, 1, "sql")


def test_large_input_completes_with_right_stats() -> None:
    rng = random.Random(7)
    old_lines = [
        f"SELECT col_{n}, SUM(v_{rng.randrange(10_000)}) FROM t_{n % 97} WHERE ds = '${{bizdate}}'"  # noqa: S608
        for n in range(10_000)
    ]
    new_lines = list(old_lines)
    changed = sorted(rng.sample(range(10_000), 1_000))
    for n in changed:
        new_lines[n] = new_lines[n].replace("SUM", "MAX")
    diff = compute_diff("\n".join(old_lines) + "\n", "\n".join(new_lines) + "\n", file_type=10)
    assert (diff.added, diff.removed) == (1_000, 1_000)
    changed_rows = [row for hunk in diff.hunks for row in hunk.rows if row.kind is Kind.CHANGED]
    assert [row.old.number for row in changed_rows if row.old] == [n + 1 for n in changed]
    assert all(row.old and row.old.text[slice(*row.old.changes[0])] == "SUM" for row in changed_rows)
    assert diff.split_html.count('class="rg-row') == 10_000
