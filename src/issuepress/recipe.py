"""The recipe: load and check everything, render every piece, build the editions in memory, then write them.

Nothing is written until every edition asked for has been made. A problem in
the issue's files (the manifest, an article, an image) stops them all and
leaves the previous editions untouched; a problem of one edition only (the
printer's preflight, say) keeps that edition's previous file, and the others
are written.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Generic, TypeVar

from . import content
from .cache import Cache, MemoryCache
from .editions import EDITIONS, Edition, Finish, Made, folios
from .errors import IssueError, Problem, Problems
from .layouts import Theme, load_theme
from .load import manifest
from .model import Contributor, RenderedIssue
from .outputs import folder_size, write_file, write_tree

T = TypeVar("T")


@dataclass(frozen=True)
class Built:
    edition: Edition
    path: Path
    size: int
    seconds: float
    detail: str = ""
    warnings: tuple = ()


def load(root: Path, issue_id: str, cache: Cache | None = None,
         every_layout: bool = True) -> tuple[RenderedIssue, Theme]:
    """Read, check and render one issue of a magazine folder, or raise IssueError with every problem (`every_layout`:
    False where only the editions are made, see `load_theme`)."""
    root = root.resolve()
    problems = Problems(root)
    theme = load_theme(root, problems, cache, every_layout)
    issue = manifest.load_issue(root, issue_id, problems)
    if issue is None:
        problems.raise_if_any()
    assert issue is not None, "the manifest loader returns None only with a problem to say"
    note, articles, registry = content.render_issue_pieces(issue, problems, cache or MemoryCache())
    cover = None
    if issue.cover:
        cover = registry.image(issue.cover, issue.lines.get("cover"), issue.manifest)
    problems.raise_if_any()
    rendered = RenderedIssue(issue=issue, editors_note=note, articles=articles, cover=cover, contributors=(),
                             warnings=tuple(problems.warnings))
    bios = content.render_bios(_bio_order(issue, rendered.pieces), issue.language)
    return replace(rendered, contributors=bios), theme


def _unwritable(folder: Path) -> str | None:
    """Why the editions cannot be written into `folder` (made if missing), or None."""
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            return f"cannot write the editions to {folder}: {existing} is a file, not a folder"
    except OSError as error:
        return f"cannot write the editions to {folder}: {error.strerror or error}"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write the editions to {folder}: {existing} is not writable"
    return None


def _bio_order(issue, pieces) -> tuple[Contributor, ...]:
    """Whose bios the issue prints: authors in reading order, then the issue's other contributors."""
    people: dict[str, Contributor] = {}
    for piece in pieces:
        for author in piece.authors:
            if author.id in issue.contributors:
                people.setdefault(author.id, author)
    for cid in issue.featured:
        people.setdefault(cid, issue.contributors[cid])
    return tuple(people.values())


def preflight(rendered: RenderedIssue, theme: Theme):
    """The print edition laid out in memory and checked as a print shop would, its slow checks too
    (every page in separations); nothing is written."""
    from .editions.pdf.document import render_pdf

    _data, report = render_pdf(rendered, theme, MemoryCache(), screen=False, thorough=True)
    return report


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    """Rehearse every edition in memory, writing nothing (the web edition and the EPUB made, the PDFs'
    layouts rendered): a mistake in a layout that only building would show is found by `check`. Returns
    their warnings."""
    warnings, problems = [], []
    for rehearsal in dict.fromkeys(edition.rehearse for edition in EDITIONS.values()):
        try:
            warnings += rehearsal(rendered, theme)
        except IssueError as error:  # every edition's mistakes at once, not one edition's per check
            problems += error.problems
    if problems:
        raise IssueError(problems)
    return tuple(warnings)


def build(root: Path, issue_id: str, formats: list[str], out_dir: Path | None = None,
          progress: Callable[[str, str], None] = lambda event, name: None,
          use_cache: bool = True) -> tuple[RenderedIssue, list[Built], list["Failed"]]:
    """Build the editions named in `formats`; returns the issue, what was written, and the editions that
    could not be made (a problem of one edition only: the others are written). A problem in the issue's
    files stops every edition: IssueError."""
    with layout_workers(formats):
        return _build(root, issue_id, formats, out_dir, progress, use_cache)


def layout_workers(formats: list[str]):
    """A block in which the PDF editions' layout processes run, started now: before the issue is
    read, and before a progress display starts a thread (forking a threaded process is unsafe). The
    editions that carry the print edition's page numbers lay it out there too, when it is not cached."""
    if not any(EDITIONS[name].lays_out or EDITIONS[name].paged for name in formats):
        return nullcontext()
    from .editions.pdf.layout import workers_started

    # Only the page numbers, which a build that laid the print edition out left in the cache: the processes
    # load WeasyPrint when they are given a part to lay out, not beside a build that may not need them
    return workers_started(preload=any(EDITIONS[name].lays_out for name in formats))


def _started_beside_layout(formats: list[str], start: Callable[[str], T]) -> "_Started[T]":
    """`start(name)` for every edition: the PDF editions in a thread of their own, since they mostly wait
    for their layout processes, and the web edition and the EPUB meanwhile in this one. A rebuild after
    one story changed then takes as long as that story's layout, not that plus the other editions."""
    laid_out = [name for name in formats if EDITIONS[name].lays_out]
    others = [name for name in formats if name not in laid_out]
    if not laid_out or not others:
        return _Started({name: start(name) for name in formats})
    beside = _Beside(laid_out, start)
    try:
        here = {name: start(name) for name in others}
    except BaseException:  # a bug, or Ctrl-C: the layout processes must be free again for the next build (--watch)
        beside.wait()
        raise
    return _Started(here, beside)


class _Beside(Generic[T]):
    """`start(name)` for each name in turn, in a daemon thread (an interrupted build does not wait for it);
    `result(name)` waits for that one only, so that an edition can be finished while the next one starts."""

    def __init__(self, names: list[str], start: Callable[[str], T]):
        self.names, self.start = names, start
        self.values: dict[str, T] = {}
        self.error: BaseException | None = None
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="issuepress-layout", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for name in self.names:
                value = self.start(name)
                with self.changed:
                    self.values[name] = value
                    self.changed.notify_all()
        except BaseException as error:  # handed to the thread that asks for a result
            with self.changed:
                self.error = error
                self.changed.notify_all()

    def result(self, name: str) -> T:
        with self.changed:
            # Each start is bounded (its layout processes' tasks are); the thread ends with a value or an error
            self.changed.wait_for(lambda: name in self.values or self.error is not None or not self.thread.is_alive())
            if name in self.values:
                return self.values[name]
        self.thread.join()
        if self.error is not None:
            raise self.error
        raise AssertionError(f"the start of {name} ended without a result")

    def wait(self) -> None:
        """Once it has finished, whatever it did (the caller has its own error to say)."""
        self.thread.join()


class _Started(Generic[T]):
    """The editions' starts: those made in this thread, and those still being made beside it."""

    def __init__(self, here: dict[str, T], beside: _Beside[T] | None = None):
        self.here, self.beside = here, beside

    def __getitem__(self, name: str) -> T:
        """The edition's start, once it has been made."""
        return self.here[name] if name in self.here else self.beside.result(name)

    def wait(self) -> None:
        """Once every start has been made (or has failed: its error is raised where it is asked for)."""
        if self.beside is not None:
            self.beside.wait()


@dataclass(frozen=True)
class Failed:
    """An edition that could not be made: its problems, and the file that keeps its last good version."""

    edition: Edition
    path: Path
    problems: tuple[Problem, ...]


@dataclass
class _Making:
    """One edition on its way: how long its work has taken so far, and what it made or why it could not."""

    edition: Edition
    seconds: float = 0.0
    finish: Finish | None = None
    made: Made | None = None
    problems: tuple[Problem, ...] = ()


def _build(root: Path, issue_id: str, formats: list[str], out_dir: Path | None,
           progress: Callable[[str, str], None],
           use_cache: bool) -> tuple[RenderedIssue, list[Built], list[Failed]]:
    progress("load", issue_id)
    out_dir = out_dir or root / "build" / issue_id
    unwritable = _unwritable(out_dir)  # said now, not after a minute of layout
    cache = Cache(root / "build" / ".cache") if use_cache else MemoryCache()
    # a problem in the manifest or the text stops every edition
    rendered, theme = load(root, issue_id, cache, every_layout=False)
    if unwritable:
        raise IssueError(unwritable)
    progress("loaded", issue_id)

    def start(name: str) -> _Making:
        making = _Making(EDITIONS[name])
        progress("start", name)
        begun = time.perf_counter()
        try:
            making.finish = making.edition.start(rendered, theme, cache)
        except IssueError as error:  # this edition's own problem (a layout's mistake): the others go on
            making.problems = error.problems
        making.seconds = time.perf_counter() - begun
        return making

    started = _started_beside_layout(formats, start)
    try:
        _finish_all(formats, started, progress)
    except BaseException:  # a bug, or Ctrl-C: the layout processes must be free again for the next build (--watch)
        started.wait()
        raise
    made = [started[name] for name in formats]
    built = [_write(making, out_dir, issue_id) for making in made if making.made is not None]
    if built:
        cache.commit()  # what was made is right for its inputs, even where another edition failed
    failed = [Failed(making.edition, making.edition.target(out_dir, issue_id), making.problems)
              for making in made if making.made is None]
    return rendered, built, failed


def _finish_all(formats: list[str], started: "_Started[_Making]", progress: Callable[[str, str], None]) -> None:
    """Finish every edition started. The editions that carry the print edition's page numbers are finished as
    soon as its pages are planned, while its assembly and the screen PDF's go on in the layout processes; should
    the print PDF then fail (its preflight, say), they are made again without the numbers, which would cite the
    pages of a PDF that was not written."""

    def finish(making: _Making, refused: tuple[Problem, ...] = ()) -> None:
        if making.finish is None:  # its start failed: its problems are said
            return
        begun = time.perf_counter()
        making.made, making.problems = None, ()
        try:
            with folios.print_refused(refused):
                making.made = making.finish()
        except IssueError as error:  # preflight refused it, say: the web edition and the EPUB are still written
            making.problems = error.problems
        making.seconds += time.perf_counter() - begun

    def said(name: str) -> None:
        progress("done" if started[name].made is not None else "failed", name)

    paged = [name for name in formats if EDITIONS[name].paged]
    printed = started["pdf"] if "pdf" in formats else None
    if printed is None:  # they lay the print edition out themselves: once the other PDFs have laid out the parts
        started.wait()  # they share, not beside them (both would lay out every part)
    for name in paged:
        finish(started[name], printed.problems if printed is not None and printed.finish is None else ())
    if printed is not None:
        finish(printed)
        said("pdf")
        if printed.made is None and printed.finish is not None:
            for name in paged:
                finish(started[name], printed.problems)
    for name in paged:
        said(name)
    for name in formats:
        if name != "pdf" and name not in paged:
            finish(started[name])
            said(name)


def _write(making: _Making, out_dir: Path, issue_id: str) -> Built:
    edition, result = making.edition, making.made
    path = edition.target(out_dir, issue_id)
    begun = time.perf_counter()
    try:
        if edition.is_folder:
            write_tree(path, result.data)
            size = folder_size(result.data)
        else:
            write_file(path, result.data)
            size = len(result.data)
        for folder in dict.fromkeys(name.split("/", 1)[0] for name in result.beside):  # the printer's package
            write_tree(out_dir / folder, {name.split("/", 1)[1]: data for name, data in result.beside.items()
                                          if name.startswith(folder + "/")})
    except OSError as error:  # a full disk, a folder made read-only mid-build
        raise IssueError(f"could not write {path}: {error.strerror or error}") from None
    seconds = making.seconds + time.perf_counter() - begun
    return Built(edition, path, size, seconds, result.detail, result.warnings)
