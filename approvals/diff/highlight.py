"""Turn lines of untrusted code into HTML: Pygments classes, escaping, visible hidden characters.

Escaping rule: code text reaches HTML only through ``escape_code`` or ``_render_batch``, each of which applies
``html.escape`` to raw text exactly once and only then inserts tags built here from constants.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from pygments.lexer import Lexer
from pygments.token import STANDARD_TYPES, Error, Text, Whitespace

from approvals.diff.fastlex import lex_lines

Frag = tuple[str, str]  # (CSS class or "", raw text)
LineFrags = tuple[Frag, ...]

# Characters that are invisible, reorder text (Trojan Source, CVE-2021-42574) or break HTML parsing: C0/C1
# controls except tab, DEL, soft hyphen, bidi marks/embeddings/overrides/isolates, zero-width space, word joiner,
# BOM, line/paragraph separators and lone surrogates. ZWJ/ZWNJ stay: emoji and several scripts need them.
HIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
BIDI_CHARS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Placeholders for tags in the fast renderer; text containing any of them takes the slow path. Hidden
# characters are looked for on the raw text (before tags exist), with the placeholders left out of the class.
_OPEN, _MID, _CLOSE, _DEL, _UNDEL, _INS, _UNINS = "\x01", "\x02", "\x03", "\x04", "\x05", "\x06", "\x07"
_PLACEHOLDERS = re.compile("[\x01-\x07]")
_HIDDEN_RAW = re.compile(HIDDEN_CHARS.pattern.replace("\x00-\x08", "\x00\x08"))
_MARKS = {"del": (_DEL, _UNDEL), "ins": (_INS, _UNINS)}
_SAFE_CLASS = re.compile(r"[A-Za-z0-9_-]*")
_CLASS_CACHE: dict[Any, str] = {Text: "", Whitespace: "", Error: ""}  # no span, no red error boxes


def highlight_lines(lexer: Lexer | None, lines: list[str], memo: dict[Any, Any]) -> list[LineFrags]:
    """Return each line as (class, text) fragments; share ``memo`` between the two sides of a diff."""
    if lexer is None:
        return [(("", line),) if line else () for line in lines]
    frags = lex_lines(lexer, lines, _make_frags, memo, css_class)
    if len(frags) != len(lines):  # cannot happen with a well-behaved lexer; show plain rather than misaligned
        return [(("", line),) if line else () for line in lines]
    return frags


def lines_html(lines: Sequence[LineFrags], texts: Sequence[str]) -> list[str]:
    """Return the escaped, highlighted HTML of each line (``texts`` are the raw lines, for a safety check).

    Identical fragment objects (shared through the lexer memo) are rendered once.
    """
    slots: list[int] = []
    unique: list[LineFrags] = []
    seen: dict[int, int] = {}
    for frags in lines:
        slot = seen.get(id(frags))
        if slot is None:
            slot = seen[id(frags)] = len(unique)
            unique.append(frags)
        slots.append(slot)
    if _PLACEHOLDERS.search("\n".join(texts)):
        rendered = [_frags_html_slow(frags, (), "del") for frags in unique]
    else:
        rendered = _finish_batch(
            ["".join([f"{_OPEN}{cls}{_MID}{text}{_CLOSE}" if cls else text for cls, text in frags]) for frags in unique]
        )
    return [rendered[slot] for slot in slots]


def marked_lines_html(items: Sequence[tuple[LineFrags, Sequence[tuple[int, int]], str]]) -> list[str]:
    """Render lines of changed pairs: (fragments, changed ranges, "del" or "ins") each, escaped in one pass."""
    for _, _, tag in items:
        if tag not in _MARKS:
            raise ValueError(tag)
    if any(_PLACEHOLDERS.search("".join([text for _, text in frags])) for frags, _, _ in items):
        return [_frags_html_slow(frags, changes, tag) for frags, changes, tag in items]
    raws = []
    for frags, changes, tag in items:
        mark, unmark = _MARKS[tag]
        pieces = _pieces(frags, changes, mark, unmark, str)
        raws.append("".join([f"{_OPEN}{cls}{_MID}{inner}{_CLOSE}" if cls else inner for cls, inner in pieces]))
    return _finish_batch(raws)


def _finish_batch(raws: list[str]) -> list[str]:
    """Escape many raw lines holding placeholders in one pass, then turn placeholders into tags."""
    if not raws:
        return []
    joined = "\n".join(raws)
    hidden = _HIDDEN_RAW.search(joined) is not None
    escaped = html.escape(joined, quote=True)
    escaped = escaped.replace(_OPEN, '<span class="').replace(_MID, '">').replace(_CLOSE, "</span>")
    if _DEL in escaped or _INS in escaped:
        escaped = escaped.replace(_DEL, "<del>").replace(_UNDEL, "</del>")
        escaped = escaped.replace(_INS, "<ins>").replace(_UNINS, "</ins>")
    if hidden:
        escaped = HIDDEN_CHARS.sub(_marker, escaped)
    return escaped.split("\n")


def _frags_html_slow(frags: LineFrags, changes: Sequence[tuple[int, int]], tag: str) -> str:
    """Render one line escaping piece by piece (text contains placeholder characters)."""
    out: list[str] = []
    for cls, inner in _pieces(frags, changes, f"<{tag}>", f"</{tag}>", escape_code):
        out.append(f'<span class="{cls}">{inner}</span>' if cls else inner)
    return "".join(out)


def _pieces(
    frags: LineFrags, changes: Sequence[tuple[int, int]], mark: str, unmark: str, esc: Callable[[str], str]
) -> Iterator[tuple[str, str]]:
    """Yield (class, inner markup) per fragment, with changed ranges wrapped in mark/unmark."""
    if not changes:
        for cls, text in frags:
            yield cls, esc(text)
        return
    pos = 0
    k = 0
    for cls, text in frags:
        start, end = pos, pos + len(text)
        pos = end
        pieces: list[str] = []
        cursor = start
        while k < len(changes) and changes[k][0] < end:
            c_start, c_end = max(changes[k][0], cursor), min(changes[k][1], end)
            if c_start > cursor:
                pieces.append(esc(text[cursor - start : c_start - start]))
            if c_end > c_start:
                pieces.append(f"{mark}{esc(text[c_start - start : c_end - start])}{unmark}")
            cursor = max(cursor, c_end)
            if changes[k][1] > end:
                break  # the range continues into the next fragment
            k += 1
        if cursor < end:
            pieces.append(esc(text[cursor - start :]))
        yield cls, "".join(pieces)


def escape_code(text: str) -> str:
    """Escape raw code for an HTML text node and replace hidden characters with visible markers."""
    escaped = html.escape(text, quote=True)
    if HIDDEN_CHARS.search(escaped):
        escaped = HIDDEN_CHARS.sub(_marker, escaped)
    return escaped


def _marker(match: re.Match[str]) -> str:
    return _marker_for(match.group())


@lru_cache(maxsize=256)
def _marker_for(char: str) -> str:
    """Return a visible, titled stand-in for an invisible or dangerous character."""
    code = ord(char)
    if code < 0x20:
        label = chr(0x2400 + code)  # Unicode "control pictures": NUL shows as a visible NUL symbol
    elif code == 0x7F:
        label = "\u2421"
    else:
        label = f"U+{code:04X}"
    name = unicodedata.name(char, "") if not 0xD800 <= code <= 0xDFFF else "LONE SURROGATE"
    title = html.escape(f"U+{code:04X} {name or 'CONTROL CHARACTER'}", quote=True)
    return f'<span class="rg-ctl" title="{title}">{label}</span>'


def _make_frags(tokens: list[tuple[str, str]]) -> LineFrags:
    """Merge a line's (class, text) tokens into fragments, joining neighbours with the same class."""
    frags: list[Frag] = []
    last = None
    for cls, value in tokens:
        if cls == last:
            frags[-1] = (cls, frags[-1][1] + value)
        elif value:
            frags.append((cls, value))
            last = cls
    return tuple(frags)


def css_class(ttype: Any) -> str:
    """Return the short Pygments CSS class for a token type, as HtmlFormatter names it ("" for none)."""
    cls = _CLASS_CACHE.get(ttype)
    if cls is None:
        name = STANDARD_TYPES.get(ttype)
        suffix = ""
        parent = ttype
        while name is None:
            suffix = parent[-1] + suffix
            parent = parent.parent
            name = STANDARD_TYPES.get(parent)
        cls = name + suffix
        cls = _CLASS_CACHE[ttype] = cls if _SAFE_CLASS.fullmatch(cls) else ""
    return cls
