"""Article fragments -> HTML for the single print document: ids made unique, footnotes made floats.

The print edition lays every piece out in one HTML document, so each piece's
ids (headings, footnotes) get the piece's slug as a prefix and links follow.
With footnotes at the foot of the page, each note's text moves to where it is
called, as a `float: footnote` element, and the end-of-article list goes.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html

from ...content.tree import LINE
from .formulas import draw_formulas
from .print_blocks import Measure, fit
from .types import NODE, in_node_order

BLOCKS = ("p", "pre", "ul", "ol", "li", "blockquote", "div", "figure", "figcaption", "table", "thead", "tbody",
          "tfoot", "tr", "th", "td", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dl", "dt", "dd", "section")


def print_body(container, slug: str, page_slugs: dict[str, str], footnotes: str, elsewhere: str,
               measure: Measure | None = None, warn=None) -> str:
    """A copy of an article's tree -> its HTML in the print document. `page_slugs` maps web page names
    ("x.html") to piece slugs; `footnotes` is "foot" or "end"; links to other pieces get the `elsewhere`
    prefix (they cross from one laid-out part to another). Each element carries its place in the tree (`NODE`), so
    that the layout can say where each page begins in the text (pagestarts.py) and preflight at which line text runs
    out of the page; the blocks' `data-line`, which the node leads back to, is left out. Formulas become drawings;
    one that cannot be drawn is said through `warn(element, message)`."""
    number(container)  # before anything changes the tree's shape: the other editions count the article's own
    draw_formulas(container, warn)
    for element in container.iter(etree.Element):
        element.attrib.pop("epub:type", None)
        if element.get("id"):
            element.set("id", f"{slug}--{element.get('id')}")
        href = element.get("href")
        if element.tag == "a" and href:
            element.set("href", _relink(href, slug, page_slugs, elsewhere))
    if footnotes == "foot":
        _float_footnotes(container)
    _label_headings(container)
    _number_lists(container)
    if measure is not None:
        fit(container, measure)  # (it says what it cannot fit at the element's line: data-line goes after it)
    for element in container.iter(etree.Element):
        element.attrib.pop(LINE, None)
    markup = lxml_html.tostring(container, encoding="unicode")
    return markup[len("<div>"):-len("</div>")]


def number(container) -> None:
    """Each element of a fresh copy of an article's tree gets its place in the tree, in document order: the other
    editions find an element by counting their own copies the same way (folios.mark)."""
    for ordinal, element in enumerate(in_node_order(container)):
        if ordinal:  # the container itself (0) is not printed: its children are the article
            element.set(NODE, str(ordinal))


def _label_headings(container) -> None:
    """Each heading's words for its PDF bookmark (css/print.css uses data-label): without the number of a
    note it cites, nor the note itself when the note floats to the foot of the page."""
    for heading in container.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        words = deepcopy(heading)
        for note in words.xpath(".//sup[@class='footnote-ref'] | .//span[@class='footnote']"):
            note.drop_tree()
        for image in words.iter("img"):  # an image's alt text, as in the contents (no words: no bookmark)
            image.tail = f"{image.get('alt') or ''}{image.tail or ''}"
        heading.set("data-label", " ".join(words.text_content().split()))


def _relink(href: str, slug: str, page_slugs: dict[str, str], elsewhere: str) -> str:
    page, _, fragment = href.partition("#")
    if not page:
        return f"#{slug}--{fragment}"
    if page in page_slugs:
        target = page_slugs[page]
        return f"{elsewhere}{target}--{fragment}" if fragment else f"{elsewhere}{target}"
    return href


def _float_footnotes(container) -> None:
    notes = {item.get("id"): item for item in container.xpath(".//section[@class='footnotes']//li")}
    floats: dict[str, object] = {}  # each note's float, by the note's id
    again = []  # calls of a note already placed, with the note's id
    for ref in container.xpath(".//sup[@class='footnote-ref']"):
        link = ref.find("a")
        noted = (link.get("href") or "#")[1:] if link is not None else ""
        if noted in notes and notes[noted] in ref.iterancestors():
            continue  # a note that calls itself, and is not placed yet: it cannot float into itself (see below)
        note = notes.pop(noted, None)
        if note is None:  # a second call of a note already placed: unlinked, numbered as that note below
            if link is not None:
                link.attrib.pop("href", None)
                again.append((link, noted))
            continue
        for backlink in note.xpath(".//a[@class='footnote-backref']"):
            backlink.drop_tree()
        footnote = lxml_html.Element("span", {"class": "footnote"})
        footnote.text = note.text
        paragraphs = 0
        for child in list(note):
            if child.tag == "p":  # block paragraphs cannot sit inside the calling paragraph
                child.tag = "span"
                paragraphs += 1
                # the first runs on from the note's number; later ones start their own lines
                if paragraphs > 1:
                    child.set("class", "footnote-paragraph")
            footnote.append(child)
        # Nor can any other block (a code block, a list, a quotation): inside a paragraph the HTML parser would
        # end the paragraph there and set the block, and what follows it, in the body text. Spans styled as
        # the blocks they were (css/print.css) stay in the note.
        for block in footnote.iterdescendants(*BLOCKS):
            block.set("class", f"footnote-{block.tag} {block.get('class') or ''}".strip())
            block.tag = "span"
        footnote.tail = ref.tail
        ref.getparent().replace(ref, footnote)
        floats[noted] = footnote
    # Numbered here in reading order, a note cited inside another note after it: WeasyPrint's footnote counter
    # counts a nested note's call before its host's, so the article's first note was printed as 2
    ours = set(floats.values())
    for number, footnote in enumerate((span for span in container.iter("span") if span in ours), start=1):
        footnote.set("data-number", str(number))
    for link, noted in again:
        if noted in floats:
            link.text = floats[noted].get("data-number")
    for section in container.xpath(".//section[@class='footnotes']"):
        if not notes:
            section.drop_tree()
            continue
        # A note that no call in the text leads to (one called only from inside itself) stays at the end, with
        # its number, rather than being lost with the notes that floated
        for item in section.xpath(".//li"):
            if item.get("id") in notes:
                number = re.search(r"(\d+)$", item.get("id") or "")
                if number:
                    item.set("value", number.group(1))
            else:
                item.drop_tree()


def _number_lists(container) -> None:
    """A list's own numbers (`<ol start="0">`, `reversed`, `<li value="7">`) as counters: WeasyPrint reads no
    `start`, `reversed` or `value`, and would print 1, 2, 3 where the text says otherwise."""
    for listing in container.iter("ol"):
        items = listing.xpath("./li")
        backwards = listing.get("reversed") is not None
        start = _number(listing.get("start"))
        start = (len(items) if backwards else 1) if start is None else start
        _add_style(listing, f"counter-reset: list-item {start + 1 if backwards else start - 1}")
        for item in items:
            if backwards:
                _add_style(item, "counter-increment: list-item -1")
            value = _number(item.get("value"))
            if value is not None:  # set before the item's own step
                _add_style(item, f"counter-set: list-item {value + 1 if backwards else value - 1}")


def _number(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _add_style(element, declaration: str) -> None:
    style = (element.get("style") or "").strip().rstrip(";")
    element.set("style", f"{style}; {declaration}" if style else declaration)


# A resolution a program writes into every file it saves (72 for the Mac's and Photoshop's screens, 96 for
# Windows', 144 for a Mac's Retina screenshot), or any under what a printer accepts at all: a screen's pixels,
# not a size on paper.
SCREEN_DPI = 150
AUTHOR_WIDTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(px|mm|cm|in|pt|%)?\s*", re.I)


def size_images(container, images: dict, ppi: float) -> None:
    """Each image of an article's tree at the width it prints at: its own resolution where its file gives a real
    one (1200 pixels at 300 dpi: 4 inches), otherwise `ppi` (the print settings' image_ppi), never larger; or the
    width the author asked for, `{width=8cm}` in Markdown or `<img width="400">`. The first is a maximum for
    css/print.css (`--print-width`), which also keeps every image inside the column and under its height.
    (WeasyPrint would lay every image out at 96 pixels an inch: a 600-pixel screenshot printed 6.25 inches
    wide at 96 ppi, below what any printer takes.)"""
    for image in container.iter("img"):
        asked = AUTHOR_WIDTH.fullmatch(image.get("width") or "")
        asset = images.get(image.get("src") or "")
        if "width:" in (image.get("style") or ""):  # the author's, in a unit (content/tree.author_sizes)
            continue
        if asked:
            number, unit = asked.groups()
            _add_style(image, f"width: {number}{(unit or 'px').lower()}")
        elif asset is not None and asset.width:
            dpi = asset.dpi if asset.dpi >= SCREEN_DPI else ppi
            _add_style(image, f"--print-width: {asset.width / dpi * 25.4:.2f}mm")
