"""Diff engine for Review Gate: structured, highlighted, escaped diffs of DataWorks node code.

Public API::

    diff = compute_diff(old, new, file_type=10, file_name="etl.sql")
    diff.added, diff.removed, diff.hunks, diff.too_large, diff.is_identical
    render_diff_html(diff, "split")   # or "unified"; also diff.split_html / diff.unified_html
    diff.as_dict()                    # plain-text JSON form for the API
"""

from __future__ import annotations

from approvals.diff.engine import MAX_CHARS, MAX_HIGHLIGHT_CHARS, MAX_LINES, compute_diff, split_lines
from approvals.diff.lexers import FILE_TYPE_LANGUAGES, language_for_file_type, lexer_for_file_type
from approvals.diff.model import Diff, Fold, Hunk, Kind, Line, Row, Side
from approvals.diff.render import VIEWS, fold_summary_open, render_blocks, render_diff_html

__all__ = [
    "FILE_TYPE_LANGUAGES",
    "MAX_CHARS",
    "MAX_HIGHLIGHT_CHARS",
    "MAX_LINES",
    "VIEWS",
    "Diff",
    "Fold",
    "Hunk",
    "Kind",
    "Line",
    "Row",
    "Side",
    "compute_diff",
    "fold_summary_open",
    "language_for_file_type",
    "lexer_for_file_type",
    "render_blocks",
    "render_diff_html",
    "split_lines",
]
