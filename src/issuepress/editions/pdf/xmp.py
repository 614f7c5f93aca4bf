"""A rendered issue (or one of its pieces) -> the XMP metadata of its PDFs: Dublin Core and PRISM, what a printer's,
a library's or a reference manager's tools read (publication, volume, number, cover date, ISSN, and for an
offprint its title, authors and pages).

One XMP packet per PDF, written at assembly: for the print PDF inside the PDF/X-4 packet (press/pdfx.py adds
these fields to it), for the screen PDF and the offprints here. Every value comes from the issue, never the
clock, so that two builds give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from ...dates import default_title
from ...model import Article, RenderedIssue
from .. import common

PRISM = "prism2"  # PRISM 2.0's basic namespace, as pikepdf names it (http://prismstandard.org/namespaces/basic/2.0/)


@dataclass(frozen=True)
class Record:
    title: str
    creators: tuple[str, ...]
    publication: str
    volume: int
    number: int
    cover_date: str  # YYYY-MM-DD
    shown_date: str  # "November 2024"
    language: str
    identifier: str
    moment: str  # the build's timestamp (SOURCE_DATE_EPOCH, or the issue's date): the XMP's dates
    issn: str = ""
    publisher: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    url: str = ""
    pages: tuple[int, int] | None = None  # an offprint's first and last page in the issue


def issue_record(rendered: RenderedIssue) -> Record:
    issue, magazine = rendered.issue, rendered.issue.magazine
    return Record(issue.full_title, (issue.editor,) if issue.editor else (), magazine.title, issue.volume,
                  issue.number, issue.date.isoformat(), default_title(issue.date), issue.language,
                  common.issue_identifier(rendered), _moment(rendered), magazine.issn or "", magazine.publisher or "",
                  issue.description or "", tuple(issue.keywords), common.web_url(issue) or "")


def piece_record(rendered: RenderedIssue, piece: Article, pages: tuple[int, int]) -> Record:
    """An offprint's: the piece's own title, authors, language and address, and its pages in the issue."""
    base = issue_record(rendered)
    url = f"{base.url}{piece.page}" if base.url else ""
    return Record(piece.title, tuple(author.name for author in piece.authors), base.publication, base.volume,
                  base.number, base.cover_date, base.shown_date, piece.language, f"{base.identifier}#{piece.slug}",
                  base.moment, base.issn, base.publisher, piece.subtitle or "", (), url, pages)


def _moment(rendered: RenderedIssue) -> str:
    return common.build_timestamp(rendered.issue).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(meta, record: Record) -> None:
    """Set the Dublin Core and PRISM fields in an open XMP packet (`pikepdf.Pdf.open_metadata()`)."""
    meta["dc:title"] = record.title
    if record.creators:
        meta["dc:creator"] = list(record.creators)
    if record.description:
        meta["dc:description"] = record.description
    if record.publisher:
        meta["dc:publisher"] = [record.publisher]
    if record.keywords:
        meta["dc:subject"] = list(record.keywords)  # a Bag, as pikepdf knows the property: the issue's order
    meta["dc:language"] = [record.language]
    meta["dc:date"] = [record.cover_date]
    meta["dc:identifier"] = record.identifier
    meta["dc:format"] = "application/pdf"
    meta[f"{PRISM}:aggregationType"] = "magazine"
    meta[f"{PRISM}:publicationName"] = record.publication
    if record.issn:
        meta[f"{PRISM}:issn"] = record.issn
    meta[f"{PRISM}:volume"] = str(record.volume)
    meta[f"{PRISM}:number"] = str(record.number)
    meta[f"{PRISM}:coverDate"] = record.cover_date
    meta[f"{PRISM}:coverDisplayDate"] = record.shown_date
    if record.url:
        meta[f"{PRISM}:url"] = record.url
    if record.pages:
        first, last = record.pages
        meta[f"{PRISM}:startingPage"] = str(first)
        meta[f"{PRISM}:endingPage"] = str(last)
        meta[f"{PRISM}:pageRange"] = f"{first}-{last}" if last != first else str(first)


def write(document: pikepdf.Pdf, record: Record) -> None:
    """The document's one XMP packet: the record, and the dates and tools the document information says too."""
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        describe(meta, record)
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            meta[key] = record.moment
        meta["xmp:CreatorTool"] = str(document.docinfo.get("/Creator", "issuepress"))
        meta["pdf:Producer"] = str(document.docinfo.get("/Producer", "issuepress"))
        if "/Keywords" in document.docinfo:
            meta["pdf:Keywords"] = str(document.docinfo["/Keywords"])
