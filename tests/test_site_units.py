"""The website's pure parts: section folder names, feed summaries, addresses, and the fingerprints that decide
what a rebuild builds."""

from __future__ import annotations

import os
from pathlib import Path

from issuepress.model import Magazine
from issuepress.workflow.site.feeds import Addresses
from issuepress.workflow.site.records import slug, summary_of
from issuepress.workflow.site.state import IssueState, issue_contents


def test_a_section_name_becomes_a_folder_name() -> None:
    assert slug("Letters & Essays") == "letters-essays"
    assert slug("Urdu Page") == "urdu-page"
    assert slug("!!!") == "section"


def test_a_summary_is_the_standfirst_or_the_opening_words_without_notes() -> None:
    assert summary_of("<p>Body</p>", "The standfirst") == "The standfirst"
    body = "<p>" + " ".join(f"w{n}" for n in range(80)) + '<sup class="footnote-ref">1</sup></p>'
    body += '<section class="footnotes"><ol><li>A note</li></ol></section>'
    summary = summary_of(body, None)
    assert summary.startswith("w0 w1") and summary.endswith("w59\u2026") and "note" not in summary.lower()
    assert summary_of("<p>Short.</p>", None) == "Short."


def test_feed_addresses_are_absolute_under_the_url_and_relative_to_the_feed_without_it(tmp_path: Path) -> None:
    with_url = Magazine(root=tmp_path, url="https://example.org/mag/")
    assert Addresses(with_url, "sections/culture/feed.xml")("2024-11/index.html") == "https://example.org/mag/2024-11/"
    assert Addresses(Magazine(root=tmp_path), "sections/culture/feed.xml")("2024-11/a.html") == "../../2024-11/a.html"
    assert Addresses(Magazine(root=tmp_path), "feed.xml")("2024-11/a.html") == "2024-11/a.html"


def test_an_issue_is_read_again_only_when_its_files_change(tmp_path: Path) -> None:
    article = tmp_path / "issues/2024-11/articles/a.md"
    article.parent.mkdir(parents=True)
    article.write_text("one")
    first, stats = issue_contents(tmp_path, "2024-11", (), None)
    old = IssueState("f", None, {}, contents=first, stats=stats)
    assert issue_contents(tmp_path, "2024-11", (), old) == (first, stats)
    # The same words with a new date: read again, and the same digest (a checkout rebuilds nothing)
    os.utime(article, ns=(1, 1))
    again, new_stats = issue_contents(tmp_path, "2024-11", (), old)
    assert again == first and new_stats != stats
    # Taken from the state when the stats agree: a state that says otherwise is believed (so files are not read)
    stale = IssueState("f", None, {}, contents="remembered", stats=new_stats)
    assert issue_contents(tmp_path, "2024-11", (), stale)[0] == "remembered"
    article.write_text("two")
    assert issue_contents(tmp_path, "2024-11", (), old)[0] != first
