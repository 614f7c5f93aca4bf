"""A layout process's life -> tasks read from its pipe, each result left in a file, and the job's files read
when a task asks for them. The other side of `pool`.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import select
import signal
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

from ...model import Asset

Job = tuple[str, str]  # (the job file's path, its token)

def serve(tasks, results, parent: int, preload: Callable[[], None], others: list, temporary: str) -> None:
    """A worker's life: take a task, do it, leave the result in a file, say so; until told to stop."""
    _begin(parent, others, temporary)
    preload()
    gc.freeze()  # WeasyPrint and its fonts stay for the worker's life: collections of a layout's garbage skip them
    _serve_tasks(tasks, results)


def start_family(ends: list, parent: int, preload: Callable[[], None], others: list, lifeline: int,
                 statuses, temporary: str) -> None:
    """The first layout process's life: load WeasyPrint once, fork the workers (each with its `ends`, a pipe for its
    tasks and one for its results), which share what it loaded, then say on `statuses` how each ended. It lays
    nothing out itself, so that no part can bring it down. It ends with the build's process, and the workers with it;
    it reaps them only when the build lets them go (closes `lifeline`): until then a worker's pid stays its own, so
    that the build, which watches the workers by their pids, never signals another process by mistake."""
    _begin(parent, others, temporary)
    preload()
    gc.freeze()
    first = os.getpid()
    children: dict[int, int] = {}  # pidfd -> pid
    for index, (tasks, results) in enumerate(ends):
        try:
            child = os.fork()
        except OSError:  # its pipes close below: the build's process counts it as dead
            continue
        if child == 0:
            try:
                statuses.close()
                os.close(lifeline)
                for other, pair in enumerate(ends):
                    if other != index:
                        for end in pair:
                            end.close()
                _end_with(first)  # which ends with the build's process
                results.send(("pid", os.getpid()))
                _serve_tasks(tasks, results)
            finally:
                os._exit(0)  # not back into this process's code (nor multiprocessing's exit handlers)
        children[os.pidfd_open(child)] = child
    for pair in ends:
        for end in pair:
            end.close()
    watching = select.poll()
    for fd in [lifeline, *children]:
        watching.register(fd, select.POLLIN)
    while children:
        ready = [fd for fd, _event in watching.poll()]
        if lifeline in ready:  # the build has let the workers go, or has gone
            break
        for fd in ready:
            ended = os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOWAIT)  # said, not reaped
            code = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
            try:
                statuses.send((children.pop(fd), code))
            except OSError:  # the build's process has gone
                pass
            watching.unregister(fd)
            os.close(fd)
    while True:  # the workers end as the build asked them to: each is reaped as it does
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _begin(parent: int, others: list, temporary: str) -> None:
    # Ctrl-C at a terminal reaches every process in the group; the build's own process stops the
    # workers, which would otherwise each print a KeyboardInterrupt traceback. SIGTERM just ends one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for end in others:
        end.close() if hasattr(end, "close") else os.close(end)
    _end_with(parent)
    # What the libraries put in temporary files (WeasyPrint copies fonts) goes in the job folder, which is
    # removed with the workers even when they are killed.
    os.environ["TMPDIR"] = tempfile.tempdir = temporary


def _serve_tasks(tasks, results) -> None:
    while True:
        try:
            message = tasks.recv()
        except (EOFError, OSError):  # the build's process has gone
            return
        if message is None:
            return
        number, path = message
        results.send((number, "started"))
        try:
            function, args = load(Path(path))
            outcome, state = roomy_call(function, args), "done"
        except BaseException as error:  # noqa: BLE001 - handed to the build's process, which raises it
            outcome, state = _picklable(error), "failed"
        dump(outcome, Path(path).with_name(f"result-{number}"))
        results.send((number, state))


# Python 3.11 keeps its frames' data in 16 KiB chunks, mapped when a call needs a new one and unmapped when it
# returns. WeasyPrint's recursion goes back and forth over a chunk's end: laying out the Strand issue mapped and
# unmapped a chunk 60,000 times (strace -c), each time with its page faults, for a tenth of a second of system time
# in each worker. A task called from a frame of ROOMY_SLOTS slots starts in a chunk of 256 KiB with some 120 KiB
# free above it, room for the whole of a layout's recursion.
ROOMY_SLOTS = 16_500


def roomy_call(function: Callable, args: tuple) -> Any:
    """`function(*args)`, called from a frame that takes (and keeps while it runs) a big chunk of the frames' data
    stack."""
    return _roomy_run(function, args)


def _run(function: Callable, args: tuple) -> Any:
    return function(*args)


# The same function with room for ROOMY_SLOTS values on its evaluation stack, which it never uses: a frame's size is
# its code's locals and stack, and the code object says how big a stack it needs.
_roomy_run = type(_run)(_run.__code__.replace(co_stacksize=ROOMY_SLOTS), globals(), "roomy_run")


def _picklable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - an exception that cannot cross processes is said in words
        return RuntimeError(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")


def _end_with(parent: int) -> None:
    """Have Linux end this worker when the build's process dies, even by SIGKILL: an idle worker
    otherwise waits for work forever, holding its memory."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pipes closing is all there is
        return
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)


_JOB_READ: dict[str, Any] = {}  # in a worker: the job last read, by its token


def job_in_worker(job: Job) -> tuple["JobFiles", Any]:
    """In a worker: the job's files and settings (the job file is read once per job)."""
    path, token = job
    if _JOB_READ.get("token") != token:
        index, settings = load(Path(path))
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


def dump(value: Any, path: Path) -> None:
    """Write a pickle whole or not at all: the reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def load(path: Path) -> Any:
    with open(path, "rb") as file:
        value = pickle.load(file)
    path.unlink(missing_ok=True) if path.name.startswith("result-") else None
    return value
