"""Work for the PDF editions -> processes that do it in parallel, one per core: starting, job files, shutdown.

The processes know nothing of layout: they run the functions they are given
(laying out a part, assembling a PDF) with the files of the current job. They
are started before the issue is read and load WeasyPrint (`preload`) while
this process reads and renders the issue, which takes the half second
WeasyPrint needs to load off the build's time. What they work with reaches
them through a private temporary folder: each font and image once as a file
of its own, which a worker reads only when a part asks for it (so a worker
never holds every image of an image-heavy issue), and per job a small job file
with the stylesheets, where each font and image is, and the job's settings.
"""

from __future__ import annotations

import ctypes
import multiprocessing
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
from pathlib import Path
from typing import Any, Callable, TypeVar

from ...model import Asset
from . import private

T = TypeVar("T")

Job = tuple[str, str]  # (the job file's path, its token)


class Workers:
    """Processes that run work for the PDF editions in parallel, one per core."""

    def __init__(self, count: int, preload: Callable[[], None]) -> None:
        self.count = count
        self.folder = Path(tempfile.mkdtemp(prefix="issuepress-layout-"))
        self.pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_start_worker, initargs=(os.getpid(), preload))
        self.pool.submit(int)  # forks every worker now (with fork, all are started on the first task)
        self._job: Job | None = None
        self._files: dict | None = None  # kept, so that a new dict cannot take the old one's id
        self._settings: Any = None
        self._written: dict[str, str] = {}  # file names in the job folder, by the asset's digest
        self._used = False
        self._previous: set[str] = set()
        self.broken = False  # a worker died (killed, out of memory): work in this process from then on
        self.warm = False  # they have done work, so WeasyPrint is loaded: no task waits for it
        self.depth = 1  # the `workers_started` blocks using them; they stop when the first one ends
        self.closed = False

    @classmethod
    def start(cls, preload: Callable[[], None]) -> "Workers | None":
        """Workers, or None where they cannot help (one core) or cannot be forked safely."""
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if cpus < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        if threading.active_count() > 1:
            return None  # forking a process that runs threads (the preview server) can deadlock the children
        return cls(cpus, preload)

    def map(self, function: Callable[[Job, Any], T], items: list, files: dict[str, Asset | bytes], settings: Any,
            here: Callable[[], list[T]]) -> list[T]:
        """`function(job, item)` for every item, in the workers, with `files` and `settings` as the job
        (`job_in_worker` reads it there); `here()` instead if a worker has died."""
        if self._job is None or files is not self._files or settings != self._settings:
            self._new_job(files, settings)
        self._used = True

        def in_workers() -> list[T]:
            results = list(self.pool.map(function, [self._job] * len(items), items))
            self.warm = True
            return results

        return self._unless_one_died(in_workers, here)

    def hand_off(self, function: Callable[..., T], *args) -> "HandedOff[T]":
        """`function(*args)` in a worker, while this process goes on; its result() waits for it (or, if a
        worker has died, runs it here)."""
        self._used = True
        # A worker that died while idle is noticed here: nothing laid out since has asked the pool.
        future = self._unless_one_died(lambda: self.pool.submit(function, *args), lambda: None)
        return HandedOff(self, function, args, future)

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

    def _new_job(self, files: dict[str, Asset | bytes], settings: Any) -> None:
        """Write the job file; fonts and images another job wrote stay, those no longer used go."""
        token = uuid.uuid4().hex
        index = {href: found if isinstance(found, bytes) else (self._write(found), found.media_type)
                 for href, found in files.items()}
        path = self.folder / f"job-{token}"
        with open(path, "wb") as job:
            pickle.dump((index, settings), job, protocol=pickle.HIGHEST_PROTOCOL)
        if self._job is not None:
            Path(self._job[0]).unlink(missing_ok=True)
        self._job, self._files, self._settings = (str(path), token), files, settings
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
                for process in private.pool_processes(self.pool):
                    process.kill()
            self.pool.shutdown(cancel_futures=True)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)  # a second Ctrl-C must not leave the images behind


class HandedOff:
    """Work handed to a worker; `result()` waits for it."""

    def __init__(self, workers: Workers, function: Callable, args: tuple, future):
        self.workers, self.function, self.args, self.future = workers, function, args, future

    def result(self):
        def here():
            return self.function(*self.args)

        return here() if self.future is None else self.workers._unless_one_died(self.future.result, here)


_RUNNING: list[Workers] = []


@contextmanager
def workers_started(preload: Callable[[], None]):
    """Workers for the PDF editions built inside this block: the ones an enclosing block started, or new
    ones that run `preload` first (None where they cannot help)."""
    if _RUNNING:
        outer = _RUNNING[-1]
        outer.depth += 1
        try:
            yield outer
        finally:
            outer.depth -= 1
        return
    workers = Workers.start(preload)
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


def _start_worker(parent: int, preload: Callable[[], None]) -> None:
    # Ctrl-C at a terminal reaches every process in the group; the build's own process stops the
    # workers, which would otherwise each print a KeyboardInterrupt traceback. SIGTERM just ends one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(parent)
    preload()


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


_JOB_READ: dict[str, Any] = {}  # in a worker: the job last read, by its token


def job_in_worker(job: Job) -> tuple["JobFiles", Any]:
    """In a worker: the job's files and settings (the job file is read once per job)."""
    path, token = job
    if _JOB_READ.get("token") != token:
        with open(path, "rb") as file:
            index, settings = pickle.load(file)
        _JOB_READ.clear()
        _JOB_READ.update(token=token, files=JobFiles(index), settings=settings)
    return _JOB_READ["files"], _JOB_READ["settings"]


class JobFiles:
    """The job's files as a worker sees them: stylesheets from the job file, fonts and images
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
