"""Pages of text -> a Pagefind search bundle, one per issue, merged in the reader's browser.

Pagefind cannot add to an index it has written (its issue #71), so an index of the whole back catalogue would
be made again after every change, at a cost that grows with the catalogue. Instead each issue has its own
bundle (`_search/ID/`), made with the issue's pages and kept while the issue is unchanged, and the site's
own pages (the contributors) have the primary one (`_search/`), which also holds Pagefind's runtime. The
search page loads the primary and merges every issue's bundle, as Pagefind's multisite search does; merged
bundles share the primary's WebAssembly, so each costs the reader two small files and one chunk a search.

Pagefind reads HTML files, so each piece is written as a small document made for the index: its title, the
issue it appeared in (as metadata), and its text; the pages readers see are not changed for the index.
"""

from __future__ import annotations

import html
import subprocess
import tempfile
from pathlib import Path

from ...errors import IssueError

TIMEOUT = 300  # seconds for one bundle; an issue's takes well under one
RUNTIME = ("pagefind.js", "pagefind-worker.js")  # with wasm.*.pagefind: what the search page loads


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise IssueError("the site's search needs Pagefind: pip install 'pagefind[bin]'") from None
    try:
        return get_executable()
    except FileNotFoundError as error:
        raise IssueError(f"the site's search needs Pagefind's program, which is missing ({error}); "
                         "reinstall it: pip install --force-reinstall 'pagefind[bin]'") from None


def document(title: str, where: str, body_html: str, language: str) -> str:
    """A page for the index: `title` and `where` (the issue, or "Contributor") are what a result shows."""
    return (f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body><main data-pagefind-body>"
            f'<p data-pagefind-ignore data-pagefind-meta="issue">{html.escape(where)}</p>'
            f'<h1 data-pagefind-meta="title">{html.escape(title)}</h1>{body_html}</main></body></html>')


def index_language(language: str) -> str:
    """One index language for the whole site (Pagefind makes one index per language, and the search page would
    search only its own): the magazine's, as the ISO 639-1 code Pagefind expects."""
    return language.split("-")[0].lower()


def bundle(documents: dict[str, str], language: str, runtime: bool) -> dict[str, bytes]:
    """Index `documents` (a path under the site's root -> HTML) -> the bundle's files, by path within it.
    `runtime`: keep Pagefind's scripts and WebAssembly too (only the primary bundle needs them)."""
    if not documents:
        return {}
    executable = pagefind_executable()
    with tempfile.TemporaryDirectory(prefix="issuepress-search-") as folder:
        site, output = Path(folder, "site"), Path(folder, "bundle")
        for path, text in documents.items():
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        command = [str(executable), "--site", str(site), "--output-path", str(output), "--force-language",
                   index_language(language), "--keep-index-url", "--silent"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise IssueError(f"Pagefind did not finish indexing in {TIMEOUT} seconds") from None
        except OSError as error:
            raise IssueError(f"Pagefind could not be started: {error}") from None
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise IssueError(f"Pagefind failed (exit status {result.returncode}): {' '.join(said)}")
        keep = is_runtime if runtime else _is_data
        return {path: data for path, data in _files(output).items() if keep(path)}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _is_data(path: str) -> bool:
    """The index itself, not Pagefind's scripts, styles or WebAssembly."""
    return (path == "pagefind-entry.json" or path.endswith(".pf_meta")
            or path.split("/")[0] in ("index", "fragment", "filter"))


def is_runtime(path: str) -> bool:
    return _is_data(path) or path in RUNTIME or (path.startswith("wasm.") and path.endswith(".pagefind"))
