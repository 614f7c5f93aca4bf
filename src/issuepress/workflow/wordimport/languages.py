"""Pieces of a paragraph, each with the language its text is tagged with -> the stretches to mark as foreign.

Word and LibreOffice tag nearly every run with a language, and split runs
for their own reasons (a spelling mark, a revision, a change of font), so a
Greek phrase often arrives as several runs, with spaces and bookmarks
between them tagged English. A stretch is the longest sequence of pieces in
one language whose primary subtag differs from the document's: `en-US`
inside an `en-GB` document is no change of language, whitespace and
bookmarks join the stretch around them, and anything that cannot be wrapped
(a link, a field, a note) ends it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .facts import LANGUAGE_ANCHOR, primary

NEUTRAL = ""  # a piece with no letters: it takes the language of the stretch it falls in
BARRIER = None  # a piece that cannot be inside a marked stretch


def foreign_stretches(languages: Sequence[str | None], home: str | None) -> list[tuple[int, int, str]]:
    """[(start, end, tag)] over `languages` (one entry per piece: a tag, NEUTRAL or BARRIER), end exclusive;
    stretches never start or end with a neutral piece."""
    stretches: list[tuple[int, int, str]] = []
    current: tuple[int, int, str] | None = None  # start, end of its last lettered piece, tag
    for index, language in enumerate(languages):
        if language == NEUTRAL:
            continue
        foreign = language is not BARRIER and home is not None and primary(language) != primary(home)
        if current and foreign and primary(language) == primary(current[2]):
            current = (current[0], index + 1, current[2])
            continue
        if current:
            stretches.append(current)
            current = None
        if foreign:
            current = (index, index + 1, language)
    if current:
        stretches.append(current)
    return stretches


def wrap_stretches(children: list, languages: Sequence[str | None], home: str | None,
                   wrap: Callable[[list, str], None]) -> None:
    """Call `wrap(pieces, tag)` for each foreign stretch of `children` (last first, so indices hold)."""
    for start, end, tag in reversed(foreign_stretches(languages, home)):
        wrap(children[start:end], tag)


def anchor_for(tag: str) -> str:
    return f"{LANGUAGE_ANCHOR}{tag}"
