"""A rendered issue -> the HTML web edition: index, one page per piece, contributors, assets.

Every link is relative and every page sits in one folder, so the edition
works opened from disk or served from any path. Each article's page marks
where each page of the print edition begins (a folio in the margin, from the
print layout: folios.py), gives its page range in its schema.org data, and
ends with how to cite it, with the citation as RIS and BibTeX files beside it.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from ...cache import MemoryCache
from ...content.tree import copy_of, web_body
from ...errors import IssueError
from ...layouts import Theme
from ...model import Article, RenderedIssue
from .. import Finish, Made, citation, common, folios
from ..folios import Folio, PrintPages


def start(rendered: RenderedIssue, theme: Theme, cache=None) -> Finish:
    """The pages are made once the print edition's page numbers are known (from the cache, or laid out)."""

    def finish() -> Made:
        try:
            pages = folios.pages_for(rendered, theme, cache or MemoryCache())
        except IssueError as error:  # the print edition cannot be laid out, or failed in this build
            files = web_files(rendered, theme)
            return Made(files, f"{len(files)} files, without print page numbers",
                        (folios.unavailable(rendered, "web edition", error),))
        files = web_files(rendered, theme, pages=pages)
        return Made(files, f"{len(files)} files")

    return finish


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    web_files(rendered, theme)
    return ()


def preview_files(rendered: RenderedIssue, theme: Theme, cache) -> dict[str, bytes]:
    """The web edition as the preview shows it at every save: with the print page numbers when the print layout
    of the text as it is now is in the cache (a build, or the preview's print PDF, laid it out), never waiting
    for a layout."""
    try:
        pages = folios.pages_for(rendered, theme, cache, lay_out=False)
    except IssueError:  # a layout's mistake: the print PDF says it when asked for
        pages = None
    return web_files(rendered, theme, pages=pages)


def web_files(rendered: RenderedIssue, theme: Theme, site: dict | None = None,
              pages: PrintPages | None = None) -> dict[str, bytes]:
    """The web edition's files, path -> content. (Rendering pages is quick enough not to cache.) `site`: the
    magazine's website around the issue (`issuepress site`), which its pages then link to. `pages`: the print
    edition's, marked in the articles (None: without print page numbers)."""
    issue = rendered.issue
    context = common.context(rendered, theme) | ({"site": site} if site is not None else {})
    base_url = common.web_url(issue)
    files: dict[str, str | bytes] = {}
    files["index.html"] = theme.render(
        "html/index.html", **context, page="index.html",
        json_ld=common.issue_json_ld(rendered, base_url, pages.ranges if pages else None),
    )
    pieces = rendered.pieces
    for index, piece in enumerate(pieces):
        previous = pieces[index - 1] if index > 0 else None
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        printed = pages.ranges.get(piece.slug) if pages else None
        cited = citation.cite(rendered, piece, pages.pages_of(piece.slug) if pages else None)
        files[piece.page] = theme.render(
            "html/article.html", **context, page=piece.page, article=piece,
            body=_body(piece, pages, issue.language), previous=previous, following=following, cite=cited,
            folios_top=_outside(pages, piece, end=False), folios_end=_outside(pages, piece, end=True),
            json_ld=common.article_json_ld(rendered, piece, base_url, printed),
        )
        files[f"{piece.slug}.ris"] = citation.ris(cited)
        files[f"{piece.slug}.bib"] = citation.bibtex(cited)
    files["contributors.html"] = theme.render(
        "html/contributors.html", **context, page="contributors.html",
        previous=pieces[-1] if pieces else None, json_ld=None,
    )
    css = theme.render("css/screen.css", **context)
    files["css/screen.css"] = css
    fonts = theme.fonts_in(css)
    for font in fonts:
        files[font.href] = font.data
    for licence in theme.licences_for(fonts):
        files[licence.href] = licence.data
    for asset in rendered.assets:
        files[asset.href] = asset.data
    return {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}


def _body(piece: Article, pages: PrintPages | None, language: str) -> str:
    """The article's HTML, with a folio where each printed page begins in its text."""
    inside = folios.in_text(pages, piece.slug)
    if not inside:
        return piece.body
    tree = copy_of(piece.markup)
    folios.mark(tree, inside, lambda folio: _folio(folio, piece, language))
    return web_body(tree)


def _folio(folio: Folio, piece: Article, language: str) -> lxml_html.HtmlElement:
    """A page's folio, set in the margin by css/screen.css and read by screen readers as "page 12", once, where the
    page begins; it is not selected with the text around it, so a quotation copied from the page does not carry it,
    nor is it searched (Pagefind)."""
    marker = lxml_html.Element("span", {"class": "folio", "id": folios.page_id(folio.label, piece.ids),
                                        "data-page": folio.label, "data-pagefind-ignore": ""})
    word = etree.SubElement(marker, "span", {"class": "folio-word"})
    if piece.language != language:  # the word is the publication's, in the issue's language
        word.set("lang", language)
    word.text, word.tail = "page ", folio.label
    # and a space after it, hidden like "page " (as partials/pages.html folio() does): read aloud or as text,
    # "page 12" is not glued to the next word
    etree.SubElement(marker, "span", {"class": "folio-word"}).text = " "
    return marker


def _outside(pages: PrintPages | None, piece: Article, end: bool) -> list[tuple[str, str]]:
    """(id, folio) of the article's pages that begin at its top (its first page) or at its end (notes only)."""
    if pages is None:
        return []
    return [(folios.page_id(folio.label, piece.ids), folio.label) for folio in pages.of(piece.slug)
            if folio.node is None and not folio.blank and folio.end == end]
