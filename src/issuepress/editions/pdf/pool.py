"""Work for the PDF editions -> processes that do it in parallel, one per core: starting, job files, shutdown.

The processes know nothing of layout: they run the functions they are given
(laying out a part, assembling a PDF) with the files of the current job. They
are started before the issue is read: a first process loads WeasyPrint
(`preload`) while this one reads the issue, then forks the workers, which
share it (`family.py`): loaded once, not once per worker on the cores this
process needs meanwhile. The first lays nothing out, so no part can bring it
down; it says how each worker ended and reaps them only when this process
lets them go, so a worker's pid is never another's while this one may signal
it through its pidfd. Workers end with the first, and it with this process.
Without pidfds (before Linux 5.4) each worker is forked here and loads it.

Everything that crosses between processes goes through files in a private
temporary folder: each font and image once (a worker reads one only when a
part asks for it), a job file with the stylesheets and settings, each task's
function and arguments, and each result. Through a pipe of its own, each
worker only receives "task N is in this file" and answers "task N is done",
messages small enough that the system writes each in one piece. So a worker
that dies at any moment (killed, crashed, out of memory) leaves nothing half
sent: its pipe just closes. Every wait has a bound, a task that runs too long
is stopped, and stopping the workers never waits on them for more than a few
seconds: nothing a worker does can make the build hang.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from ...model import Asset
from . import worker as process_side
from .family import STOP_SECONDS, Family, Forked, forks_others, start_family
from .worker import Job

T = TypeVar("T")

POLL_SECONDS = 1.0  # how often a wait looks again at processes that may have died
SHARED_POLL_SECONDS = 0.01  # how often a thread waiting for a result another thread is collecting looks for it
# How long one task (a part's layout, an assembly) may take before its worker is stopped: far longer
# than any real part takes (a 100-page story lays out in under a minute), so only a stuck layout meets it.
TASK_SECONDS = float(os.environ.get("ISSUEPRESS_TASK_SECONDS", "900"))


class WorkFailed(Exception):
    """A task could not be done in a worker: the process died doing it (twice), or it ran too long."""

    def __init__(self, item: Any, reason: str):
        super().__init__(reason)
        self.item, self.reason = item, reason


@dataclass
class _Task:
    number: int
    function: Callable
    args: tuple
    item: Any = None  # what the caller names the task by, when it fails
    tries: int = 0
    started: float = 0.0
    done: bool = False
    value: Any = None
    error: BaseException | None = None


@dataclass
class _Worker:
    process: Any
    tasks: Any  # the pipe end this process sends tasks on
    results: Any  # the pipe end it reads "done" on
    task: _Task | None = None
    dead: bool = False
    lost: list = field(default_factory=list)


class Workers:
    """Processes that run work for the PDF editions in parallel, one per core."""

    def __init__(self, count: int, preload: Callable[[], None]) -> None:
        self.count = count
        self.folder = Path(tempfile.mkdtemp(prefix="issuepress-layout-"))
        (self.folder / "tmp").mkdir()
        self.workers: list[_Worker] = []
        self.family: Family | None = None
        # Frozen, this process's objects are left alone by the workers' garbage collections, which would otherwise go
        # through all of them again and again and copy every page they lie on (copy-on-write)
        gc.freeze()
        try:
            if forks_others():
                started, self.family = start_family(count, preload, str(self.folder / "tmp"))
                self.workers = [_Worker(*worker) for worker in started]
            else:
                for _ in range(count):
                    self.workers.append(self._start_one(preload))
        finally:
            gc.unfreeze()
        self._numbers = 0
        self._lock = threading.RLock()  # one thread at a time hands out tasks and reads results
        self._job: Job | None = None
        self._files: dict | None = None  # kept, so that a new dict cannot take the old one's id
        self._settings: Any = None
        self._written: dict[str, str] = {}  # file names in the job folder, by the asset's digest
        self._used = False
        self._previous: set[str] = set()
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

    @property
    def broken(self) -> bool:
        """No worker is left (all died): work is done in this process from then on."""
        return not any(not worker.dead for worker in self.workers)

    def _start_one(self, preload: Callable[[], None]) -> _Worker:
        context = multiprocessing.get_context("fork")
        task_reader, task_writer = context.Pipe(duplex=False)
        result_reader, result_writer = context.Pipe(duplex=False)
        # The child closes the ends it must not hold: this process's ends of its own pipes and of every
        # earlier worker's, so that a pipe closes when the one worker writing to it dies.
        others = [task_writer, result_reader] + [end for w in self.workers for end in (w.tasks, w.results)]
        process = context.Process(target=process_side.serve, name="issuepress-layout", daemon=True,
                                  args=(task_reader, result_writer, os.getpid(), preload, others,
                                        str(self.folder / "tmp")))
        process.start()
        task_reader.close()
        result_writer.close()
        return _Worker(process, task_writer, result_reader)

    # --- the job: files every task of a build may read ---

    def _use_job(self, files: dict[str, Asset | bytes], settings: Any) -> Job:
        if self._job is None or files is not self._files or settings != self._settings:
            self._new_job(files, settings)
        return self._job

    def _new_job(self, files: dict[str, Asset | bytes], settings: Any) -> None:
        """Write the job file; fonts and images another job wrote stay, those no longer used go."""
        token = uuid.uuid4().hex
        index = {href: found if isinstance(found, bytes) else (self._write(found), found.media_type)
                 for href, found in files.items()}
        path = self.folder / f"job-{token}"
        process_side.dump((index, settings), path)
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

    # --- handing out tasks and waiting for them ---

    def map(self, function: Callable[[Job, Any], T], items: list, files: dict[str, Asset | bytes], settings: Any,
            here: Callable[[Any], T]) -> list[T]:
        """`function(job, item)` for every item, in the workers, with `files` and `settings` as the job
        (`job_in_worker` reads it there). Items no worker is left for are done here, by `here(item)`.
        Raises WorkFailed for an item whose worker died twice doing it, or that ran too long."""
        with self._lock:
            job = self._use_job(files, settings)
            self._used = True
            tasks = [self._task(function, (job, item), item) for item in items]
            self._run(tasks, lambda task: here(task.item))
            self.warm = True
            return [task.value for task in tasks]

    def run(self, function: Callable[[Any], T], items: list) -> list[T]:
        """`function(item)` for every item, in the workers (a module-level function: it is pickled); items no
        worker is left for are done here."""
        with self._lock:
            self._used = True
            tasks = [self._task(function, (item,), item) for item in items]
            self._run(tasks, lambda task: function(task.item))
            return [task.value for task in tasks]

    def hand_off(self, function: Callable[..., T], *args) -> "HandedOff":
        """`function(*args)` in a worker while this process goes on; its `result()` waits for it."""
        with self._lock:
            self._used = True
            task = self._task(function, args, None)
            self._dispatch([task])
            return HandedOff(self, task)

    def _task(self, function: Callable, args: tuple, item: Any) -> _Task:
        self._numbers += 1
        return _Task(self._numbers, function, args, item)

    def _run(self, tasks: list[_Task], here: Callable[[_Task], Any]) -> None:
        """Every task done: in the workers while any is alive, then here (never a task that killed a worker)."""
        while not all(task.done for task in tasks):
            waiting = [task for task in tasks if not task.done and not self._running(task)]
            if waiting and self.broken:
                for task in waiting:
                    if task.tries:  # it was running when its worker died: here it might end this process too
                        raise WorkFailed(task.item, "the layout process doing it stopped unexpectedly")
                    task.value, task.done = here(task), True
                continue
            self._dispatch(waiting)
            self._collect()
        for task in tasks:
            if task.error is not None:
                raise task.error

    def _running(self, task: _Task) -> bool:
        return any(worker.task is task for worker in self.workers)

    def _dispatch(self, tasks: list[_Task]) -> None:
        for worker in self.workers:
            if not tasks:
                return
            if worker.dead or worker.task is not None:
                continue
            task = tasks[0]
            path = self.folder / f"task-{task.number}"
            process_side.dump((task.function, task.args), path)
            try:
                worker.tasks.send((task.number, str(path)))
            except (OSError, EOFError):  # it died while idle
                self._lost(worker, "")
                continue
            task.started, worker.task = time.monotonic(), task
            tasks.pop(0)

    def _collect(self) -> None:
        """Wait (at most a poll interval) for a result or a death among the busy workers, and record it."""
        busy = [worker for worker in self.workers if worker.task is not None]
        if not busy:
            return
        sentinels = [sentinel for w in busy if (sentinel := w.process.sentinel) is not w.results]
        readable = multiprocessing.connection.wait([w.results for w in busy] + sentinels, timeout=POLL_SECONDS)
        for worker in busy:
            task = worker.task
            if worker.results in readable:
                try:
                    while worker.task is task and worker.results.poll():
                        self._heard(worker, task, *worker.results.recv())
                except (OSError, EOFError):
                    self._lost(worker, _how_it_ended(worker.process))
            elif worker.process.sentinel in readable:
                self._lost(worker, _how_it_ended(worker.process))
            elif time.monotonic() - task.started > TASK_SECONDS:
                worker.process.kill()
                self._lost(worker, "")
                task.done, task.error = True, WorkFailed(task.item, f"it took more than {TASK_SECONDS:.0f} s")

    def _heard(self, worker: _Worker, task: _Task, number: int, state: str) -> None:
        """A worker's message: it has started a task (counted: a task that kills two workers is not tried
        again), or finished it, its result or exception in a file."""
        if number == "pid":  # a worker's first word, come after the build stopped waiting for it (family.Forked)
            return
        assert number == task.number, "a worker speaks of the task it was given"
        if state == "started":
            task.tries += 1
            return
        value = process_side.load(self.folder / f"result-{number}")
        task.value, task.error = (value, None) if state == "done" else (None, value)
        task.done, worker.task = True, None
        (self.folder / f"task-{number}").unlink(missing_ok=True)

    def _lost(self, worker: _Worker, how: str) -> None:
        """A worker has died: its task goes back to be done again, unless it has killed a worker before."""
        worker.dead = True
        worker.process.join(timeout=STOP_SECONDS)
        task, worker.task = worker.task, None
        if task is not None and not task.done and task.tries >= 2:
            task.done = True
            task.error = WorkFailed(task.item, f"the layout process doing it stopped unexpectedly ({how}), twice")

    def result_of(self, task: _Task) -> Any:
        # Another thread waiting for its own tasks (the next edition's layout) records this one's result too: the
        # result is taken as soon as it is in, not once that thread lets go of the workers
        while not task.done:
            if self._lock.acquire(timeout=SHARED_POLL_SECONDS):
                try:
                    self._run([task], lambda task: task.function(*task.args))
                finally:
                    self._lock.release()
        if task.error is not None:
            raise task.error
        return task.value

    def close(self, abandoned: bool = False) -> None:
        """Stop the workers. `abandoned`: the build failed or was interrupted, and nothing they are
        doing is wanted any more: they are killed at once. Otherwise they are asked to stop, and killed
        if they have not within a few seconds. Never waits longer."""
        self.closed = True
        try:
            if self.family is not None and (abandoned or not self._used):
                self.family.stop([worker.process for worker in self.workers])
            for worker in self.workers:
                if abandoned or not self._used or worker.task is not None:
                    worker.process.kill()
                else:
                    try:
                        worker.tasks.send(None)
                    except (OSError, EOFError):
                        pass
            deadline = time.monotonic() + STOP_SECONDS
            for worker in self.workers:
                worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
                if worker.process.is_alive():
                    worker.process.kill()
                    worker.process.join(timeout=STOP_SECONDS)
                for end in (worker.tasks, worker.results):
                    end.close()
                if isinstance(worker.process, Forked):
                    worker.process.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)  # a second Ctrl-C must not leave the images behind
            if self.family is not None:
                self.family.close(time.monotonic() + STOP_SECONDS)


class HandedOff:
    """Work handed to a worker; `result()` waits for it (or does it here, if no worker is left)."""

    def __init__(self, workers: Workers, task: _Task):
        self.workers, self.task = workers, task

    def result(self):
        return self.workers.result_of(self.task)


_RUNNING: list[Workers] = []
_DEPTH = threading.Lock()  # a build's editions enter and leave the block from two threads


@contextmanager
def workers_started(preload: Callable[[], None]):
    """Workers for the PDF editions built inside this block: the ones an enclosing block started, or new
    ones that run `preload` first (None where they cannot help)."""
    if _RUNNING:
        outer = _RUNNING[-1]
        with _DEPTH:
            outer.depth += 1
        try:
            yield outer
        finally:
            with _DEPTH:
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


def _how_it_ended(process) -> str:
    process.join(timeout=STOP_SECONDS)
    code = process.exitcode
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            return f"signal {-code}, {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"
