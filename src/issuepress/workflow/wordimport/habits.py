"""The article's tree as the writer typed it -> as a careful editor would have typed it, with a note of each change.

Writers format for the page in front of them: a bold line for a heading,
empty paragraphs for space, a tab to set off a quotation, Shift+Enter to
end a line (or a paragraph), colour and highlighting to flag something for
the editor, double spaces after a full stop. Each is put the way
issuepress's Markdown says it, and each is noted with the paragraph it was
in, so the editor can check the guess. Straight quotes stay as typed: every
edition sets them as the article's language curls them.
"""

from __future__ import annotations

import re

from ...terminal import counted
from .body import NUMBER, Article
from .facts import Facts, snippet
from .pandoc import block_lists, inline_lists, inlines_of, node, plain_text

HEADING_WORDS = 12  # a bold line longer than this is a bold sentence, not a heading
SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
CLAUSE_END = re.compile(r"[.!?\u2026,;:\u2014\u2013-][\"'\u201d\u2019)\]]*$")
SPACES = ("Space", "SoftBreak")


def _where(facts: Facts, block: dict) -> str:
    paragraph = facts.paragraph(block.get(NUMBER))
    return paragraph.where if paragraph else "a paragraph"


def _only_bold(inlines: list) -> list | None:
    """The content of a paragraph that is nothing but bold text, or None."""
    content = [element for element in inlines if element["t"] not in SPACES]
    if len(content) == 1 and content[0]["t"] == "Strong":
        return content[0]["c"]
    return None


def bold_headings(article: Article, facts: Facts) -> None:
    """A short bold paragraph on its own, followed by text, is a heading one level below the heading before it
    (level 1 where there is none)."""
    blocks = article.tree["blocks"]
    level = 0
    for index, block in enumerate(blocks):
        if block["t"] == "Header" and "_bold" not in block:
            level = block["c"][0]
            continue
        inner = _only_bold(block["c"]) if block["t"] == "Para" else None
        words = plain_text(inner or [])
        if not inner or index + 1 == len(blocks) or len(words.split()) > HEADING_WORDS \
                or re.search(r"[.,;:!\u2026]$", words) or blocks[index + 1]["t"] == "Header":
            continue
        heading = node("Header", [min(level + 1, 6), ["", [], []], inner])
        heading.update({NUMBER: block.get(NUMBER), "_bold": True})
        blocks[index] = heading
        article.note(f"{_where(facts, block)} is bold text on a line of its own: it is now a heading "
                     f"({'#' * (level + 1)} {words})", heading)


def _lines(inlines: list) -> list[list]:
    lines: list[list] = [[]]
    for element in inlines:
        if element["t"] == "LineBreak":
            lines.append([])
        else:
            lines[-1].append(element)
    return lines


def line_breaks(article: Article, facts: Facts) -> None:
    """Manual line breaks: after a full stop, with a capital after, they end a paragraph; in mid-sentence
    they are a space; where most lines end a clause (verse, an address) they stay."""
    for block_list in list(block_lists(article.tree)):
        index = 0
        while index < len(block_list):
            block = block_list[index]
            inlines = inlines_of(block)
            if not inlines or not any(element["t"] == "LineBreak" for element in inlines):
                index += 1
                continue
            lines = _lines(inlines)
            texts = [plain_text(line) for line in lines]
            breaks = list(zip(texts, texts[1:], strict=False))
            ends = [bool(SENTENCE_END.search(before)) and after[:1].isupper() for before, after in breaks]
            clauses = [bool(CLAUSE_END.search(before)) for before, _after in breaks]
            where = _where(facts, block)
            if block["t"] != "Header" and all(ends):
                new = [node(block["t"], _trimmed(line)) for line in lines if plain_text(line)]
                new[0][NUMBER] = block.get(NUMBER)
                block_list[index:index + 1] = new
                article.note(f"{where} is {len(new)} paragraphs that the writer separated with line breaks "
                             "(Shift+Enter); they are paragraphs now", new[0])
                index += len(new)
                continue
            if block["t"] == "Header" or sum(clauses) * 2 < len(clauses) + (len(clauses) == 1):
                joined: list = []
                for line in lines:
                    joined += ([node("Space")] if joined else []) + _trimmed(line)
                inlines[:] = joined
                article.note(f"{where} had line breaks in mid-sentence (Shift+Enter); they are spaces now", block)
            index += 1


def _trimmed(line: list) -> list:
    start, end = 0, len(line)
    while start < end and line[start]["t"] in SPACES:
        start += 1
    while end > start and line[end - 1]["t"] in SPACES:
        end -= 1
    return line[start:end]


def indents(article: Article, facts: Facts) -> None:
    """Paragraphs that start with a tab or spaces: when most do, that is the writer's first-line indent (the
    editions indent by themselves); when a few do, they are set off as quotations, and become block quotes."""
    indented = [p for p in facts.paragraphs.values() if p.indented and p.role is None]
    if not indented:
        return
    text_paragraphs = [p for p in facts.paragraphs.values() if p.text.strip() and p.role is None]
    if len(indented) * 2 > len(text_paragraphs):
        article.note(f"{counted(len(indented), 'paragraph')} begin with a tab or spaces, a first-line indent the "
                     "editions make by themselves; the indents are left out")
        return
    numbers = {p.number for p in indented}
    blocks = article.tree["blocks"]
    grouped: list[dict] = []
    for block in blocks:
        if block["t"] == "Para" and block.get(NUMBER) in numbers:
            if grouped and grouped[-1].get("_indented"):
                grouped[-1]["c"].append(block)
                continue
            quote = node("BlockQuote", [block])
            quote.update({"_indented": True, NUMBER: block.get(NUMBER)})
            grouped.append(quote)
            article.note(f"{_where(facts, block)} begins with a tab or spaces, setting it off from the text: it "
                         "is a block quote now", quote)
        else:
            grouped.append(block)
    blocks[:] = grouped


def marked_text(article: Article, facts: Facts, blocks: dict[int, dict]) -> None:
    """Colour and highlighting are the writer's notes to the editor: the words stay, the marking goes."""
    for number, paragraph in sorted(facts.paragraphs.items()):
        for text, how in paragraph.marked:
            what = "highlighting" if how == "highlighted" else "colour"
            article.note(f"{paragraph.where}: {snippet(text, 8)} was {how}, perhaps for the editor; the words "
                         f"are kept and the {what} left out", blocks.get(number))
    underlined = []
    for inlines in inline_lists(article.tree):
        index = 0
        while index < len(inlines):
            element = inlines[index]
            if element["t"] == "Span" and element["c"][0][1] == ["mark"] and not element["c"][0][0]:
                inlines[index:index + 1] = element["c"][1]
                continue
            if element["t"] == "Underline":  # the typewriter's way to say italics
                element["t"] = "Emph"
                underlined.append(plain_text(element["c"]))
            index += 1
    if underlined:
        article.note(f"{counted(len(underlined), 'underlined passage')} (first {snippet(underlined[0], 8)}) set in "
                     "italics, as underlining was the typewriter's italics")


def spacing(article: Article, facts: Facts, blocks: dict[int, dict]) -> None:
    """Notes for what pandoc already evened out: empty paragraphs used as space, and double spaces."""
    if facts.empty_after:
        places = ", ".join(f"after {facts.paragraphs[n].where}" if n in facts.paragraphs else "at the start"
                           for n in sorted(set(facts.empty_after))[:3])
        more = len(set(facts.empty_after)) - 3
        article.note(f"{counted(len(facts.empty_after), 'empty paragraph')} (space between paragraphs) left out, "
                     f"the layouts space the text: {places}" + (f" and {more} more places" if more > 0 else ""),
                     blocks.get(min(facts.empty_after) or min(blocks, default=0)))
    doubled = [p for p in facts.paragraphs.values() if p.double_spaces]
    if doubled:
        count = sum(p.double_spaces for p in doubled)
        article.note(f"{counted(count, 'double space')} (first in {doubled[0].where}) made single",
                     blocks.get(doubled[0].number))


def straight_quotes(article: Article, language: str) -> None:
    count, first = 0, None
    for block_list in block_lists(article.tree):
        for block in block_list:
            if inlines_of(block) is None:
                continue
            found = sum(e["c"].count('"') + e["c"].count("'") for inlines in inline_lists(inlines_of(block), False)
                        for e in inlines if e["t"] == "Str")
            if found and first is None:
                first = block
            count += found
    if count:
        article.note(f"{counted(count, 'straight quote')} (\" or ') left as typed: every edition sets them as curly "
                     f"quotes, in the way of the article's language ({language})", first)
