"""What a writer's file holds besides its text -> plain records: paragraphs, changes, comments, languages.

The .docx and .odt readers fill a `Facts` from the XML; the conversion reads
it to place notes, refuse unaccepted changes and mark languages. A file has
no pages and no lines, so a place in it is named the way an editor finds it:
the paragraph's number and its first words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

MARKER = "\ue000"  # the text of the link that tags the start of each paragraph for the converter
PARAGRAPH_ANCHOR = "#ipara-"  # ...and the link's target: #ipara-12 is paragraph 12
LANGUAGE_ANCHOR = "#ilang-"  # a run of another language: #ilang-el-GR
QUOTE_STYLES = {"quote", "quotations", "quotation", "block quotation", "block quote", "block text",
                "intense quote"}
NO_LANGUAGE = {"", "x-none", "zxx", "und", "none"}


@dataclass
class Paragraph:
    """One paragraph of the text (not of a note), numbered as a reader counts: empty ones do not count."""

    number: int
    text: str  # as it will read (changes accepted or rejected as asked)
    role: str | None = None  # "title", "subtitle", "quote" (from its style), or None
    indented: bool = False  # starts with a tab or spaces
    marked: list[tuple[str, str]] = field(default_factory=list)  # (text, "highlighted" / "coloured")
    double_spaces: int = 0

    @property
    def snippet(self) -> str:
        return snippet(self.text)

    @property
    def where(self) -> str:
        return f"paragraph {self.number} ({self.snippet})"


@dataclass(frozen=True)
class Change:
    """A tracked change not yet accepted or rejected."""

    kind: str  # "insertion", "deletion", "move"
    author: str
    where: str  # 'paragraph 4 ("The ferry…")', 'footnote 2'


@dataclass(frozen=True)
class Comment:
    author: str
    text: str
    where: str
    paragraph: int | None  # the paragraph it is anchored to, if in the text


@dataclass
class Facts:
    """Everything the XML says that the converter does not carry."""

    paragraphs: dict[int, Paragraph] = field(default_factory=dict)
    empty_after: list[int] = field(default_factory=list)  # an empty paragraph follows paragraph N (0: at the top)
    changes: list[Change] = field(default_factory=list)
    formatting_changes: int = 0
    comments: list[Comment] = field(default_factory=list)
    letters: Counter = field(default_factory=Counter)  # language tag -> letters of the text in it
    title: str | None = None  # the document properties
    authors: list[str] = field(default_factory=list)
    image_alts: dict[str, str] = field(default_factory=dict)  # picture's name in the file -> its alt text
    linked_pictures: list[tuple[int | None, str, str]] = field(default_factory=list)  # (paragraph, where, target)

    @property
    def language(self) -> str | None:
        """The language most of the text is in (by primary subtag), written as Word or LibreOffice tags it."""
        by_primary: Counter = Counter()
        for tag, count in self.letters.items():
            by_primary[primary(tag)] += count
        if not by_primary:
            return None
        winner = by_primary.most_common(1)[0][0]
        return max((tag for tag in self.letters if primary(tag) == winner), key=lambda tag: self.letters[tag])

    def paragraph(self, number: int | None) -> Paragraph | None:
        return self.paragraphs.get(number) if number is not None else None


def snippet(text: str, words: int = 6) -> str:
    """'"The first six words of it…"' — how a message points at a paragraph."""
    found = text.split()
    shown = " ".join(found[:words]) + ("\u2026" if len(found) > words else "")
    return f"\u201c{shown}\u201d" if shown else "a picture"


def primary(tag: str) -> str:
    """'en-GB' -> 'en': languages are compared by their primary subtag."""
    return tag.split("-")[0].lower()


def clean_tag(tag: str | None) -> str | None:
    """A language tag as BCP 47 writes it ('el_GR' -> 'el-GR'), or None for 'no language'."""
    if not tag or tag.strip().lower() in NO_LANGUAGE:
        return None
    return tag.strip().replace("_", "-")


def script_class(text: str) -> str | None:
    """Which of Word's three language slots a piece of text uses: "complex" (Arabic, Hebrew, Indic, Thai...),
    "asian" (Chinese, Japanese, Korean) or "latin" (the rest); None for text without letters."""
    counts: Counter = Counter()
    for character in text:
        if not character.isalpha():
            continue
        code = ord(character)
        if 0x0590 <= code <= 0x0DFF or 0x0E00 <= code <= 0x0EFF or 0xFB1D <= code <= 0xFDFF or \
                0xFE70 <= code <= 0xFEFF or 0x0F00 <= code <= 0x109F or 0x1780 <= code <= 0x17FF:
            counts["complex"] += 1
        elif 0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF or \
                0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF:
            counts["asian"] += 1
        else:
            counts["latin"] += 1
    return counts.most_common(1)[0][0] if counts else None


def letters(text: str) -> int:
    return sum(character.isalpha() for character in text)


def normal_name(name: str) -> str:
    """A person's name compared as a reader would: case, accents, dots and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[.\u00b7,]", " ", plain).split())


def split_authors(value: str) -> list[str]:
    """The author property: Word separates several authors with ';' ('Ann Lee; Bo Chan')."""
    return [name.strip() for name in re.split(r";|\s+&\s+|\band\b", value) if name.strip()]


class Numbering:
    """Paragraph elements of the file -> numbers as an editor counts them: an empty paragraph does not count
    (it is noted, after the one before it), a paragraph with only a picture does."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.numbers: dict[object, int] = {}
        self.uncounted: dict[object, int] = {}  # empty paragraph -> the number of the one before it

    def count(self, element, text: str, pictured: bool, role: str | None, marked: list[tuple[str, str]],
              spacing: bool = True) -> int | None:
        """The paragraph's number, with its facts recorded; None for an empty paragraph (which is noted as
        space, unless `spacing` is False: emptied by a tracked change)."""
        if not text.strip() and not pictured:
            if spacing:
                self.facts.empty_after.append(len(self.numbers))
            self.uncounted[element] = len(self.numbers)
            return None
        number = len(self.numbers) + 1
        self.numbers[element] = number
        self.facts.paragraphs[number] = Paragraph(number, text, role=role, indented=text.startswith(("\t", "  ")),
                                                  marked=marked,
                                                  double_spaces=len(re.findall(r"(?<=\S) {2,}(?=\S)", text)))
        return number

    def where(self, element) -> tuple[str, int | None] | None:
        """How a message names the paragraph `element` (and its number), or None if it is not one."""
        if element in self.numbers:
            paragraph = self.facts.paragraphs[self.numbers[element]]
            return paragraph.where, paragraph.number
        if element in self.uncounted:
            before = self.facts.paragraph(self.uncounted[element])
            return (f"the paragraph after {before.where}" if before else "the first paragraph"), None
        return None
