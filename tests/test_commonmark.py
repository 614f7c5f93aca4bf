"""The CommonMark spec's examples, each an article of one issue: every edition valid, no traceback, and no word
lost that the build did not name.

The examples (tests/fixtures/commonmark, CC BY-SA 4.0, see its NOTICE.md) are Markdown nobody here wrote, much
of it odd on purpose. The magazine has a `url`, so that links to `/url` resolve; examples with an image are
left aside (their files do not exist). A word is lost when markdown-it's own CommonMark rendering of the
example has it and an edition's text of that article does not; a loss is allowed only where the build warned
about that article.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import FIXTURES, run_cli, vnu_jar
from epubcheck_tool import assert_epub_valid
from words import edition_words, expected_words, losses

pytestmark = pytest.mark.slow

EXAMPLES = json.loads((FIXTURES / "commonmark/commonmark.json").read_text(encoding="utf-8"))
COMMONMARK = MarkdownIt("commonmark")


def has_image(markdown: str) -> bool:
    tokens = COMMONMARK.parse(markdown)
    return any(child.type == "image" for token in tokens for child in token.children or [])


USED = [example for example in EXAMPLES if not has_image(example["markdown"])]


def slug(example: dict) -> str:
    return f"example-{example['example']:03d}"


@pytest.fixture(scope="module")
def spec_issue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess, set[str]]:
    root = tmp_path_factory.mktemp("commonmark") / "magazine"
    articles = root / "issues/spec/articles"
    articles.mkdir(parents=True)
    (root / "magazine.yaml").write_text("title: The Spec Review\nurl: https://spec.example.org/\n", encoding="utf-8")
    for example in USED:
        (articles / f"{slug(example)}.md").write_text(
            f"---\ntitle: Example {example['example']}\n---\n{example['markdown']}", encoding="utf-8")
    manifest = root / "issues/spec/issue.yaml"

    def listing(examples: list[dict]) -> str:
        entries = "".join(f"  - articles/{slug(example)}.md\n" for example in examples)
        return f"volume: 1\nnumber: 1\ndate: 2024-01-28\ntitle: CommonMark\narticles:\n{entries}"

    manifest.write_text(listing(USED), encoding="utf-8")
    # What the build refuses is said, at its line: those examples are left out of the editions checked here
    checked = run_cli("check", "spec", cwd=root, timeout=1800)
    refused = set(re.findall(r"^issues/spec/articles/(example-\d+)\.md:\d+: (?!warning)", checked.stderr, re.M))
    manifest.write_text(listing([example for example in USED if slug(example) not in refused]), encoding="utf-8")
    result = run_cli("build", "spec", "-f", "html,epub", cwd=root, timeout=1800)
    # The print edition may refuse more (a character no font of the theme has): said, and left out of it
    printed = run_cli("build", "spec", "-f", "pdf", cwd=root, timeout=1800)
    not_printed = set(re.findall(r"^issues/spec/articles/(example-\d+)\.md(?::\d+)?: (?!warning)", printed.stderr,
                                 re.M))
    if printed.returncode != 0 and not_printed:
        manifest.write_text(listing([example for example in USED if slug(example) not in refused | not_printed]),
                            encoding="utf-8")
        printed = run_cli("build", "spec", "-f", "pdf", cwd=root, timeout=1800)
    assert printed.returncode == 0, printed.stderr
    assert len(not_printed) <= 5, sorted(not_printed)
    return root, result, refused | not_printed


def warned(result: subprocess.CompletedProcess) -> set[str]:
    """The articles the build said something about."""
    return set(re.findall(r"^issues/spec/articles/(example-\d+)\.md", result.stderr, re.MULTILINE))


def test_every_example_builds_or_is_refused_at_its_line(spec_issue) -> None:
    root, result, refused = spec_issue
    assert result.returncode == 0, result.stderr
    assert (root / "build/spec/spec.epub").is_file()
    # Refused: raw HTML that would swallow the rest of an article (<style>, <script>, <!-- ... never closed)
    assert len(refused) <= 12, sorted(refused)


def test_the_epub_passes_epubcheck(spec_issue) -> None:
    root, _result, _refused = spec_issue
    assert_epub_valid(root / "build/spec/spec.epub")


def test_the_web_edition_passes_the_nu_html_checker(spec_issue) -> None:
    root, _result, _refused = spec_issue
    pages = sorted((root / "build/spec/html").glob("*.html"))
    checked = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu", *map(str, pages)],
                             capture_output=True, text=True, timeout=900)
    assert checked.returncode == 0, checked.stderr[:6000]


def test_no_edition_loses_a_word_without_saying_so(spec_issue) -> None:
    root, result, refused = spec_issue
    built = [example for example in USED if (root / f"build/spec/html/{slug(example)}.html").exists()]
    found = edition_words(root / "build/spec", "spec", [slug(example) for example in built],
                          {slug(example): f"Example {example['example']}" for example in built})
    expected = {slug(example): expected_words(example["markdown"]) for example in built}
    lost = losses(expected, found, warned(result) | refused)
    assert lost == [], "\n".join(lost[:40]) + f"\n({len(lost)} in all)"
