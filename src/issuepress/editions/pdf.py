"""A rendered issue -> the print-ready PDF (trim, bleed, marks, padded for the binding) and the screen PDF.

WeasyPrint lays out one HTML document of the whole issue, rendered from the
theme's `pdf/` layouts and `css/print.css`. It fetches stylesheets, fonts and
images only from memory, through `MemoryFetcher`: nothing on disk, nothing
on the network. For saddle-stitch binding, "Notes" pages are added before
the back cover until the page count is a multiple of four; they and the back
cover are laid out once each and the pages assembled, so the articles are
never laid out twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..errors import IssueError, Problem
from ..layouts import Theme
from ..model import Asset, PrintSettings, RenderedIssue
from . import Made, common, preflight, printmarks
from .print_html import print_body

BASE_URL = "https://issuepress.invalid/"  # a host that cannot exist: every fetch is answered from memory


@dataclass(frozen=True)
class PageGeometry:
    """Everything the print stylesheet needs, in millimetres and points."""

    trim_width: float
    trim_height: float
    bleed: float
    slug: float  # media past the trim: the bleed plus room for marks
    inner: float
    outer: float
    top: float
    bottom: float
    font_size: float
    cover_title_size: float
    recto: bool

    @classmethod
    def for_print(cls, settings: PrintSettings, screen: bool) -> "PageGeometry":
        width, height = settings.trim_width, settings.trim_height
        text_width = min(width * 0.76, 135.0)  # about 70 characters a line
        spare = width - text_width
        return cls(
            trim_width=width, trim_height=height,
            bleed=0.0 if screen else settings.bleed,
            slug=0.0 if screen else printmarks.slug_mm(settings.bleed, settings.marks),
            inner=round(spare * 0.45, 2), outer=round(spare * 0.55, 2),
            top=round(height * 0.075, 2), bottom=round(height * 0.09, 2),
            font_size=10.5 if width >= 200 else 10.0 if width >= 150 else 9.5,
            cover_title_size=round(44 * width / 210, 1),
            recto=settings.recto and not screen,
        )


class MemoryFetcher(URLFetcher):
    """Answers WeasyPrint's requests from the issue's own files; refuses everything else."""

    def __init__(self, files: dict[str, Asset | bytes]):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.files = files
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if not url.startswith(BASE_URL):
            self.refused.append(url)
            raise ValueError(f"issuepress does not fetch {url}")
        path = unquote(urlsplit(url).path.lstrip("/"))
        found = self.files.get(path)
        if found is None:
            self.refused.append(url)
            raise ValueError(f"not part of this issue: {path}")
        if isinstance(found, Asset):
            return URLFetcherResponse(url, found.data, {"Content-Type": found.media_type})
        return URLFetcherResponse(url, found, {"Content-Type": "text/css; charset=utf-8"})


def build_print(rendered: RenderedIssue, theme: Theme) -> Made:
    return _made(*render_pdf(rendered, theme, screen=False))


def build_screen(rendered: RenderedIssue, theme: Theme) -> Made:
    return _made(*render_pdf(rendered, theme, screen=True))


def _made(data: bytes, report: preflight.Report) -> Made:
    """The PDF, unless preflight found something a printer would reject."""
    if report.errors:
        raise IssueError(report.problems)
    return Made(data, report.summary(), tuple(report.problems))


def render_pdf(rendered: RenderedIssue, theme: Theme, screen: bool) -> tuple[bytes, preflight.Report]:
    issue = rendered.issue
    settings = issue.magazine.print
    geometry = PageGeometry.for_print(settings, screen)
    created = common.build_timestamp(issue)
    context = {**common.context(rendered), "page": geometry, "screen": screen, "cover": rendered.cover,
               "created": created.strftime("%Y-%m-%dT%H:%M:%SZ")}
    css = theme.render("css/print.css", **context)
    files: dict[str, Asset | bytes] = {"css/print.css": css.encode("utf-8")}
    files.update({font.href: font for font in theme.fonts_in(css)})
    files.update({asset.href: asset for asset in rendered.assets})
    fetcher = MemoryFetcher(files)
    page_slugs = {piece.page: piece.slug for piece in rendered.pieces}
    bodies = {piece.slug: print_body(piece.body, piece.slug, page_slugs, settings.footnotes)
              for piece in rendered.pieces}
    with _quiet_weasyprint():
        main = _render(theme.render("pdf/issue.html", **context, bodies=bodies), fetcher)
        pages = list(main.pages)
        if not screen:
            back = _render(theme.render("pdf/back-cover.html", **context), fetcher)
            padding = 0
            if settings.binding == "saddle-stitch":
                padding = -(len(pages) + len(back.pages)) % 4
            if padding:
                notes = _render(theme.render("pdf/notes-page.html", **context), fetcher)
                pages += [notes.pages[0]] * padding
            pages += back.pages
        document = main.copy(pages)
        # an /ID computed from the content: the same for the same issue, unlike a random one
        finish = None if screen else printmarks.finisher(settings.bleed, settings.marks)
        data = document.write_pdf(pdf_identifier=True, finisher=finish)
    if fetcher.refused:
        raise IssueError([Problem(f"the print layout asked for {url}, which is not part of the issue",
                                  issue.manifest.name) for url in fetcher.refused])
    families = {theme.family_name(font) for font in theme.fonts.values()}
    return data, preflight.check(rendered, document, data, settings, screen, families)


def _render(html: str, fetcher: MemoryFetcher) -> weasyprint.Document:
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()


class _quiet_weasyprint:
    """WeasyPrint logs every unsupported CSS property; the build reports problems itself."""

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)
