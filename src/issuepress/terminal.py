"""What issuepress has to say -> the terminal: problem lines, build progress, summaries and failures.

Everything goes to standard error through one rich `Console`, so standard
output stays free for what a command produces (`list`). Rich already gives
colour only on a terminal and honours `NO_COLOR`; on a terminal progress is a
live line per edition, elsewhere (a log, CI, a pipe) it is plain lines.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from .errors import IssueError, Problem

QUIET, NORMAL, VERBOSE = 0, 1, 2


def plain_console(stderr: bool) -> Console:
    """A console that prints text as it is written: rich's markup (`[bold]`) and emoji codes (`:100:`, which
    turned `a.md:100: message` into `a.md💯 message`) are off, whatever the text holds."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


@dataclass
class Output:
    """The console and how much to say: QUIET shows only problems, VERBOSE also what was read."""

    level: int = NORMAL
    # soft_wrap: a problem line is never broken, so editors and tools can read `path:line:` whole
    console: Console = field(default_factory=lambda: plain_console(stderr=True))

    def say(self, message: str | Text, style: str | None = None) -> None:
        """A line as it is written: paths and an author's words are never read as markup. Colour a word
        with `Text.assemble(("created", "green"), " the rest")`."""
        if self.level >= NORMAL:
            self.console.print(message, style=style, soft_wrap=True)

    def detail(self, message: str) -> None:
        if self.level >= VERBOSE:
            self.console.print(message, style="dim", markup=False, soft_wrap=True)

    def problems(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        for problem in ordered(problems):
            style = "yellow" if problem.warning else "red"
            self.console.print(str(problem), style=style, markup=False, soft_wrap=True)

    def table(self, table: RenderableType, stdout: bool = False) -> None:
        """A table at its natural width: a log or a pipe has no edge to wrap at, and grep needs whole rows."""
        console = plain_console(stderr=False) if stdout else self.console
        if console.is_terminal:
            console.print(table)
            return
        wanted = Measurement.get(console, console.options.update_width(100_000), table).maximum
        narrow = console.width
        console.width = max(narrow, wanted)
        try:
            console.print(table)
        finally:
            console.width = narrow


def ordered(problems: tuple[Problem, ...] | list[Problem]) -> tuple[Problem, ...]:
    """Errors, then warnings; within each, file by file (in the order met) and line by line; each once
    (the print and the screen PDF find the same things in the parts they share)."""
    problems = list(dict.fromkeys(problems))
    files = {p.path: index for index, p in reversed(list(enumerate(problems)))}
    return tuple(sorted(problems, key=lambda p: (p.warning, files[p.path], p.line or 0)))


@contextmanager
def failures(out: Output, failed: str, consequence: str, interrupted: str = "interrupted; nothing was written",
             keep_going: bool = False):
    """Content problems -> their lines and exit 1; Ctrl-C/SIGTERM -> exit 130; a bug -> one line and exit 70.

    With `keep_going` (a build that waits for the next change) problems and bugs are said the same
    way but nothing exits, and Ctrl-C is left to the caller."""
    try:
        yield
    except IssueError as error:
        out.problems(error.problems)
        errors = sum(not p.warning for p in error.problems)
        out.console.print(f"{failed}: {errors} problem{'s' * (errors != 1)}; {consequence}", style="bold red",
                          markup=False, soft_wrap=True)
        if not keep_going:
            sys.exit(1)
    except KeyboardInterrupt:
        if keep_going:
            raise
        out.console.print(interrupted, style="bold red")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("ISSUEPRESS_DEBUG"):
            raise
        out.console.print(f"internal error: {type(error).__name__}: {error}", style="bold red", markup=False)
        out.console.print("This is a bug in issuepress, not a problem in the issue. Please report it with the "
                          "command you ran; ISSUEPRESS_DEBUG=1 shows the traceback.", soft_wrap=True)
        if not keep_going:
            sys.exit(70)


def counted(number: int, thing: str, things: str | None = None) -> str:
    """'1 piece', '2 pieces'."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"


def because_of(changed: list[Path] | None) -> str:
    """" (articles/x.md changed)" for a rebuild, naming at most three files; "" for a first build."""
    if not changed:
        return ""
    return f" ({', '.join(shown(p) for p in changed[:3])}{' ...' * (len(changed) > 3)} changed)"


def shown(path: Path) -> str:
    """A path as the user typed it would be: relative to where they are, when it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class _Seconds(ProgressColumn):
    """Elapsed time as '2.31s': editions take seconds, not minutes."""

    def render(self, task: Task) -> Text:
        seconds = task.finished_time if task.finished else task.elapsed
        return Text(f"{seconds or 0:.2f}s", style="cyan")


class BuildProgress:
    """The recipe's progress events -> one line per step: live with a timer on a terminal, plain in a log."""

    def __init__(self, out: Output, issue_id: str, describe: dict[str, str]):
        self.out, self.issue_id, self.describe = out, issue_id, describe
        self.live = out.level >= NORMAL and out.console.is_terminal
        self.progress: Progress | None = None
        self.tasks: dict[str, int] = {}
        self.started: dict[str, float] = {}

    def __enter__(self) -> "BuildProgress":
        if self.live:
            self.progress = Progress(
                SpinnerColumn(finished_text=Text("✓", style="green")),
                TextColumn("{task.fields[step]:<10}", style="bold", markup=False),
                TextColumn("{task.description}", markup=False), _Seconds(), console=self.out.console, transient=False)
            self.progress.start()
        return self

    def __exit__(self, failed, *exc) -> None:
        if self.progress:
            if failed:  # a frozen spinner would look like work still going on; the problems say what happened
                for task in self.progress.tasks:
                    if not task.finished:
                        self.progress.remove_task(task.id)
            self.progress.stop()

    def __call__(self, event: str, name: str) -> None:
        step = "issue" if event in ("load", "loaded") else name
        if event in ("load", "start"):
            what = f"reading {self.issue_id}" if event == "load" else f"building the {self.describe[name]}"
            self._begin(step, what)
        elif event in ("loaded", "done"):
            what = f"read {self.issue_id}" if event == "loaded" else f"built the {self.describe[name]}"
            self._end(step, what)
        elif event == "failed":
            self._end(step, f"could not build the {self.describe[name]}", failed=True)

    def _begin(self, step: str, what: str) -> None:
        self.started[step] = time.perf_counter()
        if self.progress:
            self.tasks[step] = self.progress.add_task(what, total=1, step=step)
        else:  # a log keeps the line at the start, so a stuck edition is visible in it
            self.out.say(Text.assemble((f"{step:<10}", "bold"), f" {what} ..."))

    def _end(self, step: str, what: str, failed: bool = False) -> None:
        seconds = time.perf_counter() - self.started.get(step, time.perf_counter())
        if self.progress and step in self.tasks:
            if failed:  # a cross, not the tick of one that built
                self.progress.remove_task(self.tasks.pop(step))
                self.progress.console.print(Text.assemble(("✗ ", "red"), (f"{step:<10}", "bold"), f" {what}"))
            else:
                self.progress.update(self.tasks[step], description=what, completed=1)
        else:
            self.out.detail(f"{step:<10} {what} in {seconds:.2f}s")


def build_summary(out: Output, issue_id: str, built, not_built, seconds: float, because: str = "") -> None:
    """The table at the end of a build: what was written where, how big, and how long it took, and what could
    not be written (and, for a rebuild, the files whose change it follows)."""
    if not_built:  # said even with --quiet: the problems above need their outcome
        for item in not_built:
            errors = sum(not problem.warning for problem in item.problems)
            kept = f"; {shown(item.path)} is the last one that built" if item.path.exists() else ""
            out.console.print(f"{item.edition.name}: not written ({counted(errors, 'problem')}){kept}",
                              style="bold red", soft_wrap=True)
    if out.level < NORMAL:
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    # On a narrow terminal the path and the details wrap; the edition, size and time never do.
    for name, justify, wraps in (("edition", "left", False), ("output", "left", True), ("size", "right", False),
                                 ("details", "left", True), ("time", "right", False)):
        table.add_column(name, justify=justify, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis")
    for item in built:
        table.add_row(item.edition.name, Text.assemble(("wrote", "green"), f" {shown(item.path)}"),
                      human_size(item.size), item.detail, f"{item.seconds:.2f}s")
    if built:
        out.table(table)
    written = f"{'rebuilt' if because else 'built'} {issue_id} in {seconds:.2f}s{because}"
    if not_built:
        failed = ", ".join(item.edition.name for item in not_built)
        written = (f"{written}: {', '.join(item.edition.name for item in built)} written, {failed} not" if built
                   else f"nothing written for {issue_id} ({seconds:.2f}s{because}): {failed} not built")
    out.say(written, style="bold red" if not_built else "bold")
