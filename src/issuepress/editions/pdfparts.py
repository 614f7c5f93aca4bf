"""Parts of the print document (cover, contents, each piece, back matter) -> laid-out PDF parts.

Each part is laid out by WeasyPrint on its own, with symmetric margins and no
running heads or folios: a part's layout then does not depend on the page it
will start on, so parts can be laid out in parallel processes, cached by their
content, and shared by the print and the screen PDF. `pdfassembly` numbers the
pages, mirrors the margins and adds the furniture afterwards.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from ..model import Asset
from . import preflight

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
class Part:
    name: str
    pdf: bytes
    pages: int
    bookmarks: tuple[Bookmark, ...]
    facts: preflight.PartFacts
    refused: tuple[str, ...] = ()  # URLs the layout asked for that are not the issue's


# What the worker processes render with; set before they are forked, so the
# issue's fonts and images are shared with them instead of sent to them.
_JOB: dict = {}


def lay_out(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float, cache, files_key: str,
            pool: Executor | None) -> tuple[dict[str, Part], set[str]]:
    """Lay out every part, from the cache where the same part was laid out before.

    Returns the parts by name, and the names of those laid out in this call.
    """
    from ..cache import key as cache_key

    results: dict[str, Part] = {}
    todo: list[tuple[PartSpec, str]] = []
    for spec in specs:
        digest = cache_key("pdf-part", spec.html, slack_px, files_key, files[spec.stylesheet])
        cached = cache.get_object("pdf-part", digest)
        if cached is not None:
            results[spec.name] = cached
        else:
            todo.append((spec, digest))
    _JOB.update(files=files, slack_px=slack_px)
    todo.sort(key=lambda item: -item[0].weight)  # longest first: the workers finish together
    if pool is not None and todo:  # workers keep their parsed stylesheets, so even one part goes to them
        made = list(pool.map(_lay_out_one, [spec for spec, _ in todo]))
    else:
        made = [_lay_out_one(spec) for spec, _ in todo]
    for (spec, digest), part in zip(todo, made):
        cache.put_object("pdf-part", digest, part)
        results[spec.name] = part
    return results, {spec.name for spec, _ in todo}


def worker_pool(parts: int) -> Executor | None:
    """Processes for laying out parts in parallel (fork shares the loaded issue); None where it cannot help."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2 or parts < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    if threading.active_count() > 1:
        return None  # forking a process that runs threads (the preview server) can deadlock the children
    import weasyprint  # noqa: F401  (imported before forking, so no worker pays for it again)

    return ProcessPoolExecutor(max_workers=min(cpus, parts), mp_context=multiprocessing.get_context("fork"))


# Parsed stylesheets with their loaded fonts, per process: parsing print.css and loading its
# @font-face fonts would otherwise cost every part a tenth of a second.
_STYLESHEETS: dict[bytes, tuple] = {}


def _stylesheet(name: str, fetcher):
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    source = _JOB["files"][name]
    if source not in _STYLESHEETS:
        fonts = FontConfiguration()
        # WeasyPrint copies the fonts into a temporary folder that only its finalizer removes, and
        # worker processes end without running finalizers: multiprocessing's exit hook runs this one,
        # and so does dropping the stylesheet below (a preview server lives long).
        forget = multiprocessing.util.Finalize(fonts, fonts.__del__, exitpriority=10)
        sheet = weasyprint.CSS(string=source.decode("utf-8"), base_url=BASE_URL + name, url_fetcher=fetcher,
                               font_config=fonts)
        if len(_STYLESHEETS) >= 4:  # print and furniture sheets for a print and a screen PDF at most
            for _sheet, _fonts, dropped in _STYLESHEETS.values():
                dropped()
            _STYLESHEETS.clear()
        _STYLESHEETS[source] = (sheet, fonts, forget)
    sheet, fonts, _ = _STYLESHEETS[source]
    return sheet, fonts


def _lay_out_one(spec: PartSpec) -> Part:
    import weasyprint

    from .fetcher import MemoryFetcher

    fetcher = MemoryFetcher(_JOB["files"])
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # WeasyPrint logs every unsupported CSS property; problems are ours to report
    try:
        sheet, fonts = _stylesheet(spec.stylesheet, fetcher)
        document = weasyprint.HTML(string=spec.html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[sheet], font_config=fonts)
        pdf = document.write_pdf(pdf_identifier=True)
    finally:
        logger.setLevel(level)
    facts = preflight.part_facts(document, _JOB["slack_px"])
    return Part(spec.name, pdf, len(document.pages), tuple(_bookmarks(document)), facts, tuple(fetcher.refused))


def _bookmarks(document) -> list[Bookmark]:
    """Bookmarks with their CSS bookmark-level (a part alone would lose the levels above its own)."""
    return [Bookmark(level, label, index, y) for index, page in enumerate(document.pages)
            for level, label, (_x, y), _state in page.bookmarks]
