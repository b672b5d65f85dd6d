"""Rendered diffs stored once per content: the ticket page reads the HTML instead of diffing and highlighting again.

A ticket's code never changes once it is ready, yet every view of its page re-ran the diff engine: about 220 ms for
a 10,000-line node, most of it syntax highlighting (bench/RESULTS.md). The worker now renders the default view when
it prepares the ticket (`prerender_ticket`), and a page renders whatever is missing once and stores it.

The key is a hash of everything the HTML depends on (engine version, view, language of the interface, file type and
name, both texts), so a stored row is never stale: a change to any of them is a different key. The HTML is the
engine's output, escaped there (approvals.diff.highlight); it is stored zlib-compressed.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import asdict, astuple, dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from approvals.diff import VIEWS, Diff, Hunk, Kind, compute_diff, fold_summary_open, render_blocks, render_diff_html
from approvals.diff.model import Side
from approvals.models import RenderedDiff, RenderedDiffBlock, Ticket
from riskcheck import mask_secrets

logger = logging.getLogger(__name__)

# Bump when the engine's or the renderer's output changes: old rows then simply stop matching.
ENGINE_VERSION = "1"
_SUMMARY_FIELDS = (
    "added",
    "removed",
    "language",
    "highlighted",
    "is_identical",
    "has_hidden_chars",
    "too_large",
    "max_lines",
    "max_chars",
    "has_changes",
    "language_name",
    "eol_changed",
)


@dataclass(frozen=True)
class StoredDiff:
    """What the diff partial (templates/approvals/includes/diff.html) reads, with the HTML of one view."""

    view: str
    html: SafeString
    old: Side
    new: Side
    added: int
    removed: int
    language: str
    highlighted: bool
    is_identical: bool
    has_hidden_chars: bool
    too_large: bool
    max_lines: int
    max_chars: int
    has_changes: bool
    language_name: str
    eol_changed: bool

    @property
    def split_html(self) -> SafeString:
        return self.html if self.view == "split" else SafeString("")

    @property
    def unified_html(self) -> SafeString:
        return self.html if self.view == "unified" else SafeString("")


def _key(old: str, new: str, *, file_type: int | None, file_name: str, view: str) -> str:
    digest = hashlib.sha256()
    for part in (ENGINE_VERSION, view, translation.get_language() or "", str(file_type), file_name, old, new):
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))  # length-prefixed: no two inputs share a key
        digest.update(encoded)
    return digest.hexdigest()


def _stored(summary: dict[str, Any], html: str, view: str) -> StoredDiff:
    values = {name: summary[name] for name in _SUMMARY_FIELDS}
    old, new = Side(**summary["old"]), Side(**summary["new"])
    return StoredDiff(view=view, html=SafeString(html), old=old, new=new, **values)


def rendered_diff(old: str, new: str, *, file_type: int | None = None, file_name: str = "", view: str) -> StoredDiff:
    """Return the diff of two texts for the page, from the store, or rendered now and stored."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    key = _key(old, new, file_type=file_type, file_name=file_name, view=view)
    row = RenderedDiff.objects.filter(key=key).first()
    if row is not None:
        return _stored(row.summary, zlib.decompress(bytes(row.html)).decode("utf-8"), view)
    diff = compute_diff(old, new, file_type=file_type, file_name=file_name)
    html = render_diff_html(diff, view)
    summary: dict[str, Any] = {name: getattr(diff, name) for name in _SUMMARY_FIELDS}
    summary["old"], summary["new"] = asdict(diff.old), asdict(diff.new)
    # Level 1: a tenth of the size already, at a third of level 6's time (this runs on the request when not stored).
    row = RenderedDiff(key=key, summary=summary, html=zlib.compress(html.encode("utf-8"), 1))
    try:
        # Two first views at once render the same HTML; whichever stores second changes nothing.
        RenderedDiff.objects.bulk_create([row], ignore_conflicts=True)
    except DatabaseError:
        logger.warning("Could not store a rendered diff; it will be rendered again next time", exc_info=True)
    return _stored(summary, html, view)


def ticket_diffs(ticket: Ticket, *, view: str) -> tuple[StoredDiff, StoredDiff | None]:
    """Return the code diff of a ticket and, when it has one, its scheduling-configuration diff.

    AccessKey IDs (risk rule MC16) are masked before rendering: same length, so line numbers and findings still
    line up, and the stored HTML never holds a key.
    """
    code = rendered_diff(
        mask_secrets(ticket.old_content),
        mask_secrets(ticket.new_content),
        file_type=ticket.file_type,
        file_name=ticket.title,
        view=view,
    )
    config = None
    if ticket.old_config or ticket.new_config:
        config = rendered_diff(ticket.old_config, ticket.new_config, view=view)
    return code, config


def prerender_ticket(ticket: Ticket) -> None:
    """Render the default view of a ready ticket in every interface language (the stored HTML is keyed by language),
    so its first page view is fast whichever language the reviewer reads.

    Best effort: the page renders whatever is not stored, so a failure here costs time, never the ticket.
    """
    for language, _name in settings.LANGUAGES:
        try:
            with translation.override(language):
                ticket_paged_diffs(ticket, view="split")  # what the ticket page reads (issue 18)
        except Exception:  # an optimisation must not fail the preparation of a ready ticket
            logger.exception("Could not pre-render the diff of ticket %s in %s", ticket.pk, language)


# --- Paged diffs: the ticket page sends the first screens and loads the rest on demand (issue 18) -----------------

PAGED_VERSION = "paged-1"  # bump when render_blocks' output or the block facts change
FIRST_ROWS = 150  # rows of changes the page sends at once (about 3,000 elements with highlighting)
MORE_ROWS = 400  # rows one "load more" adds
COLLAPSE_CHANGED_LINES = 5_000  # a change with more added + removed lines opens collapsed, its size shown


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """What the page needs to know of one block without its HTML: kind, size, and the lines it covers."""

    fold: bool
    rows: int
    added: int
    removed: int
    new_first: int  # 0 when the block has no new-side line
    new_last: int
    old_first: int
    old_last: int

    def covers(self, side: str, line: int) -> bool:
        first, last = (self.new_first, self.new_last) if side == "new" else (self.old_first, self.old_last)
        return first <= line <= last and first > 0


@dataclass
class PagedDiff:
    """A diff's summary (as `StoredDiff` has it) and its blocks' facts; the HTML of each block is read on demand."""

    key: str
    view: str
    old: Side
    new: Side
    added: int
    removed: int
    language: str
    highlighted: bool
    is_identical: bool
    has_hidden_chars: bool
    too_large: bool
    max_lines: int
    max_chars: int
    has_changes: bool
    language_name: str
    eol_changed: bool
    blocks: list[BlockInfo]
    rendered: dict[int, str]  # block HTML already in memory (rendered on this request)

    @property
    def hunk_count(self) -> int:
        return sum(1 for block in self.blocks if not block.fold)

    @property
    def collapsed(self) -> bool:
        """Whether the page opens this diff collapsed (its size shown, loaded on request)."""
        return self.added + self.removed > COLLAPSE_CHANGED_LINES

    def html_of(self, indexes: list[int]) -> dict[int, str]:
        """Return the HTML of these blocks: from memory, else one query."""
        wanted = [index for index in indexes if 0 <= index < len(self.blocks)]
        missing = [index for index in wanted if index not in self.rendered]
        if missing:
            rows = RenderedDiffBlock.objects.filter(key=self.key, index__in=missing).values_list("index", "html")
            for index, html in rows:
                self.rendered[index] = zlib.decompress(bytes(html)).decode("utf-8")
        return {index: self.rendered[index] for index in wanted if index in self.rendered}


def _block_infos(diff: Diff) -> list[BlockInfo]:
    infos = []
    for block in diff.blocks:
        if isinstance(block, Hunk):
            added = sum(1 for row in block.rows if row.kind is not Kind.EQUAL and row.new is not None)
            removed = sum(1 for row in block.rows if row.kind is not Kind.EQUAL and row.old is not None)
            infos.append(
                BlockInfo(
                    False,
                    len(block.rows),
                    added,
                    removed,
                    block.new_start if block.new_count else 0,
                    block.new_start + block.new_count - 1,
                    block.old_start if block.old_count else 0,
                    block.old_start + block.old_count - 1,
                )
            )
        else:
            count = block.count
            infos.append(
                BlockInfo(
                    True,
                    count,
                    0,
                    0,
                    block.new_start,
                    block.new_start + count - 1,
                    block.old_start,
                    block.old_start + count - 1,
                )
            )
    return infos


def paged_diff(old: str, new: str, *, file_type: int | None = None, file_name: str = "", view: str) -> PagedDiff:
    """Return the paged form of a diff: from the store (summary only, blocks read when shown), or rendered now, stored
    (summary and every block, in one transaction) and kept in memory for this request."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    key = _key(old, new, file_type=file_type, file_name=f"{PAGED_VERSION}\x00{file_name}", view=view)
    row = RenderedDiff.objects.filter(key=key).only("summary").first()
    if row is not None and isinstance(row.summary, dict) and "blocks" in row.summary:
        return _paged(key, view, row.summary, {})
    diff = compute_diff(old, new, file_type=file_type, file_name=file_name)
    html = render_blocks(diff, view)
    summary: dict[str, Any] = {name: getattr(diff, name) for name in _SUMMARY_FIELDS}
    summary["old"], summary["new"] = asdict(diff.old), asdict(diff.new)
    summary["blocks"] = [list(astuple(info)) for info in _block_infos(diff)]
    try:
        with transaction.atomic():
            # Blocks first, summary last: a summary row means every block is there.
            RenderedDiffBlock.objects.bulk_create(
                [
                    RenderedDiffBlock(key=key, index=index, html=zlib.compress(text.encode("utf-8"), 1))
                    for index, text in enumerate(html)
                ],
                ignore_conflicts=True,
                batch_size=200,
            )
            RenderedDiff.objects.bulk_create([RenderedDiff(key=key, summary=summary, html=b"")], ignore_conflicts=True)
    except DatabaseError:
        logger.warning("Could not store a paged diff; it will be rendered again next time", exc_info=True)
    return _paged(key, view, summary, dict(enumerate(html)))


def _paged(key: str, view: str, summary: dict[str, Any], rendered: dict[int, str]) -> PagedDiff:
    values = {name: summary[name] for name in _SUMMARY_FIELDS}
    blocks = [BlockInfo(*values_) for values_ in summary["blocks"]]
    return PagedDiff(
        key=key,
        view=view,
        old=Side(**summary["old"]),
        new=Side(**summary["new"]),
        blocks=blocks,
        rendered=rendered,
        **values,
    )


def ticket_paged_diffs(ticket: Ticket, *, view: str, base: str | None = None) -> tuple[PagedDiff, PagedDiff | None]:
    """The ticket's code diff (against `base`, the code of an earlier approved version, when given; else against the
    previous version) and its scheduling-configuration diff, paged. AccessKey IDs are masked before rendering."""
    code = paged_diff(
        mask_secrets(ticket.old_content if base is None else base),
        mask_secrets(ticket.new_content),
        file_type=ticket.file_type,
        file_name=ticket.title,
        view=view,
    )
    config = None
    if base is None and (ticket.old_config or ticket.new_config):
        config = paged_diff(ticket.old_config, ticket.new_config, view=view)
    return code, config


def _gap_html(paged: PagedDiff, start: int, end: int, full_url: str) -> str:
    """A placeholder for blocks [start, end) not sent yet: a link to the whole diff that diff.js turns into a fetch."""
    infos = paged.blocks[start:end]
    if len(infos) == 1 and infos[0].fold:
        count = infos[0].rows
        text = ngettext("Show %(count)d unchanged line", "Show %(count)d unchanged lines", count) % {"count": count}
        return (
            f'<div class="rg-lazy rg-lazy-fold" data-from="{start}" data-to="{end}">'
            f'<a class="rg-load" href="{escape(full_url)}">{escape(text)}</a></div>'
        )
    hunks = sum(1 for info in infos if not info.fold)
    added = sum(info.added for info in infos)
    removed = sum(info.removed for info in infos)
    text = ngettext(
        "Load %(hunks)d more change (+%(added)d / -%(removed)d lines)",
        "Load %(hunks)d more changes (+%(added)d / -%(removed)d lines)",
        hunks,
    ) % {"hunks": hunks, "added": added, "removed": removed}
    return (
        f'<div class="rg-lazy rg-lazy-more" data-from="{start}" data-to="{end}">'
        f'<a class="rg-load" href="{escape(full_url)}">{escape(text)}</a></div>'
    )


def paged_body_html(
    paged: PagedDiff,
    *,
    start: int = 0,
    end: int | None = None,
    budget: int = FIRST_ROWS,
    eager: frozenset[tuple[str, int]] = frozenset(),
    full_url: str = "?full=1",
) -> SafeString:
    """The HTML of blocks [start, end): hunks while `budget` rows last (at least one when the budget is not 0), every
    fold as a placeholder, the rest as "load more" placeholders, except hunks holding an `eager` (side, line), which
    are always sent (risk findings and line comments must land on their lines). One query for the blocks' HTML."""
    end = len(paged.blocks) if end is None else min(end, len(paged.blocks))
    plan: list[tuple[str, int, int]] = []  # ("block", i, i) or ("gap", a, b)
    used = 0
    index = start
    while index < end:
        info = paged.blocks[index]
        if info.fold:
            plan.append(("gap", index, index + 1))
        elif budget and (used + info.rows <= budget or not used):
            plan.append(("block", index, index))
            used += info.rows
        else:
            break
        index += 1
    gap_start = index
    for rest in range(index, end):
        info = paged.blocks[rest]
        if not info.fold and any(info.covers(side, line) for side, line in eager):
            if gap_start < rest:
                plan.append(("gap", gap_start, rest))
            plan.append(("block", rest, rest))
            gap_start = rest + 1
    if gap_start < end and index < end:
        plan.append(("gap", gap_start, end))
    html = paged.html_of([first for kind, first, _ in plan if kind == "block"])
    out = []
    for kind, first, last in plan:
        if kind == "block":
            out.append(html.get(first, ""))
        else:
            out.append(_gap_html(paged, first, last, full_url))
    return SafeString("".join(out))


def fold_rows_html(paged: PagedDiff, index: int) -> SafeString | None:
    """The rows of one fold, to show in place of its placeholder; None when `index` is not a fold."""
    if not (0 <= index < len(paged.blocks)) or not paged.blocks[index].fold:
        return None
    html = paged.html_of([index]).get(index, "")
    return SafeString(f'<div class="rg-fold-rows rg-fold-loaded" data-block="{index}">{html}</div>')


def full_body_html(paged: PagedDiff) -> SafeString:
    """Every block, folds as <details> as the whole-diff view always had them (the page without JavaScript)."""
    html = paged.html_of(list(range(len(paged.blocks))))
    out = []
    for index, info in enumerate(paged.blocks):
        if info.fold:
            out.append(f"{fold_summary_open(info.rows)}{html.get(index, '')}</div></details>")
        else:
            out.append(html.get(index, ""))
    return SafeString("".join(out))
