"""The magazine folder being edited -> its website served on 127.0.0.1, rebuilt and reloaded as files change.

`issuepress serve --site`: the site is built into its folder as `issuepress site` builds it (only what changed
is built again), served from there by a plain static server as a host would serve it (search included), and
every open page reloads after each rebuild. While a file has problems, pages carry them over the last site that
built, and the terminal prints them; fixing the file clears them.
"""

from __future__ import annotations

import mimetypes
import threading
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rich.text import Text

from ...errors import IssueError, Problem
from ...terminal import Output, because_of, ordered
from ..preview import pages, server
from ..watching import ChangeQueue, MagazineWatcher
from .build import SiteOptions, build_site, default_out
from .report import say_report

LIVE_JS = """(function () {
  var seen = document.currentScript.getAttribute("data-version");
  var events = new EventSource("/_site/events");
  events.onmessage = function (event) { if (event.data !== seen) { location.reload(); } };
})();
"""


class SitePreview:
    def __init__(self, root: Path, folder: Path, output: Output):
        self.root, self.folder, self.out = root.resolve(), folder.resolve(), output
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    def rebuild(self, changed: list[Path] | None = None) -> None:
        try:
            report, problems = build_site(self.root, SiteOptions(out=self.folder), self.out.detail), ()
        except IssueError as error:
            report, problems = None, ordered(error.problems)
        except Exception as error:  # noqa: BLE001 - a bug must not stop the preview; show it like a problem
            report, problems = None, (Problem(f"internal error: {type(error).__name__}: {error} (a bug in "
                                              "issuepress)"),)
        with self.changed:
            self.problems = tuple(p for p in problems if not p.warning)
            self.version += 1
            self.changed.notify_all()
        if report is not None:
            say_report(self.out, report, because_of(changed))
        else:
            self.out.problems(problems)
            self.out.console.print(f"the site has {len(self.problems)} problem(s){because_of(changed)}; the "
                                      "browser shows them until fixed", style="bold red", markup=False)


class Handler(server.Handler):
    """The site's files as a static host sends them, with the live-reload script in each page. (`_send` and
    the request log are the issue preview's.)"""

    def do_GET(self) -> None:
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        try:
            if path == "/_site/live.js":
                return self._send(LIVE_JS.encode(), "text/javascript")
            if path == "/_site/events":
                return self._events(preview)
            self._file(preview, path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away

    def _file(self, preview: SitePreview, path: str) -> None:
        target = (preview.folder / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        status = HTTPStatus.OK
        if preview.folder not in target.parents or not target.is_file():
            target, status = preview.folder / "404.html", HTTPStatus.NOT_FOUND
        data = target.read_bytes() if target.is_file() else b"<!DOCTYPE html><title>Not built yet</title>"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html" or not target.is_file():
            kind = "text/html"
            with preview.changed:
                version, problems = preview.version, preview.problems
            snippet = f'<script src="/_site/live.js" data-version="{version}"></script>'
            if problems:
                snippet = pages.overlay("the site", problems, has_page=True) + snippet
            data = pages.inject(data, snippet)
        self._send(data, kind, status)

    def _events(self, preview: SitePreview) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        while not preview.stopping.is_set():
            with preview.changed:
                version = preview.version
                self.wfile.write(f"data: {version}\n\n".encode())
                self.wfile.flush()
                preview.changed.wait_for(lambda seen=version: preview.version != seen or preview.stopping.is_set(), 10)


def serve_site(root: Path, port: int, output: Output, out: Path | None = None) -> None:
    """Build, serve and rebuild the site until Ctrl-C or SIGTERM."""
    root = root.resolve()
    preview = SitePreview(root, out or default_out(root), output)
    http_server = server.PreviewServer(port, preview, Handler)
    changes = ChangeQueue(preview.rebuild, preview.stopping)
    watcher = MagazineWatcher(root, "", changes.add, preview.stopping, ignored=preview.folder)
    watcher.issue_folder = root / "issues"  # every issue, not one: the site lists them all
    server.run_served(preview, http_server, watcher, changes, lambda address: output.console.print(Text.assemble(
        "serving the site at ", (address, "bold"), " (rebuilt as files change); Ctrl-C stops"), soft_wrap=True))
    output.say("stopped serving the site")
