"""The words of an article's Markdown and of each edition of it, to find what an edition lost.

A word is letters and digits in a row (an underscore is punctuation here: Markdown's emphasis mark). The
source's words are those of markdown-it's own CommonMark rendering of the body: what any Markdown reader would
show, not what issuepress makes of it. An edition's words are those of the article's body in the web page, in
the EPUB document (without its header), and on the PDF's pages of the article (poppler's text, a word
hyphenated at a line's end made whole again).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pypdf
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

COMMONMARK = MarkdownIt("commonmark")
# The Markdown issuepress documents: CommonMark with tables, strikethrough and footnotes, as markdown-it reads it
DIALECT = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def words(text: str) -> Counter:
    return Counter(re.findall(r"[^\W_]+", text.lower()))


def expected_words(markdown: str, renderer: MarkdownIt = COMMONMARK) -> Counter:
    """The words a Markdown reader shows of this body (front matter left out)."""
    rendered = renderer.render(markdown)
    return words(lxml_html.fromstring(f"<div>{rendered}</div>").text_content()) if rendered.strip() else Counter()


def edition_words(build: Path, issue_id: str, slugs: list[str], titles: dict[str, str],
                  editions: tuple[str, ...] = ("html", "epub", "pdf")) -> dict[str, dict[str, Counter]]:
    """Each article's words in each edition, by its slug; `titles` gives each article's PDF bookmark."""
    found: dict[str, dict[str, Counter]] = {edition: {} for edition in editions}
    if "html" in editions:
        for slug in slugs:
            page = lxml_html.parse(str(build / f"html/{slug}.html"))
            found["html"][slug] = words("".join(page.xpath("//div[@class='piece-body']")[0].itertext()))
    if "epub" in editions:
        with zipfile.ZipFile(build / f"{issue_id}.epub") as epub:
            for slug in slugs:
                document = etree.fromstring(epub.read(f"EPUB/{slug}.xhtml"))
                section = document.xpath("//x:section", namespaces=XHTML)[0]
                header = section.xpath("./x:header", namespaces=XHTML)[0]
                found["epub"][slug] = words("".join(section.itertext())) - words("".join(header.itertext()))
    if "pdf" in editions:
        pdf = build / f"{issue_id}.pdf"
        reader = pypdf.PdfReader(pdf)
        by_title = {title: slug for slug, title in titles.items()}
        starts = sorted((reader.get_destination_page_number(item), by_title[item.title])
                        for item in _flat(reader.outline) if item.title in by_title)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = re.sub(r"\u2010\n(?=[^\W\d_])", "", text).split("\f")  # not before a page's folio
        for (first, slug), (after, _next) in zip(starts, starts[1:] + [(len(reader.pages), None)]):
            text = " ".join(pages[first:after])
            found["pdf"][slug] = words(text)
            # A word hyphenated across a page break: its first part ends the page, the rest starts the next
            # page's text, after the running head. Counted as the whole word where both parts are there.
            for part in re.findall(r"([^\W_]+)\u2010\s*$", text, re.MULTILINE):
                found["pdf"][slug][f"{part.lower()}\u2010"] += 1
    return found


def _not_in_pdf(lost: Counter, found: Counter) -> Counter:
    """What is really lost of what a PDF's words lack: not a word hyphenated across a page (its parts are
    there), nor one run into its neighbour (a PDF's text has no spaces, only gaps, which a change of font can
    make too narrow to read as one)."""
    run = "".join(sorted(found.elements()))
    parts = [word.removesuffix("\u2010") for word in found if word.endswith("\u2010")]
    return Counter({word: count for word, count in lost.items() if word not in run and not any(
        word.startswith(part) and word[len(part):] in found for part in parts)})


def _flat(outline: list):
    """Every bookmark of a PDF's outline, those under a section's too."""
    for item in outline:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def losses(expected: dict[str, Counter], found: dict[str, dict[str, Counter]], said: set[str]) -> list[str]:
    """'slug (edition) lost {...}' for each article the build said nothing about that lost a word."""
    lost_words = []
    for slug, wanted in expected.items():
        if slug in said:
            continue
        for edition, texts in found.items():
            lost = wanted - texts.get(slug, Counter())
            if edition == "pdf":
                lost = _not_in_pdf(lost, texts.get(slug, Counter()))
            if lost:
                lost_words.append(f"{slug} ({edition}) lost {dict(lost)}")
    return lost_words
