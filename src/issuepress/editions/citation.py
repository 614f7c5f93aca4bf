"""A piece of the issue -> how to cite it: the facts (author, title, publication, volume, number, date, the pages it
was printed on, its address), for the "Cite this" of the EPUB and the web edition, and the same as RIS and BibTeX
files that reference managers (Zotero, Mendeley, EndNote, JabRef) import.

RIS and BibTeX are small line formats, written here; the names stay as printed (BibTeX reads "Given Family"
itself; RIS gets "Family, Given", the family name taken to be the last word, as BibTeX takes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates import default_title
from ..model import Article, RenderedIssue
from .common import web_url


@dataclass(frozen=True)
class Citation:
    authors: tuple[str, ...]
    title: str
    publication: str
    volume: int
    number: int
    date: str  # YYYY-MM-DD
    shown_date: str  # "November 2024", as the issue says it
    pages: str | None  # "3–5", or None without the print edition's page numbers
    url: str | None  # the piece's page in the web edition, where the magazine has a `url`
    issn: str | None
    publisher: str | None
    language: str
    key: str  # the BibTeX key: author's family name, year, title's first word

    @property
    def first_page(self) -> str | None:
        return self.pages.split("\u2013")[0] if self.pages else None

    @property
    def last_page(self) -> str | None:
        return self.pages.split("\u2013")[-1] if self.pages else None


def cite(rendered: RenderedIssue, piece: Article, pages: str | None) -> Citation:
    issue, magazine = rendered.issue, rendered.issue.magazine
    base = web_url(issue)
    authors = tuple(author.name for author in piece.authors)
    family = _family(authors[0]) if authors else magazine.title
    first_word = next(iter(re.findall(r"\w+", piece.title)), "article")
    key = re.sub(r"[^a-z0-9]", "", f"{family}{issue.date.year}{first_word}".lower()) or f"article{issue.date.year}"
    return Citation(authors, piece.title, magazine.title, issue.volume, issue.number, issue.date.isoformat(),
                    default_title(issue.date), pages, f"{base}{piece.page}" if base else None, magazine.issn,
                    magazine.publisher, piece.language, key)


def ris(citation: Citation) -> str:
    """The RIS record (magazine article), lines ending CR LF as the format asks."""
    lines = [("TY", "MGZN"), *(("AU", _inverted(name)) for name in citation.authors), ("TI", citation.title),
             ("T2", citation.publication), ("VL", str(citation.volume)), ("IS", str(citation.number)),
             ("PY", citation.date[:4]), ("DA", citation.date.replace("-", "/"))]
    if citation.pages:
        lines += [("SP", citation.first_page), ("EP", citation.last_page)]
    lines += [(tag, value) for tag, value in (("SN", citation.issn), ("PB", citation.publisher),
                                              ("UR", citation.url)) if value]
    lines += [("LA", citation.language), ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def bibtex(citation: Citation) -> str:
    """The BibTeX entry (@article, which BibTeX's styles print with journal, volume, number and pages)."""
    fields = [("author", " and ".join(citation.authors)), ("title", citation.title),
              ("journal", citation.publication), ("volume", str(citation.volume)), ("number", str(citation.number)),
              ("year", citation.date[:4]), ("month", citation.date[5:7].lstrip("0")), ("date", citation.date)]
    if citation.pages:
        fields.append(("pages", citation.pages.replace("\u2013", "--")))
    fields += [(name, value) for name, value in (("issn", citation.issn), ("publisher", citation.publisher),
                                                 ("url", citation.url)) if value]
    fields.append(("langid", citation.language))
    body = ",\n".join(f"  {name} = {{{_braced(value) if name != 'url' else value}}}" for name, value in fields
                      if value)
    return f"@article{{{citation.key},\n{body}\n}}\n"


def _family(name: str) -> str:
    return name.split()[-1] if name.split() else name


def _inverted(name: str) -> str:
    words = name.split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else name


BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
                  "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _braced(value: str) -> str:
    """A field's text with BibTeX's special characters escaped (UTF-8 letters stay: biber and BibTeX 0.99d
    read them)."""
    return "".join(BIBTEX_SPECIAL.get(character, character) for character in value)
