"""markdown-it's tokens -> the same tokens with the conventions every edition relies on, as core rules.

Headings shift so the body starts at <h2> (the page's <h1> is the title) and skip no level, and get ids that
no id written in raw HTML has; a paragraph of images alone becomes figures, captioned by their titles; notes
are numbered in the order a reader meets them.
"""

from __future__ import annotations

import html
import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .names import FOOTNOTE_ID, THEME_IDS, as_id, slugify, unique
from .rawhtml import raw_ids


def raw_ids_rule(state: StateCore) -> None:
    """Note the ids written in raw HTML, before headings get theirs: a heading must not take one."""
    used: set[str] = state.env.setdefault("ids", set(THEME_IDS))
    for token in state.tokens:
        for raw in [token, *(token.children or [])]:
            if raw.type in ("html_block", "html_inline"):
                used.update(as_id(value) for value in raw_ids(raw.content))


def heading_rule(state: StateCore) -> None:
    """Shift headings so the highest is <h2> and none skips a level (an article of ### headings gets <h2>s,
    ## then #### gives <h2> then <h3>: the page's <h1> is the title); give each a unique id, list them in env."""
    tokens = state.tokens
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = 2 - min(levels) if levels else 0
    used: set[str] = state.env.setdefault("ids", set(THEME_IDS))
    headings: list[tuple[int, str, str]] = state.env.setdefault("headings", [])
    level = previous = 1
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = previous = min(int(token.tag[1]) + shift, previous + 1, 6)
        elif token.type != "heading_close":
            continue
        token.tag = f"h{level}"
        if token.type == "heading_open":
            # what a reader sees of it: an image's alt text too (a heading may be only an image)
            text = state.md.renderer.renderInlineAsText(tokens[index + 1].children or [], state.md.options, state.env)
            base = slugify(text) or "section"
            # "## fn1" must not take a footnote's id: the calls of note 1 would lead to the heading
            ident = unique(f"s-{base}" if FOOTNOTE_ID.fullmatch(base) else base, used)
            used.add(ident)
            token.attrSet("id", ident)
            headings.append((level, ident, text))


def figure_rule(state: StateCore) -> None:
    """A paragraph that holds images and nothing else becomes figures, one an image, each captioned by its
    title. (Images on consecutive lines make one paragraph; set inline, they would lose their captions.)"""
    tokens, index = state.tokens, 0
    while index < len(tokens) - 2:
        opening, inline, closing = tokens[index: index + 3]
        index += 1
        if opening.type != "paragraph_open" or inline.type != "inline" or closing.type != "paragraph_close":
            continue
        children = [c for c in inline.children or [] if not (c.type in ("text", "softbreak") and not c.content.strip())]
        if not children or any(child.type != "image" for child in children):
            continue
        figures = []
        line = opening.map[0] if opening.map else 0
        for child in inline.children or []:
            if child.type == "softbreak":
                line += 1
            elif child.type == "image":
                figures += _figure(state, child, opening, inline, closing, line)
        tokens[index - 1: index + 2] = figures
        index += len(figures) - 1


def _figure(state: StateCore, image: Token, opening: Token, inline: Token, closing: Token, line: int) -> list[Token]:
    """figure_open, the image (its title the caption), figure_close: at the paragraph's level, on its line."""
    made = []
    for model, kind in ((opening, "figure_open"), (inline, "inline"), (closing, "figure_close")):
        token = Token(kind, "figure" if kind != "inline" else "", model.nesting)
        token.block, token.level, token.hidden = model.block, model.level, model.hidden
        token.map = [line, line + 1]
        made.append(token)
    made[1].children, made[1].content = [image], inline.content
    caption = image.attrGet("title")
    if caption:
        image.attrs.pop("title", None)
        # Rendered as inline Markdown, so captions get emphasis and curly quotes too; but a title is
        # plain text in CommonMark, so a '<' in it is a character, not the start of a tag.
        image.meta["caption"] = state.md.renderInline(html.escape(str(caption), quote=False))
    return made


def footnotes_in_reading_order(state: StateCore) -> None:
    """Number notes in the order a reader meets them, a note cited inside another right after it.

    markdown-it numbers a note cited from another note after every note the text cites, since notes are read
    last; the print PDF, where each note sits under its call, numbers them as they come. Renumbered here, every
    edition gives a note the same number."""
    tokens = state.tokens
    start = next((index for index, token in enumerate(tokens) if token.type == "footnote_block_open"), None)
    if start is None:
        return
    end = next(index for index in range(start, len(tokens)) if tokens[index].type == "footnote_block_close")
    notes: dict[int, list[Token]] = {}  # each note's tokens, footnote_open to footnote_close, by markdown-it's id
    for index in range(start + 1, end):
        if tokens[index].type == "footnote_open":
            opened = index
        elif tokens[index].type == "footnote_close":
            notes[tokens[opened].meta["id"]] = tokens[opened:index + 1]
    # A note the text cites takes its number where the text cites it, even if a note cited earlier mentions it
    in_text = {token.meta["id"] for token in _all_tokens(tokens[:start]) if token.type == "footnote_ref"}
    order: dict[int, int] = {}

    def read(run: list[Token], in_a_note: bool) -> None:
        for token in run:
            if token.type == "footnote_ref" and token.meta["id"] not in order and not (
                    in_a_note and token.meta["id"] in in_text):
                order[token.meta["id"]] = len(order)
                read(notes.get(token.meta["id"], [])[1:-1], True)
            elif token.children:
                read(token.children, in_a_note)

    read(tokens[:start], False)
    for note in notes:  # cited only from a note the text never cites: after the rest
        order.setdefault(note, len(order))
    for token in _all_tokens(tokens):
        if token.type in ("footnote_ref", "footnote_open", "footnote_anchor") and token.meta.get("id") in order:
            token.meta["id"] = order[token.meta["id"]]
    ordered = [token for _new, note in sorted((order[old], note) for old, note in notes.items()) for token in note]
    tokens[start + 1:end] = ordered


def _all_tokens(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _all_tokens(token.children)


def source_lines(state: StateCore) -> None:
    """Each block the Markdown makes carries the line of the file where it starts (`data-line`), so that what
    an edition finds in it is said at its line (content/tree.py). Raw HTML's tags get theirs in rawhtml."""
    offset = state.env.get("line_offset", 0)
    for token in state.tokens:
        if token.block and token.map is not None and token.nesting >= 0 and token.type not in ("inline",
                                                                                                  "html_block"):
            token.attrSet("data-line", str(token.map[0] + 1 + offset))


# kramdown's convention, everywhere in Jekyll sites: Markdown inside a raw HTML element marked markdown="1"
MARKDOWN_ATTRIBUTE = re.compile(r"""\smarkdown\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
OPEN_TAG = re.compile(r"^\s*<([A-Za-z][A-Za-z0-9-]*)[^>]*>")
SPAN_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "s",
                       "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "p", "h1", "h2", "h3",
                       "h4", "h5", "h6", "dt", "th", "td"})


def markdown_in_html(state: StateCore) -> None:
    """A raw HTML block whose tag says markdown="1" (or "block", "span") has its content read as Markdown, as
    kramdown and Jekyll do: `<div markdown="1">Run **this**</div>` sets "this" in bold. The attribute goes."""
    tokens: list[Token] = []
    for token in state.tokens:
        opening = OPEN_TAG.match(token.content) if token.type == "html_block" else None
        mark = MARKDOWN_ATTRIBUTE.search(opening.group(0)) if opening else None
        if mark is None:
            tokens.append(token)
            continue
        tag = opening.group(1).lower()
        value = next(group for group in mark.groups() if group is not None).lower()
        mode = value if value in ("block", "span") else "span" if tag in SPAN_TAGS else "block"
        start = opening.group(0).replace(mark.group(0), "")
        rest = token.content[opening.end():]
        closing = re.search(rf"</{re.escape(tag)}\s*>\s*$", rest, re.IGNORECASE)
        inner, end = (rest[:closing.start()], closing.group(0)) if closing else (rest, "")
        line = token.map[0] if token.map else 0
        tokens.append(_raw(start + ("\n" if mode == "block" else ""), token, line))
        if inner.strip():
            first_line = line + token.content[:opening.end()].count("\n")
            tokens += _inner(state, inner, mode, token, first_line)
        if end:
            tokens.append(_raw(end.strip() + "\n", token, line + token.content.count("\n")))
    state.tokens = tokens


def _raw(content: str, model: Token, line: int) -> Token:
    token = Token("html_block", "", 0)
    token.content, token.block, token.level, token.map = content, True, model.level, [line, line + 1]
    return token


def _inner(state: StateCore, inner: str, mode: str, model: Token, line: int) -> list[Token]:
    """The element's content as Markdown blocks (or one run of inline Markdown), on the lines it is on."""
    if mode == "span":
        token = Token("inline", "", 0)
        token.content, token.children, token.block, token.level = inner.strip(), [], True, model.level
        token.map = [line, line + 1]
        return [token]
    found: list[Token] = []
    state.md.block.parse(inner, state.md, state.env, found)
    for token in found:
        token.level += model.level
        if token.map is not None:
            token.map = [token.map[0] + line, token.map[1] + line]
    return found


def markdown_attribute_inline(state: StateCore) -> None:
    """markdown="1" on a tag within a paragraph says nothing more: the paragraph is Markdown already."""
    for token in state.tokens:
        for child in token.children or []:
            if child.type == "html_inline" and OPEN_TAG.match(child.content):
                child.content = MARKDOWN_ATTRIBUTE.sub("", child.content, count=1)
