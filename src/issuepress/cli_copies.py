"""The command line's copies for subscribers -> `subscribers`, `trace` and `send`: each subscriber's own copy,
made, traced, or e-mailed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import recipe
from .cli_options import pass_output, root_option
from .terminal import QUIET, Output, counted, failures, shown


@click.command("subscribers")
@click.argument("issue_id")
@click.option("--list", "listing", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of subscribers with a header line: id,name,email (other columns are ignored).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the copies. Default: build/ISSUE_ID/subscribers.")
@click.option("--format", "-f", "formats", default="epub", show_default=True, metavar="FORMATS",
              help="epub, pdf (a stamped screen PDF) or epub,pdf.")
@click.option("--include-email", is_flag=True, help="Also print the subscriber's e-mail address in each copy.")
@click.option("--strict", is_flag=True, help="Stop on a bad row instead of skipping it with a warning.")
@root_option
@pass_output
def subscribers_command(out: Output, issue_id: str, listing: Path, out_dir: Path | None, formats: str,
                        include_email: bool, strict: bool, root: Path) -> None:
    """Make a personalised copy of ISSUE_ID for every subscriber in a CSV list."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .workflow import subscribers

    chosen = [name.strip() for name in formats.split(",") if name.strip()]
    if not chosen or set(chosen) - {"epub", "pdf"}:
        raise click.BadParameter("choose epub, pdf or epub,pdf", param_hint="--format")
    started = time.perf_counter()
    with recipe.layout_workers(["screen-pdf"] if "pdf" in chosen else []):  # before the progress thread
        with failures(out, "no copies made", "fix them and run again"):
            rendered, theme = recipe.load(root, issue_id)
            people, problems = subscribers.read_subscribers(listing, Path.cwd(), strict,
                                                            subscribers.glyph_checker(rendered, theme, chosen))
        out.problems(problems)
        target = out_dir or root / "build" / issue_id / "subscribers"
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=out.console, disable=not out.console.is_terminal or out.level == QUIET,
                      transient=True) as bar:
            task = bar.add_task("copies", total=len(people) * len(chosen))
            with failures(out, "no copies made", "fix them and run again",
                          f"interrupted; finished copies are kept in {shown(target)} and the next run resumes"):
                summary = subscribers.make_copies(rendered, theme, people, target, chosen, include_email,
                                                  lambda done, total: bar.update(task, completed=done))
    seconds = time.perf_counter() - started
    rate = f"; {summary.rate:.0f} copies/s after building the issue once" if summary.written else ""
    copies = counted(summary.written, "copy", "copies")
    out.say(f"wrote {copies} ({' and '.join(chosen)} for {counted(len(people), 'subscriber')}) to {shown(target)} "
            f"({summary.skipped} already done, "
            f"{len(problems)} rows skipped) in {seconds:.1f}s{rate}", style="bold")


@click.command("send")
@click.argument("issue_id")
@click.option("--list", "listing", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of subscribers: id,name,email, and optionally kindle (a Send-to-Kindle address).")
@click.option("--dry-run", "dry_run", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write each message to DIR as a .eml file instead of sending it; no connection is made.")
@click.option("--only", multiple=True, metavar="ID",
              help="Send only to these subscribers (repeat, or separate with commas).")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), metavar="N",
              help="Send at most N messages a second (the provider's limit).")
@click.option("--format", "-f", "formats", default="epub", show_default=True, metavar="FORMATS",
              help="What each message carries: epub, or epub,pdf to add the stamped screen PDF.")
@click.option("--resend-in-doubt", is_flag=True,
              help="Send again the messages an interrupted run left in doubt (they may arrive twice).")
@click.option("--insecure", is_flag=True, help="Allow an unencrypted connection (security: none), for a relay "
                                                "on this computer.")
@click.option("--include-email", is_flag=True, help="Also print the subscriber's e-mail address in each copy.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the CSV report. Default: delivery/ISSUE_ID-report.csv.")
@root_option
@pass_output
def send_command(out: Output, issue_id: str, listing: Path, dry_run: Path | None, only: tuple[str, ...],
                 rate: float | None, formats: str, resend_in_doubt: bool, insecure: bool, include_email: bool,
                 report: Path | None, root: Path) -> None:
    """E-mail every subscriber their own copy of ISSUE_ID, once; a re-run sends only what was not sent."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .workflow import subscribers
    from .workflow.delivery import run as delivery

    chosen = tuple(name.strip() for name in formats.split(",") if name.strip())
    if not chosen or set(chosen) - {"epub", "pdf"}:
        raise click.BadParameter("choose epub or epub,pdf", param_hint="--format")
    wanted = [name.strip() for value in only for name in value.split(",") if name.strip()]
    request = delivery.Request(root.resolve(), issue_id, listing, chosen, tuple(wanted), dry_run, rate,
                               resend_in_doubt, insecure, include_email, report)
    started = time.perf_counter()
    with recipe.layout_workers(["screen-pdf"] if "pdf" in chosen else []):  # before the progress thread
        with failures(out, "nothing sent", "fix them and run again"):
            rendered, theme = recipe.load(root, issue_id)
            people, problems = subscribers.read_subscribers(listing, Path.cwd(), False)
        unknown = sorted(set(wanted) - {person.id for person in people})
        if unknown:
            raise click.BadParameter(f"not in {listing}: {', '.join(unknown)}", param_hint="--only")
        people = [person for person in people if not wanted or person.id in wanted]
        out.problems(problems)
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=out.console, disable=not out.console.is_terminal or out.level == QUIET,
                      transient=True) as bar:
            task = bar.add_task("dry run" if dry_run else "sending", total=None)
            with failures(out, "nothing sent", "fix them and run again",
                          "interrupted; what was sent is in the journal, and the same command resumes"):
                summary = delivery.send_issue(request, rendered, theme, people,
                                              lambda done, total: bar.update(task, completed=done, total=total))
    out.problems(summary.problems)
    if summary.stopped:
        out.console.print(f"stopped: {summary.stopped}", style="bold red", markup=False, soft_wrap=True)
    done = (f"wrote {counted(summary.written, 'message')} to {shown(dry_run)}" if dry_run else
            f"sent {counted(summary.sent, 'message')}")
    rate_text = f" ({summary.rate:.1f}/s)" if summary.sent or summary.written else ""
    out.say(f"{done} in {time.perf_counter() - started:.1f}s{rate_text}: {summary.already} sent before, "
            f"{summary.failed} failed, {summary.deferred} deferred, {summary.in_doubt} in doubt, "
            f"{len(problems)} rows skipped; report: {shown(summary.report)}",
            style="bold" if not (summary.failed or summary.deferred or summary.in_doubt) else "bold red")
    if summary.stopped or summary.failed or summary.deferred or summary.in_doubt:
        sys.exit(1)


@click.command("trace")
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The manifest.csv written with the copies. Default: the one beside COPY.")
@pass_output
def trace_command(out: Output, copy: Path, manifest: Path | None) -> None:
    """Say which subscriber a personalised EPUB was made for."""
    from .workflow import subscribers

    with failures(out, "cannot trace", "is it an EPUB?"):
        identifier, lines = subscribers.trace(copy, manifest)
    for line in lines:
        click.echo(line)
    sys.exit(0 if identifier else 1)


COMMANDS = (subscribers_command, trace_command, send_command)
