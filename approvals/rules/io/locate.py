"""Where things are in a TOML rules file: tomllib reports no positions for a valid document, so scan the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class TableLines:
    line: int
    keys: dict[str, int] = field(default_factory=dict)


@dataclass
class Layout:
    """Where the top-level keys and each `[[rules]]` table (and its keys) start in the source text."""

    top_keys: dict[str, int] = field(default_factory=dict)
    rules: list[TableLines] = field(default_factory=list)


def _key_span(text: str) -> tuple[str, int]:
    """Return the first (possibly quoted) key part of a dotted key and where it ends in `text`."""
    match = re.match(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)""", text)
    if not match:
        return "", 0
    key = match.group(1)
    return (key[1:-1] if key[:1] in "\"'" else key), match.end()


def first_key(text: str) -> str:
    return _key_span(text)[0]


def locate(source: str) -> Layout:
    """Find the lines of `[[rules]]` tables and keys in TOML text that tomllib has already accepted.

    tomllib reports no positions for valid documents, so this scans the text, skipping strings, comments and
    multi-line arrays, and records each key (first dotted part) at the start of a logical line.
    """
    layout = Layout()
    current: dict[str, int] = layout.top_keys
    i, n, line, depth, at_start = 0, len(source), 1, 0, True
    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
            i += 1
            at_start = depth == 0
            continue
        if ch in " \t\r":
            i += 1
            continue
        if at_start:
            at_start = False
            if ch == "[":
                end = source.find("\n", i)
                header = source[i : n if end < 0 else end].split("#", 1)[0].strip()
                double = header.startswith("[[")
                name = header.strip("[] \t")
                first, first_end = _key_span(name)
                rest = name[first_end:].strip().lstrip(".")
                if double and first == "rules" and not rest:
                    layout.rules.append(TableLines(line))
                    current = layout.rules[-1].keys
                else:
                    # A sub-table of the last rule (`[rules.x]`) counts as that rule's key `x`; any other table is
                    # a top-level key. Keys inside either belong to the sub-table, so they are not recorded.
                    if first == "rules" and layout.rules and rest:
                        layout.rules[-1].keys.setdefault(first_key(rest), line)
                    else:
                        layout.top_keys.setdefault(first, line)
                    current = {}
                i = n if end < 0 else end
                continue
            if ch != "#":
                key = first_key(source[i : i + 512])
                if key:
                    current.setdefault(key, line)
                eq = source.find("=", i)
                i = n if eq < 0 else eq + 1
                continue
        if ch == "#":
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif source.startswith('"""', i) or source.startswith("'''", i):
            quote = source[i : i + 3]
            j = i + 3
            while True:
                j = source.find(quote, j)
                if j < 0 or quote == "'''" or not _escaped(source, j):
                    break
                j += 1
            end = n if j < 0 else j + 3
            line += source.count("\n", i, end)
            i = end
        elif ch in "\"'":
            j = i + 1
            while j < n and source[j] != "\n" and (source[j] != ch or (ch == '"' and _escaped(source, j))):
                j += 1
            i = j + 1 if j < n and source[j] == ch else j
        else:
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth = max(depth - 1, 0)
            i += 1
    return layout


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
