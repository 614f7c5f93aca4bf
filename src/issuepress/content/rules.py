"""markdown-it's tokens -> the same tokens with the conventions every edition relies on, as core rules.

Headings shift so the body starts at <h2> (the page's <h1> is the title) and skip no level, and get ids that
no id written in raw HTML has; a paragraph of images alone becomes figures, captioned by their titles; notes
are numbered in the order a reader meets them.
"""

from __future__ import annotations

import html

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
    """A paragraph that holds one image and nothing else becomes a figure."""
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index: index + 3]
        if opening.type != "paragraph_open" or inline.type != "inline" or closing.type != "paragraph_close":
            continue
        children = [c for c in inline.children or [] if not (c.type in ("text", "softbreak") and not c.content.strip())]
        if len(children) != 1 or children[0].type != "image":
            continue
        image = children[0]
        inline.children = [image]
        opening.type, opening.tag = "figure_open", "figure"
        closing.type, closing.tag = "figure_close", "figure"
        caption = image.attrGet("title")
        if caption:
            image.attrs.pop("title", None)
            # Rendered as inline Markdown, so captions get emphasis and curly quotes too; but a title is
            # plain text in CommonMark, so a '<' in it is a character, not the start of a tag.
            image.meta["caption"] = state.md.renderInline(html.escape(str(caption), quote=False))


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
