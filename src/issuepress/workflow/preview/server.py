"""An issue being edited -> a live preview on 127.0.0.1: the web edition, rebuilt and reloaded as files change.

The web edition is rebuilt in memory each time a watched file changes and
served from there; open pages hear about it through Server-Sent Events and
reload. While the issue has problems, pages carry an overlay listing them
(the last good build underneath) and the terminal prints them; the server
keeps running until the files are fixed. The PDFs and the EPUB are built only
when asked for, and cached until the next change.
"""

from __future__ import annotations

import mimetypes
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rich.text import Text

from ... import recipe
from ...cache import Cache
from ...editions import EDITIONS
from ...editions.html.edition import preview_files
from ...errors import IssueError, Problem
from ...terminal import Output, because_of, ordered
from ..watching import ChangeQueue, MagazineWatcher
from . import pages

HOST = "127.0.0.1"  # never a public interface: the preview is for the editor's own browser
PREVIEW_DPI = 50  # enough to judge a page's layout, small enough to render an issue in a second or two
# The editions the preview builds when asked: those that are one file. A PDF opens in the browser.
DOWNLOADS = {name: edition for name, edition in EDITIONS.items() if edition.media_type}


class Preview:
    """The issue's latest build and problems, numbered by version, shared by the server's threads."""

    def __init__(self, root: Path, issue_id: str, out: Output):
        self.root, self.issue_id, self.out = root.resolve(), issue_id, out
        self.version = 0
        self.files: dict[str, bytes] = {}  # the last web edition that built
        self.title = issue_id
        self.problems: tuple[Problem, ...] = ()
        self.changed = threading.Condition()
        self.building = threading.Lock()  # one build at a time: an on-demand PDF waits for a rebuild, and back
        self.made: dict[str, tuple[int, bytes | IssueError]] = {}  # on-demand editions, by version
        self.proofs: tuple[int, list[bytes]] | None = None  # the print PDF's pages as PNG, by version
        self.stopping = threading.Event()
        # The magazine's build cache: previews reuse what builds made, and the reverse.
        self.cache = Cache(self.root / "build" / ".cache")

    def rebuild(self, changed: list[Path] | None = None) -> None:
        """Build the web edition again and tell every open page; problems replace nothing that built."""
        started = time.perf_counter()
        with self.building:
            try:
                rendered, theme = recipe.load(self.root, self.issue_id, self.cache)
                files, problems = preview_files(rendered, theme, self.cache), ()
                self.title, warnings = rendered.issue.title, rendered.warnings
                self.cache.commit()
            except IssueError as error:
                files, problems, warnings = None, error.problems, ()
                self.cache.discard()  # only a build that succeeds fills the cache
            except Exception as error:  # noqa: BLE001 - a bug must not stop the preview; show it like a problem
                files, warnings = None, ()
                problems = (Problem(f"internal error: {type(error).__name__}: {error} (a bug in issuepress)"),)
                self.cache.discard()
            had_problems = bool(self.problems)
            with self.changed:
                self.files = files if files is not None else self.files
                self.problems = ordered(tuple(p for p in problems if not p.warning))
                self.version += 1
                self.changed.notify_all()
        self._tell(changed, time.perf_counter() - started, warnings, had_problems)

    def _tell(self, changed: list[Path] | None, seconds: float, warnings, had_problems: bool) -> None:
        because = because_of(changed)
        self.out.problems(self.problems + tuple(warnings))
        if self.problems:
            count = len(self.problems)
            self.out.console.print(f"{self.issue_id} has {count} problem{'s' * (count != 1)}{because}; the browser "
                                   f"shows {'them' if count != 1 else 'it'} until fixed", style="bold red",
                                   markup=False, soft_wrap=True)
        elif had_problems:
            self.out.say(f"fixed: {self.issue_id} builds again{because}", style="bold green")
        else:
            self.out.say(f"{'rebuilt' if changed else 'built'} the web edition of {self.issue_id} in "
                         f"{seconds:.2f}s{because}")

    def snapshot(self) -> tuple[int, dict[str, bytes], tuple[Problem, ...]]:
        with self.changed:
            return self.version, self.files, self.problems

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.stopping.is_set(), timeout)
            return self.version

    def edition(self, name: str) -> bytes | IssueError:
        """The PDF or EPUB of the issue as it is now, built on the first request after a change."""
        with self.building:
            version = self.version
            cached = self.made.get(name)
            if cached and cached[0] == version:
                return cached[1]
            started = time.perf_counter()
            try:
                rendered, theme = recipe.load(self.root, self.issue_id, self.cache)
                made = EDITIONS[name].make(rendered, theme, self.cache)
                result: bytes | IssueError = made.data
                self.cache.commit()
            except IssueError as error:
                result = error
                self.cache.discard()  # only a build that succeeds fills the cache
            except BaseException:
                self.cache.discard()
                raise
            self.made[name] = (version, result)
        if isinstance(result, bytes):
            self.out.say(f"built the {EDITIONS[name].describe} for the preview in "
                         f"{time.perf_counter() - started:.2f}s")
        return result

    def fresh(self) -> dict[str, bool]:
        return {name: made[0] == self.version for name, made in self.made.items()}

    def proof_pages(self) -> list[bytes] | IssueError:
        """The print PDF's pages as PNG images, made again only when the issue has changed."""
        pdf = self.edition("pdf")
        if isinstance(pdf, IssueError):
            return pdf
        version = self.made["pdf"][0]
        if self.proofs and self.proofs[0] == version:
            return self.proofs[1]
        with tempfile.TemporaryDirectory(prefix="issuepress-proof-") as folder:
            source = Path(folder, "issue.pdf")
            source.write_bytes(pdf)
            try:
                subprocess.run(["pdftoppm", "-r", str(PREVIEW_DPI), "-png", str(source), str(Path(folder, "page"))],
                               check=True, capture_output=True, timeout=300)
            except FileNotFoundError:
                return IssueError("the print preview needs pdftoppm: install poppler-utils "
                                  "(apt-get install poppler-utils)")
            except subprocess.CalledProcessError as error:
                return IssueError(f"pdftoppm could not render the print PDF: {error.stderr.decode(errors='replace')}")
            # pdftoppm pads page numbers to the width of the last one (page-01.png ... page-12.png); sort by number
            rendered = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
            images = [p.read_bytes() for p in rendered]
        self.proofs = (version, images)
        return images


class Handler(BaseHTTPRequestHandler):
    """Routes: the web edition's files at /, the preview's own pages under /_preview/."""

    server: "PreviewServer"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if not self._addressed_to_us():
            return
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path).lstrip("/")
        version, files, problems = preview.snapshot()
        try:
            if path.startswith("_preview/") or path == "_preview":
                self._preview_route(preview, path.removeprefix("_preview").strip("/"), version)
            else:
                self._edition_file(preview, path or "index.html", version, files, problems)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload, a closed tab)

    def _edition_file(self, preview: Preview, path: str, version: int, files, problems) -> None:
        if path.endswith("/"):
            path += "index.html"
        data = files.get(path)
        if data is None and path == "favicon.ico":  # browsers ask for one; an edition need not have it
            return self._send(b"", "image/x-icon", HTTPStatus.NO_CONTENT)
        if data is None and problems:
            return self._send(pages.problems_page(preview.issue_id, problems, version), "text/html")
        if data is None:
            return self._send(pages.not_found(path, version), "text/html", HTTPStatus.NOT_FOUND)
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind == "text/html":
            snippet = pages.live_script(version)
            if problems:
                snippet = pages.overlay(preview.issue_id, problems, has_page=True) + snippet
            data = pages.inject(data, snippet)
        self._send(data, kind)

    def _preview_route(self, preview: Preview, route: str, version: int) -> None:
        issue_id = preview.issue_id
        if route == "":
            self._send(pages.hub(issue_id, preview.title, version, preview.fresh(), DOWNLOADS), "text/html")
        elif route == "live.js":
            self._send(pages.LIVE_JS.encode(), "text/javascript")
        elif route == "version":
            self._send(str(version).encode(), "text/plain")
        elif route == "events":
            self._events(preview)
        elif route.startswith("edition/") and route.removeprefix("edition/") in DOWNLOADS:
            name = route.removeprefix("edition/")
            result = preview.edition(name)
            if isinstance(result, IssueError):
                return self._send(pages.problems_page(issue_id, ordered(result.problems), version), "text/html")
            edition = DOWNLOADS[name]
            disposition = "inline" if edition.media_type == "application/pdf" else "attachment"
            self._send(result, edition.media_type, headers={"Content-Disposition":
                                                            f'{disposition}; filename="{edition.file_name(issue_id)}"'})
        elif route == "print" or route.startswith("print/page-"):
            self._print_preview(preview, route, version)
        else:
            self._send(pages.not_found(f"/_preview/{route}", version), "text/html", HTTPStatus.NOT_FOUND)

    def _print_preview(self, preview: Preview, route: str, version: int) -> None:
        images = preview.proof_pages()
        if isinstance(images, IssueError):
            return self._send(pages.problems_page(preview.issue_id, ordered(images.problems), version), "text/html")
        if route == "print":
            return self._send(pages.print_preview(preview.issue_id, len(images), version), "text/html")
        number = route.removeprefix("print/page-").removesuffix(".png")
        if not number.isdigit() or not 1 <= int(number) <= len(images):
            return self._send(pages.not_found(route, version), "text/html", HTTPStatus.NOT_FOUND)
        self._send(images[int(number) - 1], "image/png")

    def _events(self, preview: Preview) -> None:
        """Server-Sent Events: the current version at once, then each new one (and a comment now and then,
        so a connection the browser has dropped is noticed and its thread ends)."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        seen = None
        while not preview.stopping.is_set():
            version = preview.version if seen is None else preview.wait_for_change(seen, timeout=10)
            self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": still here\n\n")
            self.wfile.flush()
            seen = version

    def _addressed_to_us(self) -> bool:
        """Whether the request names this server (127.0.0.1 or localhost, and its port). A page the editor
        visits could otherwise reach the preview through a name of its own that resolves to 127.0.0.1 (DNS
        rebinding), read the unpublished issue and start builds: such a request gets 421 and nothing else."""
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        if host in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            return True
        self.send_response(HTTPStatus.MISDIRECTED_REQUEST)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def _send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must never show a stale stylesheet or image
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        self.server.preview.out.detail(f"{self.address_string()} {format % args}")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep issuepress alive after Ctrl-C

    def __init__(self, port: int, preview, handler: type[BaseHTTPRequestHandler] | None = None):
        self.preview = preview
        try:
            super().__init__((HOST, port), handler or Handler)
        except OSError as error:
            raise IssueError(f"cannot serve on {HOST}:{port}: {error.strerror}; another preview may be using it "
                             "(pass --port with another number, or --port 0 for any free port)") from None


def serve(root: Path, issue_id: str, port: int, out: Output) -> None:
    """Serve the preview until Ctrl-C or SIGTERM."""
    if not (root / "issues" / issue_id).is_dir():
        recipe.load(root, issue_id)  # raises the usual "no issue" problem, naming the issues there
    preview = Preview(root, issue_id, out)
    server = PreviewServer(port, preview)
    changes = ChangeQueue(preview.rebuild, preview.stopping)
    watcher = MagazineWatcher(preview.root, issue_id, changes.add, preview.stopping)

    def announce(address: str) -> None:  # printed even with --quiet: without the address there is nothing to open
        out.console.print(Text.assemble(f"serving {issue_id} at ", (address, "bold"), " (PDF, EPUB and print preview "
                                        f"at {address}_preview/); Ctrl-C stops"), soft_wrap=True)

    run_served(preview, server, watcher, changes, announce)
    out.say(f"stopped serving {issue_id}")


def run_served(preview, server: PreviewServer, watcher: MagazineWatcher, changes: ChangeQueue,
               announce: Callable[[str], None]) -> None:
    """Watch, build once, then serve and rebuild at each change until Ctrl-C or SIGTERM; `announce(address)`
    says where. `preview` has `rebuild`, `stopping` and `changed` (the issue's preview, or the site's)."""
    http = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    try:
        watcher.start()  # before the first build, so that a file saved during it is not missed
        preview.rebuild()
        http.start()
        threading.Thread(target=changes.run, name="rebuild", daemon=True).start()
        announce(f"http://{HOST}:{server.server_address[1]}/")
        while not preview.stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()  # event streams end now, not at their next keep-alive
        if http.is_alive():
            server.shutdown()  # waits for serve_forever to return, so only when it runs
        server.server_close()
        watcher.join(timeout=5)
