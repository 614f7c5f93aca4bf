"""A laid-out part -> where each of its pages begins: the element of the page's first word (or image) and how far
into that element's text, for the EPUB's page-break markers and the web edition's margin folios (editions/folios.py).

The other editions cannot know where WeasyPrint turned the pages, so each part's layout says it, in terms that
the print HTML and the other editions' copies of the article's tree share: the element, by its place in the
tree (the print copy carries it as `folios.NODE`), and how many characters of the element's own text (its text
and its children's tails, not what is inside its children; spaces not counted) came before the page's first
box. Only the page's flow counts: not the running heads' margin boxes, nor the notes at its foot, nor generated
content (a list's numbers, a note's call). A word hyphenated across the turn is counted where it began (the
hyphen WeasyPrint added is not the text's); folios.py then starts the page after it.
"""

from __future__ import annotations

from . import private
from .types import NODE, PageStart

SPACE_LIKE = "\u00ad"  # a soft hyphen: in the text, not a letter of it


def page_starts(document) -> tuple[PageStart | None, ...]:
    """One entry per page of a rendered WeasyPrint document: where its own text (or an image) begins, or None."""
    boxes = private.layout_boxes()
    consumed: dict[object, int] = {}  # element -> characters of its own text laid out so far
    texts: dict[object, str] = {}  # element -> its own text, without spaces
    starts: list[PageStart | None] = []
    for page in document.pages:
        page_box = private.page_box(page)
        flow = [child for child in page_box.children if not isinstance(child, (boxes.MarginBox,
                                                                                   boxes.FootnoteAreaBox))]
        first: PageStart | None = None
        for box, anchor in _boxes(flow, ""):
            element = box.element
            if element is None or "::" in (box.element_tag or ""):  # generated content: a marker, a call
                continue
            if isinstance(box, boxes.ReplacedBox):
                if first is None:
                    first = PageStart(_node(element), -1, anchor)
                continue
            if not isinstance(box, boxes.TextBox):
                continue
            letters = _letters(box.text)
            if not letters:
                continue
            own = texts.get(element)
            if own is None:
                own = texts[element] = _letters(_own_text(element))
            done = consumed.get(element, 0)
            if own and done >= len(own):  # a table's header, set again at the top of the next page
                continue
            hyphen = _letters(box.style["hyphenate_character"] or "")
            if hyphen and letters.endswith(hyphen) and own[done + len(letters) - len(hyphen):][:len(hyphen)] != hyphen:
                letters = letters[:-len(hyphen)]  # WeasyPrint's hyphen at a line's end, not the text's
            if first is None:
                first = PageStart(_node(element), done, anchor)
            consumed[element] = done + len(letters)
        starts.append(first)
    return tuple(starts)


def _boxes(children, anchor: str):
    """Every box under `children` in the order of the text, each with the id of its nearest element that has one."""
    for box in children:
        element = getattr(box, "element", None)
        here = (element.get("id") or anchor) if element is not None and "::" not in (box.element_tag or "") else anchor
        yield box, here
        yield from _boxes(getattr(box, "children", ()), here)


def _node(element) -> int | None:
    found = element.get(NODE)
    return int(found) if found and found.isdigit() else None


def _own_text(element) -> str:
    """The element's own text: before its first child and after each child (ElementTree's text and tails)."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _letters(text: str) -> str:
    return "".join(text.split()).replace(SPACE_LIKE, "")  # str.split: what str.isspace calls a space
