"""Issue jobs -> their results, made side by side: in a process per core of this computer, or on a Dask cluster.

The work is the same function either way (`job.build_issue`); only where it runs differs. A local build uses
a pool of worker processes started from a fork server that has already imported issuepress, so each worker
starts in a moment. With `--scheduler tcp://HOST:PORT` the jobs go to an existing Dask distributed cluster
(`pip install 'issuepress[dask]'`), whose workers must have the same issuepress installed and see the
magazine folder at the same path (a shared file system); the results come back here and are written here.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout

from ...cache import CODE
from ...errors import IssueError
from .job import IssueJob, IssueResult, build_issue

PER_ISSUE_TIMEOUT = 120  # seconds an issue may take on a busy machine; the whole batch gets that per issue


def default_workers() -> int:
    """One process per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_jobs(jobs: list[IssueJob], workers: int, scheduler: str | None,
             done: Callable[[IssueResult], None] = lambda result: None) -> list[IssueResult]:
    """Every job's result, in the order given; `done` hears of each as it finishes."""
    if not jobs:
        return []
    if scheduler:
        results = _on_dask(jobs, scheduler, done)
    elif workers <= 1 or len(jobs) == 1:  # one issue to build (the usual rebuild): no processes to start
        results = {}
        for job in jobs:
            results[job.issue_id] = build_issue(job)
            done(results[job.issue_id])
    else:
        results = _on_this_computer(jobs, workers, done)
    ordered = [results[job.issue_id] for job in jobs]
    strangers = sorted({result.issue_id for result in ordered if result.code != CODE})
    if strangers:
        raise IssueError(f"issues {', '.join(strangers)} were built by another version of issuepress than this "
                         "one; install the same version on every Dask worker")
    return ordered


def _timeout(jobs: list) -> float:
    return 60 + PER_ISSUE_TIMEOUT * len(jobs)


def _on_this_computer(jobs: list[IssueJob], workers: int, done) -> dict[str, IssueResult]:
    # A fork server, not fork: `serve --site` builds while its file watchers run, and forking a process that
    # runs threads can leave a child waiting on a lock no thread will release.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["issuepress.workflow.site.job"])
    results: dict[str, IssueResult] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(build_issue, job): job for job in jobs}
        try:
            for future in as_completed(futures, timeout=_timeout(jobs)):
                result = future.result()
                results[result.issue_id] = result
                done(result)
        except FuturesTimeout:
            for future in futures:
                future.cancel()
            raise IssueError(f"the issues were not built within {_timeout(jobs):.0f} seconds") from None
    return results


def _on_dask(jobs: list[IssueJob], address: str, done) -> dict[str, IssueResult]:
    try:
        import distributed
    except ImportError:
        raise IssueError("--scheduler needs Dask distributed: pip install 'issuepress[dask]'") from None
    try:
        # Bounded by Dask's own setting, distributed.comm.timeouts.connect (30 s unless configured)
        client = distributed.Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise IssueError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    results: dict[str, IssueResult] = {}
    with client, client.as_current():  # as_completed finds the client this way, not as the process's default
        futures = client.map(build_issue, jobs, pure=False, key=[f"issuepress-{job.issue_id}" + "-" +
                                                                  os.urandom(4).hex() for job in jobs])
        try:
            for future in distributed.as_completed(futures, timeout=_timeout(jobs)):
                result = future.result()
                results[result.issue_id] = result
                done(result)
        except TimeoutError:
            client.cancel(futures)
            raise IssueError(f"the Dask cluster at {address} did not build the issues within "
                             f"{_timeout(jobs):.0f} seconds") from None
    return results


