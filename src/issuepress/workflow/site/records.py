"""A rendered issue -> the plain record of it that the site's listing pages, feeds and catalogue are made from.

A record is small, picklable data: it travels back from a worker process (or a Dask worker) and is kept in the
site's state between builds, so an unchanged issue is listed without being read again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import html as lxml_html

from ...content.pieces import text_direction
from ...editions.common import issue_identifier
from ...model import RenderedIssue

SUMMARY_WORDS = 60


@dataclass(frozen=True)
class Download:
    """An edition of the issue offered on the site: `href` relative to the site's root."""

    name: str  # the edition's name: epub, screen-pdf
    label: str  # "EPUB", "PDF"
    href: str
    media_type: str
    size: int


@dataclass(frozen=True)
class PieceRecord:
    slug: str
    href: str  # relative to the site's root: ID/slug.html
    kind: str  # "article" or "editors-note"
    title: str
    title_html: str
    subtitle: str | None
    subtitle_html: str | None
    section: str | None
    language: str
    direction: str
    authors: tuple[tuple[str, str], ...]  # (contributor id, name)
    words: int
    summary: str  # the standfirst, or the opening words


@dataclass(frozen=True)
class PersonRecord:
    id: str
    name: str
    bio_html: str
    url: str | None
    photo: str | None  # relative to the magazine folder


@dataclass(frozen=True)
class IssueRecord:
    id: str
    volume: int
    number: int
    date: dt.date
    title: str
    full_title: str
    description: str | None
    language: str
    direction: str
    editor: str | None
    identifier: str  # the EPUB's urn:uuid, the same in the catalogue
    cover: str | None  # the cover image, relative to the site's root
    cover_size: tuple[int, int]
    pieces: tuple[PieceRecord, ...]
    people: tuple[PersonRecord, ...]
    downloads: tuple[Download, ...]

    @property
    def href(self) -> str:
        return f"{self.id}/index.html"

    @property
    def masthead_line(self) -> str:
        return f"Volume {self.volume}, No. {self.number}"

    @property
    def sections(self) -> tuple[tuple[str | None, tuple[PieceRecord, ...]], ...]:
        """Consecutive articles of one section, grouped as the issue's contents groups them."""
        groups: list[tuple[str | None, list[PieceRecord]]] = []
        for piece in self.pieces:
            if piece.kind != "article":
                continue
            if groups and groups[-1][0] == piece.section:
                groups[-1][1].append(piece)
            else:
                groups.append((piece.section, [piece]))
        return tuple((name, tuple(pieces)) for name, pieces in groups)


def summary_of(body: str, subtitle: str | None) -> str:
    """What a feed says of a piece: its standfirst, or the first words of its text."""
    if subtitle:
        return subtitle
    if not body.strip():
        return ""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    for note in root.xpath(".//*[contains(@class, 'footnote')]"):
        note.drop_tree()
    words = " ".join(root.text_content().split()).split(" ")
    text = " ".join(words[:SUMMARY_WORDS])
    return text + ("\u2026" if len(words) > SUMMARY_WORDS else "")


def record_of(rendered: RenderedIssue, downloads: tuple[Download, ...], cover: str | None,
              cover_size: tuple[int, int]) -> IssueRecord:
    issue = rendered.issue
    pieces = tuple(PieceRecord(
        slug=piece.slug, href=f"{issue.id}/{piece.page}", kind=piece.kind, title=piece.title,
        title_html=piece.title_html, subtitle=piece.subtitle, subtitle_html=piece.subtitle_html,
        section=piece.section, language=piece.language, direction=piece.direction,
        authors=tuple((author.id, author.name) for author in piece.authors), words=piece.words,
        summary=summary_of(piece.body, piece.subtitle)) for piece in rendered.pieces)
    root = issue.magazine.root.resolve()
    people = tuple(PersonRecord(person.id, person.name, person.bio_html, person.url,
                                person.photo.resolve().relative_to(root).as_posix() if person.photo else None)
                   for person in rendered.contributors)
    return IssueRecord(
        id=issue.id, volume=issue.volume, number=issue.number, date=issue.date, title=issue.title,
        full_title=issue.full_title, description=issue.description, language=issue.language,
        direction=text_direction(issue.language), editor=issue.editor,
        identifier=issue_identifier(rendered), cover=cover, cover_size=cover_size, pieces=pieces,
        people=people, downloads=downloads)


def slug(name: str) -> str:
    """A section's name as a folder name: 'Letters & Essays' -> 'letters-essays'."""
    words = re.findall(r"\w+", name.lower())
    return "-".join(words) or "section"
