"""Hostile raw HTML in an article: nothing that runs, reads local files or fetches reaches any edition."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from conftest import FIXTURES, problem_lines, run_cli
from pdftools import page_texts

LEAKS = re.compile(r"LEAK|/etc/passwd|root:x:")
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "form", "input", "base", "style", "svg", "math", "frame"}
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def assert_clean_markup(tree, where: str) -> None:
    """No element that runs, fetches or submits; no handler; no unsafe URL; no hostile marker."""
    for element in tree.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "script":
            assert element.get("type") == "application/ld+json", f"{where}: a script survived"
            continue
        if tag == "link":
            assert element.get("rel") == "stylesheet", f"{where}: <link rel={element.get('rel')}>"
        assert tag not in DANGEROUS_TAGS, f"{where}: <{tag}> survived"
        if tag == "meta":
            assert element.get("http-equiv") is None, f"{where}: <meta http-equiv> survived"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: {name} handler survived"
            if etree.QName(name).localname in ("href", "src", "action", "data"):
                assert not UNSAFE_URL.match(value), f"{where}: {name}={value}"
        for text in (element.text, element.tail):
            assert not LEAKS.findall(text or ""), f"{where}: {text!r}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = shutil.copytree(FIXTURES / "hostile", tmp_path_factory.mktemp("hostile") / "magazine")
    result = run_cli("build", "x", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build/x", result.stderr


@pytest.mark.slow
def test_warnings_name_what_was_removed_with_file_and_line(hostile: tuple[Path, str]) -> None:
    _, stderr = hostile
    warnings = [line for line in problem_lines(stderr) if ": warning: " in line]
    assert "issues/x/articles/evil.md:7: warning: removed unsafe or unsupported HTML: <script> and its content" \
        in warnings
    assert "issues/x/articles/evil.md:9: warning: removed unsafe or unsupported HTML: onclick event handler on <p>" \
        in warnings
    assert any(w.startswith("issues/x/articles/evil.md:13:") and "<iframe>" in w and "<embed>" in w for w in warnings)
    assert any("'http://evil.example/REMOTE-LEAK.png' is on the web" in w for w in warnings)
    assert any("leads outside the magazine folder" in w for w in warnings)


def test_html_edition_is_clean(hostile: tuple[Path, str]) -> None:
    for file in (hostile[0] / "html").glob("*.html"):
        assert_clean_markup(lxml_html.parse(str(file)).getroot(), file.name)
    page = (hostile[0] / "html/evil.html").read_text()
    assert '<span lang="la">inst.</span>' in page and "<abbr" in page  # harmless markup survives
    assert "Click me" in page and "styled" in page  # the text of cleaned elements stays
    assert not (hostile[0] / "html/images").exists(), "every image in the article was refused"


def test_epub_is_clean(hostile: tuple[Path, str]) -> None:
    with zipfile.ZipFile(hostile[0] / "x.epub") as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                assert_clean_markup(etree.fromstring(archive.read(name)), name)
            elif name.endswith((".opf", ".ncx", ".css")):
                assert not LEAKS.findall(archive.read(name).decode()), name
        assert not [n for n in archive.namelist() if "passwd" in n or n.endswith((".swf", ".js"))]


@pytest.mark.parametrize("name", ["x.pdf", "x-screen.pdf"])
def test_pdfs_are_clean(hostile: tuple[Path, str], name: str) -> None:
    pdf = hostile[0] / name
    text = "\n".join(page_texts(pdf))
    assert not LEAKS.findall(text)
    reader = PdfReader(str(pdf))
    root = reader.trailer["/Root"]
    assert "/Names" not in root or "/EmbeddedFiles" not in root["/Names"], "no attachments"
    assert "/OpenAction" not in root and "/AA" not in root
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A", {})
            assert action.get("/S") != "/JavaScript"
            assert not str(action.get("/URI", "")).startswith(("javascript:", "file:"))
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        images = [name for name, xobject in xobjects.items() if xobject.get_object().get("/Subtype") == "/Image"]
        assert images == [], "no image from outside the issue was embedded"
