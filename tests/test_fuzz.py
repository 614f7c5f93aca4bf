"""Random and mutated manifests and Markdown: the loader only ever raises IssueError, and what builds is valid."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from issuepress.editions import EDITIONS
from issuepress.errors import IssueError
from issuepress.recipe import load

from conftest import REPO
from epubcheck_tool import assert_epub_valid

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server

KEYS = ["volume", "number", "date", "title", "editor", "language", "cover", "editors_note", "articles",
        "contributors", "description", "keywords", "artciles", "volum", "Date", ""]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.text(max_size=30),
                    st.sampled_from(["2024-11-01", "2024-02-30", "11/01/2024", "articles/one.md", "../../etc/passwd",
                                     "images/cover.jpg", "en", "ur", "no", "x" * 300, "1234-5679"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
                      max_leaves=12)
MANIFESTS = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=10).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=200),  # anything at all, YAML or not
    st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
)
MARKDOWN_PIECES = st.sampled_from([
    "---\n", "title: T\n", "authors: [ann]\n", "authors: [nobody]\n", "language: ur\n", "# H\n", "## H\n",
    "text [^1] more\n", "[^1]: note\n", "[^x]: dangling\n", "![alt](img.png \"cap\")\n", "![](../../x.png)\n",
    "<script>x()</script>\n", "<span lang='la'>inst.</span>", "<img src=x onerror=y>", "| a | b |\n|---|---|\n",
    "> quote\n", "```\ncode\n```\n", "\n", "*em* **strong** ~~del~~", "<div>\n", "</div>\n", "\u202e", "\x00",
    "[link](other.md)", "[link](javascript:x)", "<a href='file:///etc/passwd'>f</a>", "\u0644\u0627\u06c1\u0648\u0631",
    "...", "--", "---\n", "<!-- c -->", "&amp; &nbsp; &#0;", "<svg><circle/></svg>", "<epub:switch>",
])
MARKDOWN = st.one_of(st.lists(MARKDOWN_PIECES, max_size=25).map("".join), st.text(max_size=300))


def magazine(folder: Path, manifest: str | None, article: str) -> Path:
    issue = folder / "issues/x"
    (issue / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "contributors.yaml").write_text("ann:\n  name: Ann\n  bio: Ann writes.\n")
    (issue / "issue.yaml").write_text(manifest if manifest is not None else
                                      "volume: 1\nnumber: 1\ndate: 2024-01-01\narticles: [articles/one.md]\n",
                                      encoding="utf-8", errors="surrogateescape")
    (issue / "articles/one.md").write_text(article, encoding="utf-8", errors="surrogateescape")
    return folder


def load_or_issue_error(root: Path):
    """Load the issue; the only acceptable failure is an IssueError whose problems say where."""
    try:
        return load(root, "x")
    except IssueError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path, f"problem without a file: {problem}"
            assert problem.message and "\n" not in problem.message
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MANIFESTS)
def test_random_manifests_fail_only_with_issue_errors(manifest: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        load_or_issue_error(magazine(Path(folder), manifest, "---\ntitle: T\nauthors: [ann]\n---\nBody.\n"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_random_markdown_fails_only_with_issue_errors(article: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        load_or_issue_error(magazine(Path(folder), None, article))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_PIECES, min_size=1, max_size=30).map("".join))
def test_random_articles_that_load_make_valid_epubs(body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = magazine(Path(folder), None, "---\ntitle: T\nauthors: [ann]\n---\n" + body)
        shutil.copy(REPO / "issues/2024-11/images/timeline.png", root / "issues/x/articles/img.png")
        loaded = load_or_issue_error(root)
        if loaded is None:
            return
        rendered, theme = loaded
        path = root / "x.epub"
        path.write_bytes(EDITIONS["epub"].make(rendered, theme, None).data)
        assert_epub_valid(path)
