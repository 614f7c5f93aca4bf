"""Sanitized article HTML -> one parsed tree per article, repaired where HTML forbids what Markdown made, and the
facts the editions need from it: ids, code, tables, images without a text alternative, characters by line.

The article's HTML is parsed here once. The web edition takes the tree's HTML as it is (`web_body`); the EPUB
and the PDFs transform copies of the tree (`Article.tree()`), never the HTML text. Every block element carries
the line of the Markdown file it came from (`data-line`), so that what an edition finds wrong (text that runs
out of the page, say) is said at its line; the web edition and the EPUB leave that attribute out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from .sanitize import for_lxml

LINE = "data-line"
# What HTML allows inside <pre> (phrasing content); another element there ("<pre>...<p>...</p></pre>", which
# CommonMark makes of a <pre> with a blank line) loses its tag and keeps its text.
PHRASING = frozenset({"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
                      "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
                      "sup", "time", "u", "var", "wbr"})
CODE_TAGS = ("code", "kbd", "samp", "pre")  # what the theme sets in its monospace face


@dataclass(frozen=True)
class Facts:
    """What the editions need to know of an article without reading its HTML."""

    ids: frozenset[str]
    has_code: bool
    has_table: bool
    has_math: bool  # MathML (content/formulas.py)
    undescribed_images: int  # <img> with no text alternative
    characters: tuple[tuple[str, int], ...]  # each character beyond ASCII, with the line where it first appears


def parse(fragment: str) -> etree._Element:
    """The fragment inside a <div> of its own."""
    return lxml_html.fragment_fromstring(for_lxml(fragment or ""), create_parent="div")


def line_of(element: etree._Element) -> int | None:
    """The line of the Markdown file the element comes from: its own, its block's, or the block before it."""
    for candidate in (element, *element.iterancestors(), *element.itersiblings(preceding=True)):
        if candidate.get(LINE):
            return int(candidate.get(LINE))
    before = element.xpath(f"preceding::*[@{LINE}][1]/@{LINE}")
    return int(before[0]) if before else None


def repair(tree: etree._Element, warn: Callable[[int | None, str], None]) -> None:
    """Make valid what HTML forbids and the Markdown made (CommonMark's rendering of raw HTML can): no word goes."""
    for pre in tree.iter("pre"):
        for inner in list(pre.iterdescendants()):
            if isinstance(inner.tag, str) and inner.tag not in PHRASING:
                inner.drop_tag()  # its words stay in the <pre>
    for row in list(tree.iter("tr")):
        if not row.xpath("./td | ./th"):
            if (row.text_content() or "").strip():
                cell = lxml_html.Element("td")
                cell.text, row.text = row.text, None
                cell.extend(list(row))
                row.append(cell)
            else:
                row.drop_tree()  # a row with no cell has nothing to show
    for group in list(tree.iter("thead", "tbody", "tfoot")):
        if not group.xpath("./tr"):
            group.drop_tree()
    for table in list(tree.iter("table")):
        if not table.xpath(".//tr"):
            if (table.text_content() or "").strip():
                warn(line_of(table), "a table with no rows is set as text")
                table.drop_tag()
            else:
                table.drop_tree()


def scrollable_tables(tree: etree._Element) -> None:
    """Each table inside a box of its own that scrolls sideways on a narrow screen (a table set as a block would
    lose its table semantics for screen readers), which a keyboard can reach and a screen reader names."""
    for number, table in enumerate(list(tree.iter("table")), start=1):
        caption = " ".join((table.findtext("caption") or "").split())
        box = lxml_html.Element("div", {"class": "table-scroll", "role": "region", "tabindex": "0",
                                        "aria-label": caption or f"Table {number}"})
        if table.get(LINE):
            box.set(LINE, table.get(LINE))
        table.addprevious(box)
        box.append(table)  # moves the table, its tail with it
        box.tail, table.tail = table.tail, None


LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(px|mm|cm|in|pt|em|%)\s*", re.IGNORECASE)


def author_sizes(tree: etree._Element, warn: Callable[[int | None, str], None]) -> None:
    """An image's width or height in other units than pixels (`{width=50%}`, `{width=8cm}`), which HTML's
    attributes cannot hold (the EPUB and the web page would be invalid), becomes the same size in its style;
    the print edition reads it there too. One that is no length at all goes, with a warning."""
    for image in tree.iter("img"):
        for name in ("width", "height"):
            value = (image.get(name) or "").strip()
            if not value or value.isdigit():
                continue
            del image.attrib[name]
            length = LENGTH.fullmatch(value)
            if length is None:
                warn(line_of(image), f"the image's {name} '{value[:30]}' is no length (400, 8cm, 50%); it is left out")
                continue
            style = (image.get("style") or "").rstrip("; ")
            image.set("style", f"{style}; {name}: {length[1]}{length[2].lower()}" if style else
                      f"{name}: {length[1]}{length[2].lower()}")


def facts(tree: etree._Element) -> Facts:
    return Facts(
        ids=frozenset(element.get("id") for element in tree.iter() if element.get("id")),
        has_code=next(tree.iter(*CODE_TAGS), None) is not None,
        has_table=next(tree.iter("table"), None) is not None,
        has_math=next(tree.iter("math"), None) is not None,
        undescribed_images=sum(1 for image in tree.iter("img") if not (image.get("alt") or "").strip()),
        characters=tuple(_characters(tree).items()))


def _characters(tree: etree._Element) -> dict[str, int]:
    first: dict[str, int] = {}
    line = 0

    def note(text: str | None) -> None:
        for character in set(text or ""):
            if ord(character) > 0x7E and character not in first:
                first[character] = line

    def visit(element: etree._Element) -> None:
        nonlocal line
        if element.get(LINE):
            line = int(element.get(LINE))
        if element.tag == "math":  # the PDFs draw formulas, the other editions leave them to the reader's fonts
            return
        note(element.text)
        for child in element:
            if isinstance(child.tag, str):
                visit(child)
            note(child.tail)
        if element.tag == "img":
            note(element.get("alt"))

    visit(tree)
    return dict(sorted(first.items(), key=lambda item: item[1]))


def serialize(tree: etree._Element) -> str:
    """The tree's content as HTML (without its own <div>)."""
    markup = lxml_html.tostring(tree, encoding="unicode")
    return markup[markup.index(">") + 1:markup.rindex("<")]


def web_body(tree: etree._Element) -> str:
    """The HTML the web edition sets: without the lines of the Markdown file, and without `epub:type`, which is
    EPUB vocabulary, not HTML."""
    copy = deepcopy(tree)
    for element in copy.iter(etree.Element):
        element.attrib.pop(LINE, None)
        element.attrib.pop("epub:type", None)
    return serialize(copy)


# The trees of this process, by their HTML: made once where an article is rendered (or, for one from the build
# cache, the first time an edition asks), shared by the editions, each of which changes a copy.
_TREES: dict[str, etree._Element] = {}


def remember(markup: str, tree: etree._Element) -> None:
    if len(_TREES) > 2000:  # a preview server sees a new version of an article at every save
        _TREES.clear()
    _TREES[markup] = tree


def tree_of(markup: str) -> etree._Element:
    """The article's tree, not a copy: for the content stage, which may still change it."""
    if markup not in _TREES:
        remember(markup, parse(markup))
    return _TREES[markup]


def copy_of(markup: str) -> etree._Element:
    """A copy of the article's tree, for an edition to change."""
    return deepcopy(tree_of(markup))
