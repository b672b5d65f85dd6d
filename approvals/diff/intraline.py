"""Pair removed with added lines inside a changed block and find the words that changed between them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

Ranges = tuple[tuple[int, int], ...]

# One token per word, per whitespace run, per punctuation character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_SOLID_TOKEN = re.compile(r"\w+|[^\w\s]")
# Lines longer than this are neither paired nor word-diffed: the result would be unreadable and slow.
MAX_WORD_DIFF_LINE = 2_000
# Lines sharing less than this share of their (non-blank) tokens are shown as removed + added, not changed.
MIN_PAIR_SIMILARITY = 0.5
# Blocks up to this many line pairs are aligned optimally; bigger ones greedily within a small window.
MAX_OPTIMAL_PAIRS = 400
GREEDY_WINDOW = 8
# Token-level matching of the changed middle part is quadratic; beyond this the whole middle is marked.
MAX_MIDDLE_PAIRS = 2_500

Pairing = list[tuple[int | None, int | None]]


def pair_lines(old: Sequence[str], new: Sequence[str]) -> Pairing:
    """Return rows (old index or None, new index or None) in display order for a replaced block."""
    if not old or not new:
        return [(i, None) for i in range(len(old))] + [(None, j) for j in range(len(new))]
    old_bags = [_bag(line) for line in old]
    new_bags = [_bag(line) for line in new]
    in_place = len(old) == len(new)
    if in_place and all(similarity(a, b) >= MIN_PAIR_SIMILARITY for a, b in zip(old_bags, new_bags, strict=True)):
        pairs = [(k, k) for k in range(len(old))]  # the common case: lines edited in place
    elif len(old) * len(new) <= MAX_OPTIMAL_PAIRS:
        pairs = _optimal_pairs(old_bags, new_bags)
    else:
        pairs = _greedy_pairs(old_bags, new_bags)
    rows: Pairing = []
    i = j = 0
    for pi, pj in [*pairs, (len(old), len(new))]:
        rows.extend((k, None) for k in range(i, pi))
        rows.extend((None, k) for k in range(j, pj))
        if pi < len(old) and pj < len(new):
            rows.append((pi, pj))
        i, j = pi + 1, pj + 1
    return rows


def _bag(line: str) -> frozenset[str] | None:
    """Return the set of non-blank tokens of a line, or None if it is too long to compare."""
    if len(line) > MAX_WORD_DIFF_LINE:
        return None
    return frozenset(_SOLID_TOKEN.findall(line))


def similarity(a: frozenset[str] | None, b: frozenset[str] | None) -> float:
    """Return the share of distinct tokens two lines have in common (0..1), 0 for lines too long to compare."""
    if a is None or b is None:
        return 0.0
    total = len(a) + len(b)
    if not total:
        return 1.0
    return 2 * len(a & b) / total


def _optimal_pairs(old: list[frozenset[str] | None], new: list[frozenset[str] | None]) -> list[tuple[int, int]]:
    """Align lines in order maximising total similarity of pairs above the threshold (small DP)."""
    n, m = len(old), len(new)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            sim = similarity(old[i], new[j])
            if sim >= MIN_PAIR_SIMILARITY:
                best = max(best, sim + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        sim = similarity(old[i], new[j])
        if sim >= MIN_PAIR_SIMILARITY and score[i][j] == sim + score[i + 1][j + 1]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _greedy_pairs(old: list[frozenset[str] | None], new: list[frozenset[str] | None]) -> list[tuple[int, int]]:
    """Pair each old line with the most similar new line among the next few unpaired ones."""
    pairs: list[tuple[int, int]] = []
    j = 0
    for i, bag in enumerate(old):
        best, best_j = MIN_PAIR_SIMILARITY, -1
        for k in range(j, min(j + GREEDY_WINDOW, len(new))):
            sim = similarity(bag, new[k])
            if sim >= best and (best_j < 0 or sim > best):
                best, best_j = sim, k
        if best_j >= 0:
            pairs.append((i, best_j))
            j = best_j + 1
    return pairs


def word_changes(old: str, new: str) -> tuple[Ranges, Ranges]:
    """Return the changed character ranges of each line of a changed pair."""
    if old == new:
        return (), ()
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    prefix = 0
    limit = min(len(a), len(b))
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    mid_a, mid_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    base_a = sum(map(len, a[:prefix]))
    base_b = sum(map(len, b[:prefix]))
    if mid_a and mid_b and len(mid_a) * len(mid_b) <= MAX_MIDDLE_PAIRS and max(len(mid_a), len(mid_b)) > 1:
        ranges_a: list[tuple[int, int]] = []
        ranges_b: list[tuple[int, int]] = []
        offsets_a, offsets_b = _offsets(mid_a, base_a), _offsets(mid_b, base_b)
        matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                if i2 > i1:
                    ranges_a.append((offsets_a[i1], offsets_a[i2]))
                if j2 > j1:
                    ranges_b.append((offsets_b[j1], offsets_b[j2]))
        return _merge(ranges_a, old), _merge(ranges_b, new)
    span_a = ((base_a, base_a + sum(map(len, mid_a))),) if mid_a else ()
    span_b = ((base_b, base_b + sum(map(len, mid_b))),) if mid_b else ()
    return span_a, span_b


def _offsets(tokens: list[str], base: int) -> list[int]:
    """Return the start offset of each token plus the end offset."""
    offsets = [base]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _merge(ranges: list[tuple[int, int]], text: str) -> Ranges:
    """Join ranges separated only by whitespace so a changed phrase reads as one mark."""
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and (merged[-1][1] == start or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)
