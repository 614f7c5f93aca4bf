"""A rendered issue -> the print-ready PDF edition: trim, bleed and marks, padded for its binding, preflighted."""

from __future__ import annotations

from .. import Finish
from .document import rehearse, start_edition

__all__ = ["rehearse", "start"]


def start(rendered, theme, cache) -> Finish:
    return start_edition(rendered, theme, cache, screen=False)
