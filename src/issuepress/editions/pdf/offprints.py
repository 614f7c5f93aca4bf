"""A rendered issue -> its offprints: one PDF per piece as it was printed, for its authors and for libraries.

Each offprint is the piece's pages of the print edition: the same laid-out part and the same page plan (nothing
is laid out again when the print PDF was built), on the same sides with their margins mirrored, with the issue's
folios and running heads, and at the head of its first page a line saying where it appeared (the layout
`pdf/offprint-line.html`). It is a reader's PDF: trimmed (no bleed, no marks), in the screen's colours, its
links live (but those to other pieces, which it has not), its XMP saying its title, authors, publication and
pages (xmp.py).
"""

from __future__ import annotations

import dataclasses

from ...cache import MemoryCache
from ...layouts import Theme
from ...model import Article, RenderedIssue
from .. import Finish, Made
from . import assembly, furniture, xmp
from .document import _metadata, _said_as_problems, plan_pages
from .furniture import DIGITS, Cell, PageFurniture
from .layout import lay_out, workers_started
from .types import PartSpec


def start(rendered: RenderedIssue, theme: Theme, cache) -> Finish:
    """Lay out (or take from the cache) the print edition and the offprints' heads now; the returned function
    assembles the offprints."""
    cache = cache or MemoryCache()
    pieces = rendered.pieces
    with workers_started() as workers, _said_as_problems(rendered):
        planned = plan_pages(rendered, theme, cache, screen=False, workers=workers)
        assert planned is not None, "laid out, not only taken from the cache"
        plan, parts = planned.plan, planned.parts
        cells, furnishing = furniture.cells_for(plan.slots, screen=False)
        heads, digits = cells[:-len(DIGITS)], cells[-len(DIGITS):]
        lines = [Cell("head", "centre", _line(rendered, theme, piece, plan.starts[piece.slug],
                                              plan.starts[piece.slug] + parts[piece.slug].pages - 1))
                 for piece in pieces]
        sheet = PartSpec("offprint-furniture", "furniture",
                         theme.render("pdf/furniture.html", **planned.context, cells=heads + lines + digits),
                         stylesheet="css/furniture.css")
        sheets, _ = lay_out([sheet], planned.files, planned.slack, cache, planned.files_key, workers)
    trimmed = dataclasses.replace(planned.geometry, bleed=0.0, slug=0.0)

    def finish() -> Made:
        files = {}
        for index, piece in enumerate(pieces):
            first, count = plan.starts[piece.slug], parts[piece.slug].pages
            pages = list(furnishing[first - 1:first - 1 + count])
            pages[0] = PageFurniture("right" if first % 2 else "left", len(heads) + index, str(first))
            only = assembly.Plan(plan.slots[first - 1:first - 1 + count], {piece.slug: 1})
            metadata = {**_metadata(rendered), "/Title": piece.title,
                        "/Author": ", ".join(author.name for author in piece.authors)}
            if not piece.authors:
                del metadata["/Author"]
            files[f"{rendered.issue.id}-{piece.slug}.pdf"] = assembly.assemble(
                only, {piece.slug: parts[piece.slug]}, sheets["offprint-furniture"], pages, trimmed, False,
                frozenset(), metadata, piece.language, None,
                xmp.piece_record(rendered, piece, (first, first + count - 1)), first)
        return Made(files, f"{len(files)} offprints, pages as numbered in the issue")

    return finish


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    """`check`: the offprints' head lines rendered (the print PDF's own layouts are rehearsed with it)."""
    for piece in rendered.pieces:
        _line(rendered, theme, piece, 1, 2)
    return ()


def _line(rendered: RenderedIssue, theme: Theme, piece: Article, first: int, last: int) -> str:
    """Where the piece appeared, as the first page's head says it (one line: a longer one ends in an ellipsis)."""
    words = theme.render("pdf/offprint-line.html", issue=rendered.issue, magazine=rendered.issue.magazine,
                         article=piece, first=first, last=last)
    return " ".join(words.split())
