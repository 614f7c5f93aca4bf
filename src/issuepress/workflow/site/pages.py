"""The issues' records -> the site's own pages: home, archive, contributors, sections, search and 404.

Each page is a layout under `layouts/site/` (a magazine may override any of them), rendered from the records
alone, so an unchanged issue is listed without being read again. Links are relative, so the site works from
any folder of any host; only the 404 page, which a host sends for any missing address, links from the site's
root (its `url`, or `/`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...editions import common
from ...layouts import Theme
from ...model import Magazine
from .records import IssueRecord, PersonRecord, PieceRecord, slug

RECENT = 12  # issues on the home page, the latest among them


@dataclass(frozen=True)
class Appearance:
    """A piece in the issue it appeared in."""

    issue: IssueRecord
    piece: PieceRecord


@dataclass(frozen=True)
class Person:
    record: PersonRecord  # as the latest issue that prints their bio has it
    pieces: tuple[Appearance, ...]  # newest first
    photo: str | None  # the portrait's path under the site's root

    @property
    def href(self) -> str:
        return f"contributors/{self.record.id}/index.html"


@dataclass(frozen=True)
class SectionPage:
    name: str
    slug: str
    pieces: tuple[Appearance, ...]  # newest first

    @property
    def href(self) -> str:
        return f"sections/{self.slug}/index.html"


def people(records: list[IssueRecord]) -> list[Person]:
    """Everyone whose bio an issue prints, with every piece they wrote; by name."""
    latest: dict[str, PersonRecord] = {}
    pieces: dict[str, list[Appearance]] = defaultdict(list)
    for record in records:  # newest first
        for person in record.people:
            latest.setdefault(person.id, person)
        for piece in record.pieces:
            for author_id, _name in piece.authors:
                pieces[author_id].append(Appearance(record, piece))
    found = []
    for pid, person in latest.items():
        photo = f"contributors/{pid}/photo{Path(person.photo).suffix.lower()}" if person.photo else None
        found.append(Person(person, tuple(pieces.get(pid, ())), photo))
    return sorted(found, key=lambda p: (p.record.name.casefold(), p.record.id))


def sections(records: list[IssueRecord]) -> list[SectionPage]:
    """Every department, with every article published under it; by name. Names that make the same folder
    name are one section."""
    found: dict[str, tuple[str, list[Appearance]]] = {}
    for record in records:
        for piece in record.pieces:
            if piece.kind == "article" and piece.section:
                found.setdefault(slug(piece.section), (piece.section, []))[1].append(Appearance(record, piece))
    return sorted((SectionPage(name, key, tuple(pieces)) for key, (name, pieces) in found.items()),
                  key=lambda s: s.name.casefold())


def by_year(records: list[IssueRecord]) -> list[tuple[int, list[IssueRecord]]]:
    years: dict[int, list[IssueRecord]] = {}
    for record in records:
        years.setdefault(record.date.year, []).append(record)
    return sorted(years.items(), reverse=True)


class SitePages:
    """Renders the site's layouts with what every page shares."""

    def __init__(self, theme: Theme, magazine: Magazine, records: list[IssueRecord], language: str,
                 direction: str):
        self.theme, self.magazine, self.records = theme, magazine, records
        self.language, self.direction = language, direction

    def render(self, layout: str, page: str, **context: Any) -> bytes:
        depth = page.count("/")
        base = "../" * depth
        if page == "404.html":
            base = self.magazine.url or "/"
        canonical = f"{self.magazine.url}{page.removesuffix('index.html')}" if self.magazine.url else None
        return self.theme.render(f"site/{layout}", magazine=self.magazine, base=base, page=page,
                                 canonical=canonical, language=self.language, direction=self.direction,
                                 latest=self.records[0] if self.records else None,
                                 **context).encode("utf-8")

    def all(self, everyone: list[Person], departments: list[SectionPage], shards: list[str]) -> dict[str, bytes]:
        records = self.records
        files = {
            "index.html": self.render("home.html", "index.html", recent=records[1:RECENT],
                                      json_ld=periodical(self.magazine, records[:1])),
            "archive/index.html": self.render("archive.html", "archive/index.html", years=by_year(records),
                                              json_ld=periodical(self.magazine, records, volumes=True)),
            "contributors/index.html": self.render("contributors.html", "contributors/index.html",
                                                   people=everyone, json_ld=None),
            "sections/index.html": self.render("sections.html", "sections/index.html", sections=departments,
                                               json_ld=None),
            "search/index.html": self.render("search.html", "search/index.html", shards=shards, json_ld=None),
            "404.html": self.render("404.html", "404.html", json_ld=None),
        }
        for person in everyone:
            files[person.href] = self.render("contributor.html", person.href, person=person,
                                             json_ld=person_json_ld(person, self.magazine))
        for department in departments:
            files[department.href] = self.render("section.html", department.href, section=department,
                                                 json_ld=None)
        return files


def _periodical_node(magazine: Magazine) -> dict[str, Any]:
    return {**common.periodical(magazine), "inLanguage": magazine.language}


def _issue_node(magazine: Magazine, record: IssueRecord) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "PublicationIssue", "issueNumber": str(record.number), "name": record.title,
                            "datePublished": record.date.isoformat()}
    if magazine.url:
        node["url"] = f"{magazine.url}{record.id}/"
    node["hasPart"] = [{"@type": "Article", "headline": piece.title,
                        **({"url": f"{magazine.url}{piece.href}"} if magazine.url else {})}
                       for piece in record.pieces]
    return node


def periodical(magazine: Magazine, records: list[IssueRecord], volumes: bool = False) -> dict[str, Any]:
    """schema.org: the Periodical, with its issues (grouped in their PublicationVolumes, for the archive)."""
    data = {"@context": "https://schema.org", **_periodical_node(magazine)}
    if not volumes:
        data["hasPart"] = [_issue_node(magazine, record) for record in records]
        return data
    grouped: dict[int, list[IssueRecord]] = {}
    for record in records:
        grouped.setdefault(record.volume, []).append(record)
    data["hasPart"] = [{"@type": "PublicationVolume", "volumeNumber": str(volume),
                        "hasPart": [_issue_node(magazine, record) for record in issues]}
                       for volume, issues in sorted(grouped.items(), reverse=True)]
    return data


def person_json_ld(person: Person, magazine: Magazine) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "ProfilePage",
                            "mainEntity": {"@type": "Person", "name": person.record.name}}
    if person.record.url:
        data["mainEntity"]["sameAs"] = person.record.url
    if magazine.url:
        data["url"] = f"{magazine.url}{person.href.removesuffix('index.html')}"
    return data
