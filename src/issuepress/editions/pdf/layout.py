"""Parts of the print document (cover, contents, each piece, back matter) -> laid-out PDF parts, by WeasyPrint.

Each part is laid out by WeasyPrint on its own, with symmetric margins and no
running heads or folios: a part's layout then does not depend on the page it
will start on, so parts can be laid out in parallel processes (`pool`), cached
by their content, and shared by the print and the screen PDF. `assembly`
numbers the pages, mirrors the margins and adds the furniture afterwards.
"""

from __future__ import annotations

import io
import logging
import multiprocessing.util

from ...model import Asset
from . import pagestarts, pool, preflight, private, worker
from .fontfaces import font_configuration
from .types import BASE_URL, Bookmark, Part, PartSpec

# What this process lays out with: the stylesheets, fonts and images, and how far pages may
# move sideways. Set directly when laying out in this process; read from the job in a worker.
_JOB: dict = {}


def workers_started(preload: bool = True):
    """Layout processes for the PDF editions built inside this block (see `pool.workers_started`); `preload`:
    they load WeasyPrint at once, else when a part is first given them."""
    return pool.workers_started(preload=_load_weasyprint if preload else _load_nothing)


def _load_nothing() -> None:
    pass


def _load_weasyprint() -> None:
    from . import loader  # noqa: F401  (every part needs it; loading it now overlaps the issue being read)


def lay_out(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float, cache, files_key: str,
            workers: "pool.Workers | None") -> tuple[dict[str, Part], set[str]]:
    """Lay out every part, from the cache where the same part was laid out before.

    Returns the parts by name, and the names of those laid out in this call.
    """
    results: dict[str, Part] = {}
    todo: list[tuple[PartSpec, str]] = []
    for spec in specs:
        digest = _digest(spec, files, slack_px, files_key)
        found = cache.get_object("pdf-part", digest)
        if found is not None:
            results[spec.name] = found
        else:
            todo.append((spec, digest))
    todo.sort(key=lambda item: -item[0].weight)  # longest first: the workers finish together
    if workers is not None and not workers.broken and todo:
        specs = [spec for spec, _ in todo]  # even one part goes to the workers, which keep their stylesheets
        made = workers.map(_lay_out_in_worker, specs, files, slack_px, lambda spec: _lay_out_here([spec], files,
                                                                                                 slack_px)[0])
    else:
        made = _lay_out_here([spec for spec, _ in todo], files, slack_px)
    for (spec, digest), part in zip(todo, made):
        cache.put_object("pdf-part", digest, part)
        results[spec.name] = part
    return results, {spec.name for spec, _ in todo}


def cached(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float, cache,
           files_key: str) -> dict[str, Part] | None:
    """The parts as a layout of the same HTML, stylesheet and files left them in the cache; None if any is not."""
    found = {spec.name: cache.get_object("pdf-part", _digest(spec, files, slack_px, files_key)) for spec in specs}
    return None if any(part is None for part in found.values()) else found


def _digest(spec: PartSpec, files: dict[str, Asset | bytes], slack_px: float, files_key: str) -> str:
    from ...cache import key as cache_key

    return cache_key("pdf-part", spec.html, slack_px, files_key, files[spec.stylesheet])


def _lay_out_here(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float) -> list[Part]:
    """Lay out the parts in this process, one after the other."""
    _JOB.clear()
    _JOB.update(files=files, slack_px=slack_px)
    return [worker.roomy_call(_lay_out_one, (spec,)) for spec in specs]


def _lay_out_in_worker(job: worker.Job, spec: PartSpec) -> Part:
    files, slack_px = worker.job_in_worker(job)
    if _JOB.get("files") is not files:
        _JOB.clear()
        _JOB.update(files=files, slack_px=slack_px)
    return _lay_out_one(spec)


# Parsed stylesheets with their loaded fonts, per process: parsing print.css and loading its
# @font-face fonts would otherwise cost every part a tenth of a second.
_STYLESHEETS: dict[tuple, tuple] = {}


def _stylesheet(name: str, fetcher, heard: "HeardFromWeasyPrint"):
    """The parsed stylesheet, its fonts, and the declarations WeasyPrint ignored in it."""
    from .loader import weasyprint

    source = _JOB["files"][name]
    key = (source, _fonts_by_content(_JOB["files"]))  # a font replaced under the same name is loaded again
    if key not in _STYLESHEETS:
        fonts = font_configuration()
        # WeasyPrint copies the fonts into a temporary folder that only its finalizer removes, and
        # worker processes end without running finalizers: multiprocessing's exit hook runs this one,
        # and so does dropping the stylesheet below (a preview server lives long).
        forget = multiprocessing.util.Finalize(fonts, private.remove_font_folder, args=(fonts,), exitpriority=10)
        heard.ignored.clear()
        sheet = weasyprint.CSS(string=source.decode("utf-8"), base_url=BASE_URL + name, url_fetcher=fetcher,
                               font_config=fonts)
        if len(_STYLESHEETS) >= 4:  # print and furniture sheets for a print and a screen PDF at most
            for _sheet, _fonts, dropped, _ignored in _STYLESHEETS.values():
                dropped()
            _STYLESHEETS.clear()
        _STYLESHEETS[key] = (sheet, fonts, forget, tuple(heard.ignored))
    sheet, fonts, _, ignored = _STYLESHEETS[key]
    return sheet, fonts, ignored


def _fonts_by_content(files) -> tuple:
    """(href, digest) of every font the layout can load: in a worker the job folder names each
    font file by its digest; in this process the assets carry it."""
    fonts = {href: found for href, found in (files.index if isinstance(files, worker.JobFiles) else files).items()
             if href.startswith("fonts/") and not isinstance(found, bytes)}
    return tuple(sorted((href, found[0] if isinstance(files, worker.JobFiles) else found.digest)
                        for href, found in fonts.items()))


def _lay_out_one(spec: PartSpec) -> Part:
    from .fetcher import MemoryFetcher
    from .loader import weasyprint

    fetcher = MemoryFetcher(_JOB["files"])
    with HeardFromWeasyPrint() as heard:
        sheet, fonts, ignored = _stylesheet(spec.stylesheet, fetcher, heard)
        document = weasyprint.HTML(string=spec.html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[sheet], font_config=fonts)
        pdf = _compressed(document.write_pdf(pdf_identifier=True, uncompressed_pdf=True))
    facts = preflight.part_facts(document, _JOB["slack_px"], tuple(heard.characters),
                                 tuple((spec.stylesheet, declaration) for declaration in ignored))
    return Part(spec.name, pdf, len(document.pages), tuple(_bookmarks(document)), facts, tuple(fetcher.refused),
                pagestarts.page_starts(document))


class HeardFromWeasyPrint(logging.Handler):
    """WeasyPrint's log while a part is laid out -> the characters it drew as empty boxes (no font having
    them), and the declarations of a stylesheet it ignored (a misspelt property, a value it cannot use).
    Nothing reaches the terminal: issuepress says these as problems of its own, at the right file."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.characters: dict[str, None] = {}
        self.ignored: list[str] = []
        self.logger = logging.getLogger("weasyprint")

    def emit(self, record: logging.LogRecord) -> None:
        character, ignored = private.missing_glyph(record), private.ignored_declaration(record)
        if character is not None:
            self.characters[character] = None
        elif ignored is not None:
            name, value, reason = ignored
            # WeasyPrint knows these and has yet to support them: a stylesheet shared with browsers uses them
            if "not supported yet" not in reason:
                self.ignored.append(f"`{name}: {value.strip()}` ({reason})")

    def __enter__(self) -> "HeardFromWeasyPrint":
        self.saved = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.WARNING)
        self.logger.propagate = False  # nor to the terminal
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        level, self.logger.propagate = self.saved
        self.logger.setLevel(level)


def _compressed(pdf: bytes) -> bytes:
    """The part with its streams deflated by qpdf at zlib's default level.

    WeasyPrint's own writer deflates at level 9, which costs a fifth of the time it takes to
    lay out a story's pages and saves about 1% of the size.
    """
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as part:
        part.save(out, compress_streams=True, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _bookmarks(document) -> list[Bookmark]:
    """Bookmarks with their CSS bookmark-level (a part alone would lose the levels above its own)."""
    return [Bookmark(level, label, index, y) for index, page in enumerate(document.pages)
            for level, label, (_x, y), _state in page.bookmarks]
