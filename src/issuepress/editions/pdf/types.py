"""The shared vocabulary of the PDF editions: what a part is, laid out or to lay out, where parts link to, and
where the print edition's pages begin (for the EPUB and the web edition: folios.py).

This module imports nothing else of the package, so that every module of it can import this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

BASE_URL = "https://issuepress.invalid/"  # a host that cannot exist: every fetch is answered from memory
# Links between parts are written to this address plus "#anchor", and become internal links
# to the named destination "anchor" when the parts are assembled.
GOTO_PAGE = BASE_URL + "goto"
GOTO = GOTO_PAGE + "#"
# Numbers each element of an article's tree in the print HTML (print_html.number), so that a laid-out page can say
# which element it begins in (pagestarts.py) in terms the EPUB's and the web edition's copies of the tree share, and
# preflight at which line of the article text runs out of the page (the line is found from the node by preflight, in the
# build's process). One letter: WeasyPrint's HTML parser reads an attribute's name a character at a time, and a
# story's print HTML has a few hundred of them (`data-node` and `data-line` on each element cost a story 14 ms).
NODE = "n"


def in_node_order(tree) -> list:
    """The elements of an article's tree (an lxml element) in the order their nodes count them: the tree itself is 0.
    The print HTML numbers them so (print_html.number), and every other edition finds a node by counting its own
    copy of the tree the same way."""
    return list(tree.iter(etree.Element))


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
    overflow: tuple[tuple[str, int | None], ...] = ()  # text that runs past the trim, and its element (NODE)
    no_glyph: tuple[str, ...] = ()  # characters no font had, drawn as WeasyPrint's empty boxes
    css_ignored: tuple[tuple[str, str], ...] = ()  # (stylesheet, declaration WeasyPrint ignored in it)


@dataclass(frozen=True)
class PageStart:
    """Where a laid-out page begins in the part's text, in terms the EPUB and the web edition share with it
    (pagestarts.py): the element its first word or image belongs to, and how far into that element's text."""

    node: int | None  # the element's place in its article's tree (folios.NODE); None: the layout's own markup
    count: int  # characters of the element's own text (not its children's, spaces not counted) before the page
    # begins; -1: the page begins with the element itself (an image)
    anchor: str = ""  # the id of the nearest element around it that has one (the back matter's sections)


@dataclass(frozen=True)
class Part:
    name: str
    pdf: bytes
    pages: int
    bookmarks: tuple[Bookmark, ...]
    facts: PartFacts
    refused: tuple[str, ...] = ()  # URLs the layout asked for that are not the issue's
    starts: tuple[PageStart | None, ...] = ()  # each page's (None: a page with no text or image of its own)


@dataclass(frozen=True)
class Folio:
    """Where one printed page begins in the EPUB (and, for the articles' pages, in the web edition)."""

    label: str  # the folio, as printed
    document: str  # a piece's slug, or "cover", "title", "contents", "contributors", "imprint"
    node: int | None = None  # in a piece: the element of its first word (None: the document's top, or its end)
    count: int = 0  # letters of that element's own text before it (-1: before the element, an image)
    end: bool = False  # at the document's end: what the EPUB has no page of (Notes pages, the back cover)
    anchor: str = ""  # in the contributors' page: the contributor whose bio it begins with
    blank: bool = False  # a page left blank (before an article that opens on a right-hand page)


@dataclass(frozen=True)
class PrintPages:
    folios: tuple[Folio, ...]  # every page of the print edition, in order
    ranges: Mapping[str, tuple[int, int]]  # a piece's slug -> its first and last page
    source: str  # the print edition's identifier (its XMP DocumentID): where the numbers come from

    @property
    def count(self) -> int:
        return len(self.folios)

    def of(self, document: str) -> list[Folio]:
        return [folio for folio in self.folios if folio.document == document]

    def pages_of(self, slug: str) -> str:
        """'3' or '3–5': the pages a piece was printed on."""
        first, last = self.ranges[slug]
        return str(first) if first == last else f"{first}\u2013{last}"
