"""The print edition's pages (folios.PrintPages) -> the EPUB's page-break markers and its page list.

Each printed page gets a marker where it begins, `<span epub:type="pagebreak" role="doc-pagebreak" id=...
aria-label="FOLIO">`: inside an article's text at the word the page begins with (folios.mark), at the top of a
document that a page begins with (layouts render `page_breaks`), or at the end of the imprint for the pages the
EPUB has no text of. The navigation document lists every page, in order, linking to its marker.
"""

from __future__ import annotations

from lxml import html as lxml_html

from ..folios import Folio, PrintPages, page_id
from .xhtml import EPUB_TYPE

DOCUMENTS = {"cover": "cover.xhtml", "title": "title.xhtml", "contents": "nav.xhtml",
             "contributors": "contributors.xhtml", "imprint": "imprint.xhtml"}
TOP, END = ":top", ":end"  # keys of a layout's `page_breaks` beside the contributors' ids (which have no colon)


def file_of(document: str) -> str:
    return DOCUMENTS.get(document, f"{document}.xhtml")


def breaks(pages: PrintPages | None, document: str, taken: frozenset[str] = frozenset()
           ) -> dict[str, list[tuple[str, str]]]:
    """The markers a layout renders itself, by where: TOP, END, or a contributor's id; each (id, folio)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for folio in pages.of(document) if pages is not None else ():
        if folio.node is None:
            where = END if folio.end else folio.anchor or TOP
            found.setdefault(where, []).append((page_id(folio.label, taken), folio.label))
    return found


def marker(folio: Folio, taken: frozenset[str]) -> lxml_html.HtmlElement:
    """A page-break marker for an article's tree (xhtml.to_xhtml writes the stand-in attribute as epub:type)."""
    return lxml_html.Element("span", {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak",
                                      "id": page_id(folio.label, taken), "aria-label": folio.label})


def page_list(pages: PrintPages | None, ids: dict[str, frozenset[str]]) -> list[tuple[str, str]]:
    """(folio, link to its marker) for every page; `ids`: each article's own ids, by slug."""
    if pages is None:
        return []
    return [(folio.label, f"{file_of(folio.document)}#{page_id(folio.label, ids.get(folio.document, frozenset()))}")
            for folio in pages.folios]
