"""Parts of the print document (cover, contents, each piece, back matter) -> laid-out PDF parts.

Each part is laid out by WeasyPrint on its own, with symmetric margins and no
running heads or folios: a part's layout then does not depend on the page it
will start on, so parts can be laid out in parallel processes, cached by their
content, and shared by the print and the screen PDF. `pdfassembly` numbers the
pages, mirrors the margins and adds the furniture afterwards.
"""

from __future__ import annotations

import ctypes
import io
import logging
import multiprocessing
import multiprocessing.util
import os
import pickle
import shutil
import signal
import tempfile
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from ..model import Asset
from . import preflight
from .fontfaces import font_configuration

T = TypeVar("T")

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


# What this process lays out with: the stylesheets, fonts and images, and how far pages may
# move sideways. Set directly when laying out in this process; read from a job file in a worker.
_JOB: dict = {}


def lay_out(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float, cache, files_key: str,
            workers: "Workers | None") -> tuple[dict[str, Part], set[str]]:
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
    todo.sort(key=lambda item: -item[0].weight)  # longest first: the workers finish together
    if workers is not None and not workers.broken and todo:
        made = workers.lay_out([spec for spec, _ in todo], files, slack_px)  # even one part: workers keep stylesheets
    else:
        made = _lay_out_here([spec for spec, _ in todo], files, slack_px)
    for (spec, digest), part in zip(todo, made):
        cache.put_object("pdf-part", digest, part)
        results[spec.name] = part
    return results, {spec.name for spec, _ in todo}


class Workers:
    """Processes that lay out parts in parallel, one per core.

    They are started before the issue is read and load WeasyPrint while this process reads
    and renders the issue, which takes the half second WeasyPrint needs to load off the
    build's time. What they lay out with reaches them through a private temporary folder:
    each font and image once as a file of its own, which a worker reads only when a part asks
    for it (so a worker never holds every image of an image-heavy issue), and per edition a
    small job file with the stylesheets and where each font and image is.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.folder = Path(tempfile.mkdtemp(prefix="issuepress-layout-"))
        self.pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_start_worker, initargs=(os.getpid(),))
        self.pool.submit(int)  # forks every worker now (with fork, all are started on the first task)
        self._job: tuple[str, str] | None = None
        self._files: dict | None = None  # kept, so that a new dict cannot take the old one's id
        self._slack = 0.0
        self._written: dict[str, str] = {}  # file names in the job folder, by the asset's digest
        self._used = False
        self._previous: set[str] = set()
        self.broken = False  # a worker died (killed, out of memory): lay out in this process from then on
        self.warm = False  # they have laid out parts, so WeasyPrint is loaded: no task waits for it
        self.depth = 1  # the `workers_started` blocks using them; they stop when the first one ends
        self.closed = False

    @classmethod
    def start(cls) -> "Workers | None":
        """Workers, or None where they cannot help (one core) or cannot be forked safely."""
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if cpus < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        if threading.active_count() > 1:
            return None  # forking a process that runs threads (the preview server) can deadlock the children
        return cls(cpus)

    def lay_out(self, specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float) -> list[Part]:
        if self._job is None or files is not self._files or slack_px != self._slack:
            self._new_job(files, slack_px)
        self._used = True

        def in_workers() -> list[Part]:
            parts = list(self.pool.map(_lay_out_in_worker, [self._job] * len(specs), specs))
            self.warm = True
            return parts

        return self._unless_one_died(in_workers, lambda: _lay_out_here(specs, files, slack_px))

    def run(self, function: Callable, items: list) -> list:
        """`function(item)` for each item, in the workers (a module-level function: it is pickled)."""
        self._used = True
        return self._unless_one_died(lambda: list(self.pool.map(function, items)),
                                     lambda: [function(item) for item in items])

    def assemble(self, job: tuple) -> "_Assembly":
        """`pdfassembly.assemble(*job)` in a worker; its result() is the PDF."""
        from . import pdfassembly

        self._used = True
        # A worker that died while idle is noticed here: nothing laid out since has asked the pool.
        return _Assembly(self, job, self._unless_one_died(lambda: self.pool.submit(pdfassembly.assemble, *job),
                                                          lambda: None))

    def _unless_one_died(self, in_workers: Callable[[], T], here: Callable[[], T]) -> T:
        """`in_workers()`; if a worker has died (killed, out of memory), `here()` in this process instead,
        and from then on: a rebuild (--watch) goes on without workers."""
        try:
            return in_workers()
        except BrokenProcessPool:
            if self.closed:  # stopped because the build was abandoned: nothing it asked for is wanted
                raise
            self.broken = True
            return here()

    def _new_job(self, files: dict[str, Asset | bytes], slack_px: float) -> None:
        """Write the job file; fonts and images another job wrote stay, those no longer used go."""
        token = uuid.uuid4().hex
        index = {href: found if isinstance(found, bytes) else (self._write(found), found.media_type)
                 for href, found in files.items()}
        path = self.folder / f"job-{token}"
        with open(path, "wb") as job:
            pickle.dump((index, slack_px), job, protocol=pickle.HIGHEST_PROTOCOL)
        if self._job is not None:
            Path(self._job[0]).unlink(missing_ok=True)
        self._job, self._files, self._slack = (str(path), token), files, slack_px
        # An issue rebuilt all day (--watch) must not pile up every version of its images. The print and
        # the screen PDF share the images, so an asset goes when neither of the last two jobs used it.
        used = {found.digest for found in files.values() if not isinstance(found, bytes)}
        for digest in [d for d in self._written if d not in used | self._previous]:
            (self.folder / self._written.pop(digest)).unlink(missing_ok=True)
        self._previous = used

    def _write(self, asset: Asset) -> str:
        """The asset's file in the job folder (written the first time its content is asked for)."""
        if asset.digest not in self._written:
            name = f"asset-{asset.digest}"
            (self.folder / name).write_bytes(asset.data)
            self._written[asset.digest] = name
        return str(self.folder / self._written[asset.digest])

    def close(self, abandoned: bool = False) -> None:
        """Stop the workers. `abandoned`: the build failed or was interrupted, and nothing they are
        doing is wanted any more."""
        self.closed = True
        try:
            if abandoned or not self._used:
                # Stop them now instead of waiting for a part or an assembly nobody will use, or (when
                # everything came from the cache) for WeasyPrint to load. They hold nothing to clean up.
                # The executor has no public way to do this before Python 3.14 (kill_workers).
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.kill()
            self.pool.shutdown(cancel_futures=True)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)  # a second Ctrl-C must not leave the images behind


class _Assembly:
    def __init__(self, workers: Workers, job: tuple, future):
        self.workers, self.job, self.future = workers, job, future

    def result(self) -> bytes:
        from . import pdfassembly

        def here() -> bytes:
            return pdfassembly.assemble(*self.job)

        return here() if self.future is None else self.workers._unless_one_died(self.future.result, here)


_RUNNING: list[Workers] = []


@contextmanager
def workers_started():
    """Layout workers for the PDF editions built inside this block: the ones an enclosing block
    started, or new ones (None where they cannot help)."""
    if _RUNNING:
        outer = _RUNNING[-1]
        outer.depth += 1
        try:
            yield outer
        finally:
            outer.depth -= 1
        return
    workers = Workers.start()
    if workers is not None:
        _RUNNING.append(workers)
    abandoned = False
    try:
        yield workers
    except BaseException:
        abandoned = True
        raise
    finally:
        if workers is not None:
            _RUNNING.remove(workers)
            workers.close(abandoned)


def _lay_out_here(specs: list[PartSpec], files: dict[str, Asset | bytes], slack_px: float) -> list[Part]:
    """Lay out the parts in this process, one after the other."""
    _JOB.clear()
    _JOB.update(files=files, slack_px=slack_px)
    return [_lay_out_one(spec) for spec in specs]


def _start_worker(parent: int) -> None:
    # Ctrl-C at a terminal reaches every process in the group; the build's own process stops the
    # workers, which would otherwise each print a KeyboardInterrupt traceback. SIGTERM just ends one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(parent)
    from . import weasyprint_loader  # noqa: F401  (every part needs it; loading it now overlaps the issue being read)


def _end_with(parent: int) -> None:
    """Have Linux end this worker when the build's process dies, even by SIGKILL: an idle worker
    otherwise waits for work forever, holding its memory."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the executor's own shutdown is all there is
        return
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)


def _lay_out_in_worker(job: tuple[str, str], spec: PartSpec) -> Part:
    path, token = job
    if _JOB.get("token") != token:
        with open(path, "rb") as file:
            index, slack_px = pickle.load(file)
        _JOB.clear()
        _JOB.update(files=_JobFiles(index), slack_px=slack_px, token=token)
    return _lay_out_one(spec)


class _JobFiles:
    """The issue's files as a worker sees them: stylesheets from the job file, fonts and images
    read from the job folder when a part asks for them."""

    def __init__(self, index: dict[str, bytes | tuple[str, str]]):
        self.index = index

    def get(self, href: str, default=None) -> Asset | bytes | None:
        entry = self.index.get(href)
        if entry is None or isinstance(entry, bytes):
            return default if entry is None else entry
        path, media_type = entry
        return Asset(href, Path(path).read_bytes(), media_type, Path(href))

    def __getitem__(self, href: str) -> Asset | bytes:
        found = self.get(href)
        if found is None:
            raise KeyError(href)
        return found


# Parsed stylesheets with their loaded fonts, per process: parsing print.css and loading its
# @font-face fonts would otherwise cost every part a tenth of a second.
_STYLESHEETS: dict[tuple, tuple] = {}


def _stylesheet(name: str, fetcher, heard: "HeardFromWeasyPrint"):
    """The parsed stylesheet, its fonts, and the declarations WeasyPrint ignored in it."""
    from .weasyprint_loader import weasyprint

    source = _JOB["files"][name]
    key = (source, _fonts_by_content(_JOB["files"]))  # a font replaced under the same name is loaded again
    if key not in _STYLESHEETS:
        fonts = font_configuration(source.decode("utf-8"), BASE_URL + name, _imported)
        # WeasyPrint copies the fonts into a temporary folder that only its finalizer removes, and
        # worker processes end without running finalizers: multiprocessing's exit hook runs this one,
        # and so does dropping the stylesheet below (a preview server lives long).
        forget = multiprocessing.util.Finalize(fonts, _remove_font_folder, args=(fonts,), exitpriority=10)
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


def _imported(url: str) -> str | None:
    """The text of a stylesheet another one @imports."""
    found = _JOB["files"].get(url.removeprefix(BASE_URL)) if url.startswith(BASE_URL) else None
    return found.decode("utf-8") if isinstance(found, bytes) else None


def _fonts_by_content(files) -> tuple:
    """(href, digest) of every font the layout can load: in a worker the job folder names each
    font file by its digest; in this process the assets carry it."""
    fonts = {href: found for href, found in (files.index if isinstance(files, _JobFiles) else files).items()
             if href.startswith("fonts/") and not isinstance(found, bytes)}
    return tuple(sorted((href, found[0] if isinstance(files, _JobFiles) else found.digest)
                        for href, found in fonts.items()))


def _remove_font_folder(fonts) -> None:
    fonts.__del__()
    # The folder is gone; without this the object's own __del__ would remove it again when the
    # interpreter ends, after the functions it calls have been torn down (an "Exception ignored").
    fonts._folder = None


def _lay_out_one(spec: PartSpec) -> Part:
    from .weasyprint_loader import weasyprint

    from .fetcher import MemoryFetcher

    fetcher = MemoryFetcher(_JOB["files"])
    with HeardFromWeasyPrint() as heard:
        sheet, fonts, ignored = _stylesheet(spec.stylesheet, fetcher, heard)
        document = weasyprint.HTML(string=spec.html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[sheet], font_config=fonts)
        pdf = _compressed(document.write_pdf(pdf_identifier=True, uncompressed_pdf=True))
    facts = preflight.part_facts(document, _JOB["slack_px"], tuple(heard.characters),
                                 tuple((spec.stylesheet, declaration) for declaration in ignored))
    return Part(spec.name, pdf, len(document.pages), tuple(_bookmarks(document)), facts, tuple(fetcher.refused))


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
        message = str(record.msg)
        if message.startswith(".notdef glyph rendered") and record.args:
            self.characters[str(record.args[0])] = None
        elif message.startswith("Ignored `%s:%s`") and len(record.args or ()) == 5:
            name, value, _line, _column, reason = record.args
            # WeasyPrint knows these and has yet to support them: a stylesheet shared with browsers uses them
            if "not supported yet" not in str(reason):
                self.ignored.append(f"`{name}: {str(value).strip()}` ({reason})")

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
