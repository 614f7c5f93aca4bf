"""An .odt's tracked changes -> the text with them accepted or rejected, as LibreOffice would.

pandoc's OpenDocument reader ignores the list of changes: inserted text reads
as if accepted and deleted text is simply gone. Accepting is removing the
change marks; rejecting takes each insertion out again and puts each
deletion back where its mark stands (a deletion of whole paragraphs splits
the paragraph at the mark and puts them between). A change that crosses
structures this code does not rebuild is refused by name, to be settled in
LibreOffice, rather than half undone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from .facts import Change

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
MARKS = (f"{TEXT}change", f"{TEXT}change-start", f"{TEXT}change-end")
PARAGRAPHS = (f"{TEXT}p", f"{TEXT}h")


@dataclass
class Region:
    """One entry of text:tracked-changes."""

    id: str
    kind: str  # "insertion", "deletion", "format-change"
    author: str
    element: etree._Element  # the text:insertion / text:deletion / text:format-change


class CannotUndo(Exception):
    """A change this module does not take apart; the message says which."""


def regions(text_root: etree._Element) -> dict[str, Region]:
    found = {}
    for region in text_root.iter(f"{TEXT}changed-region"):
        ident = region.get(f"{TEXT}id") or region.get("{http://www.w3.org/XML/1998/namespace}id") or ""
        for kind in ("insertion", "deletion", "format-change"):
            element = region.find(f"{TEXT}{kind}")
            if element is not None:
                creator = element.find(f"{OFFICE}change-info/{DC}creator")
                author = " ".join((creator.text or "").split()) if creator is not None else ""
                found[ident] = Region(ident, kind, author or "someone", element)
    return found


def marks(text_root: etree._Element) -> list[etree._Element]:
    return [mark for mark in text_root.iter(*MARKS)
            if not any(a.tag == f"{TEXT}tracked-changes" for a in mark.iterancestors())]


def remove_keeping_tail(element: etree._Element) -> None:
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def accept(text_root: etree._Element) -> None:
    """Keep every insertion, drop every deletion: remove the list of changes and the marks."""
    for tracked in list(text_root.iter(f"{TEXT}tracked-changes")):
        tracked.getparent().remove(tracked)
    for mark in list(text_root.iter(*MARKS)):
        remove_keeping_tail(mark)


def reject(text_root: etree._Element, found: dict[str, Region]) -> None:
    """Take every insertion out and put every deletion back; then the marks and list go as in `accept`."""
    starts = {mark.get(f"{TEXT}change-id"): mark for mark in text_root.iter(f"{TEXT}change-start")}
    ends = {mark.get(f"{TEXT}change-id"): mark for mark in text_root.iter(f"{TEXT}change-end")}
    for ident, region in found.items():
        if region.kind == "insertion" and ident in starts and ident in ends:
            _take_out(starts[ident], ends[ident])
    for mark in list(text_root.iter(f"{TEXT}change")):
        region = found.get(mark.get(f"{TEXT}change-id"))
        if region is not None and region.kind == "deletion":
            _put_back(mark, [copy.deepcopy(child) for child in region.element
                             if child.tag != f"{OFFICE}change-info"])
    accept(text_root)


def _paragraph_of(element: etree._Element) -> etree._Element | None:
    return next((a for a in element.iterancestors() if a.tag in PARAGRAPHS), None)


def _take_out(start: etree._Element, end: etree._Element) -> None:
    """Remove everything between two marks (the marks stay, for `accept` to remove)."""
    if start.getparent() is end.getparent():
        node = start.getnext()
        start.tail = ""
        while node is not None and node is not end:
            following = node.getnext()
            start.getparent().remove(node)
            node = following
        return
    first, last = _paragraph_of(start), _paragraph_of(end)
    if first is None or last is None or first.getparent() is not last.getparent() \
            or start.getparent() is not first or end.getparent() is not last:
        raise CannotUndo("an insertion that runs across a list, a table or a note")
    start.tail = ""
    for node in list(start.itersiblings()):
        first.remove(node)
    for between in list(first.itersiblings()):
        if between is last:
            break
        between.getparent().remove(between)
    # what follows the end of the insertion joins the paragraph where it began
    for node in list(end.itersiblings(preceding=True)):
        last.remove(node)
    last.text = None
    for node in list(last):
        start.addnext(node) if node is end else first.append(node)
    last.getparent().remove(last)


def _inline(paragraph: etree._Element) -> tuple[str, list[etree._Element]]:
    return paragraph.text or "", list(paragraph)


def _insert_inline(mark: etree._Element, text: str, children: list[etree._Element]) -> None:
    """Put a paragraph's content where the mark stands (before the mark's own tail)."""
    previous = mark
    mark_tail, mark.tail = mark.tail or "", text
    for child in children:
        previous.addnext(child)
        previous = child
    previous.tail = (previous.tail or "") + mark_tail


def _put_back(mark: etree._Element, deleted: list[etree._Element]) -> None:
    if not deleted:
        return
    if len(deleted) == 1 and deleted[0].tag in PARAGRAPHS:
        _insert_inline(mark, *_inline(deleted[0]))
        return
    paragraph = _paragraph_of(mark)
    if paragraph is None or mark.getparent() is not paragraph or deleted[0].tag not in PARAGRAPHS \
            or deleted[-1].tag not in PARAGRAPHS:
        raise CannotUndo("a deletion of several paragraphs inside a list, a table or formatted text")
    # A + [P1 ... Pn] + B reads as A P1 | P2 | ... | Pn B: the paragraph splits at the mark
    rest_text, rest = mark.tail or "", list(mark.itersiblings())
    mark.tail = ""
    _insert_inline(mark, *_inline(deleted[0]))
    last = deleted[-1]
    if len(last):
        last[-1].tail = (last[-1].tail or "") + rest_text
    else:
        last.text = (last.text or "") + rest_text
    for node in rest:
        last.append(node)
    anchor = paragraph
    for block in deleted[1:]:
        anchor.addnext(block)
        anchor = block


def describe(found: dict[str, Region], mark_places: dict[str, str]) -> tuple[list[Change], int]:
    """The changes as the import reports them (insertions and deletions), and how many change formatting."""
    changes = [Change(region.kind, region.author, mark_places.get(ident, "the document"))
               for ident, region in found.items() if region.kind != "format-change"]
    return changes, sum(region.kind == "format-change" for region in found.values())
