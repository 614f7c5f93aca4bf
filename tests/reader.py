"""epub.js, a reading system that runs in the browser, opening an EPUB in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import browser_page
from conftest import REPO

READER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>reader</title>
<link rel="icon" href="data:,"><script src="jszip.min.js"></script><script src="epub.min.js"></script></head>
<body><div id="viewer" style="width:600px;height:800px"></div>
<script>
window.readBook = async function (url, showIndex) {
  const book = ePub(url);
  await book.ready;
  const metadata = await book.loaded.metadata;
  const navigation = await book.loaded.navigation;
  const flatten = items => items.flatMap(i => [{label: i.label.trim(), href: i.href}, ...flatten(i.subitems || [])]);
  const spine = [];
  for (const section of book.spine.spineItems) {
    const contents = await section.load(book.load.bind(book));
    spine.push({href: section.href, linear: section.linear, text: contents.textContent});
  }
  const rendition = book.renderTo("viewer", {width: 600, height: 800});
  await rendition.display(book.spine.get(showIndex).href);
  const frame = document.querySelector("#viewer iframe");
  return {title: metadata.title, language: metadata.language, creator: metadata.creator,
          toc: flatten(navigation.toc), spine: spine, shown: frame ? frame.contentDocument.body.innerText : ""};
};
window.goToPage = async function (url, label) {
  const book = ePub(url);
  await book.ready;
  await book.loaded.navigation;  // epub.js reads the page list with it (its `loaded.pageList` resolves too early)
  const pages = book.pageList.pageList.map(p => ({page: String(p.page), href: p.href}));
  const target = pages.find(p => p.page === label);
  const rendition = book.renderTo("viewer", {width: 600, height: 800});
  await rendition.display(target.href);
  const frame = document.querySelector("#viewer iframe");
  const marker = frame.contentDocument.getElementById(target.href.split("#")[1]);
  const container = document.querySelector("#viewer .epub-container");
  const left = marker.getBoundingClientRect().left;
  // Shown: the marker lies in the column the reader sees (the container scrolls across the document's columns)
  const walker = frame.contentDocument.createTreeWalker(frame.contentDocument.body, NodeFilter.SHOW_TEXT);
  walker.currentNode = marker;
  let after = "";
  while (after.length < 200 && walker.nextNode()) after += walker.currentNode.textContent;
  return {pages: pages, shown: left >= container.scrollLeft && left < container.scrollLeft + 600, after: after};
};
</script></body></html>"""


def _tool(relative: str) -> Path:
    path = REPO / ".tools/node_modules" / relative
    if not path.is_file():
        pytest.fail(f"{relative} is missing: run `make tools` (make test does)")
    return path


@contextmanager
def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def read_page_list(epub: Path, label: str) -> tuple[dict, list[str]]:
    """epub.js's page list of the book, and whether going to page `label` shows the place its marker is at."""
    return _in_reader(epub, "([url, label]) => goToPage(url, label)", label)


def read_with_epubjs(epub: Path, show_index: int) -> tuple[dict, list[str]]:
    """What epub.js finds in the book: metadata, flattened toc, spine texts, and the text it displays."""
    return _in_reader(epub, "([url, index]) => readBook(url, index)", show_index)


def _in_reader(epub: Path, script: str, argument) -> tuple[dict, list[str]]:
    """`script(["book.epub", argument])` in the reader page, with the EPUB served beside it; and the page's errors."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "reader.html").write_text(READER_PAGE, encoding="utf-8")
        shutil.copy(_tool("epubjs/dist/epub.min.js"), site)
        shutil.copy(_tool("jszip/dist/jszip.min.js"), site)
        shutil.copy(epub, site / "book.epub")
        with _serve(site) as base, browser_page() as (page, problems):
            page.goto(f"{base}/reader.html")
            return page.evaluate(script, ["book.epub", argument]), problems
