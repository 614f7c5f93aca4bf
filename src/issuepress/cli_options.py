"""The options every command of the command line shares: the magazine folder, and what to say on the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from .terminal import Output

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="The magazine folder (holding issues/).")
pass_output = click.make_pass_decorator(Output, ensure=True)
