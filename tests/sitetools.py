"""Helpers for the website's tests: a magazine of three issues (and a draft), a crawl of the built site's links,
jing with the feeds' RELAX NG schemas, and a plain static server."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html
from PIL import Image

from conftest import copy_sample

SCHEMAS = Path(__file__).resolve().parent / "schemas"
# A phrase only the oldest issue holds: the search must find it there
OLD_PHRASE = "quince marmalade of the Ravi orchards"
ISSUES = {"2024-09": (9, "2024-09-01"), "2024-10": (10, "2024-10-01"), "2024-11": (11, "2024-11-01")}


def make_three_issue_magazine(root: Path) -> Path:
    """The sample magazine with three monthly issues (September and October made from November's files, with
    their own numbers and a few words of their own) and a December issue still in draft."""
    copy_sample(root)
    november = root / "issues" / "2024-11"
    manifest = (november / "issue.yaml").read_text(encoding="utf-8")
    for issue_id, (number, date) in ISSUES.items():
        if issue_id == "2024-11":
            continue
        folder = root / "issues" / issue_id
        shutil.copytree(november, folder)
        text = manifest.replace("number: 11", f"number: {number}").replace("date: 2024-11-01", f"date: {date}")
        text = re.sub(r"title: November 2024\n", "", text)
        (folder / "issue.yaml").write_text(text, encoding="utf-8")
    letter = root / "issues" / "2024-09" / "articles" / "letter-from-lahore.md"
    letter.write_text(letter.read_text(encoding="utf-8") + f"\nThat autumn the stalls sold {OLD_PHRASE}.\n",
                      encoding="utf-8")
    draft = root / "issues" / "2024-12"
    shutil.copytree(november, draft)
    (draft / "issue.yaml").write_text(manifest.replace("number: 11", "number: 12").replace(
        "date: 2024-11-01", "date: 2024-12-01").replace("title: November 2024", "title: December 2024")
        + "draft: true\n", encoding="utf-8")
    photos = root / "photos"
    photos.mkdir()
    Image.new("RGB", (240, 240), (122, 31, 43)).save(photos / "samira.jpg", "JPEG")
    registry = (root / "contributors.yaml").read_text(encoding="utf-8")
    (root / "contributors.yaml").write_text(
        registry.replace("samira-qadir:\n  name: Samira Qadir\n",
                         "samira-qadir:\n  name: Samira Qadir\n  photo: photos/samira.jpg\n"), encoding="utf-8")
    return root


def internal_links(site: Path) -> list[tuple[str, str, str]]:
    """(page, link, problem) for every link, image or stylesheet of every page that does not resolve inside
    the site (a missing file, or a #fragment missing from its page)."""
    broken = []
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = set(lxml_html.parse(str(path)).getroot().xpath("//@id"))
        return ids[path]

    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":  # its links start at the site's root, wherever it is sent from
            continue
        document = lxml_html.parse(str(page)).getroot()
        for element, _attribute, link, _ in document.iterlinks():
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or element.tag == "meta" or (
                    element.tag == "link" and element.get("rel") == "canonical"):
                continue
            target = (page.parent / parts.path).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((str(page.relative_to(site)), link, "missing"))
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids_of(target):
                broken.append((str(page.relative_to(site)), link, "no such id"))
    return broken


def jing(schema: str, *documents: Path) -> subprocess.CompletedProcess:
    if not shutil.which("jing"):
        pytest.fail("jing is missing: run scripts/install-system-deps (make test does)")
    return subprocess.run(["jing", "-c", str(SCHEMAS / schema), *map(str, documents)], capture_output=True,
                          text=True, timeout=120, check=False)


@contextmanager
def static_server(folder: Path):
    """The site served as any static host would: files as they are, on a free port of 127.0.0.1."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
