"""pandoc's tree of a prepared file -> the article's tree: paragraphs known by number, languages as `lang`
spans, the title taken out, quotations and pictures as issuepress's Markdown has them.

The markers docx.py and odt.py put in (a link at the start of each
paragraph, a link around each stretch of another language) are read and
taken out here, so nothing of them reaches the Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...content import text_direction
from .facts import LANGUAGE_ANCHOR, MARKER, PARAGRAPH_ANCHOR, Facts, primary
from .pandoc import block_lists, inline_lists, inlines_of, node, plain_text

NUMBER = "_n"  # a key put on a block (and taken off before writing): the number of its paragraph in the file
LANGUAGE = "_lang"  # ...and the language that all of it is in


@dataclass
class Finding:
    """Something the import says about the article (a warning), at a block of it or about all of it."""

    message: str
    block: dict | None = None


@dataclass
class Article:
    """The article's tree and what was taken out of it for the front matter."""

    tree: dict
    title: list = field(default_factory=list)  # inlines
    subtitle: list = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def note(self, message: str, block: dict | None = None) -> None:
        self.findings.append(Finding(message, block))


def _target(element: dict) -> str:
    return element["c"][2][0] if element["t"] in ("Link", "Image") else ""


def number_paragraphs(tree: dict) -> dict[int, dict]:
    """Read the paragraph markers into each block's NUMBER and remove them all; number -> block."""
    blocks: dict[int, dict] = {}
    for block_list in block_lists(tree):
        for block in block_list:
            inlines = inlines_of(block)
            for element in inlines or []:
                if _target(element).startswith(PARAGRAPH_ANCHOR):
                    number = int(_target(element).removeprefix(PARAGRAPH_ANCHOR))
                    block[NUMBER] = number
                    blocks.setdefault(number, block)
                    break
    for inlines in inline_lists(tree):
        inlines[:] = [element for element in inlines if not _target(element).startswith(PARAGRAPH_ANCHOR)]
        for element in inlines:  # (should pandoc ever let a marker's text out of its link)
            if element["t"] == "Str" and MARKER in element["c"]:
                element["c"] = element["c"].replace(MARKER, "")
        inlines[:] = [element for element in inlines if element["t"] != "Str" or element["c"]]
    return blocks


def _language_pairs(tag: str, direction: str) -> list[list[str]]:
    """lang="el-GR", and dir="rtl" (or "ltr") where the text changes direction."""
    return [["lang", tag]] + ([["dir", text_direction(tag)]] if text_direction(tag) != direction else [])


def _language_of(element: dict) -> str | None:
    if element["t"] != "Span":
        return None
    pairs = dict(element["c"][0][2])
    return pairs.get("lang")


def mark_languages(tree: dict, language: str) -> None:
    """Links to #ilang-TAG become `lang` spans (with `dir` where the direction changes); neighbouring spans of
    one language merge; a paragraph all in one language gets a <div lang> around it (and its neighbours)."""
    direction = text_direction(language)
    for inlines in inline_lists(tree):
        for index, element in enumerate(inlines):
            if _target(element).startswith(LANGUAGE_ANCHOR):
                tag = _target(element).removeprefix(LANGUAGE_ANCHOR)
                inlines[index] = node("Span", [["", [], _language_pairs(tag, direction)], element["c"][1]])
        _merge_spans(inlines)
    for block_list in list(block_lists(tree)):
        for block in block_list:
            inlines = inlines_of(block)
            lettered = [e for e in inlines or [] if e["t"] not in ("Space", "SoftBreak")]
            if len(lettered) == 1 and _language_of(lettered[0]) and not lettered[0]["c"][0][0]:
                block[LANGUAGE] = _language_of(lettered[0])
                inlines[:] = lettered[0]["c"][1]
        _group_blocks(block_list, direction)
    _settle_directions(tree["blocks"], direction)


def _merge_spans(inlines: list) -> None:
    index = 0
    while index < len(inlines):
        tag = _language_of(inlines[index])
        if tag:
            after = index + 1
            while after < len(inlines) and inlines[after]["t"] in ("Space", "SoftBreak"):
                after += 1
            if after < len(inlines) and _language_of(inlines[after]) == tag:
                between = inlines[index + 1:after]
                inlines[index]["c"][1].extend(between + inlines[after]["c"][1])
                del inlines[index + 1:after + 1]
                continue
        index += 1


def _group_blocks(blocks: list, direction: str) -> None:
    grouped: list[dict] = []
    for block in blocks:
        tag = block.pop(LANGUAGE, None)
        if tag and grouped and grouped[-1]["t"] == "Div" and dict(grouped[-1]["c"][0][2]).get("lang") == tag \
                and grouped[-1].get(LANGUAGE):
            grouped[-1]["c"][1].append(block)
            continue
        if tag:
            div = node("Div", [["", [], _language_pairs(tag, direction)], [block]])
            div[LANGUAGE] = tag
            grouped.append(div)
        else:
            grouped.append(block)
    blocks[:] = grouped


def _settle_directions(value, direction: str) -> None:
    """pandoc marks Word's right-to-left runs with <span dir>; where the text around already runs that way
    (the article, or a `lang` span or div), the span says nothing and goes."""
    if isinstance(value, list):
        index = 0
        while index < len(value):
            item = value[index]
            if isinstance(item, dict) and item.get("t") == "Span" and item["c"][0] == ["", [], [["dir", direction]]]:
                value[index:index + 1] = item["c"][1]  # its content is looked at in turn
                continue
            _settle_directions(item, direction)
            index += 1
    elif isinstance(value, dict) and "c" in value:
        inner = direction
        if value.get("t") in ("Span", "Div"):
            pairs = dict(value["c"][0][2])
            inner = pairs.get("dir") or (text_direction(pairs["lang"]) if "lang" in pairs else direction)
        _settle_directions(value["c"], inner)


def take_title(article: Article, tree: dict, facts: Facts, blocks: dict[int, dict]) -> None:
    """The title and subtitle: the paragraphs styled Title and Subtitle, else a heading that opens the text
    and is the only one of its level, else the document's title property (left empty if none)."""
    meta = tree.get("meta", {})
    for key in ("title", "subtitle"):
        if meta.get(key, {}).get("t") == "MetaInlines":
            setattr(article, key, meta.pop(key)["c"])
    for key in ("author", "date"):  # Word paragraphs styled Author or Date, which pandoc takes out of the text
        if key in meta:
            words = plain_text(meta.pop(key))
            article.note(f"the paragraph styled {key.title()} (\u201c{words}\u201d) is left out: the "
                         f"{'byline comes from the authors' if key == 'author' else 'issue has its date'}")
    if meta.get("abstract", {}).get("t") == "MetaBlocks":
        tree["blocks"][:0] = meta.pop("abstract")["c"]
    for number, block in sorted(blocks.items()):
        role = facts.paragraphs[number].role if number in facts.paragraphs else None
        top = next((index for index, found in enumerate(tree["blocks"]) if found is block), None)
        if role in ("title", "subtitle") and not getattr(article, role) and top is not None:
            setattr(article, role, inlines_of(block) or [])
            del tree["blocks"][top]
    body = tree["blocks"]
    if not article.title and body and body[0]["t"] == "Header":
        level = body[0]["c"][0]
        if sum(1 for block in body if block["t"] == "Header" and block["c"][0] == level) == 1:
            article.title = body.pop(0)["c"][2]
    if not article.title and facts.title:
        article.title = [node("Str", facts.title)]
    for key in ("title", "subtitle"):
        setattr(article, key, _title_inlines(getattr(article, key), article))


def _title_inlines(inlines: list, article: Article) -> list:
    """A title is one line of text with emphasis: spans (a language, a direction) and breaks go, a note
    cannot be in it."""
    kept: list = []
    for element in inlines:
        if element["t"] == "Span":
            kept += _title_inlines(element["c"][1], article)
        elif element["t"] in ("LineBreak", "SoftBreak"):
            kept.append(node("Space"))
        elif element["t"] == "Note":
            article.note(f"the title has a note, which a title cannot carry; it is left out: "
                         f"\u201c{plain_text(element['c'])}\u201d")
        else:
            if element["t"] in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps"):
                element["c"] = _title_inlines(element["c"], article)
            kept.append(element)
    return kept


def wrap_quotations(tree: dict, facts: Facts) -> None:
    """Paragraphs in a quotation style (Quote, Quotations, Block Text...) that pandoc left as plain
    paragraphs become block quotes, neighbours together."""
    inside = {id(block["c"]) for block_list in block_lists(tree) for block in block_list if block["t"] == "BlockQuote"}
    for block_list in list(block_lists(tree)):
        if id(block_list) in inside:
            continue
        grouped: list[dict] = []
        for block in block_list:
            paragraph = facts.paragraph(block.get(NUMBER))
            if paragraph is not None and paragraph.role == "quote" and block["t"] in ("Para", "Plain"):
                if grouped and grouped[-1]["t"] == "BlockQuote" and grouped[-1].get("_quoted"):
                    grouped[-1]["c"].append(block)
                    continue
                quote = node("BlockQuote", [block])
                quote["_quoted"] = True
                grouped.append(quote)
            else:
                grouped.append(block)
        block_list[:] = grouped


def strip_private_keys(value) -> None:
    """Remove the import's own keys from every block before pandoc reads the tree back."""
    if isinstance(value, dict):
        for key in [key for key in value if key.startswith("_")]:
            del value[key]
        for item in value.values():
            strip_private_keys(item)
    elif isinstance(value, list):
        for item in value:
            strip_private_keys(item)


def language_of_article(facts: Facts, issue_language: str) -> tuple[str, str | None]:
    """(the article's language, what its front matter says: None when it is the issue's)."""
    found = facts.language
    if found is None or primary(found) == primary(issue_language):
        return issue_language, None
    return found, found


def settle_links(tree: dict) -> None:
    """Bookmarks are kept only where a link of the article leads (Word's own, such as _GoBack, go); a link
    to a bookmark that is not there keeps its words."""
    anchors = {element["c"][0][0] for inlines in inline_lists(tree) for element in inlines
               if element["t"] == "Span" and element["c"][0][0]}
    targets = {_target(element)[1:] for inlines in inline_lists(tree) for element in inlines
               if element["t"] == "Link" and _target(element).startswith("#")}
    for inlines in inline_lists(tree):
        index = 0
        while index < len(inlines):
            element = inlines[index]
            unwrap = (element["t"] == "Link" and _target(element).startswith("#")
                      and _target(element)[1:] not in anchors) or \
                (element["t"] == "Span" and element["c"][0][0] and element["c"][0][0] not in targets)
            if unwrap and element["t"] == "Span" and (element["c"][0][1] or element["c"][0][2]) \
                    and element["c"][0][1] != ["anchor"]:
                element["c"][0][0] = ""  # a language span keeps its language, only the id goes
                unwrap = False
            if unwrap:
                inlines[index:index + 1] = element["c"][1]
                continue
            index += 1


def tight_lists(tree: dict) -> None:
    """Word gives each list item a paragraph; a list whose items are one paragraph each is written tight
    (no blank lines between items), as an editor would type it."""
    for block_list in block_lists(tree):
        for block in block_list:
            items = block["c"] if block["t"] == "BulletList" else block["c"][1] if block["t"] == "OrderedList" \
                else None
            if items and all(len(item) == 1 and item[0]["t"] in ("Para", "Plain") for item in items):
                for item in items:
                    item[0]["t"] = "Plain"


def trim_spaces(tree: dict) -> None:
    """No paragraph starts or ends with a space (a tab the writer indented with leaves one)."""
    for block_list in block_lists(tree):
        for block in block_list:
            inlines = inlines_of(block)
            while inlines and inlines[0]["t"] in ("Space", "SoftBreak", "LineBreak"):
                inlines.pop(0)
            while inlines and inlines[-1]["t"] in ("Space", "SoftBreak", "LineBreak"):
                inlines.pop()


SYMBOL_LOOKALIKES = re.compile(r"\((?:c|r|tm)\)", re.IGNORECASE)


def keep_lookalikes(tree: dict) -> None:
    """'(c)', '(r)' and '(tm)' are what issuepress's Markdown turns into ©, ® and ™; a writer's '(c)' is more
    often the third of a list, so it is written escaped, \\(c), and every edition shows it as typed."""
    for inlines in inline_lists(tree):
        index = 0
        while index < len(inlines):
            element = inlines[index]
            if element["t"] == "Str" and SYMBOL_LOOKALIKES.search(element["c"]):
                pieces: list[dict] = []
                for part in re.split(f"({SYMBOL_LOOKALIKES.pattern})", element["c"], flags=re.IGNORECASE):
                    if SYMBOL_LOOKALIKES.fullmatch(part):
                        pieces.append(node("RawInline", ["gfm", "\\" + part]))
                    elif part:
                        pieces.append(node("Str", part))
                inlines[index:index + 1] = pieces
                index += len(pieces)
                continue
            index += 1
