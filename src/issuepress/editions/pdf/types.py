"""The shared vocabulary of the PDF editions: what a part is, laid out or to lay out, and where parts link to.

This module imports nothing else of the package, so that every module of it can import this one.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_URL = "https://issuepress.invalid/"  # a host that cannot exist: every fetch is answered from memory
# Links between parts are written to this address plus "#anchor", and become internal links
# to the named destination "anchor" when the parts are assembled.
GOTO_PAGE = BASE_URL + "goto"
GOTO = GOTO_PAGE + "#"


@dataclass(frozen=True)
class PartSpec:
    """What to lay out: one HTML document and what its pages are."""

    name: str  # "cover", "contents", a piece's slug, "back", "notes", "back-cover", "furniture"
    kind: str  # "cover", "contents", "piece", "back", "notes", "back-cover", "furniture"
    html: str
    weight: int = 1  # for ordering the work: big parts first
    stylesheet: str = "css/print.css"  # applied by the layout, not linked from the HTML


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int  # within the part, from 0
    y: float  # points from the top of the page


@dataclass(frozen=True)
class PartFacts:
    """What preflight needs from one laid-out part, gathered where the part is laid out."""

    image_ppi: tuple[tuple[str, float], ...] = ()  # src, lowest resolution it prints at
    missing_alt: tuple[str, ...] = ()
    overflow: tuple[tuple[str, int | None], ...] = ()  # text that runs past the trim, and its line in the article
    no_glyph: tuple[str, ...] = ()  # characters no font had, drawn as WeasyPrint's empty boxes
    css_ignored: tuple[tuple[str, str], ...] = ()  # (stylesheet, declaration WeasyPrint ignored in it)


@dataclass(frozen=True)
class Part:
    name: str
    pdf: bytes
    pages: int
    bookmarks: tuple[Bookmark, ...]
    facts: PartFacts
    refused: tuple[str, ...] = ()  # URLs the layout asked for that are not the issue's
