"""The web edition in real headless Chromium: navigation, fonts, phone layout, no console errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import browser_page
from conftest import copy_sample, run_cli

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("browser") / "magazine")
    assert run_cli("build", "2024-11", "--format", "html", cwd=root).returncode == 0
    return root / "build/2024-11/html"


def test_contents_to_article_and_back(site: Path) -> None:
    with browser_page() as (page, problems):
        page.goto((site / "index.html").as_uri())
        assert page.title() == "The Meridian Review \u2014 November 2024"
        page.click("nav.toc >> text=Lavrov in Islamabad")
        page.wait_for_load_state("load")
        assert page.url.endswith("/moscow-and-islamabad.html")
        assert page.inner_text("article h1") == "Lavrov in Islamabad: A Message Addressed Elsewhere"
        # the footnote reference jumps to its note
        page.click("sup.footnote-ref >> nth=0")
        assert page.url.endswith("#fn1")
        page.click("nav.pager >> text=Contents")
        page.wait_for_load_state("load")
        assert page.url.endswith("/index.html")
        assert page.locator("nav.toc li").count() == 4
        assert problems == []


def test_theme_fonts_load(site: Path) -> None:
    with browser_page() as (page, problems):
        page.goto((site / "urdu-page.html").as_uri())
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/\"/g, ''))")
        assert "Charis SIL" in loaded
        assert "Noto Naskh Arabic" in loaded
        assert page.evaluate("getComputedStyle(document.querySelector('article')).direction") == "rtl"
        assert problems == []


def test_readable_on_a_phone(site: Path) -> None:
    with browser_page(width=375, height=740) as (page, problems):
        for name in ("index.html", "moscow-and-islamabad.html", "letter-from-lahore.html", "urdu-page.html",
                     "contributors.html"):
            page.goto((site / name).as_uri())
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways on a phone by {overflow}px"
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 16
        assert problems == []


@pytest.mark.parametrize("name", ["letter-from-lahore.html", "urdu-page.html"])
def test_the_skip_link_shows_when_tabbed_to_and_leads_to_the_content(site: Path, name: str) -> None:
    with browser_page(width=375, height=740) as (page, problems):
        page.goto((site / name).as_uri())
        link = page.locator("a.skip-link")
        assert link.bounding_box()["width"] <= 1  # hidden until a keyboard reaches it
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        box = link.bounding_box()
        assert box["width"] > 40 and 0 <= box["x"] and box["x"] + box["width"] <= 375, box
        page.keyboard.press("Enter")
        # Following a link is a task the page runs after the key's events: wait for the address it leads to
        expect(page).to_have_url(re.compile(r"#main$"), timeout=30_000)
        assert problems == []


def test_a_word_longer_than_a_phone_is_wide_does_not_push_pages_sideways(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    article = root / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('title: "', f'title: "{word} ', 1), encoding="utf-8")
    assert run_cli("build", "2024-11", "--format", "html", cwd=root).returncode == 0
    site = root / "build/2024-11/html"
    with browser_page(width=390, height=844) as (page, problems):
        # the article, the contents, and the pages whose previous/next links name it
        for name in ("letter-from-lahore.html", "index.html", "moscow-and-islamabad.html", "urdu-page.html"):
            page.goto((site / name).as_uri())
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways on a phone by {overflow}px"
        assert problems == []
