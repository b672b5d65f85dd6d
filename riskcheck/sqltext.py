"""SQL text before parsing: DataWorks parameters, statement splitting with line numbers, masked copies.

Nothing here changes the line structure of the script: placeholders never contain a newline and masking keeps
every newline, so a line number computed on any copy is a line number of the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlparse import engine
from sqlparse import tokens as T

# ${bizdate}, ${yyyy-mm-dd}, $[yyyymmdd-1], $[add_months(yyyymmdd,-1)], @@{yyyyMMdd}, @@[yyyyMMdd-1].
PARAMETER = re.compile(r"\$\{[^{}\n]{0,200}\}|\$\[[^\[\]\n]{0,200}\]|@@\{[^{}\n]{0,200}\}|@@\[[^\[\]\n]{0,200}\]")
PLACEHOLDER = re.compile(r"__rgp(\d+)__")


class Parameters:
    """Replaces DataWorks parameters by identifier-safe placeholders, and maps names back for messages."""

    def __init__(self) -> None:
        self._values: list[str] = []
        self._index: dict[str, int] = {}

    def substitute(self, text: str) -> str:
        return PARAMETER.sub(self._placeholder, text)

    def _placeholder(self, match: re.Match[str]) -> str:
        value = match.group(0)
        if value not in self._index:
            self._index[value] = len(self._values)
            self._values.append(value)
        return f"__rgp{self._index[value]}__"

    def restore(self, text: str) -> str:
        def original(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return self._values[index] if index < len(self._values) else match.group(0)

        return PLACEHOLDER.sub(original, text)


@dataclass(frozen=True)
class Statement:
    """One statement of a script: its text, where it starts, and masked copies of the same length."""

    text: str  # as split (with its leading comments and whitespace), parameters substituted
    first_line: int  # the line on which ``text`` begins (1-based)
    line: int  # the line of the statement's first keyword
    code: str  # ``text`` with comments blanked (strings kept)
    bare: str  # ``text`` with comments and string literals blanked

    def line_at(self, offset: int) -> int:
        """The script line of character ``offset`` of ``text``."""
        return self.first_line + self.text.count("\n", 0, max(0, offset))


_COMMENT = T.Comment
_STRING = T.Literal.String
_WHITESPACE = T.Whitespace


def _blank(value: str) -> str:
    return re.sub(r"[^\n]", " ", value)


def split_statements(text: str) -> Iterator[Statement]:
    """The statements of ``text`` (a script with parameters substituted), skipping comment-only chunks.

    sqlparse splits (a semicolon inside a string or a comment does not end a statement); its ungrouped tokens give
    the comments and strings to blank.
    """
    offset = 0
    line = 1
    for parsed in engine.FilterStack().run(text):
        chunk = str(parsed)
        position = text.find(chunk, offset) if not text.startswith(chunk, offset) else offset
        if position < 0:  # cannot happen with sqlparse's lossless lexer; keep counting lines regardless
            position = offset
        line += text.count("\n", offset, position)
        first_line = line
        code_parts: list[str] = []
        bare_parts: list[str] = []
        keyword_offset: int | None = None
        consumed = 0
        for token in parsed.flatten():
            value = token.value
            ttype = token.ttype
            if ttype in _COMMENT:
                code_parts.append(_blank(value))
                bare_parts.append(_blank(value))
            elif ttype in _STRING:
                code_parts.append(value)
                bare_parts.append(_blank(value))
            else:
                code_parts.append(value)
                bare_parts.append(value)
            if (
                keyword_offset is None
                and ttype not in _COMMENT
                and ttype not in _WHITESPACE
                and value.strip() not in {"", ";"}
            ):
                keyword_offset = consumed
            consumed += len(value)
        line += chunk.count("\n")
        offset = position + len(chunk)
        if keyword_offset is None:
            continue  # only comments, whitespace or a stray semicolon
        code = "".join(code_parts)
        bare = "".join(bare_parts)
        if len(code) != len(chunk) or len(bare) != len(chunk):  # defensive: keep offsets aligned with ``text``
            code = bare = chunk
        yield Statement(
            text=chunk,
            first_line=first_line,
            line=first_line + chunk.count("\n", 0, keyword_offset),
            code=code,
            bare=bare,
        )
