"""`issuepress serve`: the live preview over HTTP and in headless Chromium, from a running server to a clean stop."""

from __future__ import annotations

import io
import re
import signal
import socket
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from issuepress.workflow.preview.server import PREVIEW_DPI

from browser import browser_page
from conftest import problem_lines, run_cli
from pdftools import render_page
from running import Served

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server

LIVE_SCRIPT = re.compile(rb'<script src="/_preview/live\.js" data-version="\d+" data-mode="reload"></script>')
VOLUME_PROBLEM = "issues/2024-11/issue.yaml:3: 'volume' must be a whole number, not 'six'"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def port_is_closed(url: str) -> bool:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) != 0


def test_serve_rebuilds_on_change_shows_problems_and_stops_cleanly(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    manifest = sample / "issues/2024-11/issue.yaml"
    with Served(sample, "2024-11") as served:
        status, kind, body = served.get("/")
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert b"Letter from Lahore" in body and LIVE_SCRIPT.search(body)

        edit(article, "Letter from Lahore: Pages in the Haze", "Letter from Lahore: Pages in the Smog")
        served.wait_for_page("letter-from-lahore.html", lambda text: "Pages in the Smog" in text)
        served.wait_for_line(r"rebuilt the web edition of 2024-11 in .*letter-from-lahore\.md changed")

        edit(manifest, "volume: 6", "volume: six")
        page = served.wait_for_page("letter-from-lahore.html", lambda text: "issuepress-problems" in text)
        assert VOLUME_PROBLEM in page, "the browser shows the problem as path:line: message"
        assert "Pages in the Smog" in page, "the last good page stays underneath the overlay"
        served.wait_for_line(re.escape(VOLUME_PROBLEM))
        assert served.process.poll() is None, "a content problem does not stop the server"

        edit(manifest, "volume: six", "volume: 6")
        served.wait_for_page("letter-from-lahore.html", lambda text: "issuepress-problems" not in text)
        served.wait_for_line("fixed: 2024-11 builds again")
        assert served.stop(signal.SIGINT) == 0
    assert "stopped serving 2024-11" in served.output and "Traceback" not in served.output
    assert port_is_closed(served.url)
    built = sorted(p.name for p in (sample / "build").iterdir()) if (sample / "build").exists() else []
    assert built in ([], [".cache"]), "the preview writes no edition, only to the build cache"


def test_magazine_files_and_layouts_are_watched_too(sample: Path) -> None:
    with Served(sample, "2024-11") as served:
        edit(sample / "magazine.yaml", "title: The Meridian Review", "title: The Meridian Weekly")
        served.wait_for_page("/", lambda text: "The Meridian Weekly" in text)
        # layouts/ does not exist yet: ejecting the theme while serving must start watching it
        assert run_cli("theme", "eject", cwd=sample).returncode == 0
        edit(sample / "layouts/html/contributors.html", "<h1>Contributors</h1>", "<h1>Who wrote this issue</h1>")
        served.wait_for_page("contributors.html", lambda text: "<h1>Who wrote this issue</h1>" in text)
        edit(sample / "contributors.yaml", "name: Bilal Anwar", "name: Bilal A. Anwar")
        served.wait_for_page("contributors.html", lambda text: "Bilal A. Anwar" in text)


def test_sigterm_stops_cleanly_and_quiet_keeps_the_address(sample: Path) -> None:
    served = Served(sample, "2024-11", quiet=True)
    assert served.get("/")[0] == 200
    assert served.stop(signal.SIGTERM) == 0
    assert served.lines == [f"serving 2024-11 at {served.url} (PDF, EPUB and print preview at "
                            f"{served.url}_preview/); Ctrl-C stops"], "--quiet: the address and nothing else"
    assert port_is_closed(served.url)


def test_served_pages_are_the_built_edition_plus_only_the_live_script(sample: Path) -> None:
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    built = sample / "build/2024-11/html"
    for file in built.rglob("*"):
        if file.suffix in (".html", ".css"):
            assert b"_preview" not in file.read_bytes(), f"{file.name}: the live-reload script leaked into a build"
    with Served(sample, "2024-11") as served:
        for file in sorted(built.rglob("*")):
            if file.is_file():
                status, _kind, body = served.get(file.relative_to(built).as_posix())
                assert status == 200
                assert LIVE_SCRIPT.sub(b"", body) == file.read_bytes(), file.name


def test_pdf_epub_and_print_preview_are_built_on_demand(sample: Path, tmp_path: Path) -> None:
    with Served(sample, "2024-11") as served:
        hub = served.text("_preview/")
        for link in ("/_preview/edition/pdf", "/_preview/edition/epub", "/_preview/edition/screen-pdf",
                     "/_preview/print", "/index.html"):
            assert f'href="{link}"' in hub
        assert "built the print PDF" not in served.output, "nothing but the web edition is built until asked"

        status, kind, pdf = served.get("_preview/edition/pdf")
        assert (status, kind) == (200, "application/pdf")
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        status, kind, epub = served.get("_preview/edition/epub")
        assert (status, kind) == (200, "application/epub+zip")
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            assert archive.read("mimetype") == b"application/epub+zip"

        preview = served.text("_preview/print")
        images = re.findall(r'src="/_preview/print/page-(\d+)\.png', preview)
        assert [int(n) for n in images] == list(range(1, pages + 1)), "every page of the print PDF, in order"
        (tmp_path / "issue.pdf").write_bytes(pdf)
        for number in range(1, pages + 1):  # each picture is its own page of the PDF, in order
            status, kind, png = served.get(f"_preview/print/page-{number}.png")
            assert (status, kind) == (200, "image/png")
            expected = Image.open(render_page(tmp_path / "issue.pdf", number, tmp_path / f"p{number}", PREVIEW_DPI))
            assert Image.open(io.BytesIO(png)).tobytes() == expected.tobytes(), f"page {number}"

        edit(sample / "issues/2024-11/articles/urdu-page.md", "لاہور میں خزاں", "لاہور")
        served.wait_for_line(r"rebuilt the web edition")  # every line printed before it has been read too
        assert served.output.count("built the print PDF for the preview") == 1, "the PDF is cached until a change"
        after_change = len(served.lines)
        assert served.get("_preview/edition/pdf")[0] == 200
        served.wait_for_line(r"built the print PDF for the preview", start=after_change)  # a change makes it stale


def test_new_issue_right_after_init_is_served_until_it_has_articles(tmp_path: Path) -> None:
    """The README's first hour: init, new, serve; the preview says what is missing, then shows the article."""
    assert run_cli("init", "mag", cwd=tmp_path).returncode == 0
    root = tmp_path / "mag"
    assert run_cli("new", "2025-01", cwd=root).returncode == 0
    manifest = root / "issues/2025-01/issue.yaml"
    with Served(root, "2025-01") as served:
        page = served.text("/")
        check = run_cli("check", "2025-01", cwd=root)
        assert problem_lines(check.stderr)[0] in page, "the browser shows what check says"
        assert "'articles' is empty" in page
        (root / "issues/2025-01/articles/hello.md").write_text("---\ntitle: Hello, readers\n---\nFirst words.\n")
        manifest.write_text(manifest.read_text() + "  - articles/hello.md\n")
        served.wait_for_page("/", lambda text: "Hello, readers" in text and "issuepress-problems" not in text)


def test_port_in_use_is_a_clear_message(sample: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "2024-11", "--port", str(port), cwd=sample, timeout=60)
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "--port 0" in result.stderr


def test_unknown_issue_is_not_served(sample: Path) -> None:
    result = run_cli("serve", "2025-01", "--port", "0", cwd=sample, timeout=60)
    assert result.returncode == 1
    assert "no issue '2025-01'" in result.stderr


def test_browser_reloads_by_itself_and_shows_the_overlay(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/moscow-and-islamabad.md"
    manifest = sample / "issues/2024-11/issue.yaml"
    with Served(sample, "2024-11") as served, browser_page() as (page, problems):
        page.goto(served.url + "moscow-and-islamabad.html")
        heading = page.locator("article h1")
        assert heading.inner_text() == "Lavrov in Islamabad: A Message Addressed Elsewhere"
        page.locator("#issuepress-hub").wait_for()  # the live script has run (an edit before its event
        # stream connects is still seen: the stream starts with the current version)
        edit(article, "A Message Addressed Elsewhere", "A Message for Delhi")
        # no page.reload(): the page must reload itself when the server has rebuilt
        page.wait_for_function("() => document.querySelector('article h1')?.textContent.includes('for Delhi')",
                               timeout=30_000)

        edit(manifest, "volume: 6", "volume: six")
        overlay = page.locator("#issuepress-problems")
        overlay.wait_for(state="visible", timeout=30_000)
        assert VOLUME_PROBLEM in overlay.inner_text()
        edit(manifest, "volume: six", "volume: 6")
        overlay.wait_for(state="detached", timeout=30_000)
        assert "for Delhi" in heading.inner_text()
        assert page.locator("#issuepress-hub").get_attribute("href") == "/_preview/"
        errors = [p for p in problems if "_preview/events" not in p]  # a reload cuts the event stream short
        assert errors == []


def test_print_preview_is_remade_only_when_asked(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    with Served(sample, "2024-11") as served, browser_page() as (page, problems):
        page.goto(served.url + "_preview/print")
        assert page.locator("img").count() > 1
        served.wait_for_line("built the print PDF for the preview")
        page.evaluate("window.notReloaded = true")
        edit(article, "Pages in the Haze", "Pages in the Fog")
        note = page.locator("#issuepress-changed")
        note.wait_for(state="visible", timeout=30_000)
        assert page.evaluate("window.notReloaded") is True, "a save does not remake the pages by itself"
        after_change = len(served.lines)
        with page.expect_navigation():
            note.locator("button").click()
        assert page.locator("img").count() > 1
        served.wait_for_line("built the print PDF for the preview", start=after_change)
        assert [p for p in problems if "_preview/events" not in p] == []


def test_the_preview_answers_only_requests_addressed_to_it(sample: Path) -> None:
    """A page the editor visits could reach 127.0.0.1 under a name of its own (DNS rebinding) and read the
    unpublished issue: only requests naming 127.0.0.1 or localhost, with the server's port, are answered."""
    import http.client

    with Served(sample, "2024-11") as served:
        port = int(served.url.rstrip("/").rsplit(":", 1)[1])

        def fetch(host: str, path: str = "/") -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                connection.putrequest("GET", path, skip_host=True)
                connection.putheader("Host", host)
                connection.endheaders()
                response = connection.getresponse()
                return response.status, response.read()
            finally:
                connection.close()

        assert fetch(f"127.0.0.1:{port}")[0] == 200
        assert fetch(f"localhost:{port}")[0] == 200
        for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", ""):
            for path in ("/", "/index.html", "/_preview/edition/pdf", "/_preview/events"):
                assert fetch(host, path) == (421, b""), (host, path)
        assert "built the print PDF" not in served.output  # a refused request started no build
