"""Run a Pygments RegexLexer over a whole file, faster, and hand back tokens per line.

Two speed-ups over ``lexer.get_tokens_unprocessed`` keep the output token-for-token identical in practice:

* the rules of each lexer state are joined into one alternation regex, so the regex engine tries them in C
  instead of Python calling ``match`` once per rule (Python's lexer has ~50 rules per state);
* lines are memoised by (lexer state stack at line start, line text): identical lines lexed in the same state
  produce the same tokens, so the new side of a diff costs little more than its changed lines.

The lexer still runs through the whole text in order, carrying its state across lines, so multi-line strings and
comments highlight as with plain Pygments. Lexers that override ``get_tokens_unprocessed`` run unmodified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Text, Whitespace, _TokenType

T = TypeVar("T")
Token = tuple[Any, str]
# rexmatch, action, new_state, kind (_PLAIN, _BLANK, _CALLBACK or _SKIP), label of a plain token type
_Rule = tuple[Callable[..., Any], Any, Any, int, Any]
_PLAIN, _BLANK, _CALLBACK, _SKIP = 0, 1, 2, 3
_Segment = tuple[Callable[..., Any], list[_Rule | None]]  # match function, rule by group number

_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"), (re.VERBOSE, "x"))
_SCOPABLE = re.IGNORECASE | re.DOTALL | re.MULTILINE | re.VERBOSE
_BLANK_TYPES = (Text, Whitespace, Text.Whitespace)
_compiled: dict[tuple[type, Callable[[Any], Any]], dict[str, list[_Segment]]] = {}


def lex_lines(
    lexer: Lexer,
    lines: list[str],
    make_line: Callable[[list[Token]], T],
    memo: dict[Any, Any],
    classify: Callable[[Any], Any] | None = None,
) -> list[T]:
    """Lex ``lines`` as one text and return ``make_line(tokens)`` for each line.

    Tokens are (classify(token type), text) pairs without the line's newline; ``classify`` (default: keep the
    token type) must be a long-lived function, compiled rules are cached per (lexer class, classify). ``memo``
    may be shared between the two sides of a diff (same lexer and classify); identical entries are shared.
    """
    if not lines:
        return []
    if classify is None:
        classify = _identity
    text = "\n".join(lines) + "\n"
    if not isinstance(lexer, RegexLexer) or type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return _split_lines(((classify(t), v) for _, t, v in lexer.get_tokens_unprocessed(text)), make_line)
    states = _states_for(lexer, classify)
    result: list[T] = []
    stack = ["root"]
    pos = 0
    index = 0
    count = len(lines)
    while index < count:
        line = lines[index]
        # \A anchors (shebang rules) only match at offset 0, so the first line is memoised apart.
        key = (tuple(stack), line) if pos else ("\\A", line)
        hit = memo.get(key)
        if hit is not None:
            result.append(hit[0])
            stack = list(hit[1])
            pos += len(line) + 1
            index += 1
            continue
        tokens: list[Token] = []
        new_pos = _lex_to_line_end(lexer, text, pos, stack, states, tokens, classify)
        if new_pos == pos + len(line) + 1:
            item = make_line(_strip_newline(tokens))
            memo[key] = (item, tuple(stack))
            result.append(item)
            index += 1
        else:
            # A token spanned several lines (a multi-line string, a heredoc): split it, nothing to memoise.
            consumed = text.count("\n", pos, new_pos)
            if not consumed:
                break  # cannot happen: the text ends with a newline; never loop forever
            items = _split_lines(tokens, make_line)
            if len(items) != consumed:  # a rule dropped text (action None): show these lines plain
                items = [make_line([(classify(Text), plain)]) for plain in lines[index : index + consumed]]
            result.extend(items)
            index += consumed
        pos = new_pos
    return result[:count]


def _identity(ttype: Any) -> Any:
    return ttype


def _lex_to_line_end(
    lexer: Lexer,
    text: str,
    pos: int,
    stack: list[str],
    states: dict[str, list[_Segment]],
    out: list[Token],
    classify: Callable[[Any], Any],
) -> int:
    """Lex from ``pos`` until a token ends just after a newline; mutate ``stack``; return the new position."""
    start = pos
    end = len(text)
    segments = states[stack[-1]]
    first_match, first_rules = segments[0]
    append = out.append
    while pos < end:
        # Most states compile to a single segment: try it without looping.
        rules = first_rules
        m = first_match(text, pos)
        if m is None:
            for match, other_rules in segments[1:]:
                m = match(text, pos)
                if m is not None:
                    rules = other_rules
                    break
        if m is None:
            # Same recovery as RegexLexer: a newline resets to root, anything else is an error token.
            if text[pos] == "\n":
                del stack[:]
                stack.append("root")
                segments = states["root"]
                first_match, first_rules = segments[0]
                append((classify(Whitespace), "\n"))
            else:
                append((classify(Error), text[pos]))
            pos += 1
        else:
            rexmatch, action, new_state, kind, label = rules[m.lastindex]
            if kind == 0:  # _PLAIN
                append((label, m.group()))
            elif kind == 1:  # _BLANK
                value = m.group()
                if "\n" in value and value.isspace():
                    # Whitespace running into the next line (SQL's \s+): end the line here so the next line
                    # starts clean and can be memoised; lexing it from its start gives the same tokens.
                    cut = value.index("\n") + 1
                    append((label, value[:cut]))
                    return pos + cut
                append((label, value))
            elif kind == 2:  # _CALLBACK
                m = rexmatch(text, pos)
                out.extend((classify(t), v) for _, t, v in action(lexer, m))
            pos = m.end()
            if new_state is not None:
                _transition(stack, new_state)
                segments = states[stack[-1]]
                first_match, first_rules = segments[0]
        if text[pos - 1] == "\n" and pos > start:
            return pos
    return pos


def _transition(stack: list[str], new_state: Any) -> None:
    """Apply a processed RegexLexer state transition to ``stack`` (mirrors RegexLexer)."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])


def _strip_newline(tokens: list[Token]) -> list[Token]:
    """Drop the newline that ends the last token of a line."""
    if tokens and tokens[-1][1].endswith("\n"):
        ttype, value = tokens[-1]
        if value == "\n":
            tokens.pop()
        else:
            tokens[-1] = (ttype, value[:-1])
    return tokens


def _split_lines(tokens: Iterable[Token], make_line: Callable[[list[Token]], T]) -> list[T]:
    """Split a token stream at newlines into per-line token lists."""
    result: list[T] = []
    current: list[Token] = []
    for ttype, value in tokens:
        if "\n" not in value:
            if value:
                current.append((ttype, value))
            continue
        parts = value.split("\n")
        for part in parts[:-1]:
            if part:
                current.append((ttype, part))
            result.append(make_line(current))
            current = []
        if parts[-1]:
            current.append((ttype, parts[-1]))
    if current:
        result.append(make_line(current))
    return result


def _states_for(lexer: RegexLexer, classify: Callable[[Any], Any]) -> dict[str, list[_Segment]]:
    """Return (and cache per lexer class) each state's rules compiled into alternation segments."""
    key = (type(lexer), classify)
    states = _compiled.get(key)
    if states is None:
        base_flags = re.compile("", lexer.flags).flags
        states = {name: _segments(rules, base_flags, classify) for name, rules in lexer._tokens.items()}
        _compiled[key] = states
    return states


def _rule(rule: tuple[Any, Any, Any], classify: Callable[[Any], Any]) -> _Rule:
    """Precompute how the lexing loop handles a rule, so the loop does no type checks or lookups."""
    rexmatch, action, new_state = rule
    if action is None:
        return (rexmatch, action, new_state, _SKIP, "")
    if type(action) is not _TokenType:
        return (rexmatch, action, new_state, _CALLBACK, "")
    blank = new_state is None and action in _BLANK_TYPES
    return (rexmatch, action, new_state, _BLANK if blank else _PLAIN, classify(action))


def _segments(rules: list[tuple[Any, Any, Any]], base_flags: int, classify: Callable[[Any], Any]) -> list[_Segment]:
    """Group consecutive combinable rules into one regex each; other rules stand alone, order is kept."""
    segments: list[_Segment] = []
    run: list[tuple[str, _Rule]] = []
    for rule in rules:
        prepared = _rule(rule, classify)
        source = _combinable_source(rule[0], base_flags)
        if source is None:
            segments.extend(_combine(run, base_flags))
            run = []
            segments.append(_single(prepared))
        else:
            run.append((source, prepared))
    segments.extend(_combine(run, base_flags))
    return segments


def _combinable_source(rexmatch: Any, base_flags: int) -> str | None:
    """Return the rule's pattern rewritten for use inside an alternation, or None if it cannot be."""
    pattern = getattr(rexmatch, "__self__", None)
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    source = pattern.pattern
    extra = pattern.flags & ~base_flags
    if _BACKREF.search(source) or base_flags & ~pattern.flags or extra & ~_SCOPABLE:
        return None  # group numbers shift inside a combined regex; flags we cannot scope
    leading = _GLOBAL_FLAGS.match(source)
    if leading:
        source = source[leading.end() :]
    if extra:
        letters = "".join(letter for flag, letter in _SCOPED_FLAGS if extra & flag)
        source = f"(?{letters}:{source})"
    return source


def _combine(run: list[tuple[str, _Rule]], base_flags: int) -> list[_Segment]:
    """Compile a run of rules into one alternation; fall back to single rules if that fails."""
    if not run:
        return []
    if len(run) == 1:
        return [_single(run[0][1])]
    try:
        combined = re.compile("|".join(f"({source})" for source, _ in run), base_flags)
    except (re.error, OverflowError, RecursionError):
        return [_single(rule) for _, rule in run]
    table: list[_Rule | None] = [None] * (combined.groups + 1)
    group = 1
    for source, rule in run:
        if group > combined.groups:
            return [_single(rule) for _, rule in run]
        table[group] = rule
        group += 1 + re.compile(source, base_flags).groups  # compiled once per lexer class, then cached
    if group - 1 != combined.groups:
        return [_single(rule) for _, rule in run]
    return [(combined.match, table)]


def _single(rule: _Rule) -> _Segment:
    """Wrap one rule (e.g. one using a backreference) as a segment of its own."""
    rexmatch = rule[0]

    def match(text: str, pos: int) -> _One | None:
        m = rexmatch(text, pos)
        return None if m is None else _One(m)

    return (match, [None, rule])


class _One:
    """Adapt a single rule's match to the combined-match interface (``lastindex`` names rule 1)."""

    __slots__ = ("_m",)
    lastindex = 1

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def end(self) -> int:
        return self._m.end()

    def group(self) -> str:
        return self._m.group()
