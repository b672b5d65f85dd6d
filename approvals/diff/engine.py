"""Compute a Diff: split lines, align them, pair changed lines, highlight, fold unchanged runs."""

from __future__ import annotations

import gc
import re
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from pygments.lexer import Lexer

from approvals.diff.highlight import BIDI_CHARS, highlight_lines, lines_html, marked_lines_html
from approvals.diff.intraline import pair_lines, word_changes
from approvals.diff.lexers import language_for_file_type, lexer_for_language
from approvals.diff.linediff import diff_opcodes
from approvals.diff.model import Diff, Fold, Hunk, Kind, Line, Row, Side

MAX_CHARS = 5_000_000  # per version; bigger texts get a "too large to display" result
MAX_LINES = 100_000
MAX_HIGHLIGHT_CHARS = 2_000_000  # per version; bigger texts are shown without syntax colours
WORD_DIFF_BUDGET = 1_000_000  # characters of changed pairs word-diffed per diff; the rest get no inner marks

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def compute_diff(
    old: str,
    new: str,
    *,
    file_type: int | None = None,
    file_name: str = "",
    context: int = 3,
    highlight: bool = True,
    max_chars: int = MAX_CHARS,
    max_lines: int = MAX_LINES,
    max_highlight_chars: int = MAX_HIGHLIGHT_CHARS,
) -> Diff:
    """Compare two versions of a node's code and return a Diff ready for rendering or serialising."""
    old = old or ""
    new = new or ""
    language = language_for_file_type(file_type, file_name)
    if _too_large(old, max_chars, max_lines) or _too_large(new, max_chars, max_lines):
        return Diff(
            old=Side(line_count=_count_lines(old), char_count=len(old)),
            new=Side(line_count=_count_lines(new), char_count=len(new)),
            language=language,
            too_large=True,
            max_lines=max_lines,
            max_chars=max_chars,
        )
    with _gc_paused():
        return _compute(old, new, language, context, highlight, max_highlight_chars)


def _compute(old: str, new: str, language: str, context: int, highlight: bool, max_highlight_chars: int) -> Diff:
    """Compute a diff of texts known to be within the size limits."""
    old_lines, old_side = split_lines(old)
    new_lines, new_side = split_lines(new)
    diff = Diff(
        old=old_side,
        new=new_side,
        language=language,
        is_identical=old == new,
        has_hidden_chars=bool(BIDI_CHARS.search(old) or BIDI_CHARS.search(new)),
    )
    old_keys = _keys(old_lines, old_side)
    new_keys = _keys(new_lines, new_side)
    if old_keys == new_keys:
        return diff  # identical, or only line endings differ: nothing to show line by line
    opcodes = diff_opcodes(old_keys, new_keys)
    lexer = lexer_for_language(language) if highlight else None
    if lexer is not None and max(len(old), len(new)) > max_highlight_chars:
        lexer = None
    diff.highlighted = lexer is not None
    diff.blocks, diff.added, diff.removed = _build(old_lines, new_lines, old_side, new_side, opcodes, lexer, context)
    return diff


def _build(
    old_lines: list[str],
    new_lines: list[str],
    old_side: Side,
    new_side: Side,
    opcodes: list[tuple[str, int, int, int, int]],
    lexer: Lexer | None,
    context: int,
) -> tuple[list[Hunk | Fold], int, int]:
    """Highlight both sides and build the blocks."""
    memo: dict[object, object] = {}
    builder = _Builder(
        old_lines,
        new_lines,
        highlight_lines(lexer, old_lines, memo),
        highlight_lines(lexer, new_lines, memo),
        old_missing_newline=old_side.missing_newline,
        new_missing_newline=new_side.missing_newline,
    )
    return builder.build(opcodes, max(context, 0))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: building ~30,000 small acyclic objects otherwise triggers collections worth ~20%."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def split_lines(text: str) -> tuple[list[str], Side]:
    """Split text at \\r\\n, \\r or \\n and describe its line endings."""
    if not text:
        return [], Side()
    lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")  # str.split is ~5x faster
    missing_newline = lines[-1] != ""
    if not missing_newline:
        lines.pop()
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, count in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if count]
    eol = "mixed" if len(kinds) > 1 else (kinds[0] if kinds else "")
    return lines, Side(line_count=len(lines), char_count=len(text), eol=eol, missing_newline=missing_newline)


def _keys(lines: list[str], side: Side) -> list[Hashable]:
    """Return comparison keys: the lines, with a last line lacking its newline made distinct (as git does)."""
    keys: list[Hashable] = list(lines)
    if side.missing_newline and keys:
        keys[-1] = (lines[-1], "no newline")
    return keys


def _too_large(text: str, max_chars: int, max_lines: int) -> bool:
    return len(text) > max_chars or _count_lines(text) > max_lines


def _count_lines(text: str) -> int:
    if not text:
        return 0
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


class _Builder:
    """Turn opcodes into hunks and folds of rows, with HTML for every line."""

    def __init__(
        self,
        old_lines: list[str],
        new_lines: list[str],
        old_frags: list[tuple[tuple[str, str], ...]],
        new_frags: list[tuple[tuple[str, str], ...]],
        *,
        old_missing_newline: bool,
        new_missing_newline: bool,
    ) -> None:
        self.old_lines, self.new_lines = old_lines, new_lines
        self.old_frags, self.new_frags = old_frags, new_frags
        # One pass over both sides: lines shared through the lexer memo are rendered once.
        both = lines_html(old_frags + new_frags, old_lines + new_lines)
        self.old_html, self.new_html = both[: len(old_frags)], both[len(old_frags) :]
        self.old_last = len(old_lines) if old_missing_newline else -1
        self.new_last = len(new_lines) if new_missing_newline else -1
        self.budget = WORD_DIFF_BUDGET
        # Lines of changed pairs get their markup in one batch at the end (one escape pass for all).
        self.marked: list[tuple[Line, tuple[tuple[str, str], ...], str]] = []

    def build(self, opcodes: list[tuple[str, int, int, int, int]], context: int) -> tuple[list[Hunk | Fold], int, int]:
        """Return (blocks, lines added, lines removed)."""
        blocks: list[Hunk | Fold] = []
        rows: list[Row] = []
        start = (0, 0)  # 0-based old/new index where the open hunk starts
        added = removed = 0
        last = len(opcodes) - 1
        for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
            if tag != "equal":
                rows.extend(self._changed_rows(i1, i2, j1, j2))
                added += j2 - j1
                removed += i2 - i1
                continue
            keep_before = 0 if k == 0 else context  # trailing context of the previous hunk
            keep_after = 0 if k == last else context  # leading context of the next hunk
            if i2 - i1 <= keep_before + keep_after:
                rows.extend(self._equal_rows(i1, i2, j1))
                continue
            if keep_before:
                rows.extend(self._equal_rows(i1, i1 + keep_before, j1))
            if rows:
                blocks.append(self._hunk(start, rows))
            fold_i, fold_j = i1 + keep_before, j1 + keep_before
            blocks.append(Fold(fold_i + 1, fold_j + 1, self._equal_rows(fold_i, i2 - keep_after, fold_j)))
            start = (i2 - keep_after, j2 - keep_after)
            rows = self._equal_rows(i2 - keep_after, i2, j2 - keep_after)
        if rows:
            blocks.append(self._hunk(start, rows))
        markups = marked_lines_html([(frags, line.changes, tag) for line, frags, tag in self.marked])
        for (line, _, _), markup in zip(self.marked, markups, strict=True):
            line.markup = markup
        return blocks, added, removed

    def _hunk(self, start: tuple[int, int], rows: list[Row]) -> Hunk:
        old_count = sum(1 for row in rows if row.old is not None)
        new_count = sum(1 for row in rows if row.new is not None)
        # Unified diff convention: an empty range starts at the line before it.
        old_start = start[0] + 1 if old_count else start[0]
        new_start = start[1] + 1 if new_count else start[1]
        return Hunk(old_start, old_count, new_start, new_count, rows)

    def _equal_rows(self, i1: int, i2: int, j1: int) -> list[Row]:
        old_lines, new_lines, old_html, new_html = self.old_lines, self.new_lines, self.old_html, self.new_html
        equal = Kind.EQUAL
        rows = []
        for offset in range(i2 - i1):
            i, j = i1 + offset, j1 + offset
            rows.append(
                Row(
                    equal,
                    Line(i + 1, old_lines[i], old_html[i], (), i + 1 == self.old_last),
                    Line(j + 1, new_lines[j], new_html[j], (), j + 1 == self.new_last),
                )
            )
        return rows

    def _changed_rows(self, i1: int, i2: int, j1: int, j2: int) -> list[Row]:
        rows = []
        for oi, nj in pair_lines(self.old_lines[i1:i2], self.new_lines[j1:j2]):
            if oi is not None and nj is not None:
                rows.append(self._pair(i1 + oi, j1 + nj))
            elif oi is not None:
                rows.append(Row(Kind.REMOVED, self._old(i1 + oi), None))
            elif nj is not None:
                rows.append(Row(Kind.ADDED, None, self._new(j1 + nj)))
        return rows

    def _pair(self, i: int, j: int) -> Row:
        old_text, new_text = self.old_lines[i], self.new_lines[j]
        self.budget -= len(old_text) + len(new_text)
        if self.budget < 0:
            return Row(Kind.CHANGED, self._old(i), self._new(j))
        old_changes, new_changes = word_changes(old_text, new_text)
        old_line = Line(i + 1, old_text, "", old_changes, i + 1 == self.old_last)
        new_line = Line(j + 1, new_text, "", new_changes, j + 1 == self.new_last)
        self.marked.append((old_line, self.old_frags[i], "del"))
        self.marked.append((new_line, self.new_frags[j], "ins"))
        return Row(Kind.CHANGED, old_line, new_line)

    def _old(self, i: int) -> Line:
        return Line(i + 1, self.old_lines[i], self.old_html[i], (), i + 1 == self.old_last)

    def _new(self, j: int) -> Line:
        return Line(j + 1, self.new_lines[j], self.new_html[j], (), j + 1 == self.new_last)
