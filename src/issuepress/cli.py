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
from rich.text import Text

from . import cli_copies, recipe
from .cli_options import pass_output, root_option
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
    return list(dict.fromkeys(names)) or [name for name, edition in EDITIONS.items() if edition.by_default]


def _interrupt(signum, frame) -> None:
    """SIGTERM (a closed terminal, a killed job) unwinds like Ctrl-C, so temporary files are removed."""
    raise KeyboardInterrupt


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
              help=f"Edition to build: {', '.join(EDITIONS)} (repeat, or separate with commas). Default: all but "
                   f"{', '.join(name for name, edition in EDITIONS.items() if not edition.by_default)}.")
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

    def build_once(failed: AbstractContextManager, because: str = "") -> bool:
        """One build, reported; whether every edition was written. `failed` says what a failure of the whole
        build means (and whether the command ends); `because` names the files whose change a rebuild follows."""
        started = time.perf_counter()
        built = None
        with failed, recipe.layout_workers(chosen), BuildProgress(out, issue_id, describe) as progress:
            rendered, built, not_built = recipe.build(root, issue_id, chosen, out_dir, progress,
                                                      use_cache=not no_cache)
        if built is None:  # it failed, and `failed` has said so
            return False
        # Outside `failed`: once editions are written, nothing can make the build "write nothing".
        out.problems(rendered.warnings + tuple(w for item in built for w in item.warnings)
                     + tuple(p for item in not_built for p in item.problems))
        out.detail(f"read {counted(len(rendered.pieces), 'piece')} and {counted(len(rendered.assets), 'image')}: "
                   + ", ".join(shown(piece.source) for piece in rendered.pieces))
        build_summary(out, issue_id, built, not_built, time.perf_counter() - started, because)
        return not not_built

    describe = {name: edition.describe for name, edition in EDITIONS.items()}
    if watch:
        from .workflow import watch  # the file watcher is only needed here

        with failures(out, "build failed", "nothing was written"):
            watch.watch(root, issue_id, chosen, out_dir, out, build_once)
    elif not build_once(failures(out, "build failed", "nothing was written")):
        sys.exit(1)


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
        for check in findings.checks:  # the print shop's checks (press.report)
            out.say(f"  {check['result']}: {check['check']}" + (f" ({check['file']})" if "file" in check else ""))
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
    out.say(Text.assemble(("created", "green"), f" a magazine in {shown(folder)} ({len(written)} files) with an "
                          "example issue."))
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
    out.say(Text.assemble(("copied", "green"), f" the built-in {what} ({len(written)} files) into {shown(root)}; "
                          "builds now use these copies"))


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
    out.say(Text.assemble(("created", "green"), f" {shown(written[0])}: volume {planned.volume}, "
                          f"number {planned.number}, dated {planned.date.isoformat()}{after}"))
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


@main.command("import")
@click.argument("issue_id")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--section", metavar="S", help="List the articles under this section in issue.yaml.")
@click.option("--as", "slug", metavar="SLUG", help="Write articles/SLUG.md (one FILE only). Default: from its title.")
@click.option("--author", "authors", multiple=True, metavar="ID",
              help="The contributor who wrote it (repeat for several). Default: the file's Author property.")
@click.option("--accept-changes", is_flag=True, help="Take tracked changes as made (the text as changed).")
@click.option("--reject-changes", is_flag=True, help="Undo tracked changes (the text as it was before them).")
@click.option("--force", is_flag=True, help="Replace an article even if it was edited since its last import.")
@root_option
@pass_output
def import_command(out: Output, issue_id: str, files: tuple[Path, ...], section: str | None, slug: str | None,
                   authors: tuple[str, ...], accept_changes: bool, reject_changes: bool, force: bool,
                   root: Path) -> None:
    """Turn writers' Word (.docx) or LibreOffice (.odt) FILEs into articles of ISSUE_ID, listed in issue.yaml."""
    from .content.names import slugify
    from .workflow.wordimport import command as importer
    from .workflow.wordimport.article import Options

    if accept_changes and reject_changes:
        raise click.UsageError("--accept-changes and --reject-changes cannot be used together")
    if slug is not None and len(files) > 1:
        raise click.UsageError("--as names one article; import one FILE with it")
    if slug is not None and slugify(slug) != slug:
        raise click.BadParameter(f"'{slug}' is not a file name issuepress uses; try '{slugify(slug) or 'my-article'}'",
                                 param_hint="--as")
    options = Options(accept_changes, reject_changes, authors, slug)
    with failures(out, "import stopped", "nothing was written"):
        try:
            result = importer.import_files(root, issue_id, [(path, str(path)) for path in files], section, options,
                                           force)
        except importer.EditedSinceImport as refused:
            click.echo(refused.diffs, nl=False)
            raise
    out.problems(result.warnings)
    for imported in result.articles:
        item = imported.converted
        pictures = f", {counted(len(item.pictures), 'picture')} in {shown(imported.article.parent.parent / 'images')}" \
            if item.pictures and imported.written else ""
        listing = f"; listed in {shown(result.manifest)}" + (f" under {section}" if section else "") \
            if imported.listed else ""
        done = "imported" if imported.written else "left"
        out.say(Text.assemble((done, "green"), f" {item.shown} as {shown(imported.article)}{pictures}{listing}"))
    out.say(f"next: issuepress check {issue_id}   (then issuepress build {issue_id})")


for command in cli_copies.COMMANDS:
    main.add_command(command)


if __name__ == "__main__":
    main()
