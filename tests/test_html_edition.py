"""The HTML web edition of the sample issue: structure, metadata, relative links, valid HTML."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from conftest import copy_sample, run_cli, vnu_jar

PIECES = ["editors-note.html", "moscow-and-islamabad.html", "letter-from-lahore.html", "urdu-page.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("html") / "magazine")
    result = run_cli("build", "2024-11", "--format", "html", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "wrote build/2024-11/html" in result.stderr
    return root / "build/2024-11/html"


def page(site: Path, name: str):
    return lxml_html.parse(str(site / name)).getroot()


def test_index_has_masthead_and_contents_in_reading_order(site: Path) -> None:
    index = page(site, "index.html")
    masthead = index.xpath("string(//*[@class='masthead'])")
    for fact in ("The Meridian Review", "Volume 6, No. 11", "November 2024", "Rashed Rahman", "ISSN 2049-3630"):
        assert fact in masthead
    toc_links = index.xpath("//nav[@class='toc']//li/a/@href")
    assert toc_links == PIECES
    assert index.xpath("//nav[@class='toc']//h3/text()") == ["Analysis", "Culture", "Urdu Page"]
    assert index.xpath("//figure[@class='cover']/img/@alt") == ["Cover of The Meridian Review \u2014 November 2024"]


def test_article_pages_chain_previous_and_next(site: Path) -> None:
    chain = ["index.html", *PIECES, "contributors.html"]
    for before, name, after in zip(chain, chain[1:], chain[2:]):
        doc = page(site, name)
        assert doc.xpath("//a[@rel='prev']/@href") == [before]
        assert doc.xpath("//a[@rel='next']/@href") == [after]


def test_article_page_content(site: Path) -> None:
    doc = page(site, "moscow-and-islamabad.html")
    article = doc.xpath("//article")[0]
    assert article.xpath("header/h1/text()") == ["Lavrov in Islamabad: A Message Addressed Elsewhere"]
    assert article.xpath("header//a/@href") == ["contributors.html#samira-qadir"]
    assert len(article.xpath(".//sup[@class='footnote-ref']")) == len(article.xpath(".//section[@class='footnotes']//li")) >= 2
    assert article.xpath(".//figure/img/@src") == ["images/timeline.png"]
    assert article.xpath(".//figure/figcaption")
    # the per-article contents lists the article's own headings
    toc = article.xpath(".//nav[@class='piece-toc']//a/@href")
    assert toc and all(article.xpath(f".//*[@id='{href[1:]}']") for href in toc)


def test_urdu_article_is_marked_right_to_left(site: Path) -> None:
    doc = page(site, "urdu-page.html")
    article = doc.xpath("//article")[0]
    assert (article.get("lang"), article.get("dir")) == ("ur", "rtl")
    # The page (and its <title>) is in Urdu; the magazine's own words around the article stay English
    assert (doc.get("lang"), doc.get("dir")) == ("ur", "rtl")
    for chrome in ("//a[@class='skip-link']", "//header[@class='site-header']", "//footer", "//nav[@class='pager']"):
        assert (doc.xpath(chrome)[0].get("lang"), doc.xpath(chrome)[0].get("dir")) == ("en", "ltr"), chrome
    assert {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}["og:locale"] == "ur"
    english = page(site, "letter-from-lahore.html")
    assert (english.get("lang"), english.get("dir")) == ("en", "ltr")
    assert english.xpath("//footer")[0].get("lang") is None


def test_contributors_page_has_every_bio(site: Path) -> None:
    doc = page(site, "contributors.html")
    ids = doc.xpath("//section[@class='contributor']/@id")
    assert ids == ["samira-qadir", "bilal-anwar", "nadia-hussain"]
    assert all(doc.xpath(f"string(//section[@id='{cid}']/p[@class='bio'])").strip() for cid in ids)


def test_structured_data_and_open_graph(site: Path) -> None:
    index = json.loads(page(site, "index.html").xpath("//script[@type='application/ld+json']/text()")[0])
    assert index["@type"] == "PublicationIssue"
    assert (index["issueNumber"], index["isPartOf"]["volumeNumber"]) == ("11", "6")
    assert index["isPartOf"]["isPartOf"]["issn"] == "2049-3630"
    assert len(index["hasPart"]) == len(PIECES)
    doc = page(site, "letter-from-lahore.html")
    article = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    assert article["@type"] == "Article"
    assert article["author"][0]["name"] == "Bilal Anwar"
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert og["og:type"] == "article"
    assert og["og:title"].startswith("Letter from Lahore")
    # Each issue is published in its own folder, so issues never claim each other's addresses
    assert og["og:url"] == "https://meridian.example.org/2024-11/letter-from-lahore.html"
    assert doc.xpath("//link[@rel='canonical']/@href") == [og["og:url"]]
    assert article["url"] == og["og:url"]
    assert article["isPartOf"]["isPartOf"]["isPartOf"]["url"] == "https://meridian.example.org/"


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    for file in sorted(site.glob("*.html")):
        doc = page(site, file.name)
        ids = set(doc.xpath("//@id"))
        for element, attribute, link, _ in doc.iterlinks():
            parts = urlsplit(link)
            if element.tag == "link" and element.get("rel") == "canonical" or element.tag == "meta":
                continue
            if parts.scheme in ("https", "http", "mailto"):
                assert element.tag == "a", f"{file.name}: {element.tag} loads {link} from the network"
                continue
            assert not parts.scheme and not link.startswith("/"), f"{file.name}: {link} is not relative"
            target = site / parts.path if parts.path else file
            assert target.is_file(), f"{file.name}: {link} is broken"
            if parts.fragment and not parts.path:
                assert parts.fragment in ids, f"{file.name}: #{parts.fragment} is missing"


def test_fonts_and_licences_are_shipped(site: Path) -> None:
    css = (site / "css/screen.css").read_text()
    for font in ("CharisSIL-Regular.ttf", "Inter-Regular.otf", "NotoNaskhArabic-Regular.ttf"):
        assert f"../fonts/{font}" in css
        assert (site / "fonts" / font).stat().st_size > 10_000
    # Noto Sans Math for the footnotes' backlinks (↩), which Charis SIL lacks
    assert sorted(p.name for p in (site / "fonts").glob("OFL-*.txt")) == [
        "OFL-CharisSIL.txt", "OFL-Inter.txt", "OFL-NotoNaskhArabic.txt", "OFL-NotoSansMath.txt"]


@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    pages = sorted(str(p) for p in site.glob("*.html"))
    assert len(pages) == len(PIECES) + 2
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [], errors
    assert result.returncode == 0
