"""Code, tables and web addresses in an article's print copy -> blocks that fit the column: long code lines
stepped down in size and then wrapped with a continuation mark, wide tables set smaller (and on a page turned
sideways if they still do not fit), addresses given places to break that are not hyphens.

A printed page cannot scroll, and WeasyPrint cannot mark a line it wraps inside a <pre>: so code is wrapped
here, where the column's width in characters is known, at a space or after punctuation where there is one,
each continuation starting with a mark (→) that says the line goes on. Nothing in code or an address is
ever hyphenated (css/print.css), and an address breaks only after / . ? & = or -.

A table whose columns cannot each be as wide as their longest word, even set small, would have to break
identifiers inside (`modern_translations` over three lines): it is set on a page of its own turned sideways
(class `landscape`: css/print.css names the page, assembly turns it into the portrait trim), where the
column is the page's height. The estimate of a word's width is a table of character widths taken from
Inter, the tables' face, each rounded down: a table it finds too wide really is, and one that fits the
portrait column stays in the flow. A table too wide for the turned page too still goes there, its cells
breaking inside words where they must (css/blocks.css: overflow-wrap), never cut off.
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
# A table's type size and the room after each cell's text (its right padding) at each step, as css/print.css
# and css/blocks.css set them
TABLE_STEPS = {"": (8.0, 2.0), "wide": (7.0, 2.0), "wider": (6.2, 1.0)}
BOLD = 1.04  # Inter SemiBold (header cells) is this much wider than Inter Regular
# Inter's advance widths in em, by class of character, each class at its narrowest member's width rounded down
ADVANCES = ((".,:;'!|ijlI", 0.24), ("frt()[]{}/\"", 0.35), ("mwMW%@", 0.8),
            ("ABCDEFGHKLNOPQRSTUVXYZ023456789", 0.56), ("abcdeghknopqsuvxyz", 0.52))
OTHER_ADVANCE = 0.45  # every other character (_ and - are 0.45 em; a letter of another script is a guess)
BREAKS_AFTER_IN_TEXT = "-/\u2013\u2014"  # where a line may break inside a word of text
MONOSPACED = frozenset({"code", "kbd", "samp"})


@dataclass(frozen=True)
class Measure:
    """The column the text is set in: its width, and the size of code in it."""

    width_mm: float
    code_pt: float
    turned_mm: float = 0.0  # the text's width on a page turned sideways; 0: no such page (a square trim)

    def columns(self, indent_mm: float, scale: float) -> int:
        return max(20, int((self.width_mm - indent_mm) / (self.code_pt * scale * MONO_ADVANCE * MM_PER_PT)))


def fit(container, measure: Measure) -> None:
    for box in list(container.xpath(".//div[@class='table-scroll']")):  # a page does not scroll
        box.drop_tag()
    for pre in list(container.iter("pre")):
        _fit_code(pre, measure)
    for table in container.iter("table"):
        columns = max((len(row.xpath("./th | ./td")) for row in _rows(table)), default=0)
        step = "wider" if columns >= WIDER_TABLE else "wide" if columns >= WIDE_TABLE else ""
        classes = [step] if step else []
        inside = any(ancestor.tag == "table" for ancestor in table.iterancestors())  # a cell has no page of its own
        if measure.turned_mm and not inside and _narrowest_mm(table, step) > measure.width_mm - _indent(table):
            classes.append("landscape")
        _add_class(table, " ".join(classes))
    for link in container.iter("a"):
        _breakable_address(link)


def _fit_code(pre, measure: Measure) -> None:
    lines = pre.text_content().split("\n")
    longest = max((len(line) for line in lines), default=0)
    indent = _indent(pre)
    for step, scale in enumerate(STEPS):
        if longest <= measure.columns(indent, scale):
            if step:
                _add_class(pre, f"smaller-{step}")
            return
    _add_class(pre, f"smaller-{len(STEPS) - 1} wrapped")
    _wrap(pre, measure.columns(indent, STEPS[-1]))


def _indent(block) -> float:
    """What the lists, quotations and boxes around a block take from the column's width, in mm (the article's
    own <div> is not one of them)."""
    return max(0.0, INDENT_MM * sum(1 for ancestor in block.iterancestors() if ancestor.tag in INDENTED) - INDENT_MM)


def _add_class(element, names: str) -> None:
    if names:
        element.set("class", f"{element.get('class') or ''} {names}".strip())


def _narrowest_mm(table, step: str) -> float:
    """How wide the table must be for no cell to break inside a word: each column as wide as its longest
    word, header or body, plus the cell's padding. A cell spanning columns is left out (it can share)."""
    size_pt, padding_mm = TABLE_STEPS[step]
    columns: dict[int, float] = {}
    for row in _rows(table):
        position = 0
        for cell in row.xpath("./th | ./td"):
            span = int(cell.get("colspan")) if (cell.get("colspan") or "").isdigit() else 1
            if span == 1:
                longest = _longest_word_em(cell) * (BOLD if cell.tag == "th" else 1.0)
                columns[position] = max(columns.get(position, 0.0), longest)
            position += max(span, 1)
    return sum(columns.values()) * size_pt * MM_PER_PT + len(columns) * padding_mm


def _rows(table) -> list:
    """The table's own rows, not those of a table inside one of its cells."""
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _longest_word_em(cell) -> float:
    """The width of the cell's longest run of text a line cannot break (at a space, a hyphen, a slash, a
    zero-width space), in em: code at the monospaced advance, text by the character widths above."""
    longest = word = 0.0
    for text, monospaced in _runs(cell, cell.tag in MONOSPACED):
        for character in text:
            if character.isspace() or character == ZERO_WIDTH_SPACE:
                longest, word = max(longest, word), 0.0
                continue
            word += MONO_ADVANCE if monospaced else _advance(character)
            if character in BREAKS_AFTER_IN_TEXT and not monospaced:
                longest, word = max(longest, word), 0.0
    return max(longest, word)


def _runs(element, monospaced: bool):
    """(text, whether it is set in the monospaced face) for the text of `element` in reading order, without
    the notes that float to the foot of the page, nor a table inside it (which is fitted on its own)."""
    yield element.text or "", monospaced
    for child in element:
        if child.tag != "table" and isinstance(child.tag, str) and "footnote" not in (child.get("class") or "").split():
            yield from _runs(child, monospaced or child.tag in MONOSPACED)
        yield child.tail or "", monospaced


def _advance(character: str) -> float:
    for characters, advance in ADVANCES:
        if character in characters:
            return advance
    return OTHER_ADVANCE


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
