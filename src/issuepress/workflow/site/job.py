"""One issue of the magazine -> its part of the website: web pages, search bundle and record, made in a worker.

`build_issue` is the unit of work the site is made of: a pure function of the magazine folder, run in a
process of this computer's pool or on a Dask worker, whose result (files as bytes, the record, the cache
entries it made) travels back to the process that writes the site. It raises nothing for a content problem:
the problems come back in the result, so that every issue's are said at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ... import recipe
from ...cache import CODE, Cache, MemoryCache
from ...editions.folios import pages_for
from ...editions.html.edition import web_files
from ...errors import IssueError, Problem
from ...layouts import FONT_URL
from . import search
from .records import Download, IssueRecord, record_of

SEARCH_FOLDER = "_search"  # the primary search bundle, with Pagefind's runtime
ISSUE_SEARCH = f"{SEARCH_FOLDER}/issues"  # each issue's own bundle, in a folder named by its id


@dataclass(frozen=True)
class IssueJob:
    root: str
    issue_id: str
    downloads: tuple[Download, ...] = ()
    search_language: str = "en"
    use_cache: bool = True


@dataclass
class IssueResult:
    issue_id: str
    code: str  # the digest of issuepress's code that made it: a worker must run the same version
    record: IssueRecord | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # relative to the site's root
    fonts: tuple[str, ...] = ()  # the theme's font files its pages use (the site holds them once)
    sources: tuple[str, ...] = ()  # files it read from outside its issue folder
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()
    cache_entries: dict = field(default_factory=dict)
    seconds: float = 0.0


def site_context(issue_id: str, downloads: tuple[Download, ...]) -> dict:
    """What an issue's pages need to link to the site around them (`layouts/site/issue-nav.html`)."""
    return {"root": "../", "downloads": [(d.label, d.href.removeprefix(f"{issue_id}/"), d.media_type, d.size)
                                         for d in downloads]}


def build_issue(job: IssueJob) -> IssueResult:
    started = time.perf_counter()
    root = Path(job.root)
    cache = Cache(root / "build" / ".cache") if job.use_cache else MemoryCache()
    try:
        rendered, theme = recipe.load(root, job.issue_id, cache)
        # The print page numbers when the issue's print layout is in the cache (a build of its EPUB or PDFs, or
        # `site --downloads`, put it there): the site never lays out an issue's print edition itself
        printed = print_pages_if_cached(rendered, theme, cache)
        pages = web_files(rendered, theme, site=site_context(job.issue_id, job.downloads), pages=printed)
        fonts = tuple(sorted(name.removeprefix("fonts/") for name in pages if name.startswith("fonts/")
                             and not name.endswith(".txt")))
        pages = {name: data for name, data in pages.items() if not name.startswith("fonts/")}
        # One copy of the theme's fonts for the whole site, at its root, instead of one per issue
        css = FONT_URL.sub(lambda found: f'url("../../fonts/{found.group(1)}")', pages["css/screen.css"].decode())
        pages["css/screen.css"] = (css + theme.render("site/issue-nav.css")).encode("utf-8")
        files = {f"{job.issue_id}/{name}": data for name, data in pages.items()}
        cover, size = None, (0, 0)
        if rendered.cover:
            cover, size = f"{job.issue_id}/{rendered.cover.href}", (rendered.cover.width, rendered.cover.height)
        elif job.downloads:  # reading apps show a cover in the catalogue: the EPUB's typographic one
            from ...editions.epub.cover import typographic_cover

            made = typographic_cover(rendered, theme, cache)
            cover, size = f"{job.issue_id}/{made.href}", (made.width, made.height)
            files[cover] = made.data
        record = record_of(rendered, job.downloads, cover, size)
        documents = {piece.href: search.document(piece.title, f"{record.title} \u00b7 {record.masthead_line}",
                                                 _body(rendered, piece.slug), job.search_language)
                     for piece in record.pieces}
        for name, data in search.bundle(documents, job.search_language, runtime=False).items():
            files[f"{ISSUE_SEARCH}/{job.issue_id}/{name}"] = data
    except IssueError as error:
        cache.discard()
        return IssueResult(job.issue_id, CODE, problems=tuple(error.problems),
                           seconds=time.perf_counter() - started)
    folder = (root / "issues" / job.issue_id).resolve()
    read = {piece.source for piece in rendered.pieces} | {asset.source for asset in rendered.assets}
    outside = tuple(sorted(str(path) for path in read if folder not in Path(path).resolve().parents))
    return IssueResult(job.issue_id, CODE, record, files, fonts, outside, rendered.warnings,
                       cache_entries=dict(cache.pending), seconds=time.perf_counter() - started)


def print_pages_if_cached(rendered, theme, cache):
    try:
        return pages_for(rendered, theme, cache, lay_out=False)
    except IssueError:  # the print layout's own mistake: `issuepress build` says it
        return None


def _body(rendered, slug: str) -> str:
    piece = next(piece for piece in rendered.pieces if piece.slug == slug)
    return (f"<p>{piece.subtitle_html}</p>" if piece.subtitle_html else "") + piece.body
