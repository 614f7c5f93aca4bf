"""Sanitized HTML5 article fragments -> well-formed XHTML for EPUB content documents.

Besides the syntax (void elements closed, `xml:lang` beside `lang`), this is
where EPUB semantics are settled: footnotes become EPUB 3 footnotes
(`noteref` links, `footnote` asides with backlinks), links to other pieces
point at their `.xhtml` files, and author-supplied `epub:type` values are
kept only when a reading system can know them: terms of the EPUB Structural
Semantics Vocabulary, and Z39.98 terms, whose prefix is then declared.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from ...content.tree import LINE

# EPUB 3 Structural Semantics Vocabulary 1.1, without its deprecated terms.
SSV_TERMS = frozenset("""
abstract acknowledgments afterword answer answers appendix assessment assessments backlink backmatter
biblioentry bibliography biblioref bodymatter bridgehead chapter colophon concluding-sentence conclusion
contributors copyright-page cover covertitle credit credits dedication division endnote endnotes epigraph
epilogue errata feedback figure fill-in-the-blank-problem footnote footnotes foreword frontmatter fulltitle
general-problem glossary glossdef glossref glossterm halftitle halftitlepage imprimatur imprint index
index-editor-note index-entry index-entry-list index-group index-headnotes index-legend index-locator
index-locator-list index-locator-range index-term index-term-categories index-term-category index-xref-preferred
index-xref-related introduction keyword keywords label landmarks learning-objective learning-objectives
learning-outcome learning-outcomes learning-resource learning-resources learning-standard learning-standards
list list-item loa loi lot lov match-problem multiple-choice-problem noteref notice ordinal other-credits
page-list pagebreak panel panel-group part practice practices preamble preface prologue pullquote qna
question referrer revision-history seriespage sound-area standard subtitle table table-cell table-row
titlepage toc toc-brief topic-sentence true-false-problem volume
""".split())
KNOWN_PREFIXES = {"z3998": "http://www.daisy.org/z3998/2012/vocab/structure/#"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# lxml will not create an attribute named `epub:type` on an element it did not parse, so the
# tree carries this stand-in, renamed on output. Authors cannot write it: the sanitizer drops data-*.
EPUB_TYPE = "data-epub-type"


@dataclass(frozen=True)
class XhtmlFragment:
    markup: str
    prefixes: tuple[str, ...]  # vocabulary prefixes the fragment uses, to declare on <html>


def to_xhtml(container, page_names: set[str]) -> XhtmlFragment:
    """A copy of an article's tree -> XHTML markup; `page_names` are the web edition's page files to relink."""
    prefixes: set[str] = set()
    for element in container.iter(etree.Element):
        element.attrib.pop(LINE, None)  # the line of the Markdown file: for the print edition's messages
        _settle_epub_type(element, prefixes)
        _relink(element, page_names)
        if element.get("lang"):
            element.set(XML_LANG, element.get("lang"))
    _make_footnotes(container)
    markup = "".join(_serialize(child) for child in container)
    if container.text:
        markup = _escape(container.text) + markup
    return XhtmlFragment(markup, tuple(sorted(prefixes)))


def _settle_epub_type(element, prefixes: set[str]) -> None:
    value = element.attrib.pop("epub:type", None)
    if not value:
        return
    kept = []
    for term in value.split():
        prefix, _, name = term.rpartition(":")
        if (not prefix and term in SSV_TERMS) or (prefix in KNOWN_PREFIXES and name):
            kept.append(term)
            if prefix:
                prefixes.add(prefix)
    if kept:
        element.set(EPUB_TYPE, " ".join(kept))


def _relink(element, page_names: set[str]) -> None:
    href = element.get("href")
    if element.tag == "a" and href:
        page, hash_, fragment = href.partition("#")
        if page in page_names:
            element.set("href", page[: -len(".html")] + ".xhtml" + hash_ + fragment)


def _make_footnotes(container) -> None:
    """markdown-it's footnote list -> EPUB 3 footnotes that reading systems can pop up."""
    for ref in container.xpath(".//a[@role='doc-noteref']"):
        ref.set(EPUB_TYPE, "noteref")
    for section in container.xpath(".//section[@class='footnotes']"):
        section.set(EPUB_TYPE, "footnotes")
        section.attrib.pop("role", None)
        for listing in section.xpath("./ol"):
            for number, item in enumerate(listing.xpath("./li"), start=1):
                aside = lxml_html.Element("aside", {"id": item.get("id", ""), "class": "footnote",
                                                    EPUB_TYPE: "footnote", "role": "doc-footnote"})
                label = lxml_html.Element("span", {"class": "footnote-number"})
                aside.append(label)
                label.text = f"{number}. "
                label.tail = item.text
                for child in item:
                    aside.append(child)
                # the number goes inside the first paragraph, so it reads on one line
                first = aside.find("p")
                if first is not None and label.getnext() is first:
                    aside.remove(label)
                    label.tail = first.text
                    first.text = None
                    first.insert(0, label)
                listing.addprevious(aside)
            section.remove(listing)


def _serialize(element) -> str:
    # Written as `epub:type`, which is right inside a document that declares xmlns:epub on its root.
    markup = etree.tostring(element, method="xml", encoding="unicode", with_tail=True)
    return markup.replace(f' {EPUB_TYPE}="', ' epub:type="')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
