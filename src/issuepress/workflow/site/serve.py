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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ...errors import IssueError, Problem
from ...terminal import Output, because_of, ordered
from ..preview import pages
from ..watching import ChangeQueue, MagazineWatcher
from .build import SiteOptions, build_site, default_out
from .report import say_report

HOST = "127.0.0.1"  # never a public interface: the preview is for the editor's own browser
LIVE_JS = """(function () {
  var seen = document.currentScript.getAttribute("data-version");
  var events = new EventSource("/_site/events");
  events.onmessage = function (event) { if (event.data !== seen) { location.reload(); } };
})();
"""


class SitePreview:
    def __init__(self, root: Path, out: Path, output: Output):
        self.root, self.out, self.output = root.resolve(), out.resolve(), output
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    def rebuild(self, changed: list[Path] | None = None) -> None:
        try:
            report, problems = build_site(self.root, SiteOptions(out=self.out), self.output.detail), ()
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
            say_report(self.output, report, because_of(changed))
        else:
            self.output.problems(problems)
            self.output.console.print(f"the site has {len(self.problems)} problem(s){because_of(changed)}; the "
                                      "browser shows them until fixed", style="bold red", markup=False)


class Handler(BaseHTTPRequestHandler):
    server: "SiteServer"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
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
        target = (preview.out / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        status = HTTPStatus.OK
        if preview.out != target and preview.out not in target.parents or not target.is_file():
            target, status = preview.out / "404.html", HTTPStatus.NOT_FOUND
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
                preview.changed.wait_for(lambda: preview.version != version or preview.stopping.is_set(), 10)

    def _send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        self.server.preview.output.detail(f"{self.address_string()} {format % args}")


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, preview: SitePreview):
        self.preview = preview
        try:
            super().__init__((HOST, port), Handler)
        except OSError as error:
            raise IssueError(f"cannot serve on {HOST}:{port}: {error.strerror}; pass --port with another number, "
                             "or --port 0 for any free port") from None


def serve_site(root: Path, port: int, output: Output, out: Path | None = None) -> None:
    """Build, serve and rebuild the site until Ctrl-C or SIGTERM."""
    root = root.resolve()
    preview = SitePreview(root, out or default_out(root), output)
    server = SiteServer(port, preview)
    changes = ChangeQueue(preview.rebuild, preview.stopping)
    watcher = MagazineWatcher(root, "", changes.add, preview.stopping, ignored=preview.out)
    watcher.issue_folder = root / "issues"  # every issue, not one: the site lists them all
    http = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    try:
        watcher.start()  # before the first build, so that a file saved during it is not missed
        preview.rebuild()
        http.start()
        threading.Thread(target=changes.run, name="rebuild", daemon=True).start()
        output.console.print(f"serving the site at [bold]http://{HOST}:{server.server_address[1]}/[/bold] "
                             "(rebuilt as files change); Ctrl-C stops", soft_wrap=True)
        while not preview.stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        if http.is_alive():
            server.shutdown()
        server.server_close()
        watcher.join(timeout=5)
    output.say("stopped serving the site")
