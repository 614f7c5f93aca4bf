"""Command line -> builds and checks; content problems become `path:line: message` lines and exit status 1."""

from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from . import build as recipe
from .errors import IssueError, Problem

# soft_wrap: a problem line is never broken, so editors and tools can read `path:line:` whole
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _report(problems: tuple[Problem, ...] | list[Problem]) -> None:
    """Errors, then warnings; within each, file by file (in the order met) and line by line."""
    files = {p.path: index for index, p in reversed(list(enumerate(problems)))}
    for problem in sorted(problems, key=lambda p: (p.warning, files[p.path], p.line or 0)):
        style = "yellow" if problem.warning else "red"
        stderr.print(str(problem), style=style, markup=False, soft_wrap=True)


@contextmanager
def _failures(failed: str, consequence: str, interrupted: str = "interrupted; nothing was written"):
    """Content problems -> their lines and exit 1; Ctrl-C/SIGTERM -> exit 130; a bug -> one line and exit 70."""
    try:
        yield
    except IssueError as error:
        _report(error.problems)
        errors = sum(not p.warning for p in error.problems)
        stderr.print(f"{failed}: {errors} problem{'s' * (errors != 1)}; {consequence}", style="bold red")
        sys.exit(1)
    except KeyboardInterrupt:
        stderr.print(interrupted, style="bold red")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("ISSUEPRESS_DEBUG"):
            raise
        stderr.print(f"internal error: {type(error).__name__}: {error}", style="bold red", markup=False)
        stderr.print("This is a bug in issuepress, not a problem in the issue. Please report it with the "
                     "command you ran; ISSUEPRESS_DEBUG=1 shows the traceback.", soft_wrap=True)
        sys.exit(70)


def _formats(values: tuple[str, ...]) -> list[str]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in recipe.EDITIONS]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(unknown)}; choose from {', '.join(recipe.EDITIONS)}",
                                 param_hint="--format")
    return list(dict.fromkeys(names)) or list(recipe.EDITIONS)


def _interrupt(signum, frame) -> None:
    """SIGTERM (a closed terminal, a killed job) unwinds like Ctrl-C, so temporary files are removed."""
    raise KeyboardInterrupt


root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="The magazine folder (holding issues/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="issuepress")
def main() -> None:
    """Build magazine issues into an EPUB, a print-ready PDF and an HTML web edition."""
    signal.signal(signal.SIGTERM, _interrupt)


@main.command("build")
@click.argument("issue_id")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="Edition to build: epub, pdf, screen-pdf or html (repeat, or separate with commas). "
                   "Default: all.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the editions here instead of build/ISSUE_ID.")
@click.option("--no-cache", is_flag=True, help="Redo everything; do not use or fill build/.cache.")
@root_option
def build_command(issue_id: str, formats: tuple[str, ...], out: Path | None, no_cache: bool, root: Path) -> None:
    """Build ISSUE_ID (a folder under issues/) into its editions."""
    chosen = _formats(formats)
    started = time.perf_counter()

    def progress(event: str, name: str) -> None:
        if event == "start":
            stderr.print(f"[bold]{name:<10}[/bold] building the {recipe.EDITIONS[name].describe} ...")
        elif event == "load":
            stderr.print(f"[bold]{'issue':<10}[/bold] reading {issue_id} ...")

    with _failures("build failed", "nothing was written"):
        rendered, built = recipe.build(root, issue_id, chosen, out, progress, use_cache=not no_cache)
    _report(rendered.warnings + tuple(w for item in built for w in item.warnings))
    for item in built:
        detail = f", {item.detail}" if item.detail else ""
        stderr.print(f"[green]wrote[/green] {_shown(item.path)}  ({_human_size(item.size)}{detail}, "
                     f"{item.seconds:.2f}s)", soft_wrap=True)
    stderr.print(f"built {issue_id} in {time.perf_counter() - started:.2f}s", style="bold")


@main.command("check")
@click.argument("issue_id")
@click.option("--print", "preflight", is_flag=True,
              help="Also lay out the print PDF (without writing it) and run the printer's preflight checks.")
@root_option
def check_command(issue_id: str, preflight: bool, root: Path) -> None:
    """Check ISSUE_ID's manifest, articles, images and layouts; build nothing."""
    with _failures(f"{issue_id} has problems", "fix them and check again"):
        rendered, theme = recipe.load(root, issue_id)
        findings = recipe.preflight(rendered, theme) if preflight else None
    _report(rendered.warnings + (tuple(findings.problems) if findings else ()))
    if findings:
        stderr.print(f"print PDF: {findings.summary()}; fonts: {', '.join(findings.fonts)}", soft_wrap=True)
        if findings.errors:
            stderr.print(f"{len(findings.errors)} problems a printer would reject", style="bold red")
            sys.exit(1)
    pieces = len(rendered.pieces)
    stderr.print(f"{issue_id} is ready to build: {pieces} pieces, {len(rendered.assets)} images, "
                 f"{len(rendered.warnings)} warnings", style="bold green")


@main.command("subscribers")
@click.argument("issue_id")
@click.option("--list", "listing", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of subscribers with a header line: id,name,email (other columns are ignored).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the copies. Default: build/ISSUE_ID/subscribers.")
@click.option("--format", "-f", "formats", default="epub", show_default=True, metavar="FORMATS",
              help="epub, pdf (a stamped screen PDF) or epub,pdf.")
@click.option("--include-email", is_flag=True, help="Also print the subscriber's e-mail address in each copy.")
@click.option("--strict", is_flag=True, help="Stop on a bad row instead of skipping it with a warning.")
@root_option
def subscribers_command(issue_id: str, listing: Path, out: Path | None, formats: str, include_email: bool,
                        strict: bool, root: Path) -> None:
    """Make a personalised copy of ISSUE_ID for every subscriber in a CSV list."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from . import subscribers

    chosen = [name.strip() for name in formats.split(",") if name.strip()]
    if not chosen or set(chosen) - {"epub", "pdf"}:
        raise click.BadParameter("choose epub, pdf or epub,pdf", param_hint="--format")
    started = time.perf_counter()
    with _failures("no copies made", "fix them and run again"):
        rendered, theme = recipe.load(root, issue_id)
        people, problems = subscribers.read_subscribers(listing, Path.cwd(), strict)
    _report(problems)
    out = out or root / "build" / issue_id / "subscribers"
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, disable=not stderr.is_terminal, transient=True) as bar:
        task = bar.add_task("copies", total=len(people) * len(chosen))
        with _failures("no copies made", "fix them and run again",
                       f"interrupted; finished copies are kept in {_shown(out)} and the next run resumes"):
            summary = subscribers.make_copies(rendered, theme, people, out, chosen, include_email,
                                              lambda done, total: bar.update(task, completed=done))
    seconds = time.perf_counter() - started
    rate = f"; {summary.rate:.0f} copies/s after building the issue once" if summary.written else ""
    stderr.print(f"wrote {summary.written} copies to {_shown(out)} ({summary.skipped} already done, "
                 f"{len(problems)} rows skipped) in {seconds:.1f}s{rate}", style="bold", soft_wrap=True)


@main.command("trace")
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The manifest.csv written with the copies. Default: the one beside COPY.")
def trace_command(copy: Path, manifest: Path | None) -> None:
    """Say which subscriber a personalised EPUB was made for."""
    from . import subscribers

    with _failures("cannot trace", "is it an EPUB?"):
        identifier, lines = subscribers.trace(copy, manifest)
    for line in lines:
        click.echo(line)
    sys.exit(0 if identifier else 1)


if __name__ == "__main__":
    main()
