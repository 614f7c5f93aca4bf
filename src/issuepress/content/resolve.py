"""Images and links an article names -> the assets and link targets the editions use, each checked once.

`AssetRegistry` loads every image of the issue once and gives it one href; `Piece` is the working state
while one file is rendered: which images and links it uses, and at which line each is first named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..errors import Problems
from ..load.sources import is_file, load_image, resolve_inside
from ..model import Asset, Issue
from .names import slugify, unique


@dataclass
class AssetRegistry:
    """Every image of the issue, loaded once and given one unique href."""

    problems: Problems
    by_source: dict[Path, Asset] = field(default_factory=dict)
    hrefs: set[str] = field(default_factory=set)

    def image(self, path: Path, line: int | None, cited_in: Path, problems: Problems | None = None) -> Asset | None:
        """The image as an asset with its href, or None after recording (in `problems`) why not."""
        if path in self.by_source:
            return self.by_source[path]
        stem = f"images/{slugify(path.stem) or 'image'}"
        asset = load_image(path, lambda extension: unique(stem, self.hrefs, extension), problems or self.problems,
                           line, cited_in)
        if asset is not None:
            self.by_source[path] = asset
            self.hrefs.add(asset.href)
        return asset


@dataclass
class Piece:
    """Working state while one file is rendered."""

    path: Path
    issue: Issue
    registry: AssetRegistry
    pages: dict[Path, str]  # article file -> its page, for links between articles
    problems: Problems
    line_offset: int = 0
    assets: list[Asset] = field(default_factory=list)
    image_hrefs: dict[str, str] = field(default_factory=dict)  # src as written -> href
    link_targets: set[str] = field(default_factory=set)  # hrefs already rewritten for the editions
    missing: list[Path] = field(default_factory=list)  # raw <img> files not there (yet)
    image_lines: dict[str, int] = field(default_factory=dict)  # href -> line first showing it
    link_lines: dict[str, int] = field(default_factory=dict)  # link target within the issue -> line first naming it

    def use_image(self, src: str, line: int, raw: bool) -> str | None:
        path, reason = resolve_inside(self.path.parent, src, self.issue.magazine.root)
        if reason:
            if raw:
                self.problems.warn(f"removed <img>: {reason}", self.path, line)
            else:
                self.problems.error(f"image {reason}", self.path, line)
            return None
        if raw and not is_file(path):
            self.problems.warn(f"removed <img>: file not found: {self.problems.where(path)}", self.path, line)
            self.missing.append(path)
            return None
        asset = self.registry.image(path, line, self.path, self.problems)
        if asset is None:
            return None
        if asset not in self.assets:
            self.assets.append(asset)
        self.image_lines.setdefault(asset.href, line)
        self.image_hrefs[src] = asset.href
        return asset.href

    def link_target(self, href: str, line: int | None) -> str | None:
        """Where a link goes in the editions: web and mail links as they are, other articles by page."""
        parts = urlsplit(href)
        if href in self.link_targets:
            return href
        if href.startswith("#"):
            if line is not None:
                self.link_lines.setdefault(href, line)
            return href
        if parts.scheme in ("http", "https"):
            problem = web_link_problem(href)
            if problem and line is not None:
                self.problems.warn(f"link removed (the text stays): {problem}", self.path, line)
            return None if problem else href
        if parts.scheme == "mailto":
            return href
        if href.startswith("/") and not href.startswith("//"):  # a page of the magazine's own site
            if self.issue.magazine.url:
                return urljoin(self.issue.magazine.url, href)
            if line is not None:
                self.problems.warn(f"link removed (the text stays): '{href[:60]}' is a page of the magazine's own "
                                   "site; say which site that is with `url:` in magazine.yaml, and such links lead "
                                   "there in every edition", self.path, line)
            return None
        if parts.scheme:  # javascript:, file:, data: ... never survive
            if line is not None:
                self.problems.warn(f"link removed (the text stays): '{href[:60]}' is a '{parts.scheme}:' address, "
                                   "which no edition keeps", self.path, line)
            return None
        path, reason = resolve_inside(self.path.parent, href, self.issue.magazine.root)
        if path is not None and path in self.pages:
            target = self.pages[path] + (f"#{parts.fragment}" if parts.fragment else "")
            self.link_targets.add(target)
            if line is not None:
                self.link_lines.setdefault(target, line)
            return target
        if line is not None:
            reason = reason or f"'{href}' is not an article of this issue"
            self.problems.warn(f"link removed (the text stays): {reason}", self.path, line)
        return None


def web_link_problem(href: str) -> str | None:
    """Why a web address cannot be a link in the editions (the HTML checker and EPUBCheck read it as a
    browser does), or None: `https://../` has no host name, `https://x:port/` no port number."""
    try:
        parts = urlsplit(href)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        return f"'{href[:60]}' is not a web address a browser can follow (its host or port cannot be read)"
    if not host or any(not label for label in host.removesuffix(".").split(".")):
        return f"'{href[:60]}' has no host name a browser can look up; check the address"
    return None
