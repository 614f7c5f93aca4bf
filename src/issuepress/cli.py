"""Command line -> builds, checks and the press-day workflow; content problems become `path:line: message` lines.

Only argument parsing lives here: each command calls one function of the
recipe, the scaffold, the catalogue or the preview, and `terminal` says how
it went (exit 1 for content problems, 130 when interrupted, 70 for a bug).
"""

from __future__ import annotations

import datetime as dt
import gc
import shlex
import signal
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path

import click
from rich.table import Table

from . import recipe
from .editions import EDITIONS
from .terminal import NORMAL, QUIET, VERBOSE, BuildProgress, Output, build_summary, counted, failures, shown
from .workflow import catalogue, nextissue, scaffold


def _formats(values: tuple[str, ...]) -> list[str]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if values and not names:  # -f "" (an empty shell variable): building everything would be a surprise
        raise click.BadParameter(f"no format given; choose from {', '.join(EDITIONS)}", param_hint="--format")
    unknown = [name for name in names if name not in EDITIONS]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(unknown)}; choose from {', '.join(EDITIONS)}",
                                 param_hint="--format")
    return list(dict.fromkeys(names)) or list(EDITIONS)


def _interrupt(signum, frame) -> None:
    """SIGTERM (a closed terminal, a killed job) unwinds like Ctrl-C, so temporary files are removed."""
    raise KeyboardInterrupt


root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="The magazine folder (holding issues/).")
pass_output = click.make_pass_decorator(Output, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="issuepress")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--verbose", "-v", is_flag=True, help="Also print what was read and each step's time.")
@click.pass_context
def main(context: click.Context, quiet: bool, verbose: bool) -> None:
    """Build magazine issues into an EPUB, a print-ready PDF and an HTML web edition."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    context.obj = Output(QUIET if quiet else VERBOSE if verbose else NORMAL)
    # Laying out pages makes millions of short-lived objects; with Python's default thresholds the cycle
    # collector ran about a thousand times in a 220-page build and took 5% of it (0.6 s of 12 s on one core),
    # most of that walking the long-lived objects again. Memory stayed the same (130 MB) with these.
    gc.set_threshold(20_000, 20, 20)
    signal.signal(signal.SIGTERM, _interrupt)
    # Once the command is done, a SIGTERM during the exit (workers being joined) just ends the process:
    # there is nothing left to clean up, and a KeyboardInterrupt there would print a traceback.
    context.call_on_close(lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


@main.command("build")
@click.argument("issue_id")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help=f"Edition to build: {', '.join(EDITIONS)} (repeat, or separate with commas). Default: all.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the editions here instead of build/ISSUE_ID.")
@click.option("--no-cache", is_flag=True, help="Redo everything; do not use or fill build/.cache.")
@click.option("--watch", is_flag=True,
              help="Keep running: build again each time a file of the issue, its layouts or fonts is saved "
                   "(faster than running build again). Ctrl-C stops.")
@root_option
@pass_output
def build_command(out: Output, issue_id: str, formats: tuple[str, ...], out_dir: Path | None, no_cache: bool,
                  watch: bool, root: Path) -> None:
    """Build ISSUE_ID (a folder under issues/) into its editions."""
    chosen = _formats(formats)

    def build_once(failed: AbstractContextManager, because: str = "") -> None:
        """One build, reported. `failed` says what a failure means (and whether the command ends);
        `because` names the files whose change a rebuild follows."""
        started = time.perf_counter()
        built = None
        with failed, recipe.layout_workers(chosen), BuildProgress(out, issue_id, describe) as progress:
            rendered, built = recipe.build(root, issue_id, chosen, out_dir, progress, use_cache=not no_cache)
        if built is None:  # it failed, and `failed` has said so
            return
        # Outside `failed`: once the editions are written, nothing can make the build "write nothing".
        out.problems(rendered.warnings + tuple(w for item in built for w in item.warnings))
        out.detail(f"read {counted(len(rendered.pieces), 'piece')} and {counted(len(rendered.assets), 'image')}: "
                   + ", ".join(shown(piece.source) for piece in rendered.pieces))
        build_summary(out, issue_id, built, time.perf_counter() - started, because)

    describe = {name: edition.describe for name, edition in EDITIONS.items()}
    if watch:
        from .workflow import watch  # the file watcher is only needed here

        with failures(out, "build failed", "nothing was written"):
            watch.watch(root, issue_id, chosen, out_dir, out, build_once)
    else:
        build_once(failures(out, "build failed", "nothing was written"))


@main.command("check")
@click.argument("issue_id")
@click.option("--print", "preflight", is_flag=True,
              help="Also lay out the print PDF (without writing it) and run the printer's preflight checks.")
@root_option
@pass_output
def check_command(out: Output, issue_id: str, preflight: bool, root: Path) -> None:
    """Check ISSUE_ID's manifest, articles, images and layouts; build nothing."""
    with (failures(out, f"{issue_id} has problems", "fix them and check again"),
          recipe.layout_workers(["pdf"] if preflight else [])):
        rendered, theme = recipe.load(root, issue_id)
        warnings = rendered.warnings + recipe.rehearse(rendered, theme)
        findings = recipe.preflight(rendered, theme) if preflight else None
    out.problems(warnings + (tuple(findings.problems) if findings else ()))
    if findings:
        out.say(f"print PDF: {findings.summary()}; fonts: {', '.join(findings.fonts)}")
        if findings.errors:
            out.console.print(f"{len(findings.errors)} problems a printer would reject", style="bold red")
            sys.exit(1)
    out.say(f"{issue_id} is ready to build: {counted(len(rendered.pieces), 'piece')}, "
            f"{counted(len(rendered.assets), 'image')}, {counted(len(warnings), 'warning')}", style="bold green")


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@pass_output
def init_command(out: Output, folder: Path) -> None:
    """Start a new magazine in FOLDER (default: here), with an example issue that builds."""
    with failures(out, "init stopped", "nothing was written"):
        written = scaffold.init_magazine(folder)
    for path in written:
        out.detail(f"wrote {shown(path)}")
    go = "" if folder == Path(".") else f"cd {shlex.quote(str(shown(folder)))} && "
    out.say(f"[green]created[/green] a magazine in {shown(folder)} ({len(written)} files) with an example issue.")
    out.say(f"next: {go}issuepress serve example   (or start your own: issuepress new 2025-01)")


@main.group("theme")
def theme_group() -> None:
    """The built-in theme: copy it into the magazine to change it."""


@theme_group.command("eject")
@click.option("--fonts", is_flag=True, help="Copy the fonts as well as the layouts.")
@root_option
@pass_output
def eject_command(out: Output, fonts: bool, root: Path) -> None:
    """Copy the built-in layouts/ (and with --fonts, fonts/) into the magazine folder to edit them."""
    with failures(out, "theme eject stopped", "nothing was written"):
        written = scaffold.eject_theme(root, fonts)
    for path in written:
        out.detail(f"wrote {shown(path)}")
    what = "layouts/ and fonts/" if fonts else "layouts/"
    out.say(f"[green]copied[/green] the built-in {what} ({len(written)} files) into {shown(root)}; "
            "builds now use these copies")


@main.command("new")
@click.argument("issue_id")
@click.option("--from", "from_id", metavar="PREV", help="Follow this issue instead of the latest one.")
@root_option
@pass_output
def new_command(out: Output, issue_id: str, from_id: str | None, root: Path) -> None:
    """Start issue ISSUE_ID, numbered and dated after the latest issue (or PREV)."""
    with failures(out, "new stopped", "nothing was written"):
        planned = nextissue.plan(root, issue_id, from_id, dt.date.today())
        written = nextissue.create(root, planned)
    after = f" after {planned.previous.id}" if planned.previous else ""
    out.say(f"[green]created[/green] {shown(written[0])}: volume {planned.volume}, number {planned.number}, "
            f"dated {planned.date.isoformat()}{after}")
    out.say(f"next: add articles under {shown(written[0].parent / 'articles')} and list them in the manifest; "
            f"issuepress serve {issue_id} shows the issue as you go")


@main.command("list")
@root_option
@pass_output
def list_command(out: Output, root: Path) -> None:
    """List the issues: volume, number, date, title, articles, and whether the editions are up to date."""
    with failures(out, "list failed", "nothing was listed"):
        summaries = catalogue.all_issues(root)
    if not summaries:
        out.say(f"no issues in {shown(root / 'issues')} yet; start one with: issuepress new 2025-01")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("issue", "volume/number", "date", "title", "articles", "editions"):
        table.add_column(name, no_wrap=True, justify="right" if name == "articles" else "left")
    for summary in summaries:
        issue = summary.issue
        editions = catalogue.describe_states(catalogue.edition_states(root, summary))
        if summary.problems:
            editions = f"{summary.problems} problem{'s' * (summary.problems != 1)} (issuepress check {summary.id})"
        if issue is None:
            table.add_row(summary.id, "?", "?", "?", "?", editions)
        else:
            table.add_row(summary.id, f"{issue.volume}/{issue.number}", issue.date.isoformat(), issue.title,
                          str(len(issue.articles)), editions)
    out.table(table, stdout=True)


@main.command("serve")
@click.argument("issue_id", required=False)
@click.option("--site", "whole_site", is_flag=True,
              help="Serve the magazine's website (issuepress site) instead of one issue, rebuilt as files change.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1 (0: any free port).")
@root_option
@pass_output
def serve_command(out: Output, issue_id: str | None, whole_site: bool, port: int, root: Path) -> None:
    """Preview ISSUE_ID (or with --site, the website) in a browser, rebuilding and reloading as files change;
    Ctrl-C stops."""
    if whole_site == (issue_id is not None):
        raise click.UsageError("name an issue to preview (serve 2025-01), or --site for the website, not both")
    with failures(out, "serve stopped", "nothing is served"):
        if whole_site:
            from .workflow.site.serve import serve_site

            serve_site(root, port, out)
        else:
            from .workflow.preview import server as preview  # the server and the watcher are only needed here

            preview.serve(root, issue_id, port, out)


@main.command("site")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the site here instead of build/_site.")
@click.option("--downloads", is_flag=True,
              help="Build each issue's EPUB and screen PDF where build/ID/ has none up to date (otherwise only "
                   "up-to-date ones are offered).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Build N issues at once on this computer. Default: one per core.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Build the issues on this Dask distributed cluster (pip install 'issuepress[dask]').")
@click.option("--no-cache", is_flag=True, help="Build every issue afresh, without reading or filling build/.cache.")
@root_option
@pass_output
def site_command(out: Output, out_dir: Path | None, downloads: bool, jobs: int | None, scheduler: str | None,
                 no_cache: bool, root: Path) -> None:
    """Build the magazine's website from every issue: archive, contributors, feeds, catalogue, search."""
    from .workflow.site import build as site

    options = site.SiteOptions(out_dir, downloads, jobs or 0, scheduler, not no_cache)
    with failures(out, "site not built", "nothing was written; the site is as it was"):
        report = site.build_site(root, options, out.detail)
    from .workflow.site.report import say_report

    say_report(out, report)


@main.command("subscribers")
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


@main.command("send")
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


@main.command("trace")
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


if __name__ == "__main__":
    main()
