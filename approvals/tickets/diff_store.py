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
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.safestring import SafeString

from approvals.diff import VIEWS, compute_diff, render_diff_html
from approvals.diff.model import Side
from approvals.models import RenderedDiff, Ticket
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
                ticket_diffs(ticket, view="split")
        except Exception:  # an optimisation must not fail the preparation of a ready ticket
            logger.exception("Could not pre-render the diff of ticket %s in %s", ticket.pk, language)
