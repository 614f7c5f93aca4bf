"""Markdown text -> tokens and an HTML fragment, with the conventions every edition relies on.

CommonMark plus tables, strikethrough, footnotes and smart typography
(markdown-it-py and mdit-py-plugins). On top of that, small core rules:
headings are shifted so the body starts at <h2> (the page's <h1> is the
article title) and skips no level, and get ids that no id written in raw HTML
has; a paragraph holding only an image becomes a <figure> whose caption is the
image title; footnotes use plain numbers and DPUB-ARIA roles. Bios are one
paragraph of inline Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# Quotation marks by language (markdown-it's smartquotes: double open/close, single open/close).
QUOTES = {
    "de": "„“‚‘", "fr": "«»‹›", "ru": "«»„“", "es": "«»“”", "it": "«»“”", "pt": "«»“”",
    "nl": "„”‚’", "pl": "„”‚’", "cs": "„“‚‘", "sv": "””’’", "da": "»«›‹", "fi": "””’’",
}
DEFAULT_QUOTES = "“”‘’"
# The heading over an article's footnotes, in the article's language.
NOTES_HEADING = {"en": "Notes", "ur": "حواشی", "ar": "ملاحظات", "fa": "یادداشت‌ها", "fr": "Notes",
                 "de": "Anmerkungen", "es": "Notas", "it": "Note", "pt": "Notas", "nl": "Noten"}


def slugify(text: str) -> str:
    """Heading or file name -> an id: lower case, words joined by hyphens, any script."""
    words = re.findall(r"\w+", text.lower())
    slug = "-".join(words).strip("-_")
    return slug if slug and slug[0].isalpha() else f"s-{slug}" if slug else ""


def unique(base: str, taken, suffix: str = "") -> str:
    """`base`, or `base-2`, `base-3`... whichever (with `suffix`) is not yet in `taken`."""
    name, n = f"{base}{suffix}", 2
    while name in taken:
        name, n = f"{base}-{n}{suffix}", n + 1
    return name


# Ids the theme's layouts give elements of an article's page: a heading must not take one ("## Main")
THEME_IDS = frozenset({"main", "contents", "contributors", "contributors-title", "cover", "imprint", "imprint-title",
                       "issue-title", "landmarks", "licences-title", "piece-title", "toc", "toc-title"})


FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(-\d+)?")  # the ids footnotes and their calls get
# A start tag and its attributes, read as HTML does: an id="..." inside another attribute's value, or in
# the text between tags, is not an id
# (An unquoted value runs to a space or '>', as browsers read it, '=' and quotes included.)
_ATTRIBUTE = r"""\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
START_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?>")
ATTRIBUTE = re.compile(r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def with_raw_ids(markup: str, change: Callable[[str], str]) -> str:
    """The HTML with each id attribute's value (entities decoded) replaced by `change(value)`, escaped;
    an empty result removes the attribute."""

    def attribute(found: re.Match) -> str:
        if found.group(1).lower() != "id":
            return found.group(0)
        ident = change(html.unescape(next((v for v in found.groups()[1:] if v is not None), "")))
        return f' id="{html.escape(ident, quote=True)}"' if ident else ""

    return START_TAG.sub(lambda tag: ATTRIBUTE.sub(attribute, tag.group(0)), markup)


MAX_NESTING = 100


def nested_too_deep(tokens: list[Token]) -> Token | None:
    """The first block at which markdown-it stopped reading, nesting having reached MAX_NESTING."""
    return next((token for token in tokens if token.level >= MAX_NESTING - 1), None)


def raw_ids(markup: str) -> list[str]:
    """The id attributes' values in some HTML, as written (entities decoded)."""
    found: list[str] = []
    with_raw_ids(markup, lambda ident: found.append(ident) or ident)
    return found


def as_id(value: str) -> str:
    """An id attribute's value as HTML allows it: no spaces (an empty result means no id)."""
    return "-".join(value.split())


def _raw_ids_rule(state: StateCore) -> None:
    """Note the ids written in raw HTML, before headings get theirs: a heading must not take one."""
    used: set[str] = state.env.setdefault("ids", set(THEME_IDS))
    for token in state.tokens:
        for raw in [token, *(token.children or [])]:
            if raw.type in ("html_block", "html_inline"):
                used.update(as_id(value) for value in raw_ids(raw.content))


def _heading_rule(state: StateCore) -> None:
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


def _figure_rule(state: StateCore) -> None:
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


def _footnotes_in_reading_order(state: StateCore) -> None:
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


def _left_to_right(render):
    def rendered(self, tokens, idx, options, env) -> str:
        markup = render(tokens, idx, options, env)
        return markup.replace("<pre", '<pre dir="ltr"', 1) if markup.startswith("<pre") else markup
    return rendered


class Renderer:
    """One configured markdown-it parser per language (the quotes differ)."""

    def __init__(self, language: str):
        md = MarkdownIt("commonmark", {"typographer": True, "html": True, "xhtmlOut": False})
        md.enable(["table", "strikethrough", "replacements", "smartquotes"])
        # markdown-it leaves a link to javascript:, file: or data: as its Markdown source, brackets and all;
        # taken as a link, it reaches `link_target`, which keeps its text, drops the link and says so.
        md.validateLink = lambda url: True
        md.options["quotes"] = QUOTES.get(language.split("-")[0].lower(), DEFAULT_QUOTES)
        # markdown-it stops reading blocks at this depth and drops the rest of the file without a word;
        # its default, 20, is a list nested ten deep. `nested_too_deep` says so instead.
        md.options["maxNesting"] = MAX_NESTING
        md.use(footnote_plugin)
        md.core.ruler.after("footnote_tail", "issuepress_footnote_order", _footnotes_in_reading_order)
        md.core.ruler.push("issuepress_raw_ids", _raw_ids_rule)
        md.core.ruler.push("issuepress_headings", _heading_rule)
        md.core.ruler.push("issuepress_figures", _figure_rule)
        rules = md.add_render_rule
        rules("footnote_caption", lambda self, tokens, idx, options, env: str(tokens[idx].meta["id"] + 1))
        rules("footnote_ref", _render_footnote_ref)
        notes = NOTES_HEADING.get(language.split("-")[0].lower(), NOTES_HEADING["en"])
        rules("footnote_block_open", lambda *a: '<section class="footnotes" role="doc-endnotes">\n'
              f'<h2 class="footnotes-title">{notes}</h2>\n<ol>\n')
        rules("footnote_anchor", _render_footnote_backlink)
        rules("figure_open", lambda *a: '<figure>\n')
        rules("figure_close", lambda *a: '</figure>\n')
        rules("image", _render_image)
        for block in ("fence", "code_block"):  # code reads left to right, in a right-to-left article too
            rules(block, _left_to_right(md.renderer.rules[block]))
        self.md = md
        # Bios: one paragraph, inline only, with no footnotes (a note's call would lead nowhere on the page
        # of bios, and every bio with one would repeat its id); written for XHTML as well as HTML.
        bio = MarkdownIt("commonmark", {"typographer": True, "html": True, "xhtmlOut": True})
        bio.enable(["strikethrough", "replacements", "smartquotes"])
        bio.validateLink = md.validateLink
        bio.options["quotes"] = md.options["quotes"]
        self.bio = bio

    def smarten(self, text: str) -> str:
        """Plain text with the typographer's quotes and dashes, for titles and subtitles."""
        # The parser of `inline`, so that a title's plain text and its HTML keep the same words
        tokens = self.bio.parseInline(text)
        return self.bio.renderer.renderInlineAsText(tokens[0].children or [], self.bio.options, {})

    def inline(self, text: str, links: bool = True) -> str:
        """One paragraph of text (a bio) -> inline HTML: emphasis, code, typography, and links to web
        or mail addresses; raw HTML is text, and an image or a link anywhere else keeps only its words.
        Without `links`, every link keeps only its words (a title is itself a link in every contents)."""
        tokens = self.bio.parseInline(text)[0].children or []
        kept, dropped = [], []
        for token in tokens:
            if token.type == "html_inline":
                token = Token("text", "", 0, content=token.content)
            elif token.type == "image":
                words = self.bio.renderer.renderInlineAsText([token], self.bio.options, {})
                token = Token("text", "", 0, content=words)
            elif token.type == "link_open":
                dropped.append(not links or not re.match(r"(?i)(https?://|mailto:)", token.attrGet("href") or ""))
                if dropped[-1]:
                    continue
            elif token.type == "link_close" and dropped.pop():
                continue
            kept.append(token)
        return self.bio.renderer.render(kept, self.bio.options, {})

    def parse(self, text: str, env: dict) -> list[Token]:
        return self.md.parse(text, env)

    def render(self, tokens: list[Token], env: dict) -> str:
        return self.md.renderer.render(tokens, self.md.options, env)


def _render_image(self, tokens: list[Token], idx: int, options, env) -> str:
    """<img> with its alt text; in a figure, the image title becomes the <figcaption>."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = html.escape(token.attrGet("src") or "", quote=True)
    tag = f'<img src="{src}" alt="{html.escape(alt, quote=True)}">'
    caption = token.meta.get("caption")
    if caption:
        tag += f"\n<figcaption>{caption}</figcaption>"
    return tag


def _anchor_name(self, tokens, idx, options, env) -> str:
    return self.rules["footnote_anchor_name"](tokens, idx, options, env)


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    ident = _anchor_name(self, tokens, idx, options, env)
    caption = self.rules["footnote_caption"](tokens, idx, options, env)
    sub = tokens[idx].meta.get("subId", -1)
    refid = f"{ident}-{sub}" if sub > 0 else ident
    return (f'<sup class="footnote-ref"><a href="#fn{ident}" id="fnref{refid}" '
            f'role="doc-noteref">{caption}</a></sup>')


def _render_footnote_backlink(self, tokens, idx, options, env) -> str:
    ident = _anchor_name(self, tokens, idx, options, env)
    sub = tokens[idx].meta.get("subId", -1)
    refid = f"{ident}-{sub}" if sub > 0 else ident
    return f' <a href="#fnref{refid}" class="footnote-backref" role="doc-backlink">\u21a9\ufe0e</a>'


@lru_cache(maxsize=None)
def renderer_for(language: str) -> Renderer:
    return Renderer(language)
