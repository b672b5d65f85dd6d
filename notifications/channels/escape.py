"""Escaping of untrusted text for each message format, and the size caps every body must respect.

Every string of a `TicketFacts` comes from DataWorks or a user: a node called `[click](http://evil)` or `@all`
must reach a chat group as text, never as a link, a mention, a heading or an image.

Two strategies, chosen per format by what the platform documents:

- **Slack mrkdwn** documents its escaping: `&`, `<` and `>` become entities, which is enough, because every
  Slack link, mention and special command (`<!channel>`, `<@U123>`, `<http://evil|x>`) needs a literal `<`.
- **DingTalk, WeCom and Feishu markdown** document no escape syntax we can rely on (a backslash may show as a
  backslash, HTML entities may or may not decode). Their syntax characters in untrusted text are therefore
  replaced by full-width look-alikes, which no renderer treats as syntax and a reader still recognises:
  `[` `]` (links, images), `<` `>` (HTML tags, `<at>`, `<@userid>`, `<font>`), `@` (mentions by id or mobile),
  `*` `` ` `` `~` `|` `#` `\\` (emphasis, code, tables, headings, escapes). Line breaks and control characters
  become spaces, so a value can never start a line of its own (headings, quotes, lists).

HTML (email) is escaped by Django's templates; `plain` strips control characters for the text part and headers.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

ELLIPSIS = "…"

# Full-width (or otherwise inert) look-alikes of the characters that carry meaning in chat markdown.
_CHAT_MARKDOWN = str.maketrans(
    {
        "[": "\N{FULLWIDTH LEFT SQUARE BRACKET}",
        "]": "\N{FULLWIDTH RIGHT SQUARE BRACKET}",
        "<": "\N{FULLWIDTH LESS-THAN SIGN}",
        ">": "\N{FULLWIDTH GREATER-THAN SIGN}",
        "@": "\N{FULLWIDTH COMMERCIAL AT}",
        "*": "\N{FULLWIDTH ASTERISK}",
        "`": "\N{MODIFIER LETTER GRAVE ACCENT}",
        "~": "\N{FULLWIDTH TILDE}",
        "|": "\N{FULLWIDTH VERTICAL LINE}",
        "#": "\N{FULLWIDTH NUMBER SIGN}",
        "\\": "\N{FULLWIDTH REVERSE SOLIDUS}",
    }
)
# Line breaks of every kind, and the other control or invisible formatting characters (bidi overrides, zero-width
# joiners) that could hide or reorder text. Tab is kept as a space.
_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\v\f\t]+")


def _strip_controls(text: str) -> str:
    """Drop control and format characters (C0/C1 controls, bidi overrides, zero-width characters), keep the rest."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})


def plain(text: object, *, multiline: bool = False) -> str:
    """Return text safe to place in a plain-text body or a mail header: no control characters.

    Single-line values (titles, paths, names) have every line break turned into a space; `multiline` keeps `\\n`.
    """
    value = "" if text is None else str(text)
    if multiline:
        lines = _BREAKS.sub(lambda m: "\n" if ("\n" in m.group() or "\r" in m.group()) else " ", value).split("\n")
        return "\n".join(_strip_controls(line).rstrip() for line in lines).strip("\n")
    return _strip_controls(_BREAKS.sub(" ", value)).strip()


def chat_markdown(text: object) -> str:
    """Escape untrusted text for DingTalk, WeCom or Feishu (lark_md) markdown: one inert line, no syntax."""
    return plain(text).translate(_CHAT_MARKDOWN)


def dingtalk_md(text: object) -> str:
    return chat_markdown(text)


def wecom_md(text: object) -> str:
    return chat_markdown(text)


def feishu_md(text: object) -> str:
    return chat_markdown(text)


def slack_mrkdwn(text: object) -> str:
    """Escape untrusted text for Slack mrkdwn, as Slack documents: `&`, `<`, `>` only (then nothing forms a link,
    a mention or `<!channel>`). `@` gets a full-width twin too, so no client ever links `@channel` written as text.
    """
    value = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("@", "\N{FULLWIDTH COMMERCIAL AT}")


# --- Links ----------------------------------------------------------------------------------------------------------

# Characters a URL keeps as they are; everything else (spaces, `()<>[]|"`, backticks, non-ASCII) is percent-encoded
# so the URL cannot close a markdown link or a Slack `<url|text>` early.
_URL_SAFE = "/:;=?&%-._~!$'*+,@"


def safe_url(url: object) -> str:
    """Return an http(s) URL with every character that could end a link percent-encoded, or "" for anything else
    (`javascript:`, relative, empty)."""
    value = plain(url)
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return ""
    netloc = quote(parts.netloc, safe=":@[]%-._~")
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )


# --- Length caps ----------------------------------------------------------------------------------------------------


def truncate_chars(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, the last one an ellipsis when anything was cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def truncate_bytes(text: str, limit: int) -> str:
    """Cut text to at most `limit` bytes of UTF-8, never inside a character, ending with an ellipsis when cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    return encoded[:room].decode("utf-8", errors="ignore").rstrip() + ELLIPSIS


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))
