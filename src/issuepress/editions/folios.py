"""The print edition's pages -> where each printed page begins in the EPUB and the web edition, so that a reader of
either can meet a reader of the printed issue on the same page.

The print PDF's layout says, for each page of each part, the element its first word is in and how many letters
of that element's own text came before it (pdf/pagestarts.py); its page plan says which folio each page has
(pdf/pages.py makes `PrintPages` of both). The EPUB and the web edition then mark those places in their own
copies of the article's tree (`mark`): the tree is the same one the print HTML was made from, numbered in the
same order (print_html.number). A page that begins inside a word (hyphenated across the turn, or after a hard hyphen)
begins, here, after that word: the word belongs to the page where it begins.

The numbers need the print layout: from the build cache, or laid out. When the print edition cannot be made,
the other editions are made without them and say so (`unavailable`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lxml import etree

from ..errors import IssueError, Problem, shown_path
from ..model import RenderedIssue
from .pdf.types import Folio, PrintPages, in_node_order

__all__ = ["Folio", "PrintPages", "in_text", "mark", "page_id", "pages_for", "print_refused", "unavailable"]

HYPHENS = "-\u2010\u2011\u00ad"  # after one of these a page that begins mid-word still continues the word


def page_id(label: str, taken: frozenset[str] = frozenset()) -> str:
    """The id of a page's marker, "print-page-12", made unique against the article's own ids."""
    found = f"print-page-{label}"
    while found in taken:
        found += "-folio"
    return found


def in_text(pages: PrintPages | None, slug: str) -> list[Folio]:
    """The folios of a piece that begin inside its text (the others begin at its top or its end)."""
    return [folio for folio in pages.of(slug) if folio.node is not None] if pages is not None else []


_REFUSED: ContextVar[tuple[Problem, ...]] = ContextVar("print_refused", default=())


@contextmanager
def print_refused(problems: tuple[Problem, ...]) -> Iterator[None]:
    """Inside this block the print edition of this build has failed with `problems`: the editions that take its page
    numbers are made without them (a page number of a print edition that was not made would cite nothing)."""
    token = _REFUSED.set(tuple(problems))
    try:
        yield
    finally:
        _REFUSED.reset(token)


def pages_for(rendered: RenderedIssue, theme, cache, lay_out: bool = True) -> PrintPages | None:
    """The print edition's pages, from the build cache or laid out now (`lay_out` False: None unless every part is
    in the cache). Raises IssueError with why, when the print edition cannot be laid out or has failed."""
    refused = _REFUSED.get()
    if refused:
        raise IssueError(list(refused))
    if _LAST and _LAST[0][0] is rendered and _LAST[0][1] is theme and _LAST[0][2] is cache:
        return _LAST[0][3]  # the EPUB's and the web edition's of one build
    from .pdf.pages import print_pages  # loads the PDF edition's modules only when pages are asked for

    pages = print_pages(rendered, theme, cache, lay_out)
    if pages is not None:
        _LAST[:] = [(rendered, theme, cache, pages)]
    return pages


# The last pages found, with the issue, theme and cache they were found for (each build has its own objects)
_LAST: list[tuple[RenderedIssue, object, object, PrintPages]] = []


def unavailable(rendered: RenderedIssue, edition: str, error: IssueError) -> Problem:
    """The warning of an edition made without print page numbers, naming why."""
    first = error.problems[0] if error.problems else None
    if _REFUSED.get():  # the print PDF failed in this build: its problems are reported with it, once
        why = " (its problems are reported with the print PDF)"
    else:  # laid out for this edition alone: nothing else says why
        why = f": {first}" if first else ""
    return Problem(f"the {edition} has no print page numbers: the print edition could not be made{why}",
                   shown_path(rendered.issue.manifest, rendered.issue.magazine.root), warning=True)


def mark(tree: etree._Element, folios: list[Folio], marker: Callable[[Folio], etree._Element]) -> None:
    """Put `marker(folio)` where each of `folios` (those in the text: with a node) begins, in a fresh copy of the
    article's tree, before any edition changes it (the nodes are numbered in the tree as it is)."""
    nodes = in_node_order(tree)
    placed: dict[int, list[Folio]] = {}
    for folio in folios:
        if folio.node is not None and 0 <= folio.node < len(nodes):
            placed.setdefault(folio.node, []).append(folio)
    for node, here in placed.items():
        # Latest first: an earlier place in the same text is then still where it was counted
        for folio in sorted(here, key=lambda f: f.count, reverse=True):
            _insert(nodes[node], folio.count, marker(folio))


def _insert(element: etree._Element, count: int, marker: etree._Element) -> None:
    if count < 0:  # before the element itself (an image that begins the page)
        if element.getparent() is not None:
            element.addprevious(marker)
            return
        count = 0
    chunks = [(element, True)] + [(child, False) for child in element]  # its text, then each child's tail
    remaining = count
    for owner, is_text in chunks:
        text = (owner.text if is_text else owner.tail) or ""
        for index, character in enumerate(text):
            if character.isspace() or character == "\u00ad":
                continue
            if remaining == 0:
                _split(owner, is_text, text, _word_start(text, index), marker)
                return
            remaining -= 1
    element.append(marker)  # past the end of its text (a count from another version of the text): its end


def _word_start(text: str, index: int) -> int:
    """`index`, or where the next word begins when `index` is inside a word (the word began on the page before)."""
    if index == 0 or not (text[index - 1].isalnum() or text[index - 1] in HYPHENS):
        return index
    while index < len(text) and not text[index].isspace():
        index += 1
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _split(owner: etree._Element, is_text: bool, text: str, index: int, marker: etree._Element) -> None:
    before, after = text[:index], text[index:]
    if is_text:
        owner.text = before
        owner.insert(0, marker)
    else:
        owner.tail = before
        owner.addnext(marker)
    marker.tail = (marker.tail or "") + after
