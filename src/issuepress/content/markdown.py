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
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from . import code, extensions, formulas, rules

# Quotation marks by language (markdown-it's smartquotes: double open/close, single open/close).
QUOTES = {
    "de": "„“‚‘", "fr": "«»‹›", "ru": "«»„“", "es": "«»“”", "it": "«»“”", "pt": "«»“”",
    "nl": "„”‚’", "pl": "„”‚’", "cs": "„“‚‘", "sv": "””’’", "da": "»«›‹", "fi": "””’’",
}
DEFAULT_QUOTES = "“”‘’"
# The heading over an article's footnotes, in the article's language.
NOTES_HEADING = {"en": "Notes", "ur": "حواشی", "ar": "ملاحظات", "fa": "یادداشت‌ها", "fr": "Notes",
                 "de": "Anmerkungen", "es": "Notas", "it": "Note", "pt": "Notas", "nl": "Noten"}


MAX_NESTING = 100


def nested_too_deep(tokens: list[Token]) -> Token | None:
    """The first block at which markdown-it stopped reading, nesting having reached MAX_NESTING."""
    return next((token for token in tokens if token.level >= MAX_NESTING - 1), None)


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
        extensions.use(md)
        md.core.ruler.before("inline", "issuepress_markdown_in_html", rules.markdown_in_html)
        md.core.ruler.after("inline", "issuepress_markdown_attribute_inline", rules.markdown_attribute_inline)
        md.core.ruler.after("footnote_tail", "issuepress_footnote_order", rules.footnotes_in_reading_order)
        md.core.ruler.push("issuepress_raw_ids", rules.raw_ids_rule)
        md.core.ruler.push("issuepress_headings", rules.heading_rule)
        md.core.ruler.push("issuepress_figures", rules.figure_rule)
        md.core.ruler.push("issuepress_source_lines", rules.source_lines)
        render = md.add_render_rule
        render("footnote_caption", lambda self, tokens, idx, options, env: str(tokens[idx].meta["id"] + 1))
        render("footnote_ref", _render_footnote_ref)
        notes = NOTES_HEADING.get(language.split("-")[0].lower(), NOTES_HEADING["en"])
        render("footnote_block_open", lambda *a: '<section class="footnotes" role="doc-endnotes">\n'
              f'<h2 class="footnotes-title">{notes}</h2>\n<ol>\n')
        render("footnote_anchor", _render_footnote_backlink)
        render("figure_open", lambda self, tokens, idx, options, env: f"<figure{self.renderAttrs(tokens[idx])}>\n")
        render("figure_close", lambda *a: '</figure>\n')
        render("image", _render_image)
        render("fence", code.render_fence)  # highlighted, and left to right in a right-to-left article too
        render("code_block", code.render_code_block)
        for kind in formulas.KINDS:  # TeX, made MathML once the tree is parsed (content/formulas.py)
            render(kind, formulas.render_placeholder)
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
    alt = image_alt(self, token, options, env)
    src = html.escape(token.attrGet("src") or "", quote=True)
    # the other attributes an author gave it ({width=50%}, {.class}): the sanitizer keeps those HTML allows
    others = "".join(f' {name}="{html.escape(str(value), quote=True)}"' for name, value in token.attrs.items()
                     if name not in ("src", "alt"))
    tag = f'<img src="{src}" alt="{html.escape(alt, quote=True)}"{others}>'
    caption = token.meta.get("caption")
    if caption:
        tag += f"\n<figcaption>{caption}</figcaption>"
    return tag


def image_alt(renderer, token: Token, options, env) -> str:
    """An image's text alternative: `{alt="..."}` after it (pandoc's way) or the words in its brackets."""
    given = token.attrGet("alt")
    return str(given) if given else renderer.renderInlineAsText(token.children or [], options, env)


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
