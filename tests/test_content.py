"""Markdown articles -> HTML fragments: typography, footnotes, figures, headings, languages, links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from issuepress.errors import IssueError
from issuepress.recipe import load


def one_article(root: Path, body: str, front: str = "title: A piece\nauthors: [ann]", extra: str = "") -> Path:
    (root / "issues/x/articles").mkdir(parents=True)
    (root / "issues/x/images").mkdir()
    (root / "contributors.yaml").write_text("ann:\n  name: Ann Writer\n  bio: Ann writes.\n")
    (root / "issues/x/issue.yaml").write_text(
        f"volume: 1\nnumber: 1\ndate: 2024-01-01\n{extra}articles:\n  - articles/piece.md\n")
    (root / "issues/x/articles/piece.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    return root


def render(root: Path):
    rendered, _theme = load(root, "x")
    return rendered, rendered.articles[0]


def test_smart_typography(tmp_path: Path) -> None:
    _, article = render(one_article(tmp_path, 'He said "it\'s done" -- then left --- for good...\n'))
    assert "He said \u201cit\u2019s done\u201d \u2013 then left \u2014 for good\u2026" in article.body


def test_quotes_follow_the_article_language(tmp_path: Path) -> None:
    _, article = render(one_article(tmp_path, 'Er sagte "ja".\n', front="title: Stück\nlanguage: de"))
    assert "\u201eja\u201c" in article.body


def test_footnotes_tables_and_strikethrough(tmp_path: Path) -> None:
    body = "A claim.[^src] ~~gone~~\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n[^src]: The source.\n"
    _, article = render(one_article(tmp_path, body))
    tree = lxml_html.fragment_fromstring(article.body, create_parent="div")
    ref = tree.xpath("//sup[@class='footnote-ref']/a")[0]
    note = tree.xpath("//section[@class='footnotes']//li")[0]
    assert ref.get("href") == "#" + note.get("id")
    assert note.xpath(".//a[@class='footnote-backref']/@href") == ["#" + ref.get("id")]
    assert tree.xpath("//s/text()") == ["gone"]
    assert tree.xpath("//td[@style]/@style") == ["text-align:right"]


def test_image_alone_becomes_figure_with_caption(tmp_path: Path) -> None:
    root = one_article(tmp_path, 'Text.\n\n![A red square](../images/red.png "The *red* square")\n')
    from PIL import Image
    Image.new("RGB", (40, 30), "red").save(root / "issues/x/images/red.png")
    rendered, article = render(root)
    tree = lxml_html.fragment_fromstring(article.body, create_parent="div")
    figure = tree.xpath("//figure")[0]
    assert figure.xpath("img/@src") == ["images/red.png"]
    assert figure.xpath("img/@alt") == ["A red square"]
    assert lxml_html.tostring(figure.xpath("figcaption")[0], encoding="unicode") == \
        "<figcaption>The <em>red</em> square</figcaption>"
    assert [(a.href, a.width, a.height) for a in rendered.assets] == [("images/red.png", 40, 30)]


def test_a_caption_is_text_even_where_it_looks_like_markup(tmp_path: Path) -> None:
    root = one_article(tmp_path, '![A chart](../images/red.png "Where a <b> is less than <T>; 5 < 6")\n\nAfter.\n')
    from PIL import Image
    Image.new("RGB", (40, 30), "red").save(root / "issues/x/images/red.png")
    _, article = render(root)
    tree = lxml_html.fragment_fromstring(article.body, create_parent="div")
    assert tree.xpath("//figcaption")[0].text_content() == "Where a <b> is less than <T>; 5 < 6"
    assert not tree.xpath("//b"), article.body


def test_article_files_may_have_url_characters_in_their_names(tmp_path: Path) -> None:
    root = one_article(tmp_path, "Half off.\n")
    (root / "issues/x/articles/piece.md").rename(root / "issues/x/articles/50% off? #1.md")
    manifest = root / "issues/x/issue.yaml"
    manifest.write_text(manifest.read_text().replace("articles/piece.md", '"articles/50% off? #1.md"'))
    _, article = render(root)
    assert "Half off." in article.body


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "irc://x.org/c",
                                  "a+b+c:x"])
def test_a_link_no_edition_keeps_leaves_its_text_and_says_so(href: str, tmp_path: Path) -> None:
    rendered, article = render(one_article(tmp_path, f"See [the trick]({href}) here.\n"))
    assert "See the trick here." in lxml_html.fragment_fromstring(article.body, create_parent="div").text_content()
    assert href.split(":")[0] not in article.body
    scheme = href.split(":")[0]
    assert [w.message for w in rendered.warnings] == [
        f"link removed (the text stays): '{href}' is a '{scheme}:' address, which no edition keeps"]


@pytest.mark.parametrize("src, said", [
    ("#", "image '#' names no file, only a place in a page; write the file's path"),
    ("", "image names no file; write the file's path"),
    ("irc://x.org/c.png", "image 'irc://x.org/c.png' is a 'irc:' address, not a file; name a file inside the "
     "magazine folder"),
])
def test_an_image_that_names_no_file_is_said_in_words(src: str, said: str, tmp_path: Path) -> None:
    root = one_article(tmp_path, f"Text.\n\n![x]({src})\n")
    with pytest.raises(IssueError) as failed:
        load(root, "x")
    lines = (root / "issues/x/articles/piece.md").read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("![x]"))
    assert [str(problem) for problem in failed.value.problems] == [f"issues/x/articles/piece.md:{line}: {said}"]


@pytest.mark.parametrize("tag", ["script", "title", "b"])
def test_a_tag_never_closed_in_running_text_is_printed_as_text(tag: str, tmp_path: Path) -> None:
    """'never put an inline <script> tag in a page' would otherwise swallow every word after it."""
    rendered, article = render(one_article(tmp_path, f"P1.\n\nP2: never put an inline <{tag}> tag in a page.\n\nP3.\n"))
    text = lxml_html.fragment_fromstring(article.body, create_parent="div").text_content()
    assert f"P2: never put an inline <{tag}> tag in a page." in text and "P3." in text, article.body
    assert [str(w) for w in rendered.warnings] == [
        f"issues/x/articles/piece.md:7: warning: <{tag}> is never closed, so it is printed as text; close it, or "
        f"put it in backticks (`<{tag}>`) to show it as code"]


def test_a_raw_html_block_that_never_closes_and_would_swallow_the_rest_is_a_problem(tmp_path: Path) -> None:
    root = one_article(tmp_path, "P1.\n\n<style>\np { color: red }\n\nP3.\n")
    with pytest.raises(IssueError) as raised:
        render(root)
    assert [str(p) for p in raised.value.problems if not p.warning] == [
        "issues/x/articles/piece.md:7: <style> is never closed, so every word after it would be lost; close it or "
        "delete it"]


def test_a_tag_inside_an_html_comment_is_left_alone(tmp_path: Path) -> None:
    rendered, article = render(one_article(tmp_path, "Text <!-- <b>draft --> on.\n\n<!--\n<script>\n-->\n\nEnd.\n"))
    assert "draft" not in article.body and "End." in article.body
    assert rendered.warnings == ()


def test_a_link_to_a_heading_with_accents_keeps_its_link(tmp_path: Path) -> None:
    rendered, article = render(one_article(tmp_path, "## Café noir\n\nSee [the café](#café-noir).\n"))
    assert 'href="#caf' in article.body and rendered.warnings == ()


def test_closed_and_self_closing_raw_tags_are_not_called_unclosed(tmp_path: Path) -> None:
    body = "Fine <b>bold</b>, <br> and <br/> and <span class=x>s</span>.\n\n<p>A paragraph left open\n\nP3.\n"
    rendered, _ = render(one_article(tmp_path, body))
    assert rendered.warnings == ()


def test_a_link_to_a_place_that_is_not_there_loses_its_link_with_a_warning(tmp_path: Path) -> None:
    body = "## Later\n\nSee [top](#nope), [later](#later) and [note](#fn1)[^1].\n\n[^1]: A note.\n"
    rendered, article = render(one_article(tmp_path, body))
    tree = lxml_html.fragment_fromstring(article.body, create_parent="div")
    assert [(a.text, a.get("href")) for a in tree.xpath("//p/a")][:3] == [("top", None), ("later", "#later"),
                                                                     ("note", "#fn1")]
    assert [str(w) for w in rendered.warnings] == [
        "issues/x/articles/piece.md:7: warning: link removed (the text stays): there is no '#nope' in this article"]


def test_headings_start_at_h2_with_unique_ids(tmp_path: Path) -> None:
    _, article = render(one_article(tmp_path, "# One\n\ntext[^1]\n\n## Sub\n\n# One\n\n## fn1\n\n[^1]: A note.\n"))
    assert [(h.level, h.id, h.text) for h in article.headings] == [
        (2, "one", "One"), (3, "sub", "Sub"), (2, "one-2", "One"), (3, "s-fn1", "fn1")]
    assert 'id="fn1"' in article.body  # the footnote keeps its id
    assert '<h2 id="one">One</h2>' in article.body


@pytest.mark.parametrize("markdown,levels", [("### Detail\n\ntext\n\n#### More\n", [2, 3]),
                                             ("## A\n\n#### Skipped a level\n\n## B\n", [2, 3, 2])])
def test_headings_never_skip_a_level(markdown: str, levels: list[int], tmp_path: Path) -> None:
    """The Nu checker flags <h1> then <h3>; the EPUB's contents and the PDF's outline would miss the heading."""
    _, article = render(one_article(tmp_path, markdown))
    assert [h.level for h in article.headings] == levels
    assert f"<h{levels[0]} " in article.body and f"<h{levels[1]} " in article.body


def test_urdu_article_is_right_to_left(tmp_path: Path) -> None:
    _, article = render(one_article(tmp_path, "متن\n", front="title: عنوان\nlanguage: ur\nauthors: [ann]"))
    assert (article.language, article.direction) == ("ur", "rtl")


@pytest.mark.parametrize("tag,direction", [("ar", "rtl"), ("fa-IR", "rtl"), ("az-Arab", "rtl"),
                                           ("en-GB", "ltr"), ("ur-Latn", "ltr"), ("he", "rtl")])
def test_text_direction(tag: str, direction: str) -> None:
    from issuepress.content import text_direction
    assert text_direction(tag) == direction


def test_editors_note_defaults(tmp_path: Path) -> None:
    root = one_article(tmp_path, "Body.\n", extra="editor: Rashed Rahman\neditors_note: note.md\n")
    (root / "issues/x/note.md").write_text("Welcome to the issue.\n")
    rendered, _ = render(root)
    note = rendered.editors_note
    assert note.title == "Editor\u2019s note"
    assert [a.name for a in note.authors] == ["Rashed Rahman"]


def test_unknown_author_names_file_and_line(tmp_path: Path) -> None:
    root = one_article(tmp_path, "Body.\n", front="title: T\nsubtitle: S\nauthors: [bob]")
    with pytest.raises(IssueError) as caught:
        render(root)
    assert [str(p) for p in caught.value.problems] == [
        "issues/x/articles/piece.md:4: unknown author id 'bob'; add it to contributors.yaml or the issue's contributors"]


def test_links_between_articles_point_at_pages(tmp_path: Path) -> None:
    root = one_article(tmp_path, "See [the other](other.md#part) and [web](https://example.org/).\n")
    (root / "issues/x/articles/other.md").write_text("---\ntitle: Other\n---\n## Part\n")
    manifest = root / "issues/x/issue.yaml"
    manifest.write_text(manifest.read_text() + "  - articles/other.md\n")
    _, article = render(root)
    assert 'href="other.html#part"' in article.body
    assert 'href="https://example.org/"' in article.body


def test_a_footnote_cited_but_not_written_or_written_but_not_cited_is_said(tmp_path: Path) -> None:
    rendered, article = render(one_article(
        tmp_path, "Text[^a] and [^nope] and `[^code]` and \\[^escaped].\n\n[^a]: A note.\n\n[^unused]: Never cited.\n"))
    assert 'href="#fn1"' in article.body
    assert [str(w) for w in rendered.warnings] == [
        "issues/x/articles/piece.md:5: warning: [^nope] cites a footnote that is not written ([^nope]: its text); "
        "it prints as it is",
        "issues/x/articles/piece.md:9: warning: footnote [^unused] is never cited in the text, so no edition has it"]


def test_an_author_listed_twice_is_named_once(tmp_path: Path) -> None:
    rendered, article = render(one_article(tmp_path, "Text.\n", front="title: A piece\nauthors: [ann, ann]"))
    assert [a.id for a in article.authors] == ["ann"]
    assert [str(w) for w in rendered.warnings] == [
        "issues/x/articles/piece.md:3: warning: author 'ann' is listed twice; the byline names them once"]


def test_a_web_address_without_its_https_is_called_that(tmp_path: Path) -> None:
    rendered, _ = render(one_article(tmp_path, "See [the site](//example.org/page) here.\n"))
    assert [w.message for w in rendered.warnings] == [
        "link removed (the text stays): '//example.org/page' is a web address without its https:; a link to the "
        "web needs the full address, an image must be a file inside the magazine folder"]


def test_a_link_to_a_heading_named_like_a_layouts_id_leads_to_the_heading(tmp_path: Path) -> None:
    _, article = render(one_article(tmp_path, "See [the main part](#main).\n\n## Main\n\nText.\n"))
    assert '<h2 id="main-2">Main</h2>' in article.body and '<a href="#main-2">the main part</a>' in article.body


def test_a_heading_that_is_only_an_image_is_listed_by_its_alt_text_or_not_at_all(tmp_path: Path) -> None:
    """The EPUB's contents and the PDF's outline link every listed heading: a link with no words is an error."""
    from PIL import Image

    root = one_article(tmp_path, '![A map](../images/m.png "cap")\n---\n\n## ![](../images/m.png)\n\nText.\n')
    Image.new("RGB", (40, 30), "red").save(root / "issues/x/images/m.png")
    _, article = render(root)
    assert [(h.level, h.text) for h in article.headings] == [(2, "A map")]


def test_only_id_attributes_of_raw_tags_are_renamed_not_words_that_look_like_one(tmp_path: Path) -> None:
    body = ("## Main\n\n<p title='set id=\"main\" here' id=\"main\">Type id=\"main\" in <code>a id=x</code>.</p>\n\n"
            '<span title="a > b" id="two words">s</span>\n')
    rendered, article = render(one_article(tmp_path, body))
    # the heading took 'main-2' from the layouts' 'main'; the tag's id attribute is the only one renamed
    tree = lxml_html.fragment_fromstring(article.body, create_parent="div")
    paragraph = tree.xpath("//p[@title]")[0]
    assert (paragraph.get("title"), paragraph.get("id")) == ('set id="main" here', "main-3")
    assert paragraph.text_content() == 'Type id="main" in a id=x.' and paragraph.xpath("code/text()") == ["a id=x"]
    assert tree.xpath("//span/@id") == ["two-words"]
    assert [str(w).split(": warning: ")[1] for w in rendered.warnings] == [
        'id "main" in raw HTML is already used on the page, by a heading, a footnote, the layouts or an earlier tag; '
        'it is now "main-3"',
        'id "two words" in raw HTML has spaces, which an id cannot have; it is now "two-words"']


def test_a_list_nested_ten_deep_keeps_the_text_after_it_and_one_nested_fifty_deep_is_an_error(
        tmp_path: Path) -> None:
    ten = "".join(f"{'  ' * depth}- level {depth}\n" for depth in range(10)) + "\nAfter the list.\n"
    _, article = render(one_article(tmp_path / "ten", ten))
    assert "level 9" in article.body and "After the list." in article.body
    fifty = "Before.\n\n" + "".join(f"{'  ' * depth}- level {depth}\n" for depth in range(50)) + "\nAfter.\n"
    with pytest.raises(IssueError) as failed:
        render(one_article(tmp_path / "fifty", fifty))
    [problem] = [str(p) for p in failed.value.problems]
    assert problem.startswith("issues/x/articles/piece.md:")
    assert ("lists or quotations are nested too deep here (49 levels of list or more), and the rest of the article "
            "would be lost") in problem


def test_a_control_character_in_an_article_is_an_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(IssueError) as failed:
        render(one_article(tmp_path, "First line.\n\nA bell\x07 here, and an escape\x1b.\n"))
    assert [str(p) for p in failed.value.problems] == [
        "issues/x/articles/piece.md:7: contains a control character (U+0007), which the editions cannot show; "
        "delete it (most editors do not show it)"]


def test_a_tag_in_a_title_is_shown_as_written_with_a_warning(tmp_path: Path) -> None:
    rendered, _ = render(one_article(tmp_path / "code", "Text.\n", front="title: The `<div>` element"))
    assert rendered.warnings == ()
    rendered, article = render(one_article(tmp_path, "Text.\n", front="title: A <b>bold</b> idea\nauthors: [ann]"))
    assert article.title_html == "A &lt;b&gt;bold&lt;/b&gt; idea"
    assert [str(w) for w in rendered.warnings] == [
        "issues/x/articles/piece.md:2: warning: the title shows the tag <b> as it is written: HTML is text in a "
        "title; use *emphasis* or **strong** instead"]


def test_a_note_that_mentions_a_note_the_text_cites_later_keeps_the_texts_order(tmp_path: Path) -> None:
    body = ("One[^a].\n\nTwo[^b].\n\nThree[^c].\n\n[^a]: Note A, see also[^c]; and[^d].\n\n[^b]: Note B.\n\n"
            "[^c]: Note C.\n\n[^d]: Note D, only in A.\n")
    _, article = render(one_article(tmp_path, body))
    calls = re.findall(r'<a href="#fn(\d)"', article.body)
    notes = re.findall(r'<li id="fn(\d)" class="footnote-item"><p>([^<]*)', article.body)
    # the text cites A, B, C in that order; D, cited only in A, comes right after A
    assert [number for number, text in notes] == ["1", "2", "3", "4"]
    assert [text.split(",")[0].split(".")[0] for _number, text in notes] == ["Note A", "Note D", "Note B", "Note C"]
    assert calls == ["1", "3", "4", "4", "2"]  # One, Two, Three, then A's "see also" and "and"


def test_a_raw_tag_with_an_unquoted_value_holding_an_equals_sign_still_has_its_id_checked(tmp_path: Path) -> None:
    rendered, article = render(one_article(tmp_path, '<div class="box">\n<a href=https://example.org/?a=1 id=main>'
                                                     'query link</a>\n</div>\n'))
    assert 'id="main-2"' in article.body and 'id="main"' not in article.body
    assert any('id "main" in raw HTML is already used' in str(w) for w in rendered.warnings)


@pytest.mark.parametrize("url,problem", [
    ("https://example.org/a%20b/~x?q=1#part", None), ("http://[::1]:8080/x", None),
    ("https://xn--bcher-kva.example/", None),
    ("https://example.org/a[1]", "cannot hold '[' after its host"),
    ("https://example.org/100%", "has a '%' that starts no %XX code"),
    ("https://example.org/the mag/", "cannot hold a space or a line break"),
    ("example.org", "must start with http:// or https://")])
def test_web_addresses_that_the_editions_can_link_to_pass_and_others_are_named(url: str, problem: str | None) -> None:
    from issuepress.load.fields import web_address_problem

    found = web_address_problem(url, "url")
    assert (found is None) if problem is None else (problem in (found or "")), found
