"""Code, tables and web addresses in an article's print copy -> blocks that fit the column: long code lines
stepped down in size and then wrapped with a continuation mark, wide tables set smaller, addresses given
places to break that are not hyphens.

A printed page cannot scroll, and WeasyPrint cannot mark a line it wraps inside a <pre>: so code is wrapped
here, where the column's width in characters is known, at a space or after punctuation where there is one,
each continuation starting with a mark (→) that says the line goes on. Nothing in code or an address is
ever hyphenated (css/print.css), and an address breaks only after / . ? & = or -.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import html as lxml_html

MM_PER_PT = 25.4 / 72
MONO_ADVANCE = 0.6  # Noto Sans Mono: every character is 0.6 em wide
STEPS = (1.0, 0.9, 0.8)  # the sizes a code block may step down to before its lines wrap
INDENT_MM = 6.0  # what each list, quotation or box around a block takes from its width
INDENTED = frozenset({"li", "blockquote", "dd", "div"})
CONTINUED = "\u2192 "  # the mark a wrapped code line's continuation starts with
BREAK_AFTER = " ,;([{=+-*/|&<>.:"  # where a code line breaks best: after these
URL_BREAKS = "/.?&=-_#"
ZERO_WIDTH_SPACE = "\u200b"
WIDE_TABLE = 6  # columns from which a table's type steps down
WIDER_TABLE = 9


@dataclass(frozen=True)
class Measure:
    """The column the text is set in: its width, and the size of code in it."""

    width_mm: float
    code_pt: float

    def columns(self, indent_mm: float, scale: float) -> int:
        return max(20, int((self.width_mm - indent_mm) / (self.code_pt * scale * MONO_ADVANCE * MM_PER_PT)))


def fit(container, measure: Measure) -> None:
    for box in list(container.xpath(".//div[@class='table-scroll']")):  # a page does not scroll
        box.drop_tag()
    for pre in list(container.iter("pre")):
        _fit_code(pre, measure)
    for table in container.iter("table"):
        columns = max((len(row.xpath("./th | ./td")) for row in table.iter("tr")), default=0)
        if columns >= WIDE_TABLE:
            table.set("class", f"{table.get('class') or ''} {'wider' if columns >= WIDER_TABLE else 'wide'}".strip())
    for link in container.iter("a"):
        _breakable_address(link)


def _fit_code(pre, measure: Measure) -> None:
    lines = pre.text_content().split("\n")
    longest = max((len(line) for line in lines), default=0)
    indent = INDENT_MM * sum(1 for ancestor in pre.iterancestors() if ancestor.tag in INDENTED) - INDENT_MM
    for step, scale in enumerate(STEPS):
        if longest <= measure.columns(max(0.0, indent), scale):
            if step:
                pre.set("class", f"{pre.get('class') or ''} smaller-{step}".strip())
            return
    pre.set("class", f"{pre.get('class') or ''} smaller-{len(STEPS) - 1} wrapped".strip())
    _wrap(pre, measure.columns(max(0.0, indent), STEPS[-1]))


def _wrap(pre, width: int) -> None:
    """Break every line longer than `width` characters, each continuation starting with the mark."""
    slots = list(_text_slots(pre))
    column = 0
    for element, slot in slots:
        text = getattr(element, slot) or ""
        pieces, start, index = [], 0, 0
        while index < len(text):
            character = text[index]
            if character == "\n":
                column = 0
            elif column >= width:
                at = _break_at(text, start, index, column)
                pieces.append(text[start:at])
                start, index = at, at
                column = len(CONTINUED)
                continue
            else:
                column += 1
            index += 1
        if not pieces:
            continue
        pieces.append(text[start:])
        setattr(element, slot, pieces[0])
        marks = []
        for rest in pieces[1:]:
            mark = lxml_html.Element("span", {"class": "code-continued", "aria-hidden": "true"})
            mark.text, mark.tail = "\n" + CONTINUED, rest
            marks.append(mark)
        parent, position = (element, 0) if slot == "text" else (element.getparent(), element.getparent().index(
            element) + 1)
        for offset, mark in enumerate(marks):
            parent.insert(position + offset, mark)


def _text_slots(element):
    """(element, "text" or "tail") for every run of text inside `element`, in reading order."""
    yield element, "text"
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_slots(child)
        yield child, "tail"


def _break_at(text: str, start: int, index: int, column: int) -> int:
    """Where to end the line that has reached the width at text[index]: after the last space or punctuation
    of this run within the last twenty characters, else right here."""
    floor = max(start + 1, index - 20, index - column + 1)
    for at in range(index, floor - 1, -1):
        if text[at - 1] in BREAK_AFTER:
            return at
    return index


def _breakable_address(link) -> None:
    """A web address shown as a link's text: a break opportunity after each / . ? & = - _ #, never a hyphen."""
    if link.text and link.text.startswith(("http://", "https://", "www.")) and len(link) == 0:
        text = link.text
        scheme, _, rest = text.partition("://") if "://" in text else ("", "", text)
        marked = "".join(f"{character}{ZERO_WIDTH_SPACE}" if character in URL_BREAKS else character
                         for character in rest)
        link.text = f"{scheme}://{marked}" if scheme else marked
        link.set("class", f"{link.get('class') or ''} address".strip())
