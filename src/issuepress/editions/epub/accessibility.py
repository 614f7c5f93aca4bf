"""A rendered issue and its EPUB's page numbers -> the EPUB's accessibility metadata (EPUB Accessibility 1.1 and
the schema.org vocabulary), claiming only what is true of this file.

Features are listed only when the file has them (text alternatives when every image has one, page markers and a
page list when the print edition's page numbers are in it); the summary says what this issue holds. No
conformance claim (`dcterms:conformsTo`) is made: Ace by DAISY and EPUBCheck check what a program can, but
WCAG conformance also depends on what only a person can judge (that a text alternative says what its image
shows, that a link's words say where it goes), and the specification asks the claim to name who evaluated it.
"""

from __future__ import annotations

from ebooklib import epub as ebooklib_epub

from ...content.tree import tree_of
from ...model import RenderedIssue
from ..folios import PrintPages


def describe(book: ebooklib_epub.EpubBook, rendered: RenderedIssue, pages: PrintPages | None) -> None:
    described = not any(piece.undescribed_images for piece in rendered.pieces)
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"]
    if described:
        features.append("alternativeText")
    if pages is not None:
        features += ["pageBreakMarkers", "printPageNumbers", "pageNavigation"]
    if any(piece.has_math for piece in rendered.pieces):  # with the TeX as each formula's alttext
        features += ["MathML", "describedMath"]
    for mode in ("textual", "visual"):  # the cover, at least, is an image
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    book.add_metadata(None, "meta", "textual" if described else "textual,visual",
                      {"property": "schema:accessModeSufficient"})
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    book.add_metadata(None, "meta", summary(rendered, pages, described), {"property": "schema:accessibilitySummary"})


def summary(rendered: RenderedIssue, pages: PrintPages | None, described: bool) -> str:
    """What this issue holds and how a reader finds their way in it, in a few sentences."""
    issue = rendered.issue
    articles = len(rendered.articles)
    pieces = f"{articles} article{'s' * (articles != 1)}"
    if rendered.editors_note:
        pieces = f"an editor's note and {pieces}"
    trees = [tree_of(piece.markup) for piece in rendered.pieces]
    notes = sum(len(tree.xpath(".//section[@class='footnotes']//li")) for tree in trees)
    tables = [table for tree in trees for table in tree.xpath(".//table")]
    images = len({asset.href for piece in rendered.pieces for asset in piece.assets})
    languages = list(dict.fromkeys([issue.language] + [piece.language for piece in rendered.pieces]))
    holds = [f"{count} {what}{'s' * (count != 1)}" for count, what in ((notes, "footnote"), (images, "image"),
                                                                        (len(tables), "table")) if count]
    sentences = [f"{issue.full_title} (Volume {issue.volume}, No. {issue.number}): {pieces}"
                 + (f", with {_listed(holds)}" if holds else "") + f"; text in {_listed(languages)}, "
                 "each document and passage marked with its language."]
    sentences.append("Every piece has a heading structure and a place in the table of contents, which also lists each "
                     "article's sections" + ("; footnotes link to their notes and back." if notes else "."))
    if images:
        sentences.append("Every image has a text alternative." if described else
                         "Some images have no text alternative.")
    if tables and all(table.xpath(".//th") for table in tables):
        sentences.append("Every table has header cells.")
    if pages is not None:
        sentences.append(f"The {pages.count} pages of the print edition are marked where each begins and listed, "
                         "for finding a page cited from print.")
    sentences.append("Text size, typeface and colours follow the reader's settings.")
    return " ".join(sentences)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
