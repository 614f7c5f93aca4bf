"""Command line -> builds and checks; content problems become `path:line: message` lines.

Only argument parsing lives here: each command calls the recipe, and
`terminal` says how it went (exit 1 for content problems, 130 when
interrupted, 70 for a bug).
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from . import build as recipe
from .terminal import NORMAL, QUIET, VERBOSE, BuildProgress, Output, build_summary, failures, shown


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
    signal.signal(signal.SIGTERM, _interrupt)


@main.command("build")
@click.argument("issue_id")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="Edition to build: epub, pdf, screen-pdf or html (repeat, or separate with commas). "
                   "Default: all.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the editions here instead of build/ISSUE_ID.")
@root_option
@pass_output
def build_command(out: Output, issue_id: str, formats: tuple[str, ...], out_dir: Path | None, root: Path) -> None:
    """Build ISSUE_ID (a folder under issues/) into its editions."""
    chosen = _formats(formats)
    started = time.perf_counter()
    describe = {name: edition.describe for name, edition in recipe.EDITIONS.items()}
    with failures(out, "build failed", "nothing was written"), BuildProgress(out, issue_id, describe) as progress:
        rendered, built = recipe.build(root, issue_id, chosen, out_dir, progress)
    out.problems(rendered.warnings + tuple(w for item in built for w in item.warnings))
    out.detail(f"read {len(rendered.pieces)} pieces and {len(rendered.assets)} images: "
               + ", ".join(shown(piece.source) for piece in rendered.pieces))
    build_summary(out, issue_id, built, time.perf_counter() - started)


@main.command("check")
@click.argument("issue_id")
@click.option("--print", "preflight", is_flag=True,
              help="Also lay out the print PDF (without writing it) and run the printer's preflight checks.")
@root_option
@pass_output
def check_command(out: Output, issue_id: str, preflight: bool, root: Path) -> None:
    """Check ISSUE_ID's manifest, articles, images and layouts; build nothing."""
    with failures(out, f"{issue_id} has problems", "fix them and check again"):
        rendered, theme = recipe.load(root)(issue_id)
        findings = recipe.preflight(rendered, theme) if preflight else None
    out.problems(rendered.warnings + (tuple(findings.problems) if findings else ()))
    if findings:
        out.say(f"print PDF: {findings.summary()}; fonts: {', '.join(findings.fonts)}")
        if findings.errors:
            out.console.print(f"{len(findings.errors)} problems a printer would reject", style="bold red")
            sys.exit(1)
    out.say(f"{issue_id} is ready to build: {len(rendered.pieces)} pieces, {len(rendered.assets)} images, "
            f"{len(rendered.warnings)} warnings", style="bold green")


if __name__ == "__main__":
    main()
