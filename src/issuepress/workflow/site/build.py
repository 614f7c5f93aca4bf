"""The magazine folder -> its website in one folder, rebuilding only what changed since the last time.

The recipe: read the settings, the theme and every issue's manifest; work out which issues changed (`state`);
build those side by side (`engine`, each a `job`); make the site's own pages, feeds, catalogue and search from
every issue's record; then write what differs and remove what no longer belongs. Nothing is written until
every issue has built: an issue with problems says them all, with its lines, and the site stays as it was.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import Cache, MemoryCache
from ...content.pieces import text_direction
from ...editions import faces
from ...errors import IssueError, Problems
from ...layouts import load_theme
from ...load.manifest import load_magazine
from ...outputs import write_file
from . import feeds, search
from .engine import default_workers, run_jobs
from .job import ISSUE_SEARCH, SEARCH_FOLDER, IssueResult
from .pages import SitePages, people, sections
from .plan import plan
from .state import IssueState, SiteState, digest, load_state, save_state, shared_fingerprint


@dataclass(frozen=True)
class SiteOptions:
    out: Path | None = None  # default: build/_site
    downloads: bool = False  # build missing EPUBs and PDFs (else only up-to-date ones are offered)
    workers: int = 0  # processes on this computer; 0: one per core
    scheduler: str | None = None  # a Dask scheduler's address
    use_cache: bool = True


@dataclass
class SiteReport:
    out: Path
    built: list[IssueResult] = field(default_factory=list)
    unchanged: int = 0
    drafts: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the site's own files rewritten (the issues' are in built)
    removed: list[str] = field(default_factory=list)
    download_notes: list[str] = field(default_factory=list)
    warnings: tuple = ()
    files: int = 0
    seconds: float = 0.0


def default_out(root: Path) -> Path:
    # `_site` can never be an issue's id (an id starts with a letter or digit), so never an issue's build folder
    return root / "build" / "_site"


def build_site(root: Path, options: SiteOptions, say: Callable[[str], None] = lambda text: None) -> SiteReport:
    started = time.perf_counter()
    root = root.resolve()
    out = (options.out or default_out(root)).resolve()
    problems = Problems(root)
    cache = Cache(root / "build" / ".cache") if options.use_cache else MemoryCache()
    theme = load_theme(root, problems, cache)
    magazine = load_magazine(root, problems)
    problems.raise_if_any()
    state = load_state(root, out) if options.use_cache else SiteState()
    language = search.index_language(magazine.language)
    shared = shared_fingerprint(root, theme.digest, (language,))
    planned = plan(root, out, magazine, state, shared, options.downloads, language, options.use_cache, say)
    report = SiteReport(out, drafts=planned.drafts, download_notes=planned.downloads.notes())
    workers = options.workers or default_workers()
    say(f"building {len(planned.jobs)} issues" + (f" on the Dask cluster at {options.scheduler}"
                                                  if options.scheduler else ""))
    results = run_jobs(planned.jobs, workers, options.scheduler,
                       lambda r: say(f"built {r.issue_id} in {r.seconds:.2f}s"))
    failed = [p for result in results for p in result.problems]
    warnings = tuple(w for result in results for w in result.warnings)
    if failed:
        raise IssueError(warnings + tuple(failed))
    report.built, report.warnings = results, warnings
    report.unchanged = sum(1 for kept in planned.kept.values() if kept.record is not None)

    new_state = SiteState(issues=dict(planned.kept))
    for result in results:
        fingerprint, contents, stats = planned.fresh[result.issue_id]
        old = state.issues.get(result.issue_id)
        if tuple(result.sources) != (old.sources if old else ()):  # it read other files this time: the stats
            fingerprint, contents, stats = "", "", {}  # of those were not taken, so check it afresh next time
        new_state.issues[result.issue_id] = IssueState(fingerprint, result.record, {
            path: digest(data) for path, data in result.files.items()}, result.fonts, result.sources, contents, stats)
    records = sorted((issue.record for issue in new_state.issues.values() if issue.record is not None),
                     key=lambda r: (r.date, r.volume, r.number, r.id), reverse=True)
    listing = _site_files(root, theme, magazine, records, new_state, state, out, language)
    new_state.listing = {path: digest(data) for path, data in listing.items()}
    try:
        _write(root, out, results, listing, planned.downloads.sources, state, new_state, report)
    except OSError as error:  # a full disk, a folder made read-only, a download removed meanwhile
        raise IssueError(f"could not write the site to {out}: {error.strerror or error} ({error.filename}); run "
                         "`issuepress site` again once that is fixed (what was written is rewritten)") from None
    keep = set(new_state.listing) | set(new_state.copied) | {p for i in new_state.issues.values() for p in i.files}
    before = set(state.listing) | set(state.copied) | {p for i in state.issues.values() for p in i.files}
    report.removed = sorted(path for path in before - keep if _remove(out, path))
    _remove_empty_folders(out, {path.rsplit("/", 1)[0] for path in report.removed if "/" in path})
    for result in results:
        cache.pending.update(result.cache_entries)
    cache.commit()
    save_state(root, out, new_state)
    report.files = len(keep)
    report.seconds = time.perf_counter() - started
    return report


def _write(root: Path, out: Path, results: list[IssueResult], listing: dict[str, bytes],
           downloads: dict[str, Path], state: SiteState, new_state: SiteState, report: SiteReport) -> None:
    """The rebuilt issues whole, the site's own files that differ, and the downloads that changed."""
    for result in results:
        for path, data in result.files.items():
            write_file(out / path, data, durable=False)
    for path, data in listing.items():
        if state.listing.get(path) != new_state.listing[path] or not (out / path).is_file():
            write_file(out / path, data, durable=False)
            report.written.append(path)
    copied = {}
    for href, source in downloads.items():
        stat = source.stat()
        copied[href] = (source.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns)
        if state.copied.get(href) != copied[href] or not (out / href).is_file():
            write_file(out / href, source.read_bytes(), durable=False)
            report.written.append(href)
    new_state.copied = copied


def _site_files(root: Path, theme, magazine, records, new_state: SiteState, state: SiteState, out: Path,
                language: str) -> dict[str, bytes]:
    """Every file of the site that is not an issue's: pages, feeds, catalogue, styles, fonts, photos, search."""
    everyone, departments = people(records), sections(records)
    pages = SitePages(theme, magazine, records, magazine.language, text_direction(magazine.language))
    files = pages.all(everyone, departments, [record.id for record in records])
    site_pages = [path for path in files if path != "404.html"]
    files["feed.xml"] = feeds.atom(magazine, records)
    for department in departments:
        path = department.href.replace("index.html", "feed.xml")
        files[path] = feeds.atom(magazine, records, path, department)
    files.update(feeds.opds(magazine, records))
    map_ = feeds.sitemap(magazine, records, site_pages)
    if map_ is not None:
        files["sitemap.xml"] = map_
    files["robots.txt"] = feeds.robots(magazine)
    css = theme.render("css/screen.css", arabic_script=False, code=False, faces=frozenset(),
                       unicode_ranges=faces.UNICODE_RANGES) + theme.render("site/site.css")
    files["css/site.css"] = css.encode("utf-8")
    files["search/search.js"] = theme.templates["site/search.js"].encode("utf-8")  # a script: not a template
    used = {theme.fonts[name] for issue in new_state.issues.values() for name in issue.fonts if name in theme.fonts}
    fonts = sorted(used | set(theme.fonts_in(css)), key=lambda font: font.href)
    for font in [*fonts, *theme.licences_for(fonts)]:
        files[font.href] = font.data
    for person in everyone:
        if person.photo:
            try:
                files[person.photo] = (root / person.record.photo).read_bytes()
            except OSError as error:
                raise IssueError(f"cannot read {person.record.photo}: {error.strerror}") from None
    documents = {person.href: search.document(person.record.name, "Contributor", person.record.bio_html, language)
                 for person in everyone}
    if not documents:  # the primary bundle carries the search's runtime, so it needs one page
        documents["archive/index.html"] = search.document("Archive", magazine.title, "", language)
    wanted = digest(repr(sorted(documents.items())).encode())
    # Made again only when the contributors' pages change: every issue has its own bundle under _search/issues/
    old_primary = [path for path in state.listing if path.startswith(f"{SEARCH_FOLDER}/")
                   and not path.startswith(f"{ISSUE_SEARCH}/")]
    if state.search_digest == wanted and old_primary and all((out / path).is_file() for path in old_primary):
        files.update({path: (out / path).read_bytes() for path in old_primary})
    else:
        made = search.bundle(documents, language, runtime=True)
        files.update({f"{SEARCH_FOLDER}/{path}": data for path, data in made.items()})
    new_state.search_digest = wanted
    return files


def _remove(out: Path, path: str) -> bool:
    try:
        (out / path).unlink()
        return True
    except FileNotFoundError:
        return False


def _remove_empty_folders(out: Path, folders: set[str]) -> None:
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        path = out / folder
        while path != out and path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path, ignore_errors=True)
            path = path.parent
