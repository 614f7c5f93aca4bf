"""A rendered issue -> the EPUB 3 edition for subscribers.

The recipe: render every content document (cover, title page, contents,
pieces, contributors, imprint) from the theme's `epub/` layouts; let ebooklib
write the package document (metadata, manifest, spine, guide) and the NCX;
then zip everything again ourselves, because ebooklib stamps entries with the
wall clock. ebooklib does not get to write the XHTML or the navigation
document: it re-parses content documents as HTML, which loses `<head>`
content and mangles `epub:type`, and its navigation document cannot carry
per-entry `lang`/`dir`. So those go in as plain items.

The print edition's page numbers (folios.py) are marked in the text where each printed page begins and listed in
the navigation document's page list; without them (the print PDF failed) the EPUB is made all the same, and says so.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

from ebooklib import epub as ebooklib_epub
from lxml import etree

from ...cache import MemoryCache
from ...content.tree import copy_of
from ...errors import IssueError
from ...layouts import Theme
from ...model import Article, Asset, RenderedIssue
from .. import Finish, Made, citation, common, folios
from ..faces import declared_ranges
from ..folios import PrintPages
from . import accessibility, container, pagelist
from .container import Store
from .cover import typographic_cover
from .fontsubset import subset_fonts
from .xhtml import KNOWN_PREFIXES, XML_LANG, to_xhtml

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
    """Cut the fonts now (beside the print layout, in a build of every edition); the returned function takes the
    print edition's page numbers, from the cache or laid out, and makes the EPUB."""
    store = cache or MemoryCache()
    edition = EpubEdition(rendered, theme, store)
    edition.cut_fonts(store)  # the page numbers add no character of their own: the same fonts, from the cache

    def finish() -> Made:
        try:
            pages = folios.pages_for(rendered, theme, store)
        except IssueError as error:  # the print edition cannot be laid out, or failed in this build
            return Made(edition.package(store), "without print page numbers",
                        (folios.unavailable(rendered, "EPUB", error),))
        return Made(edition.package(store, pages), f"{pages.count} print pages listed")

    return finish


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    """`check`: the EPUB made in memory without laying out the print edition (its page numbers are the print
    layout's, which `check --print` lays out)."""
    EpubEdition(rendered, theme, MemoryCache()).package(MemoryCache())
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
        self.pages: PrintPages | None = None  # those of the last package: a copy's imprint marks them too

    def cut_fonts(self, store: Store | None) -> None:
        """Cut the fonts to the text of the EPUB without page numbers, keeping the result in `store`."""
        self._fonts(_documents(self.rendered, self.theme, self.context, None), store)

    def package(self, store: Store | None = None, pages: PrintPages | None = None) -> bytes:
        """The EPUB, with the print edition's `pages` marked and listed (None: without print page numbers)."""
        self.pages = pages
        documents = _documents(self.rendered, self.theme, self.context, pages)
        images = [self.cover] + [asset for asset in self.rendered.assets if asset.href != self.cover.href]
        fonts = self._fonts(documents, store)
        book = _package(self.rendered, documents, self.css, images, fonts, self.cover, pages)
        raw = io.BytesIO()
        # compresslevel 0: ebooklib's zip is only read back here, and packed again below.
        ebooklib_epub.write_epub(raw, book, {"epub3_pages": False, "epub3_landmark": False, "compresslevel": 0,
                                             "mtime": self.modified, "raise_exceptions": True,
                                             "package_direction": True})
        written = container.unpack(raw.getvalue())
        written[PACKAGE] = _with_language(written[PACKAGE], self.rendered.issue.language)
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
                                                            "copy_identifier": copy_identifier}, **lang,
                                         page_breaks=pagelist.breaks(self.pages, "imprint"))
        return markup.encode("utf-8")


def copy_package(package: bytes, copy_identifier: str) -> bytes:
    """The package document of a personalised copy: the issue's, plus the copy's own identifier."""
    entry = f'<dc:identifier id="copy-identifier">{copy_identifier}</dc:identifier>\n  </metadata>'
    return package.replace(b"</metadata>", entry.encode("utf-8"), 1)


def _documents(rendered: RenderedIssue, theme: Theme, context: dict, pages: PrintPages | None) -> list[Document]:
    issue = rendered.issue
    web_pages = {piece.page for piece in rendered.pieces} | {"contributors.html", "index.html"}
    lang = {"lang": issue.language, "dir": context["issue_direction"], "prefixes": ""}
    ids = {piece.slug: piece.ids for piece in rendered.pieces}

    def render(name: str, document: str, **more) -> str:
        return theme.render_xhtml(name, **context, **{**lang, **more},
                                  page_breaks=pagelist.breaks(pages, document, ids.get(document, frozenset())))

    documents = [
        Document("cover.xhtml", "Cover", render("epub/cover.xhtml", "cover")),
        Document("title.xhtml", issue.full_title, render("epub/title.xhtml", "title")),
        Document("nav.xhtml", "Contents", render("epub/nav.xhtml", "contents",
                                                 page_list=pagelist.page_list(pages, ids)), ("nav",)),
    ]
    for piece in rendered.pieces:
        tree = copy_of(piece.markup)
        folios.mark(tree, folios.in_text(pages, piece.slug), functools.partial(pagelist.marker, taken=piece.ids))
        body = to_xhtml(tree, web_pages)
        prefixes = " ".join(f"{p}: {KNOWN_PREFIXES[p]}" for p in body.prefixes)
        cited = citation.cite(rendered, piece, pages.pages_of(piece.slug) if pages else None)
        markup = render("epub/article.xhtml", piece.slug, article=piece, body=body.markup, cite=cited,
                        lang=piece.language, dir=piece.direction, prefixes=prefixes)
        documents.append(Document(f"{piece.slug}.xhtml", piece.title, markup, ("mathml",) if piece.has_math else ()))
    if rendered.contributors:
        documents.append(Document("contributors.xhtml", "Contributors",
                                  render("epub/contributors.xhtml", "contributors")))
    documents.append(Document("imprint.xhtml", "Imprint", render("epub/imprint.xhtml", "imprint")))
    if context["licences"]:  # reachable from the imprint, out of the reading order
        documents.append(Document("licences.xhtml", "Font licences", render("epub/licences.xhtml", "licences"),
                                  linear=False))
    return documents


def _with_language(package: bytes, language: str) -> bytes:
    """The package document with its language on the root (xml:lang), which ebooklib leaves out: reading
    systems and assistive technology take the metadata's language from it."""
    root = etree.fromstring(package)
    root.set(XML_LANG, language)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _package(rendered: RenderedIssue, documents: list[Document], css: str, images: list[Asset],
             fonts: list[Asset], cover: Asset, pages: PrintPages | None) -> ebooklib_epub.EpubBook:
    book = ebooklib_epub.EpubBook()
    book.FOLDER_NAME = FOLDER
    _metadata(book, rendered, pages)
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


def _metadata(book: ebooklib_epub.EpubBook, rendered: RenderedIssue, pages: PrintPages | None) -> None:
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
    if pages is not None:  # where the page numbers come from: the print edition, by its identifier
        book.add_metadata("DC", "source", pages.source)
        book.add_metadata(None, "meta", pages.source, {"property": "pageBreakSource"})
    accessibility.describe(book, rendered, pages)


def _person(book, element: str, ident: str, name: str, role: str) -> None:
    book.add_metadata("DC", element, name, {"id": ident})
    book.add_metadata(None, "meta", role, {"refines": f"#{ident}", "property": "role", "scheme": "marc:relators"})
