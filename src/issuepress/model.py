"""The frozen model of a magazine issue: what the loaders produce and the editions read.

The fields that hold a YAML key's value are declared with the key, in `load/keys.py` (`@declared`); the
fields written here are what issuepress works out itself.
"""

from __future__ import annotations

import datetime as dt  # noqa: F401  (named by the declared fields' types)
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .load.keys import ARTICLE_ENTRY, CONTRIBUTOR, DELIVERY, ISSUE, MAGAZINE, OUTPUT_INTENT, PRINT, declared


@dataclass(frozen=True)
@declared(CONTRIBUTOR)
class Contributor:
    id: str
    bio_html: str = ""  # rendered for the issue that prints the bio

    @property
    def url_label(self) -> str:
        """The web address as printed: without https:// or a closing slash."""
        return re.sub(r"^https?://(www\.)?", "", self.url or "").rstrip("/")


@dataclass(frozen=True)
@declared(OUTPUT_INTENT)
class OutputIntent:
    """The press condition the print PDF is made for: a built-in one, or a printer's own ICC profile."""

    builtin: str | None = "fogra39"  # a profile of the theme's profiles/ (press.conditions.BUILTIN), or None
    line: int | None = None  # where magazine.yaml says it


@dataclass(frozen=True)
@declared(PRINT, factories={"output_intent": OutputIntent})
class PrintSettings:
    """Page geometry and binding for the print edition, lengths in millimetres."""

    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # print: key -> line

    @property
    def trim_width(self) -> float:
        return self.trim_size[0]

    @property
    def trim_height(self) -> float:
        return self.trim_size[1]

    @property
    def separate_cover(self) -> bool:
        """Whether the cover is printed apart from the interior: always for a perfect-bound issue."""
        return self.binding == "perfect-bound" or self.cover == "separate"


@dataclass(frozen=True)
@declared(DELIVERY)
class DeliverySettings:
    """How `issuepress send` reaches the mail provider (magazine.yaml's `delivery:`). Never the password:
    only the name of the environment variable that holds it."""

    line: int | None = None  # where `delivery:` is in magazine.yaml


@dataclass(frozen=True)
@declared(MAGAZINE, factories={"print": PrintSettings, "delivery": DeliverySettings})
class Magazine:
    root: Path
    contributors: Mapping[str, Contributor] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
@declared(ARTICLE_ENTRY)
class ArticleEntry:
    """One line of the manifest's `articles` list."""

    line: int


@dataclass(frozen=True)
@declared(ISSUE)
class Issue:
    id: str
    folder: Path
    manifest: Path
    magazine: Magazine
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
    dpi: float = 0.0  # the resolution an image's file gives, pixels per inch across; 0: none

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
    body: str  # sanitized HTML5 fragment, as the web edition sets it
    headings: tuple[Heading, ...]
    assets: tuple[Asset, ...]
    source: Path
    words: int
    image_lines: tuple[tuple[str, int], ...] = ()  # (href, the line of the article that first shows it)
    image_names: tuple[tuple[str, str], ...] = ()  # (href, the image's path as the article first wrote it)
    link_lines: tuple[tuple[str, int], ...] = ()  # (link target in the issue, the line that first names it)
    # From the article's one parsed tree (content/tree.py), which the other editions transform copies of:
    markup: str = ""  # the tree's HTML, with each block's line and the EPUB's epub:type
    ids: frozenset[str] = frozenset()
    has_code: bool = False
    has_table: bool = False
    has_math: bool = False  # formulas, as MathML
    undescribed_images: int = 0  # images with no text alternative
    characters: tuple[tuple[str, int], ...] = ()  # each character beyond ASCII, with its first line
    keywords: tuple[str, ...] = ()

    def line_of_character(self, character: str) -> int | None:
        return next((line for found, line in self.characters if found == character), None)

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
