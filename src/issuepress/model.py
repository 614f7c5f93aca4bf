"""The frozen model of a magazine issue: what the loaders produce and the editions read."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Contributor:
    id: str
    name: str
    bio: str = ""  # as written: Markdown
    email: str | None = None
    url: str | None = None
    bio_html: str = ""  # rendered for the issue that prints the bio

    @property
    def url_label(self) -> str:
        """The web address as printed: without https:// or a closing slash."""
        return re.sub(r"^https?://(www\.)?", "", self.url or "").rstrip("/")


@dataclass(frozen=True)
class OutputIntent:
    """The press condition the print PDF is made for: a built-in one, or a printer's own ICC profile."""

    builtin: str | None = "fogra39"  # a profile of the theme's profiles/ (press.conditions.BUILTIN), or None
    profile: Path | None = None  # the printer's own profile, in the magazine folder
    identifier: str = ""  # its registered OutputConditionIdentifier (FOGRA51, CGATS TR 006) or Custom
    registry: str = ""  # where that name is registered (the ICC's, http://www.color.org)
    condition: str = ""  # the condition in words, for people
    line: int | None = None  # where magazine.yaml says it


@dataclass(frozen=True)
class PrintSettings:
    """Page geometry and binding for the print edition, lengths in millimetres."""

    trim_width: float = 210.0
    trim_height: float = 297.0
    bleed: float = 3.0
    marks: frozenset[str] = frozenset({"crop"})
    binding: str = "saddle-stitch"  # or "perfect-bound"
    recto: bool = False  # start every article on a right-hand page
    footnotes: str = "foot"  # or "end": notes at the end of each article
    standard: str = "pdf/x-4"  # or "none": a plain PDF, colours as the layouts give them
    output_intent: OutputIntent = field(default_factory=OutputIntent)
    ink_limit: float | None = None  # total ink coverage in percent; None: the output condition's own
    paper: float | None = None  # the paper's caliper (one leaf), which makes the spine; None: not said
    cover: str = "self"  # saddle-stitch: "self" (the cover is the first leaf) or "separate"; perfect-bound: separate
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # print: key -> line

    @property
    def separate_cover(self) -> bool:
        """Whether the cover is printed apart from the interior: always for a perfect-bound issue."""
        return self.binding == "perfect-bound" or self.cover == "separate"


@dataclass(frozen=True)
class Magazine:
    root: Path
    title: str = "Untitled Magazine"
    publisher: str | None = None
    issn: str | None = None
    language: str = "en"
    url: str | None = None
    numbering: str = "continuous"  # or "yearly": numbers restart each January and volumes count years
    print: PrintSettings = field(default_factory=PrintSettings)
    contributors: Mapping[str, Contributor] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ArticleEntry:
    """One line of the manifest's `articles` list."""

    path: Path
    section: str | None
    line: int


@dataclass(frozen=True)
class Issue:
    id: str
    folder: Path
    manifest: Path
    magazine: Magazine
    volume: int
    number: int
    date: dt.date
    title: str
    editor: str | None
    language: str
    cover: Path | None
    editors_note: Path | None
    articles: tuple[ArticleEntry, ...]
    contributors: Mapping[str, Contributor]
    description: str | None = None
    keywords: tuple[str, ...] = ()
    featured: tuple[str, ...] = ()  # ids under the manifest's `contributors`: their bios print too
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # manifest key -> line

    @property
    def full_title(self) -> str:
        """'Publication — Month Year', or the issue's own title after the dash."""
        return f"{self.magazine.title} \u2014 {self.title}"


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Asset:
    """A file an edition carries (image, font), read once at load time."""

    href: str  # where every edition puts it, relative to its pages: "images/x.png"
    data: bytes
    media_type: str
    source: Path
    width: int = 0  # pixels, for images
    height: int = 0

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the data, computed once: cache keys and the layout processes' file names use it."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Article:
    """One piece of the issue rendered to an HTML fragment."""

    slug: str
    kind: str  # "article" or "editors-note"
    title: str  # plain text: <title>, the EPUB's nav, PDF bookmarks and running heads, metadata
    subtitle: str | None
    title_html: str  # with the title's emphasis and code, for headings and contents lists
    subtitle_html: str | None
    authors: tuple[Contributor, ...]
    section: str | None
    language: str
    direction: str  # "ltr" or "rtl"
    body: str  # sanitized HTML5 fragment
    headings: tuple[Heading, ...]
    assets: tuple[Asset, ...]
    source: Path
    words: int
    image_lines: tuple[tuple[str, int], ...] = ()  # (href, the line of the article that first shows it)
    link_lines: tuple[tuple[str, int], ...] = ()  # (link target in the issue, the line that first names it)

    @property
    def page(self) -> str:
        """File name of this article's page in the HTML edition."""
        return f"{self.slug}.html"


@dataclass(frozen=True)
class Section:
    """Consecutive articles that share a department name (None: no heading)."""

    name: str | None
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class RenderedIssue:
    """Everything an edition needs; editions read nothing else."""

    issue: Issue
    editors_note: Article | None
    articles: tuple[Article, ...]
    cover: Asset | None
    contributors: tuple[Contributor, ...]  # whose bios this issue prints, in order
    warnings: tuple = ()

    @property
    def pieces(self) -> tuple[Article, ...]:
        """The editor's note (if any) then the articles: the reading order."""
        return ((self.editors_note,) if self.editors_note else ()) + self.articles

    @property
    def sections(self) -> tuple[Section, ...]:
        groups: list[Section] = []
        for article in self.articles:
            if groups and groups[-1].name == article.section:
                last = groups.pop()
                groups.append(Section(last.name, last.articles + (article,)))
            else:
                groups.append(Section(article.section, (article,)))
        return tuple(groups)

    @property
    def assets(self) -> tuple[Asset, ...]:
        """Every image the pieces use, once each, cover first."""
        seen: dict[str, Asset] = {}
        for asset in ((self.cover,) if self.cover else ()) + tuple(
            a for piece in self.pieces for a in piece.assets
        ):
            seen.setdefault(asset.href, asset)
        return tuple(seen.values())
