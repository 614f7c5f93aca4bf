"""A rendered issue -> the screen PDF edition: no bleed, marks or padding, symmetric margins, live links."""

from __future__ import annotations

from .. import Finish
from .document import rehearse, start_edition

__all__ = ["rehearse", "start"]


def start(rendered, theme, cache) -> Finish:
    return start_edition(rendered, theme, cache, screen=True)
