"""Rendered article HTML -> the same HTML with only harmless markup, and a note of what was removed.

Authors may write raw HTML in Markdown. Everything an article produces goes
through one allow-list (nh3, the Rust `ammonia` sanitizer): no script, no
event handlers, no frames, objects or embeds, no `javascript:` or `file:`
URLs, no `<link>` (which could attach files to a PDF). `scan` reads one
piece of raw HTML the way the sanitizer will treat it, so the build can warn
with the piece's file and line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Callable

import nh3

ALLOWED_TAGS = {
    # what the Markdown renderer writes
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre", "code",
    "em", "strong", "a", "img", "hr", "br", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "sup", "sub", "section", "figure", "figcaption", "s", "del", "ins",
    # harmless markup authors write by hand
    "span", "div", "abbr", "cite", "q", "small", "mark", "dfn", "kbd", "samp", "var", "time",
    "aside", "b", "i", "u", "bdi", "bdo", "ruby", "rt", "rp", "dl", "dt", "dd", "caption",
    "wbr", "header", "footer", "address", "data",
}
# Removed together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript",
                        "frame", "frameset", "svg", "math", "audio", "video", "canvas", "applet"}
# data-line: the line of the Markdown file an element comes from (content/tree.py); written by issuepress only
GLOBAL_ATTRIBUTES = {"id", "class", "lang", "dir", "title", "role", "epub:type", "data-line"}
TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Table cells keep their alignment (Markdown writes it as a style); nothing else.
STYLE_PROPERTIES = {"text-align"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
WBR = re.compile(r"<wbr\b[^>]*>")  # as the sanitizer writes it: with its attributes (data-line), never an end tag


def clean(html: str, rewrite: Callable[[str, str, str], str | None]) -> str:
    """Sanitize a fragment; `rewrite(tag, attribute, value)` may change or drop (None) URL values."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            return rewrite(tag, attribute, value)
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"*": GLOBAL_ATTRIBUTES, **TAG_ATTRIBUTES},
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
    )


class _RemovalScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []
        self.images: list[tuple[str, str]] = []  # (start tag text, src)

    def note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.note(f"<{tag}> and its content")
            return
        if tag not in ALLOWED_TAGS:
            self.note(f"<{tag}> tag")
            return
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.note(f"{name} event handler on <{tag}>")
            elif name not in allowed:
                self.note(f"{name} attribute on <{tag}>")
            elif name in ("href", "src", "cite") and value.lower().startswith(UNSAFE_SCHEMES):
                self.note(f"{value.split(':', 1)[0]}: URL in <{tag} {name}>")
        if tag == "img":
            self.images.append((self.get_starttag_text() or "", dict(attrs).get("src") or ""))

    handle_startendtag = handle_starttag


def scan(raw_html: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What the sanitizer will remove from this raw HTML, and the <img> tags it holds."""
    scanner = _RemovalScanner()
    scanner.feed(raw_html)
    scanner.close()
    return scanner.removed, scanner.images


def for_lxml(fragment: str) -> str:
    """A sanitized fragment lxml's HTML parser reads right. It follows HTML 4, where <wbr> is no void element:
    the words after one would end up inside it (invalid XHTML in the EPUB). A zero-width space is the same
    line-break opportunity."""
    return WBR.sub("\u200b", fragment)
