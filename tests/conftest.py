"""Shared fixtures: the sample issue and the twelve-story issue copied into temp folders, and the CLI."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
STRAND_ORDER = [
    "a-scandal-in-bohemia", "the-redheaded-league", "a-case-of-identity", "the-boscombe-valley-mystery",
    "the-five-orange-pips", "the-man-with-the-twisted-lip", "the-adventure-of-the-blue-carbuncle",
    "the-adventure-of-the-speckled-band", "the-adventure-of-the-engineers-thumb",
    "the-adventure-of-the-noble-bachelor", "the-adventure-of-the-beryl-coronet",
    "the-adventure-of-the-copper-beeches",
]


def corpus_dir() -> Path:
    """The Strand corpus lives outside the repository; find it or fail loudly (never skip)."""
    candidates = [os.environ.get("ISSUEPRESS_CORPUS"), REPO.parent / "shared/corpus/strand-1891",
                  Path("/work/shared/corpus/strand-1891")]
    for candidate in candidates:
        if candidate and Path(candidate, "a-scandal-in-bohemia.md").is_file():
            return Path(candidate)
    pytest.fail("the Strand corpus is missing: set ISSUEPRESS_CORPUS to the strand-1891 folder")


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `issuepress ARGS` as a user would; a traceback is always a test failure."""
    result = subprocess.run([sys.executable, "-m", "issuepress", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1", **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def run_on_terminal(args: list[str], cwd: Path, env: dict, expect_status: int = 0) -> str:
    """Run issuepress with a pseudo-terminal as its output, as in an editor's terminal window."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "issuepress", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=300) == expect_status, output.decode(errors="replace")
    return output.decode("utf-8", errors="replace")


def problem_lines(stderr: str) -> list[str]:
    """The `path:line: message` lines of a run, without progress and summary lines."""
    return [line for line in stderr.splitlines() if re.match(r"^[^\s:]+(?::\d+)?: ", line)]


def copy_sample(target: Path) -> Path:
    """A magazine folder holding only the sample issue and its magazine files (the built-in theme)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "issues" / "2024-11", target / "issues" / "2024-11")
    for name in ("magazine.yaml", "contributors.yaml"):
        shutil.copy(REPO / name, target / name)
    return target


def one_issue_magazine(root: Path, articles: dict[str, str], url: str | None = None,
                       title: str = "Magazine") -> Path:
    """A magazine with one issue 'x' whose articles are `slug: text`: the text with its own front matter, or a
    body (titled by its slug)."""
    (root / "issues/x/articles").mkdir(parents=True, exist_ok=True)
    (root / "magazine.yaml").write_text(f"title: {title}\n" + (f"url: {url}\n" if url else ""), encoding="utf-8")
    for slug, text in articles.items():
        text = text if text.startswith("---\n") else f"---\ntitle: {slug}\n---\n{text}"
        (root / f"issues/x/articles/{slug}.md").write_text(text, encoding="utf-8")
    listing = "".join(f"  - articles/{slug}.md\n" for slug in articles)
    (root / "issues/x/issue.yaml").write_text(f"volume: 1\nnumber: 1\ndate: 2024-01-01\narticles:\n{listing}",
                                              encoding="utf-8")
    return root


def built(root: Path, issue: str) -> tuple[Path, str]:
    """Build every edition of the issue, which must succeed: (the magazine folder, what the build said)."""
    result = run_cli("build", issue, cwd=root)
    assert result.returncode == 0, result.stderr
    return root, result.stderr


def make_strand_magazine(target: Path) -> Path:
    """A temp issue holding all twelve Strand stories, in publication order."""
    source = corpus_dir()
    articles = target / "issues" / "1891-07" / "articles"
    articles.mkdir(parents=True)
    for name in STRAND_ORDER:
        shutil.copy(source / f"{name}.md", articles / f"{name}.md")
    (target / "magazine.yaml").write_text(
        "title: The Strand Magazine\npublisher: George Newnes\nlanguage: en-GB\n"
        "print:\n  trim: 6.5in 9.5in\n  bleed: 0.125in\n  binding: perfect-bound\n", encoding="utf-8")
    (target / "contributors.yaml").write_text(
        "arthur-conan-doyle:\n  name: Arthur Conan Doyle\n"
        "  bio: Arthur Conan Doyle (1859-1930) was a Scottish physician and writer.\n", encoding="utf-8")
    entries = "\n".join(f"  - file: articles/{name}.md\n    section: The Adventures of Sherlock Holmes"
                        for name in STRAND_ORDER)
    (target / "issues" / "1891-07" / "issue.yaml").write_text(
        f"volume: 2\nnumber: 7\ndate: 1891-07-01\ntitle: The Adventures of Sherlock Holmes\n"
        f"editor: George Newnes\narticles:\n{entries}\n", encoding="utf-8")
    return target


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "magazine")


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample issue built once (every edition) for the tests that only read its output."""
    root = copy_sample(tmp_path_factory.mktemp("sample") / "magazine")
    result = run_cli("build", "2024-11", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build" / "2024-11"


@pytest.fixture(scope="session")
def strand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_strand_magazine(tmp_path_factory.mktemp("strand") / "magazine")


def vnu_jar() -> Path:
    jar = REPO / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
    if not jar.is_file():
        pytest.fail("the Nu Html Checker is missing: run `make tools` (make test does)")
    return jar
