"""The recipe: load and check everything, render every piece, build the editions in memory, then write them.

Nothing is written until every edition asked for has been built, so a
problem anywhere leaves the previous editions untouched.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Generic, TypeVar

from . import content, manifest
from .editions import Made
from .cache import Cache, MemoryCache
from .errors import IssueError, Problems
from .layouts import Theme, load_theme
from .model import Contributor, RenderedIssue
from .outputs import folder_size, write_file, write_tree

T = TypeVar("T")


@dataclass(frozen=True)
class Edition:
    name: str
    describe: str
    target: Callable[[Path, str], Path]  # (output folder, issue id) -> file or folder written
    maker: str  # "module:function" in issuepress.editions; imported when used (WeasyPrint takes 0.5s)
    lays_out: bool = False  # laid out by WeasyPrint in pages

    def make(self, rendered: RenderedIssue, theme: Theme, cache: Cache) -> Made:
        return self.start(rendered, theme, cache)()

    def start(self, rendered: RenderedIssue, theme: Theme, cache: Cache) -> Callable[[], Made]:
        """Build the edition; the returned function gives it. A PDF edition returns before its
        assembly (done in a layout process) has finished, so that the next edition starts meanwhile."""
        module, function = self.maker.split(":")
        made = getattr(importlib.import_module(f"issuepress.editions.{module}"), function)(rendered, theme, cache)

        def finish() -> Made:
            result = made() if callable(made) else made
            return result if isinstance(result, Made) else Made(result)

        return finish


EDITIONS: dict[str, Edition] = {
    "html": Edition("html", "web edition", lambda out, issue_id: out / "html", "html:build"),
    "epub": Edition("epub", "EPUB", lambda out, issue_id: out / f"{issue_id}.epub", "epub:build"),
    "pdf": Edition("pdf", "print PDF", lambda out, issue_id: out / f"{issue_id}.pdf", "pdf:build_print",
                   lays_out=True),
    "screen-pdf": Edition("screen-pdf", "screen PDF", lambda out, issue_id: out / f"{issue_id}-screen.pdf",
                          "pdf:build_screen", lays_out=True),
}


@dataclass(frozen=True)
class Built:
    edition: Edition
    path: Path
    size: int
    seconds: float
    detail: str = ""
    warnings: tuple = ()


def load(root: Path, issue_id: str, cache: Cache | None = None) -> tuple[RenderedIssue, Theme]:
    """Read, check and render one issue of a magazine folder, or raise IssueError with every problem."""
    root = root.resolve()
    problems = Problems(root)
    theme = load_theme(root, problems, cache)
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
    from .editions.pdf import render_pdf

    _data, report = render_pdf(rendered, theme, MemoryCache(), screen=False, thorough=True)
    return report


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    """Make the web edition and the EPUB in memory, and render the print layouts, writing nothing: a
    mistake in a layout that only building would show is found by `check`. Returns their warnings."""
    from .editions.pdf import check_layouts

    warnings, problems = [], []
    for step in (lambda: EDITIONS["html"].make(rendered, theme, MemoryCache()).warnings,
                 lambda: EDITIONS["epub"].make(rendered, theme, MemoryCache()).warnings,
                 lambda: check_layouts(rendered, theme) or ()):
        try:
            warnings += step()
        except IssueError as error:  # every edition's mistakes at once, not one edition's per check
            problems += error.problems
    if problems:
        raise IssueError(problems)
    return tuple(warnings)


def build(root: Path, issue_id: str, formats: list[str], out_dir: Path | None = None,
          progress: Callable[[str, str], None] = lambda event, name: None,
          use_cache: bool = True) -> tuple[RenderedIssue, list[Built]]:
    """Build the editions named in `formats`; returns what was written."""
    with layout_workers(formats):
        return _build(root, issue_id, formats, out_dir, progress, use_cache)


def layout_workers(formats: list[str]):
    """A block in which the PDF editions' layout processes run, started now: before the issue is
    read, and before a progress display starts a thread (forking a threaded process is unsafe)."""
    if not any(EDITIONS[name].lays_out for name in formats):
        return nullcontext()
    from .editions.pdfparts import workers_started

    return workers_started()


def _started_beside_layout(formats: list[str], start: Callable[[str], T]) -> list[tuple[str, T]]:
    """`start(name)` for every edition: the PDF editions in a thread of their own, since they mostly wait
    for their layout processes, and the web edition and the EPUB meanwhile in this one. A rebuild after
    one story changed then takes as long as that story's layout, not that plus the other editions."""
    laid_out = [name for name in formats if EDITIONS[name].lays_out]
    others = [name for name in formats if name not in laid_out]
    if not laid_out or not others:
        return [(name, start(name)) for name in formats]
    beside = _Beside(lambda: [(name, start(name)) for name in laid_out])
    try:
        here = [(name, start(name)) for name in others]
    except IssueError as error:  # the PDF editions' problems too, once their layouts are done
        raise IssueError(error.problems + beside.problems()) from None
    except Exception:  # a bug: the layout processes must be free again for the next build (--watch)
        beside.problems()
        raise
    return here + beside.result()


class _Beside(Generic[T]):
    """A function run in a daemon thread (an interrupted build does not wait for it); `result()` joins."""

    def __init__(self, function: Callable[[], T]):
        self.function, self.value, self.error = function, None, None
        self.thread = threading.Thread(target=self._run, name="issuepress-layout", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.value = self.function()
        except BaseException as error:  # handed to the thread that asks for the result
            self.error = error

    def result(self) -> T:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.value

    def problems(self) -> tuple:
        """Once it has finished: the problems it raised, if any (a bug of its own is said by the caller's)."""
        try:
            self.result()
        except IssueError as error:
            return error.problems
        except Exception:
            pass
        return ()


def _build(root: Path, issue_id: str, formats: list[str], out_dir: Path | None,
           progress: Callable[[str, str], None], use_cache: bool) -> tuple[RenderedIssue, list[Built]]:
    progress("load", issue_id)
    out_dir = out_dir or root / "build" / issue_id
    unwritable = _unwritable(out_dir)  # said now, not after a minute of layout
    cache = Cache(root / "build" / ".cache") if use_cache else MemoryCache()
    rendered, theme = load(root, issue_id, cache)
    if unwritable:
        raise IssueError(unwritable)
    progress("loaded", issue_id)
    made: list[tuple[Edition, Made, float]] = []

    def start(name: str) -> tuple[Edition, Callable[[], Made], float]:
        edition = EDITIONS[name]
        begun = time.perf_counter()
        return edition, edition.start(rendered, theme, cache), time.perf_counter() - begun

    for name in formats:  # said here, in this order: the editions are started side by side
        progress("start", name)
    try:
        started = dict(_started_beside_layout(formats, start))
        for edition, finish, seconds in (started[name] for name in formats):
            begun = time.perf_counter()
            made.append((edition, finish(), seconds + time.perf_counter() - begun))
            progress("done", edition.name)
    except IssueError as error:  # the issue's warnings too: a failed build is when they matter most
        raise IssueError(rendered.warnings + tuple(w for _e, result, _s in made for w in result.warnings)
                         + error.problems) from None
    built = []
    for edition, result, seconds in made:
        path = edition.target(out_dir, issue_id)
        try:
            if isinstance(result.data, dict):
                write_tree(path, result.data)
                detail = result.detail or f"{len(result.data)} files"
                built.append(Built(edition, path, folder_size(result.data), seconds, detail, result.warnings))
            else:
                write_file(path, result.data)
                built.append(Built(edition, path, len(result.data), seconds, result.detail, result.warnings))
            for folder in dict.fromkeys(name.split("/", 1)[0] for name in result.beside):  # the printer's package
                write_tree(out_dir / folder, {name.split("/", 1)[1]: data for name, data in result.beside.items()
                                              if name.startswith(folder + "/")})
        except OSError as error:  # a full disk, a folder made read-only mid-build
            written = "; written before it: " + ", ".join(str(item.path) for item in built) if built else ""
            raise IssueError(f"could not write {path}: {error.strerror or error}{written}") from None
    cache.commit()
    return rendered, built
