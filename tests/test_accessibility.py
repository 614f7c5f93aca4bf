"""Accessibility as the law asks it of what is sold in the EU (the European Accessibility Act), checked by the tools
a publisher's customers and their auditors use: Ace by DAISY on the EPUB (axe-core on every content document, and
the EPUB's own checks), axe-core in Chromium on every page of the web edition (WCAG 2.2 A and AA, and best
practice), for the sample issue, the twelve Strand stories, and an issue of tables, images, notes and an Urdu
article. What they cannot check, and what the EPUB therefore does not claim, is said in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from accessibility import ace_violations, axe_violations
from mixedissue import ISSUE, make_mixed_issue
from sitetools import static_server

from browser import browser_page
from conftest import run_cli

pytestmark = pytest.mark.slow  # each builds an issue and drives Chromium


@pytest.fixture(scope="module")
def issues(built_sample: Path, strand: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each issue's build folder (its EPUB and web edition)."""
    result = run_cli("build", "1891-07", "-f", "epub,html", cwd=strand)
    assert result.returncode == 0, result.stderr
    mixed = make_mixed_issue(tmp_path_factory.mktemp("mixed") / "magazine")
    result = run_cli("build", ISSUE, "-f", "epub,html", cwd=mixed)
    assert result.returncode == 0, result.stderr
    return {"2024-11": built_sample, "1891-07": strand / "build/1891-07", ISSUE: mixed / "build" / ISSUE}


@pytest.mark.parametrize("issue", ["2024-11", "1891-07", ISSUE])
def test_ace_finds_no_violation_in_the_epub(issues: dict[str, Path], issue: str) -> None:
    assert ace_violations(issues[issue] / f"{issue}.epub") == []


@pytest.mark.parametrize("issue", ["2024-11", "1891-07", ISSUE])
def test_axe_finds_no_violation_on_any_page_of_the_web_edition(issues: dict[str, Path], issue: str) -> None:
    site = issues[issue] / "html"
    pages = sorted(path.name for path in site.glob("*.html"))
    assert "index.html" in pages and "contributors.html" in pages and len(pages) >= 5
    with static_server(site) as address, browser_page() as (browser, problems):
        found = {page: axe_violations(browser, address + page) for page in pages}
    assert found == {page: [] for page in pages}
    assert [problem for problem in problems if "favicon" not in problem and "404" not in problem] == []
