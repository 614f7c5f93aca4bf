"""The issues' records -> the site's feeds: Atom for feed readers, an OPDS 1.2 catalogue for reading apps,
a sitemap and robots.txt.

Feeds are written with lxml, so every title and summary is escaped as XML wants. Addresses are absolute when
`magazine.yaml` gives the site's `url` (as feed readers and catalogues prefer), and relative to the feed
otherwise (Atom allows that); the sitemap needs absolute addresses, so without `url` there is none. Entry ids
are UUID URNs made from the publication and the piece, so they stay the same if the site moves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from lxml import etree
from lxml.builder import ElementMaker

from ...model import Magazine
from .pages import SectionPage
from .records import IssueRecord

ATOM_NS, DC_NS, OPDS_NS = "http://www.w3.org/2005/Atom", "http://purl.org/dc/terms/", "http://opds-spec.org/2010/catalog"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
A = ElementMaker(namespace=ATOM_NS, nsmap={None: ATOM_NS, "dc": DC_NS, "opds": OPDS_NS})
DC = ElementMaker(namespace=DC_NS)
LATEST = 50  # entries in the site's feed
SECTION_LATEST = 20
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"


def stamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def urn(magazine: Magazine, *parts: object) -> str:
    publication = f"issn:{magazine.issn}" if magazine.issn else f"title:{magazine.title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ':'.join(['issuepress', publication, *map(str, parts)]))}"


class Addresses:
    """Site paths as a feed at `feed` (a site path) writes them: absolute under `url`, else relative."""

    def __init__(self, magazine: Magazine, feed: str):
        self.url, self.up = magazine.url, "../" * feed.count("/")

    def __call__(self, path: str) -> str:
        if self.url:  # a folder's address, as readers share it
            return f"{self.url}{path.removesuffix('index.html')}"
        return f"{self.up}{path}"


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _feed_head(magazine: Magazine, title: str, feed_id: str, updated: str, here: Addresses, self_path: str,
               self_type: str, alternate: str | None) -> etree._Element:
    feed = A.feed(A.id(feed_id), A.title(title), A.updated(updated),
                  A.author(A.name(magazine.publisher or magazine.title)),
                  A.link(rel="self", href=here(self_path), type=self_type),
                  A.generator("issuepress"))
    feed.set(XML_LANG, magazine.language)
    if alternate is not None:
        feed.append(A.link(rel="alternate", href=here(alternate), type="text/html"))
    return feed


def atom(magazine: Magazine, records: list[IssueRecord], path: str = "feed.xml",
         section: SectionPage | None = None) -> bytes:
    """The latest articles (of one section, with `section`), newest issue first, in reading order within it."""
    here = Addresses(magazine, path)
    if section is None:
        entries = [(record, piece) for record in records for piece in record.pieces][:LATEST]
        title, feed_id, alternate = magazine.title, urn(magazine, "feed"), "index.html"
    else:
        entries = [(a.issue, a.piece) for a in section.pieces][:SECTION_LATEST]
        title, feed_id, alternate = (f"{section.name} \u00b7 {magazine.title}", urn(magazine, "feed", section.slug),
                                     section.href)
    updated = stamp(entries[0][0].date) if entries else stamp(dt.date(1970, 1, 1))
    feed = _feed_head(magazine, title, feed_id, updated, here, path, "application/atom+xml", alternate)
    for record, piece in entries:
        entry = A.entry(A.id(urn(magazine, record.volume, record.number, piece.slug)), A.title(piece.title),
                        A.updated(stamp(record.date)), A.published(stamp(record.date)))
        for _author_id, name in piece.authors:
            entry.append(A.author(A.name(name)))
        entry.append(A.link(rel="alternate", type="text/html", href=here(piece.href)))
        if piece.section:
            entry.append(A.category(term=piece.section))
        entry.append(A.summary(f"{piece.summary} ({record.title}, {record.masthead_line})".strip()))
        if piece.language != magazine.language:
            entry.set(XML_LANG, piece.language)
        feed.append(entry)
    return _serialize(feed)


def opds(magazine: Magazine, records: list[IssueRecord]) -> dict[str, bytes]:
    """The OPDS 1.2 catalogue: a navigation feed (all issues; each year) over acquisition feeds whose entries
    are the issues that have downloads, each with its EPUB and PDF, cover and web edition."""
    offered = [record for record in records if record.downloads]
    updated = stamp(records[0].date) if records else stamp(dt.date(1970, 1, 1))
    years = sorted({record.date.year for record in offered}, reverse=True)
    here = Addresses(magazine, "opds/index.xml")
    root = _feed_head(magazine, magazine.title, urn(magazine, "opds"), updated, here, "opds/index.xml",
                      NAVIGATION, "index.html")
    root.append(A.link(rel="start", href=here("opds/index.xml"), type=NAVIGATION))
    targets = [("opds/issues.xml", "All issues", "Every issue, newest first", "issues", offered)]
    targets += [(f"opds/{year}.xml", str(year), f"The issues of {year}", str(year),
                 [r for r in offered if r.date.year == year]) for year in years]
    files = {}
    for path, title, about, key, chosen in targets:
        root.append(A.entry(A.title(title), A.id(urn(magazine, "opds", key)), A.updated(updated),
                            A.content(about, type="text"),
                            A.link(rel="subsection", href=here(path), type=ACQUISITION)))
        files[path] = _acquisition(magazine, chosen, path, f"{title} \u00b7 {magazine.title}",
                                   urn(magazine, "opds", key, "feed"), updated)
    files["opds/index.xml"] = _serialize(root)
    return files


def _acquisition(magazine: Magazine, records: Iterable[IssueRecord], path: str, title: str, feed_id: str,
                 updated: str) -> bytes:
    here = Addresses(magazine, path)
    feed = _feed_head(magazine, title, feed_id, updated, here, path, ACQUISITION, "archive/index.html")
    feed.append(A.link(rel="start", href=here("opds/index.xml"), type=NAVIGATION))
    feed.append(A.link(rel="up", href=here("opds/index.xml"), type=NAVIGATION))
    for record in records:
        entry = A.entry(A.title(record.full_title), A.id(record.identifier), A.updated(stamp(record.date)),
                        DC.language(record.language), DC.issued(record.date.isoformat()))
        if magazine.publisher:
            entry.append(DC.publisher(magazine.publisher))
        if record.editor:
            entry.append(A.contributor(A.name(record.editor)))
        contents = "; ".join(piece.title for piece in record.pieces)
        entry.append(A.summary(" ".join(filter(None, [record.description, f"{record.masthead_line}. {contents}"])),
                               type="text"))
        if record.cover:
            kind = "image/png" if record.cover.endswith(".png") else "image/jpeg" if record.cover.endswith(
                (".jpg", ".jpeg")) else "image/webp" if record.cover.endswith(".webp") else "image/gif"
            for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
                entry.append(A.link(rel=rel, href=here(record.cover), type=kind))
        for download in record.downloads:
            entry.append(A.link(rel=OPEN_ACCESS, href=here(download.href), type=download.media_type,
                                title=download.label, length=str(download.size)))
        entry.append(A.link(rel="alternate", href=here(record.href), type="text/html", title="Web edition"))
        feed.append(entry)
    return _serialize(feed)


def sitemap(magazine: Magazine, records: list[IssueRecord], pages: Iterable[str]) -> bytes | None:
    """Every page a search engine should know, with the date of its issue; None without the site's url."""
    if not magazine.url:
        return None
    S = ElementMaker(namespace="http://www.sitemaps.org/schemas/sitemap/0.9",
                     nsmap={None: "http://www.sitemaps.org/schemas/sitemap/0.9"})
    latest = records[0].date.isoformat() if records else None
    urlset = S.urlset()
    for page in pages:
        entry = S.url(S.loc(f"{magazine.url}{page.removesuffix('index.html')}"))
        if latest:
            entry.append(S.lastmod(latest))
        urlset.append(entry)
    for record in records:
        for page in ["index.html", *(piece.href.split("/", 1)[1] for piece in record.pieces), "contributors.html"]:
            urlset.append(S.url(S.loc(f"{magazine.url}{record.id}/{page.removesuffix('index.html')}"),
                                S.lastmod(record.date.isoformat())))
    return _serialize(urlset)


def robots(magazine: Magazine) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if magazine.url:
        lines.append(f"Sitemap: {magazine.url}sitemap.xml")
    return ("\n".join(lines) + "\n").encode()
