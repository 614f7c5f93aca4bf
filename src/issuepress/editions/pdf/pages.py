"""The print edition's laid-out parts and page plan -> its pages as the EPUB and the web edition mark them
(folios.PrintPages): each page's folio and where it begins.

The parts are the print PDF's own, from the build cache (a build that makes the print PDF too lays them out
first) or laid out here, in the layout processes; nothing is assembled. An article's pages begin where its
layout says (pagestarts.py). The issue's other pages begin at the top of the EPUB document that holds what they
print: the cover's, the title page's (the masthead that opens the contents page), the contents', the
contributors' (a page that begins with a contributor's bio, at that bio) and the imprint's. A blank page is
marked where the next page begins; the Notes pages and the back cover, which the EPUB has no text of, at the end
of the imprint.
"""

from __future__ import annotations

from ...layouts import Theme
from ...model import RenderedIssue
from .. import common
from .assembly import Plan
from .document import _said_as_problems, plan_pages
from .layout import workers_started
from .types import Folio, Part, PrintPages


def print_pages(rendered: RenderedIssue, theme: Theme, cache, lay_out: bool = True) -> PrintPages | None:
    """The print edition's pages (`lay_out` False: only if every part is in the cache, else None)."""
    if not lay_out:
        planned = plan_pages(rendered, theme, cache, screen=False, workers=None, cached_only=True)
        return folios_of(rendered, planned.plan, planned.parts) if planned is not None else None
    with workers_started() as workers, _said_as_problems(rendered):
        planned = plan_pages(rendered, theme, cache, screen=False, workers=workers)
    assert planned is not None, "laid out, not only taken from the cache"
    return folios_of(rendered, planned.plan, planned.parts)


def folios_of(rendered: RenderedIssue, plan: Plan, parts: dict[str, Part]) -> PrintPages:
    pieces = {piece.slug for piece in rendered.pieces}
    back = "contributors" if rendered.contributors else "imprint"
    folios: list[Folio] = []
    blank: list[str] = []  # blank pages waiting for the page after them
    for number, slot in enumerate(plan.slots, start=1):
        label = str(number)
        if slot.part is None:
            blank.append(label)
            continue
        if slot.part in pieces:
            folio = _in_piece(label, slot.part, slot.index, parts[slot.part])
        elif slot.part == "cover":
            folio = Folio(label, "cover")
        elif slot.part == "contents":
            folio = Folio(label, "title" if slot.index == 0 else "contents")
        elif slot.part == "back":
            folio = _in_back(label, back, slot.index, parts["back"])
        else:  # the Notes pages and the back cover
            folio = Folio(label, "imprint", end=True)
        folios += [Folio(page, folio.document, end=folio.end, anchor=folio.anchor, blank=True) for page in blank]
        folios.append(folio)
        blank = []
    ranges = {slug: (start, start + parts[slug].pages - 1) for slug, start in plan.starts.items() if slug in pieces}
    return PrintPages(tuple(folios), ranges, common.print_identifier(rendered))


def _in_piece(label: str, slug: str, index: int, part: Part) -> Folio:
    """A page of an article: its first page at the top of the article, the others where their text begins (a page
    with no text of its own, only notes, say, where the next one's begins; at the end if none does)."""
    if index == 0:
        return Folio(label, slug)
    for start in part.starts[index:]:
        if start is not None and start.node is not None:
            return Folio(label, slug, start.node, start.count)
    return Folio(label, slug, end=True)


def _in_back(label: str, first: str, index: int, part: Part) -> Folio:
    start = part.starts[index] if index < len(part.starts) else None
    anchor = start.anchor if start is not None else ""
    if index == 0 or not anchor:
        return Folio(label, first)
    if anchor == "imprint":
        return Folio(label, "imprint")
    return Folio(label, "contributors", anchor=anchor.removeprefix("contributor-") if anchor != "contributors" else "")
