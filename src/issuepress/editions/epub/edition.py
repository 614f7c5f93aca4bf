"""A rendered issue -> the EPUB 3 edition for subscribers.

The recipe: render every content document (cover, title page, contents,
pieces, contributors, imprint) from the theme's `epub/` layouts; let ebooklib
write the package document (metadata, manifest, spine, guide) and the NCX;
then zip everything again ourselves, because ebooklib stamps entries with the
wall clock. ebooklib does not get to write the XHTML or the navigation
document: it re-parses content documents as HTML, which loses `<head>`
content and mangles `epub:type`, and its navigation document cannot carry
per-entry `lang`/`dir`. So those go in as plain items.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from ebooklib import epub as ebooklib_epub
from lxml import etree

from ...cache import MemoryCache
from ...content.tree import copy_of
from ...layouts import Theme
from ...model import Article, Asset, RenderedIssue
from .. import Finish, Made, common
from ..faces import declared_ranges
from . import container
from .container import Store
from .cover import typographic_cover
from .fontsubset import subset_fonts
from .xhtml import KNOWN_PREFIXES, to_xhtml

FOLDER = "EPUB"


@dataclass(frozen=True)
class Document:
    """One XHTML content document of the spine."""

    name: str
    title: str
    markup: str
    properties: tuple[str, ...] = ()
    linear: bool = True


IMPRINT = f"{FOLDER}/imprint.xhtml"
PACKAGE = f"{FOLDER}/content.opf"


def start(rendered: RenderedIssue, theme: Theme, cache: Store | None = None) -> Finish:
    made = Made(EpubEdition(rendered, theme, cache).package(cache))
    return lambda: made


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    start(rendered, theme, MemoryCache())
    return ()


class EpubEdition:
    """The EPUB of one issue, and the imprint and package of personalised copies of it."""

    def __init__(self, rendered: RenderedIssue, theme: Theme, store: Store | None = None, extra_text: str = ""):
        """`extra_text`: characters copies will add (subscribers' names), which the fonts must keep."""
        self.rendered, self.theme, self.extra_text = rendered, theme, extra_text
        self.modified = common.build_timestamp(rendered.issue)
        self.cover = rendered.cover or typographic_cover(rendered, theme, store)
        context = {**common.context(rendered, theme), "cover": self.cover,
                   "identifier": common.issue_identifier(rendered), "prepared_for": None, "copy_identifier": None}
        self.css = theme.render("css/epub.css", **context)
        self.fonts = theme.fonts_in(self.css)
        context.update(licences=theme.licences_for(self.fonts),
                       typefaces=theme.typefaces(self.fonts) or "the reader's fonts")
        self.context = context

    def package(self, store: Store | None = None) -> bytes:
        documents = _documents(self.rendered, self.theme, self.context)
        images = [self.cover] + [asset for asset in self.rendered.assets if asset.href != self.cover.href]
        fonts = self._fonts(documents, store)
        book = _package(self.rendered, documents, self.css, images, fonts, self.cover)
        raw = io.BytesIO()
        # compresslevel 0: ebooklib's zip is only read back here, and packed again below.
        ebooklib_epub.write_epub(raw, book, {"epub3_pages": False, "epub3_landmark": False, "compresslevel": 0,
                                             "mtime": self.modified, "raise_exceptions": True})
        written = container.unpack(raw.getvalue())
        order = ["META-INF/container.xml", PACKAGE, f"{FOLDER}/toc.ncx"]
        order += [f"{FOLDER}/{d.name}" for d in documents] + [f"{FOLDER}/css/epub.css"]
        order += [f"{FOLDER}/{a.href}" for a in fonts + images]
        order += sorted(name for name in written if name not in order and name != "mimetype")
        return container.pack({name: written[name] for name in order}, self.modified, store)

    def _fonts(self, documents: list[Document], store: Store | None) -> list[Asset]:
        """The fonts cut to the characters the documents set (see fontsubset: a smaller book for every reader)."""
        text = "".join("".join(etree.fromstring(d.markup.encode("utf-8")).itertext()) for d in documents)
        licences = {font.source.name: "\n".join(licence.data.decode("utf-8", "replace")
                                                for licence in self.theme.licences_for([font]))
                    for font in self.fonts}
        return subset_fonts(self.fonts, text + self.extra_text, licences, store, declared_ranges(self.css))

    def imprint(self, prepared_for: str, copy_identifier: str) -> bytes:
        """The imprint page of a personalised copy: who it was prepared for, and the copy's identifier."""
        issue = self.rendered.issue
        lang = {"lang": issue.language, "dir": self.context["issue_direction"], "prefixes": ""}
        markup = self.theme.render_xhtml("epub/imprint.xhtml", **{**self.context, "prepared_for": prepared_for,
                                                            "copy_identifier": copy_identifier}, **lang)
        return markup.encode("utf-8")


def copy_package(package: bytes, copy_identifier: str) -> bytes:
    """The package document of a personalised copy: the issue's, plus the copy's own identifier."""
    entry = f'<dc:identifier id="copy-identifier">{copy_identifier}</dc:identifier>\n  </metadata>'
    return package.replace(b"</metadata>", entry.encode("utf-8"), 1)


def _documents(rendered: RenderedIssue, theme: Theme, context: dict) -> list[Document]:
    issue = rendered.issue
    pages = {piece.page for piece in rendered.pieces} | {"contributors.html", "index.html"}
    lang = {"lang": issue.language, "dir": context["issue_direction"], "prefixes": ""}
    documents = [
        Document("cover.xhtml", "Cover", theme.render_xhtml("epub/cover.xhtml", **context, **lang)),
        Document("title.xhtml", issue.full_title, theme.render_xhtml("epub/title.xhtml", **context, **lang)),
        Document("nav.xhtml", "Contents", theme.render_xhtml("epub/nav.xhtml", **context, **lang), ("nav",)),
    ]
    for piece in rendered.pieces:
        body = to_xhtml(copy_of(piece.markup), pages)
        prefixes = " ".join(f"{p}: {KNOWN_PREFIXES[p]}" for p in body.prefixes)
        markup = theme.render_xhtml("epub/article.xhtml", **context, article=piece, body=body.markup,
                              lang=piece.language, dir=piece.direction, prefixes=prefixes)
        documents.append(Document(f"{piece.slug}.xhtml", piece.title, markup, ("mathml",) if piece.has_math else ()))
    if rendered.contributors:
        documents.append(Document("contributors.xhtml", "Contributors",
                                  theme.render_xhtml("epub/contributors.xhtml", **context, **lang)))
    documents.append(Document("imprint.xhtml", "Imprint",
                              theme.render_xhtml("epub/imprint.xhtml", **context, **lang)))
    if context["licences"]:  # reachable from the imprint, out of the reading order
        documents.append(Document("licences.xhtml", "Font licences",
                                  theme.render_xhtml("epub/licences.xhtml", **context, **lang), linear=False))
    return documents


def _package(rendered: RenderedIssue, documents: list[Document], css: str, images: list[Asset],
             fonts: list[Asset], cover: Asset) -> ebooklib_epub.EpubBook:
    book = ebooklib_epub.EpubBook()
    book.FOLDER_NAME = FOLDER
    _metadata(book, rendered)
    items = {}
    for document in documents:
        item = ebooklib_epub.EpubItem(uid=_item_id(document.name), file_name=document.name,
                                      media_type="application/xhtml+xml", content=document.markup.encode("utf-8"))
        item.properties = list(document.properties)
        item.is_linear = document.linear
        book.add_item(item)
        items[document.name] = item
    book.add_item(ebooklib_epub.EpubItem(uid="css", file_name="css/epub.css", media_type="text/css",
                                         content=css.encode("utf-8")))
    for font in fonts:
        book.add_item(ebooklib_epub.EpubItem(uid=_item_id(font.href), file_name=font.href,
                                             media_type=font.media_type, content=font.data))
    for image in images:
        if image is cover:
            item = ebooklib_epub.EpubCover(uid="cover-image", file_name=image.href)
            item.content, item.media_type = image.data, image.media_type
        else:
            item = ebooklib_epub.EpubItem(uid=_item_id(image.href), file_name=image.href,
                                          media_type=image.media_type, content=image.data)
        book.add_item(item)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    book.add_item(ebooklib_epub.EpubNcx())
    book.spine = [items[d.name] for d in documents]
    book.toc = _ncx_entries(rendered)
    first = rendered.pieces[0].slug + ".xhtml"
    book.guide = [{"type": "cover", "href": "cover.xhtml", "title": "Cover"},
                  {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
                  {"type": "text", "href": first, "title": "Start reading"}]
    return book


def _item_id(name: str) -> str:
    return "item-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def _ncx_entries(rendered: RenderedIssue) -> list:
    """The same tree as the navigation document, for reading systems that only read the NCX."""

    def entry(piece: Article):
        link = ebooklib_epub.Link(f"{piece.slug}.xhtml", piece.title, f"nav-{piece.slug}")
        parts = [ebooklib_epub.Link(f"{piece.slug}.xhtml#{h.id}", h.text, f"nav-{piece.slug}-{h.id}")
                 for h in piece.headings if h.level == 2]
        return (ebooklib_epub.Section(piece.title, f"{piece.slug}.xhtml"), parts) if parts else link

    entries: list = [ebooklib_epub.Link("title.xhtml", rendered.issue.full_title, "nav-title")]
    if rendered.editors_note:
        entries.append(entry(rendered.editors_note))
    for section in rendered.sections:
        children = [entry(article) for article in section.articles]
        if section.name:
            entries.append((ebooklib_epub.Section(section.name, f"{section.articles[0].slug}.xhtml"), children))
        else:
            entries.extend(children)
    if rendered.contributors:
        entries.append(ebooklib_epub.Link("contributors.xhtml", "Contributors", "nav-contributors"))
    entries.append(ebooklib_epub.Link("imprint.xhtml", "Imprint", "nav-imprint"))
    return entries


def _metadata(book: ebooklib_epub.EpubBook, rendered: RenderedIssue) -> None:
    issue, magazine = rendered.issue, rendered.issue.magazine
    book.metadata = {}  # drop ebooklib's random identifier and generator line
    book.set_identifier(common.issue_identifier(rendered))
    book.set_title(issue.full_title)
    book.add_metadata("DC", "title", f"Volume {issue.volume}, No. {issue.number}", {"id": "subtitle"})
    book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    languages = dict.fromkeys([issue.language] + [piece.language for piece in rendered.pieces])
    for language in languages:
        book.add_metadata("DC", "language", language)
    book.language = issue.language
    book.set_direction(common.text_direction(issue.language))
    if magazine.publisher:
        book.add_metadata("DC", "publisher", magazine.publisher)
    if magazine.issn:
        book.add_metadata("DC", "identifier", f"urn:issn:{magazine.issn}", {"id": "issn"})
    book.add_metadata("DC", "date", issue.date.isoformat())
    if issue.description:
        book.add_metadata("DC", "description", issue.description)
    for keyword in issue.keywords:
        book.add_metadata("DC", "subject", keyword)
    authors = {a.id: a for piece in rendered.pieces if piece.kind == "article" for a in piece.authors}
    for index, author in enumerate(authors.values(), start=1):
        _person(book, "creator", f"creator-{index}", author.name, "aut")
    if issue.editor:
        _person(book, "contributor", "editor", issue.editor, "edt")
    # The issue's place in its periodical, for reading systems that group series. Where numbers restart
    # each year, the volume leads: volume 2, number 1 is 2.01, after volume 1's 1.12.
    position = f"{issue.volume}.{issue.number:02d}" if magazine.numbering == "yearly" else str(issue.number)
    book.add_metadata(None, "meta", magazine.title, {"property": "belongs-to-collection", "id": "periodical"})
    book.add_metadata(None, "meta", "series", {"refines": "#periodical", "property": "collection-type"})
    book.add_metadata(None, "meta", position, {"refines": "#periodical", "property": "group-position"})
    if magazine.issn:
        book.add_metadata(None, "meta", f"urn:issn:{magazine.issn}",
                          {"refines": "#periodical", "property": "dcterms:identifier"})
    book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": magazine.title})
    book.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": position})
    _accessibility(book, rendered)


def _person(book, element: str, ident: str, name: str, role: str) -> None:
    book.add_metadata("DC", element, name, {"id": ident})
    book.add_metadata(None, "meta", role, {"refines": f"#{ident}", "property": "role", "scheme": "marc:relators"})


def _accessibility(book: ebooklib_epub.EpubBook, rendered: RenderedIssue) -> None:
    """EPUB Accessibility 1.1 metadata, claiming only what this file really does."""
    described = not any(piece.undescribed_images for piece in rendered.pieces)
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"]
    if described:
        features.append("alternativeText")
    if any(piece.has_table for piece in rendered.pieces):
        features.append("table")
    if any(piece.has_math for piece in rendered.pieces):  # with the TeX as each formula's alttext
        features += ["MathML", "describedMath"]
    for mode in ("textual", "visual"):  # the cover, at least, is an image
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    book.add_metadata(None, "meta", "textual" if described else "textual,visual",
                      {"property": "schema:accessModeSufficient"})
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    summary = ("Every piece has a heading structure, a declared language and a place in the table of "
               "contents, which also lists each article's sections; footnotes link to their notes and back. "
               + ("Every image has a text alternative. " if described else
                  "Some images have no text alternative. ")
               + "Text size, typeface and colours follow the reader's settings.")
    book.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})
    if described:  # without text alternatives for every image, the file does not meet WCAG AA
        book.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA",
                          {"property": "dcterms:conformsTo"})
