"""Raw HTML in an article -> the same HTML checked: tags that would swallow the rest of the article, ids made
valid and unique on the page, and a warning for whatever the sanitizer will remove.

Works on markdown-it's `html_block` and `html_inline` tokens before the article is rendered, so every
problem is said at the line of the Markdown file where the tag is written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it.token import Token

from . import sanitize
from .names import FOOTNOTE_ID, as_id, unique
from .resolve import Piece

HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
RAW_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^>]*?(/?)>")
# Tags HTML never closes, or lets close themselves (a <p> ends at the next block): never "unclosed"
UNCLOSED_IS_FINE = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "colgroup",
                    "option", "optgroup", "rb", "rt", "rp", "html", "head", "body"}
# Elements whose content HTML reads as raw text up to their end tag, or the sanitizer drops with their content.
SWALLOWING_TAGS = {"script", "style", "title", "textarea", "xmp", "noembed", "noframes", "plaintext"} | \
    sanitize.DROPPED_WITH_CONTENT

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


def with_source_lines(markup: str, line: int) -> str:
    """Raw HTML whose every start tag says the line of the file it is on (`data-line`, as the Markdown's blocks
    do); one the author wrote is replaced."""

    def tag(found: re.Match) -> str:
        here = line + markup.count("\n", 0, found.start())
        text = ATTRIBUTE.sub(lambda a: "" if a.group(1).lower() == "data-line" else a.group(0), found.group(0))
        name = re.match(r"<[A-Za-z][A-Za-z0-9-]*", text).group(0)
        return f'{name} data-line="{here}"{text[len(name):]}'

    return START_TAG.sub(tag, markup)


def raw_ids(markup: str) -> list[str]:
    """The id attributes' values in some HTML, as written (entities decoded)."""
    found: list[str] = []
    with_raw_ids(markup, lambda ident: found.append(ident) or ident)
    return found


def unique_raw_ids(raw: list[tuple[Token, int]], taken: set[str], piece: Piece) -> None:
    """Ids written in raw HTML, made valid and unique on the page (EPUBCheck and the HTML checker reject a
    repeated one): spaces become hyphens, an empty id goes, and one that the layouts, a heading, a footnote
    or an earlier tag has gets a number. Said at its line: a link to it may now lead elsewhere."""

    def valid(written: str, line: int) -> str:
        ident = as_id(written)
        if FOOTNOTE_ID.fullmatch(ident):  # 'fn1' is footnote 1's, whose calls would lead here
            ident = f"s-{ident}"
        if ident in taken:
            ident = unique(ident, taken)
        if not ident:
            piece.problems.warn('id="" in raw HTML is empty; it was removed', piece.path, line)
            return ""
        if ident != written:
            why = ("has spaces, which an id cannot have" if as_id(written) != written else
                   "is already used on the page, by a heading, a footnote, the layouts or an earlier tag")
            piece.problems.warn(f'id "{written}" in raw HTML {why}; it is now "{ident}"', piece.path, line)
        taken.add(ident)
        return ident

    for token, line in raw:
        token.content = with_raw_ids(token.content, lambda written: valid(written, line))


def check_raw_html(token: Token, line: int, piece: Piece) -> None:
    """Warn about what the sanitizer will remove; resolve (or drop) raw <img> tags."""
    removed, images = sanitize.scan(token.content)
    if removed:
        piece.problems.warn(f"removed unsafe or unsupported HTML: {', '.join(removed)}", piece.path, line)
    for tag_text, src in images:
        if not src or piece.use_image(src, line, raw=True) is None:
            token.content = token.content.replace(tag_text, "")
            if not src:
                piece.problems.warn("removed <img> without src", piece.path, line)
        elif not re.search(r"\balt\s*=", tag_text):
            piece.problems.warn("image has no alt text; add alt=\"...\" describing it", piece.path, line)
            # An <img> without alt is invalid HTML; an empty one at least tells readers' software to skip it
            token.content = token.content.replace(tag_text, re.sub(r"\s*/?>$", ' alt="">', tag_text), 1)


def check_unclosed(tags: list[tuple[str, bool, int, Token]], piece: Piece) -> None:
    """A raw tag opened and never closed takes the rest of the article with it: a <script> or <title> swallows
    every word after it, a <b> makes them all bold (and the HTML invalid). In running text such a tag is more
    often meant as text ('never put a <script> tag in a page'), so it is printed as text, with a warning; a
    block of raw HTML that never closes cannot be, and is a problem where it would swallow the rest."""
    still_open: dict[str, list[tuple[int, Token]]] = {}
    for name, opens, line, token in tags:
        if name in UNCLOSED_IS_FINE:
            continue
        if opens:
            still_open.setdefault(name, []).append((line, token))
        elif still_open.get(name):
            still_open[name].pop()
    for name, left in still_open.items():
        for line, token in left:
            if token.type == "html_inline":
                token.type = "text"  # the renderer escapes it: '<b>' on the page
                piece.problems.warn(f"<{name}> is never closed, so it is printed as text; close it, or put it "
                                    f"in backticks (`<{name}>`) to show it as code", piece.path, line)
            elif name in SWALLOWING_TAGS:
                piece.problems.error(f"<{name}> is never closed, so every word after it would be lost; close it "
                                     "or delete it", piece.path, line)
            else:
                piece.problems.warn(f"<{name}> is never closed, so it runs on to the end of the article",
                                    piece.path, line)


# Raw HTML that CommonMark reads to the end of the article when it is never closed: a comment, a processing
# instruction (<?php), a declaration (<!DOCTYPE) or a CDATA section
RUNS_TO_ITS_END = (("<!--", "-->", "an HTML comment (<!--)"), ("<?", "?>", "a processing instruction (<?)"),
                   ("<![CDATA[", "]]>", "a CDATA section (<![CDATA[)"), ("<!", ">", "a declaration (<!)"))


def check_swallowing(token: Token, line: int, piece: Piece) -> None:
    """A raw HTML block that takes the words after it: a comment never closed, or a tag without its '>'
    (`<div class="note"` then a line of text: the text becomes the tag's attributes). Said at its line, as an
    error where paragraphs after it would be lost."""
    content = token.content
    start = content.lstrip()
    for opener, closer, what in RUNS_TO_ITS_END:
        if start.startswith(opener) and closer not in start[len(opener):]:
            lost = _words_after_a_blank_line(content)
            if lost:
                piece.problems.error(f"{what} opened here is never closed with {closer}, so everything after it would "
                                     f"be lost ({lost} word{'s' * (lost != 1)}, to the end of the article); close it "
                                     f"with {closer}", piece.path, line)
            else:
                piece.problems.warn(f"{what} opened here is never closed with {closer}; close it", piece.path, line)
            return
    for found in re.finditer(r"<[A-Za-z][A-Za-z0-9-]*", content):
        if ">" not in content[found.start():]:  # this tag never ends: the rest of the block is read as its attributes
            tag = content[found.start():].split("\n", 1)[0].strip()
            here, last = line + content.count("\n", 0, found.start()), line + content.rstrip("\n").count("\n")
            lost = len(content[found.start() + len(tag):].split())
            if lost:
                words = f"the {lost} words after it (to line {last})" if lost > 1 else "the word after it"
                piece.problems.error(f"the tag {tag[:60]} has no closing '>', so {words} would be read as its "
                                     "attributes and lost; end the tag with '>'", piece.path, here)
            return


def _words_after_a_blank_line(content: str) -> int:
    """How many words a block holds after its first blank line: the paragraphs it swallowed."""
    parts = re.split(r"\n[ \t]*\n", content, maxsplit=1)
    return len(parts[1].split()) if len(parts) > 1 else 0
