"""The magazine's website (issuepress site) from a magazine of three issues and a draft: every page valid and
linked, the feeds and the OPDS catalogue valid against their RELAX NG schemas and read by feedparser, search
in a real browser, incremental rebuilds, a Dask cluster, and the live preview."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html
from sitetools import OLD_PHRASE, internal_links, jing, make_three_issue_magazine, static_server

from conftest import REPO, run_cli, vnu_jar
from running import Running, Served

pytestmark = pytest.mark.slow  # each builds a magazine's site (an EPUB and a PDF among its downloads)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def magazine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: November's EPUB and screen PDF in build/ (so the site offers them), then the site."""
    root = make_three_issue_magazine(tmp_path_factory.mktemp("site") / "magazine")
    built = run_cli("build", "2024-11", "--format", "epub,screen-pdf", cwd=root)
    assert built.returncode == 0, built.stderr
    result = run_cli("site", cwd=root)
    assert result.returncode == 0, result.stderr
    (root / "site-output.txt").write_text(result.stderr, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(magazine: Path) -> Path:
    return magazine / "build" / "_site"


def page(site: Path, path: str):
    return lxml_html.parse(str(site / path)).getroot()


def test_every_published_issue_is_on_the_site_latest_first_and_the_draft_is_not(magazine: Path, site: Path) -> None:
    said = (magazine / "site-output.txt").read_text()
    assert "built 3 issues" in said and "left off the site as drafts (`draft: true`): 2024-12" in said
    assert "downloads taken from build/ (up to date): 2024-11" in said
    assert "left off (not built, or out of date; `issuepress site --downloads` builds them): 2024-09, 2024-10" in said
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("2024")) == ["2024-09", "2024-10", "2024-11"]
    home = page(site, "index.html")
    assert home.xpath("string(//h1)") == "November 2024"
    assert home.xpath("//section[@class='recent']//h3/a/@href") == ["2024-10/index.html", "2024-09/index.html"]
    assert home.xpath("//nav[@class='toc']//li/a/@href")[:2] == ["2024-11/editors-note.html",
                                                                 "2024-11/moscow-and-islamabad.html"]
    archive = page(site, "archive/index.html")
    assert archive.xpath("//section[@class='archive-year']/h2/text()") == ["2024 "]
    assert archive.xpath("string(//section[@class='archive-year']/h2/span)") == "Volume 6"
    assert archive.xpath("//ol[@class='issue-list']//h3/a/text()") == ["November 2024", "October 2024",
                                                                        "September 2024"]
    assert "December 2024" not in (site / "feed.xml").read_text()


def test_each_issue_is_its_web_edition_linked_to_the_site_with_its_downloads(site: Path) -> None:
    article = page(site, "2024-11/letter-from-lahore.html")
    nav = article.xpath("//nav[@class='issue-site-nav']")[0]
    assert nav.xpath(".//a/@href")[:3] == ["../index.html", "../archive/index.html", "../search/index.html"]
    assert nav.xpath(".//a[@download]/@href") == ["2024-11.epub", "2024-11-screen.pdf"]
    assert (site / "2024-11/2024-11.epub").read_bytes() == (site.parents[0] / "2024-11/2024-11.epub").read_bytes()
    assert not page(site, "2024-10/index.html").xpath("//a[@download]")
    # The fonts are the site's, once, not each issue's
    assert not (site / "2024-11/fonts").exists() and (site / "fonts/CharisSIL-Regular.ttf").is_file()
    assert 'url("../../fonts/CharisSIL-Regular.ttf")' in (site / "2024-11/css/screen.css").read_text()


def test_a_contributor_page_lists_every_piece_with_its_issue_and_date(site: Path) -> None:
    person = page(site, "contributors/samira-qadir/index.html")
    assert person.xpath("string(//h1)") == "Samira Qadir"
    assert person.xpath("//img[@class='profile-photo']/@src") == ["../../contributors/samira-qadir/photo.jpg"]
    assert (site / "contributors/samira-qadir/photo.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert "staff writer" in person.xpath("string(//p[@class='bio'])")
    where = [" ".join(text.split()) for text in person.xpath("//li[@class='appearance']/span[@class='appearance-where']")
             for text in [text.text_content()]]
    assert where == [f"Analysis · {month} 2024 · Volume 6, No. {number} · 1 {month} 2024"
                     for month, number in (("November", 11), ("October", 10), ("September", 9))]
    assert page(site, "contributors/index.html").xpath("//ul[@class='people']/li/a/text()") == [
        "Bilal Anwar", "Nadia Hussain", "Samira Qadir"]


def test_section_pages_and_their_feeds(site: Path) -> None:
    culture = page(site, "sections/culture/index.html")
    assert culture.xpath("//li[@class='appearance']/a[@class='appearance-title']/@href") == [
        "../../2024-11/letter-from-lahore.html", "../../2024-10/letter-from-lahore.html",
        "../../2024-09/letter-from-lahore.html"]
    feed = feedparser.parse((site / "sections/culture/feed.xml").read_bytes())
    assert not feed.bozo and [entry.link for entry in feed.entries] == [
        f"https://meridian.example.org/2024-{month}/letter-from-lahore.html" for month in ("11", "10", "09")]


def test_no_internal_link_is_broken(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) == 30  # 6 pages in each of 3 issues, and the site's 12
    assert internal_links(site) == []


def test_the_atom_feeds_are_valid_atom_and_feedparser_reads_every_entry(site: Path) -> None:
    feeds = [site / "feed.xml", *sorted(site.glob("sections/*/feed.xml"))]
    result = jing("atom.rnc", *feeds)
    assert result.returncode == 0, result.stdout + result.stderr
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "The Meridian Review"
    assert len(feed.entries) == 12  # four pieces in each of three issues
    first = feed.entries[0]
    assert (first.title, first.link, first.author) == (
        "Editor\u2019s note", "https://meridian.example.org/2024-11/editors-note.html", "Rashed Rahman")
    # What atom.rnc's Schematron rules (which jing does not run) ask: an author (here each entry's, and the
    # feed's) and an alternate link on every entry
    assert feed.feed.author == "Meridian Press"
    assert all(entry.author and [link for link in entry.links if link.rel == "alternate"] for entry in feed.entries)
    assert all(entry.id.startswith("urn:uuid:") and entry.summary and entry.updated for entry in feed.entries)
    assert len({entry.id for entry in feed.entries}) == 12


def test_the_opds_catalogue_is_valid_opds_and_offers_the_epub_and_pdf(site: Path) -> None:
    documents = [site / "opds/index.xml", site / "opds/issues.xml", site / "opds/2024.xml"]
    result = jing("opds.rnc", *documents)
    assert result.returncode == 0, result.stdout + result.stderr
    navigation = feedparser.parse((site / "opds/index.xml").read_bytes())
    assert not navigation.bozo
    assert [(e.title, e.links[0].type) for e in navigation.entries] == [
        ("All issues", "application/atom+xml;profile=opds-catalog;kind=acquisition"),
        ("2024", "application/atom+xml;profile=opds-catalog;kind=acquisition")]
    acquisition = feedparser.parse((site / "opds/issues.xml").read_bytes())
    assert not acquisition.bozo and len(acquisition.entries) == 1  # the issue whose downloads are up to date
    links = {link.rel: link for link in acquisition.entries[0].links if "acquisition" in link.rel}
    offered = {link.type: link.href for link in acquisition.entries[0].links if "acquisition" in link.rel}
    assert offered == {"application/epub+zip": "https://meridian.example.org/2024-11/2024-11.epub",
                       "application/pdf": "https://meridian.example.org/2024-11/2024-11-screen.pdf"}
    assert set(links) == {"http://opds-spec.org/acquisition/open-access"}
    covers = [link.href for link in acquisition.entries[0].links if link.rel == "http://opds-spec.org/image"]
    assert covers == ["https://meridian.example.org/2024-11/images/cover.jpg"]
    assert acquisition.entries[0].id.startswith("urn:uuid:")


def test_sitemap_robots_404_and_structured_data(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://meridian.example.org/</loc>" in sitemap
    assert "<loc>https://meridian.example.org/2024-09/letter-from-lahore.html</loc>" in sitemap
    assert "2024-12" not in sitemap
    assert (site / "robots.txt").read_text().endswith("Sitemap: https://meridian.example.org/sitemap.xml\n")
    missing = page(site, "404.html")
    assert missing.xpath("//main//a/@href")[0] == "https://meridian.example.org/index.html"
    home = json.loads(page(site, "index.html").xpath("//script[@type='application/ld+json']/text()")[0])
    assert (home["@type"], home["issn"], home["hasPart"][0]["@type"]) == ("Periodical", "2049-3630",
                                                                         "PublicationIssue")
    assert home["hasPart"][0]["hasPart"][1]["@type"] == "Article"
    archive = json.loads(page(site, "archive/index.html").xpath("//script[@type='application/ld+json']/text()")[0])
    volume = archive["hasPart"][0]
    assert (volume["@type"], volume["volumeNumber"]) == ("PublicationVolume", "6")
    assert [issue["issueNumber"] for issue in volume["hasPart"]] == ["11", "10", "9"]
    assert page(site, "archive/index.html").xpath("//link[@rel='canonical']/@href") == [
        "https://meridian.example.org/archive/"]


def test_every_page_passes_the_nu_html_checker(site: Path) -> None:
    pages = sorted(str(p) for p in site.rglob("*.html"))
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600, check=False)
    messages = json.loads(result.stderr)["messages"]
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [], errors
    assert result.returncode == 0


def _watch_responses(browser) -> list[str]:
    """Every address the pages asked for that the server did not have, but the icon browsers ask for by
    themselves (the console says "Failed to load resource" for it, without naming it)."""
    missing: list[str] = []
    browser.on("response", lambda response: missing.append(response.url) if response.status >= 400
               and not response.url.endswith("/favicon.ico") else None)
    return missing


def _real(problems: list[str]) -> list[str]:
    return [problem for problem in problems if not problem.startswith("Failed to load resource")]


def _axe() -> Path:
    script = REPO / ".tools/node_modules/axe-core/axe.min.js"
    if not script.is_file():
        pytest.fail("axe-core is missing: run `make tools` (make test does)")
    return script


def test_axe_finds_no_violation_on_the_home_archive_contributor_and_search_pages(site: Path) -> None:
    from browser import browser_page

    found = {}
    with static_server(site) as address, browser_page() as (browser, problems):
        missing = _watch_responses(browser)
        for path in ("index.html", "archive/index.html", "contributors/samira-qadir/index.html",
                     "search/index.html", "2024-11/letter-from-lahore.html"):
            browser.goto(address + path)
            browser.add_script_tag(path=str(_axe()))
            result = browser.evaluate("async () => (await axe.run(document)).violations.map("
                                      "v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
            found[path] = result
        assert _real(problems) == [] and missing == []
    assert found == {path: [] for path in found}


def test_search_finds_a_phrase_only_an_older_issue_holds_and_leads_to_the_article(site: Path) -> None:
    from browser import browser_page

    with static_server(site) as address, browser_page() as (browser, problems):
        missing = _watch_responses(browser)
        browser.goto(address + "search/index.html")
        browser.fill("#search-input", f"\"{OLD_PHRASE}\"")  # Pagefind's exact-phrase search
        browser.click(".search-form button")
        browser.wait_for_selector("#search-results li", timeout=30_000)
        results = browser.locator("#search-results li")
        assert results.count() == 1
        assert results.locator(".result-issue").inner_text() == "September 2024 \u00b7 Volume 6, No. 9"
        assert results.locator(".result-title").inner_text() == "Letter from Lahore: Pages in the Haze"
        assert "<mark>" in results.locator(".result-excerpt").inner_html()
        results.locator(".result-title").click()
        browser.wait_for_url("**/2024-09/letter-from-lahore.html", timeout=30_000)
        assert OLD_PHRASE in browser.inner_text("main")
        assert _real(problems) == [] and missing == []


def test_one_article_changed_rebuilds_its_issue_the_pages_that_list_it_and_the_feeds(magazine: Path,
                                                                                       tmp_path: Path) -> None:
    root = tmp_path / "magazine"
    shutil.copytree(magazine, root, symlinks=True)
    site = root / "build" / "_site"
    again = run_cli("site", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "every issue is unchanged (3)" in again.stderr and "rewrote" not in again.stderr
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    article = root / "issues/2024-10/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8").replace('title: "', 'title: "Revised: ', 1),
                       encoding="utf-8")
    result = run_cli("site", cwd=root)
    assert result.returncode == 0, result.stderr
    assert re.search(r"built 1 issue: 2024-10 \(\d+ files", result.stderr)
    assert "2 unchanged" in result.stderr
    after = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    touched = sorted(str(p.relative_to(site)) for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert touched and not any(path.startswith(("2024-09/", "2024-11/", "_search/issues/2024-09/")) for path in touched)
    outside = [path for path in touched if not path.startswith(("2024-10/", "_search/issues/2024-10/"))]
    # The pages that list the article (the archive's structured data, its section's and its author's pages)
    # and the feeds; nothing else
    assert outside == ["archive/index.html", "contributors/bilal-anwar/index.html", "feed.xml",
                       "sections/culture/feed.xml", "sections/culture/index.html"]
    said = re.search(r"rewrote \d+ files of the site that changed: (.*)", result.stderr).group(1).split(", ")
    assert sorted(said) == outside
    assert "Revised: " in (site / "sections/culture/index.html").read_text()


def test_an_issue_with_a_problem_stops_the_site_and_says_where(magazine: Path, tmp_path: Path) -> None:
    root = tmp_path / "magazine"
    shutil.copytree(magazine, root, symlinks=True)
    site_before = {p: p.read_bytes() for p in (root / "build/_site").glob("*.html")}
    manifest = root / "issues/2024-09/issue.yaml"
    manifest.write_text(manifest.read_text().replace("- file: articles/urdu-page.md", "- file: articles/gone.md"))
    result = run_cli("site", cwd=root)
    assert result.returncode == 1
    assert re.search(r"^issues/2024-09/issue.yaml:\d+: 'articles': file not found", result.stderr, re.MULTILINE)
    assert {p: p.read_bytes() for p in (root / "build/_site").glob("*.html")} == site_before


def test_new_issues_are_drafts(tmp_path: Path) -> None:
    root = make_three_issue_magazine(tmp_path / "magazine")
    assert run_cli("new", "2025-01", cwd=root).returncode == 0
    assert re.search(r"^draft: true\s", (root / "issues/2025-01/issue.yaml").read_text(), re.MULTILINE)


class ServedSite(Served):
    """`issuepress serve --site` on a free port."""

    def __init__(self, root: Path):
        Running.__init__(self, root, ["serve", "--site", "--port", "0"], r"serving the site at (http://127\.0\.0\.1:\d+/)")
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", self.ready).group(0)


def test_serve_site_serves_the_site_and_rebuilds_it_on_save(magazine: Path, tmp_path: Path) -> None:
    root = tmp_path / "magazine"
    shutil.copytree(magazine, root, symlinks=True)
    with ServedSite(root) as served:
        assert "every issue is unchanged (3)" in served.output
        home = served.text("")
        assert "November 2024" in home and '<script src="/_site/live.js"' in home
        status, _kind, body = served.get("no/such/page.html")
        assert status == 404 and b"Page not found" in body
        status, kind, _body = served.get("_search/pagefind.js")
        assert (status, kind) == (200, "text/javascript; charset=utf-8")
        article = root / "issues/2024-11/articles/letter-from-lahore.md"
        article.write_text(article.read_text(encoding="utf-8").replace("Pages in the Haze", "Pages in the Smog"),
                           encoding="utf-8")
        served.wait_for_page("sections/culture/index.html", lambda text: "Pages in the Smog" in text)
        served.wait_for_line(r"built 1 issue \(issues/2024-11/articles/letter-from-lahore\.md changed\): 2024-11")
        assert served.stop(signal.SIGINT) == 0
    assert "stopped serving the site" in served.output


def test_the_issues_build_on_a_dask_cluster_into_the_same_site(magazine: Path, site: Path, tmp_path: Path) -> None:
    import distributed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        out = tmp_path / "on-dask"
        result = run_cli("-v", "site", "--scheduler", cluster.scheduler_address, "--out", str(out), "--no-cache",
                         cwd=magazine)
        assert result.returncode == 0, result.stderr
        assert f"building 3 issues on the Dask cluster at {cluster.scheduler_address}" in result.stderr
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert "issuepress" in ran
    # The same build here, without the cache either: with it, an issue whose print layout is cached has folios
    local = tmp_path / "here"
    result = run_cli("site", "--out", str(local), "--no-cache", cwd=magazine)
    assert result.returncode == 0, result.stderr
    made = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    here = {p.relative_to(local): p.read_bytes() for p in local.rglob("*") if p.is_file()}
    assert len(here) > 20 and sorted(here) == sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert sorted(made) == sorted(here)
    assert [path for path in made if made[path] != here[path]] == []


def test_a_scheduler_that_is_not_there_is_a_clear_message(magazine: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("site", "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "x"), cwd=magazine,
                     env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert result.returncode == 1
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_site_that_cannot_be_written_is_a_clear_message(magazine: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = run_cli("site", "--out", str(blocked / "site"), cwd=magazine)
    assert result.returncode == 1
    assert f"could not write the site to {blocked / 'site'}" in result.stderr


def test_downloads_are_built_when_asked_and_then_taken_from_the_build_folder(sample: Path) -> None:
    result = run_cli("site", "--downloads", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert "downloads built now: 2024-11" in result.stderr
    site = sample / "build/_site"
    for name in ("2024-11.epub", "2024-11-screen.pdf"):
        assert (site / "2024-11" / name).read_bytes() == (sample / "build/2024-11" / name).read_bytes()
    again = run_cli("site", "--downloads", cwd=sample)
    assert "downloads taken from build/ (up to date): 2024-11" in again.stderr
    assert "every issue is unchanged (1)" in again.stderr
