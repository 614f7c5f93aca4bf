"""The first layout process and the workers it forks -> what the build's process needs of them as processes: how
each is watched, signalled and waited for, and how it ended (see `pool`; the processes' side is `worker.start_family`).
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import time
from typing import Callable

from . import worker as process_side

STOP_SECONDS = 5.0  # how long a worker asked to stop may take before it is killed
START_SECONDS = 120.0  # how long the first layout process may take to load WeasyPrint and fork the workers


def forks_others() -> bool:
    """Whether this system lets a process watch and signal one it did not start (Linux 5.4's pidfd), as this one
    must the workers that the first one forks."""
    if not (hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal") and hasattr(os, "P_PIDFD")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def start_family(count: int, preload: Callable[[], None], temporary: str) -> tuple[list[tuple], "Family"]:
    """`count` workers (each as (process, its tasks' pipe end, its results' pipe end)), forked by one first process once
    it has loaded WeasyPrint (`worker.start_family`): loaded once, not once per worker on the cores the build's process
    is reading the issue on."""
    context = multiprocessing.get_context("fork")
    pipes = [(context.Pipe(duplex=False), context.Pipe(duplex=False)) for _ in range(count)]
    theirs = [(task_reader, result_writer) for (task_reader, _), (_, result_writer) in pipes]
    status_reader, status_writer = context.Pipe(duplex=False)
    lifeline, kept = os.pipe()  # the build's process holds the only writing end: it closes when that process ends
    ours = [end for (_, task_writer), (result_reader, _) in pipes for end in (task_writer, result_reader)]
    first = context.Process(target=process_side.start_family, name="issuepress-layout", daemon=True,
                            args=(theirs, os.getpid(), preload, [*ours, status_reader, kept], lifeline,
                                  status_writer, temporary))
    first.start()
    for end in [end for pair in theirs for end in pair] + [status_writer]:
        end.close()
    os.close(lifeline)
    family = Family(first, status_reader, kept)
    return [(Forked(family, result_reader), task_writer, result_reader)
            for (_, task_writer), (result_reader, _) in pipes], family


class Family:
    """The first layout process, which forked the workers, and what it says of how each of them ended."""

    def __init__(self, first, statuses, lifeline: int):
        self.first, self.statuses, self.lifeline = first, statuses, lifeline
        self.codes: dict[int, int] = {}
        self.deadline = time.monotonic() + START_SECONDS  # for every worker to be forked

    def exitcode(self, pid: int, seconds: float) -> int | None:
        """How the worker `pid` ended (as multiprocessing says it: -N for signal N), once the first process has
        heard it; None if not within `seconds`."""
        deadline = time.monotonic() + seconds
        try:
            while pid not in self.codes and self.statuses.poll(max(0.0, deadline - time.monotonic())):
                ended, code = self.statuses.recv()
                self.codes[ended] = code
        except (EOFError, OSError):  # the first process has gone
            pass
        return self.codes.get(pid)

    def stop(self, workers: list["Forked"]) -> None:
        """Stop the first process, and with it the workers, at once (their pids are not asked for after: they become
        free for any other process); it forks none more."""
        for worker in workers:
            worker.give_up()
        self.first.kill()

    def close(self, deadline: float) -> None:
        """Let the workers go: the first process reaps them and ends (killed if it has not by `deadline`, and with it
        any worker still running)."""
        os.close(self.lifeline)
        self.first.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.first.is_alive():
            self.first.kill()
            self.first.join(timeout=STOP_SECONDS)
        self.statuses.close()


class Forked:
    """A worker the first layout process forked, as this process sees it (what it needs of multiprocessing's
    Process): its pid comes first on its results pipe, and it is watched and signalled through a pidfd."""

    def __init__(self, family: Family, results):
        self.family, self.results = family, results
        self._pid: int | None = None
        self._fd: int | None = None
        self._asked = False

    def _known(self) -> bool:
        """Whether the worker was started (waiting, until the family's deadline, for the first process to load
        WeasyPrint and fork it)."""
        if not self._asked:
            self._asked = True
            try:
                if self.results.poll(max(0.0, self.family.deadline - time.monotonic())):
                    _word, pid = self.results.recv()
                    self._fd, self._pid = os.pidfd_open(pid), pid
                else:  # it forks no worker more: those not forked are not waited for again, those forked end with it
                    self.family.first.kill()
            except (EOFError, OSError):  # the first process died before forking it, or it has gone already
                pass
        return self._fd is not None

    def give_up(self) -> None:
        """Never ask for the worker's pid if it has not been asked for: the first process is about to be stopped, and
        with it the workers, whose pids then become free for any other process."""
        self._asked = True

    @property
    def pid(self) -> int | None:
        return self._pid if self._known() else None

    @property
    def sentinel(self):
        """Ready when the worker has ended (a worker never started: its results pipe, closed)."""
        return self._fd if self._known() else self.results

    def is_alive(self) -> bool:
        return self._known() and not _ended(self._fd, 0)

    def join(self, timeout: float | None = None) -> None:
        if self._known():
            _ended(self._fd, timeout)

    def kill(self) -> None:
        if self._known():
            try:
                signal.pidfd_send_signal(self._fd, signal.SIGKILL)
            except OSError:  # it has ended already (or a sandbox refuses signals: it ends with the first process)
                pass

    @property
    def exitcode(self) -> int | None:
        if self.is_alive() or self._pid is None:
            return None
        return self.family.exitcode(self._pid, STOP_SECONDS)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _ended(pidfd: int, timeout: float | None) -> bool:
    """Whether the process has ended, waiting at most `timeout` seconds (None: for as long as it takes)."""
    watching = select.poll()
    watching.register(pidfd, select.POLLIN)
    return bool(watching.poll(None if timeout is None else max(0, int(timeout * 1000))))
