"""Data classes of a computed diff: hunks of rows of lines, folds of unchanged lines, header facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils.safestring import SafeString


class Kind(StrEnum):
    """What happened to a row: both sides kept, one side only, or a changed pair shown side by side."""

    EQUAL = "equal"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(slots=True)
class Line:
    """One line of one side. ``html`` is escaped, highlighted markup built by the engine."""

    number: int  # 1-based
    text: str  # raw text without its line ending; untrusted
    markup: str  # escaped HTML (engine-built); read it through .html
    changes: tuple[tuple[int, int], ...] = ()  # changed character ranges of a changed pair
    missing_newline: bool = False  # last line of a side that does not end with a newline

    @property
    def html(self) -> SafeString:
        """Return the line's highlighted HTML, safe to output unescaped."""
        return SafeString(self.markup)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (plain text, no HTML)."""
        data: dict[str, Any] = {"number": self.number, "text": self.text}
        if self.changes:
            data["changes"] = [list(span) for span in self.changes]
        if self.missing_newline:
            data["missing_newline"] = True
        return data


@dataclass(slots=True)
class Row:
    """A row of the side-by-side view: an old line, a new line, or both."""

    kind: Kind
    old: Line | None
    new: Line | None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (plain text, no HTML)."""
        return {
            "kind": self.kind.value,
            "old": self.old.as_dict() if self.old else None,
            "new": self.new.as_dict() if self.new else None,
        }


@dataclass(slots=True)
class Hunk:
    """A run of changes with its context lines, numbered as in a unified diff header."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    rows: list[Row]

    @property
    def header(self) -> str:
        """Return the unified diff header, e.g. ``@@ -3,7 +3,8 @@``."""
        return f"@@ -{_range(self.old_start, self.old_count)} +{_range(self.new_start, self.new_count)} @@"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (plain text, no HTML)."""
        return {
            "header": self.header,
            "old_start": self.old_start,
            "old_count": self.old_count,
            "new_start": self.new_start,
            "new_count": self.new_count,
            "rows": [row.as_dict() for row in self.rows],
        }


@dataclass(slots=True)
class Fold:
    """Unchanged lines between hunks, hidden until expanded."""

    old_start: int  # 1-based number of the first folded old line
    new_start: int
    rows: list[Row]

    @property
    def count(self) -> int:
        """Return the number of folded lines."""
        return len(self.rows)


@dataclass(slots=True)
class Side:
    """Facts about one version's text."""

    line_count: int = 0
    char_count: int = 0
    eol: str = ""  # "LF", "CRLF", "CR", "mixed" or "" when the text has no line break
    missing_newline: bool = False  # non-empty text whose last line has no line break


@dataclass
class Diff:
    """A computed diff, ready to render as split or unified HTML or to serialise as JSON."""

    blocks: list[Hunk | Fold] = field(default_factory=list)  # hunks and folds in file order
    added: int = 0
    removed: int = 0
    old: Side = field(default_factory=Side)
    new: Side = field(default_factory=Side)
    language: str = "text"  # key of approvals.diff.lexers.LANGUAGE_NAMES
    highlighted: bool = False
    is_identical: bool = False
    has_hidden_chars: bool = False  # bidi controls or other invisible characters on either side
    too_large: bool = False
    max_lines: int = 0
    max_chars: int = 0

    @property
    def hunks(self) -> list[Hunk]:
        """Return the hunks (changes with context), without the folds."""
        return [block for block in self.blocks if isinstance(block, Hunk)]

    @property
    def language_name(self) -> str:
        """Return the display name of the language used for highlighting."""
        from approvals.diff.lexers import LANGUAGE_NAMES

        return str(LANGUAGE_NAMES.get(self.language, self.language))

    @property
    def eol_changed(self) -> bool:
        """Return True if the two versions use different line endings."""
        return bool(self.old.eol and self.new.eol and self.old.eol != self.new.eol)

    @property
    def has_changes(self) -> bool:
        """Return True if there is a hunk to show."""
        return any(isinstance(block, Hunk) for block in self.blocks)

    @cached_property
    def split_html(self) -> SafeString:
        """Return the side-by-side view (built once)."""
        from approvals.diff.render import render_diff_html

        return render_diff_html(self, "split")

    @cached_property
    def unified_html(self) -> SafeString:
        """Return the unified view (built once)."""
        from approvals.diff.render import render_diff_html

        return render_diff_html(self, "unified")

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form for the API: plain text, line numbers and kinds, no HTML, no folds."""
        return {
            "too_large": self.too_large,
            "is_identical": self.is_identical,
            "added": self.added,
            "removed": self.removed,
            "language": self.language,
            "old": _side_dict(self.old),
            "new": _side_dict(self.new),
            "has_hidden_chars": self.has_hidden_chars,
            "hunks": [hunk.as_dict() for hunk in self.hunks],
        }


def _side_dict(side: Side) -> dict[str, Any]:
    return {
        "line_count": side.line_count,
        "eol": side.eol,
        "missing_newline": side.missing_newline,
    }


def _range(start: int, count: int) -> str:
    """Format a unified diff range like difflib does."""
    return str(start) if count == 1 else f"{start},{count}"
