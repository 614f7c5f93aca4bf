"""Headings, files and ids written by authors -> the ids and names the editions use: any script, unique, valid."""

from __future__ import annotations

import re


def slugify(text: str) -> str:
    """Heading or file name -> an id: lower case, words joined by hyphens, any script."""
    words = re.findall(r"\w+", text.lower())
    slug = "-".join(words).strip("-_")
    return slug if slug and slug[0].isalpha() else f"s-{slug}" if slug else ""


def unique(base: str, taken, suffix: str = "") -> str:
    """`base`, or `base-2`, `base-3`... whichever (with `suffix`) is not yet in `taken`."""
    name, n = f"{base}{suffix}", 2
    while name in taken:
        name, n = f"{base}-{n}{suffix}", n + 1
    return name


# Ids the theme's layouts give elements of an article's page: a heading must not take one ("## Main")
THEME_IDS = frozenset({"main", "contents", "contributors", "contributors-title", "cover", "imprint", "imprint-title",
                       "issue-title", "landmarks", "licences-title", "piece-title", "toc", "toc-title"})


FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(-\d+)?")  # the ids footnotes and their calls get


def as_id(value: str) -> str:
    """An id attribute's value as HTML allows it: no spaces (an empty result means no id)."""
    return "-".join(value.split())
