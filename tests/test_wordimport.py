"""`issuepress import`: writers' Word and LibreOffice files become articles that build, word for word.

The files are real: made by LibreOffice from sources kept in fixtures/wordimport/sources (with tracked
changes and a comment), and saved by Microsoft Word and Google Docs (fixtures/wordimport/word-saved).
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import FIXTURES, copy_sample, problem_lines, run_cli, vnu_jar
from epubcheck_tool import assert_epub_valid
from pdftools import page_texts

WORDIMPORT = FIXTURES / "wordimport"
WORD_SAVED = WORDIMPORT / "word-saved"
ODF = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
ARTICLE = "issues/2024-11/articles/the-harbour-at-dusk.md"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def source_words(fodt: Path) -> tuple[Counter, set[str]]:
    """The words of an article's source as a reader sees it with its changes accepted (each with its count),
    and the words only its deletions and comments hold."""
    root = etree.parse(str(fodt)).getroot()
    kept: list[str] = []
    dropped: list[str] = []
    office, text = "{%s}" % ODF["office"], "{%s}" % ODF["text"]

    def walk(element, into: list[str]) -> None:
        if element.tag in (f"{text}tracked-changes", f"{office}annotation"):  # their text, not who and when
            dropped.extend(" ".join(p.itertext()) for p in element.iter(f"{text}p"))
            return
        if element.tag == f"{text}note-citation" or element.tag.startswith("{urn:oasis:names:tc:opendocument:"
                                                                           "xmlns:svg-compatible"):
            return  # the editions number notes themselves; a picture's title and description are its alt text
        into.append(element.text or "")
        for child in element:
            walk(child, into)
            into.append(child.tail or "")

    walk(root.find(".//office:text", ODF), kept)
    found = Counter(words(" ".join(kept)))
    return found, set(words(" ".join(dropped))) - set(found)


@dataclass
class Imported:
    root: Path
    manifest_before: str
    runs: dict[str, subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The sample issue with the harbour article imported twice: from Word's format and from LibreOffice's."""
    root = copy_sample(tmp_path_factory.mktemp("wordimport") / "magazine")
    before = (root / "issues/2024-11/issue.yaml").read_text(encoding="utf-8")
    runs = {
        "docx": run_cli("import", "2024-11", str(WORDIMPORT / "harbour.docx"), "--accept-changes", "--section",
                        "Culture", cwd=root),
        "odt": run_cli("import", "2024-11", str(WORDIMPORT / "harbour.odt"), "--accept-changes", "--as",
                       "harbour-odt", cwd=root),
    }
    for result in runs.values():
        assert result.returncode == 0, result.stderr
    return Imported(root, before, runs)


@pytest.fixture(scope="session")
def built(imported: Imported) -> Path:
    result = run_cli("build", "2024-11", cwd=imported.root)
    assert result.returncode == 0, result.stderr
    return imported.root / "build/2024-11"


SLUGS = ["the-harbour-at-dusk", "harbour-odt"]  # imported from harbour.docx, from harbour.odt


def edition_texts(build: Path, slug: str) -> dict[str, str]:
    """The imported article as each edition has it: its web page, its EPUB document, the print PDF's text."""
    page = lxml_html.parse(str(build / f"html/{slug}.html")).getroot()
    with zipfile.ZipFile(build / "2024-11.epub") as archive:
        xhtml = etree.fromstring(archive.read(f"EPUB/{slug}.xhtml"))
    return {"html": page.text_content(), "epub": " ".join(xhtml.itertext()),
            "pdf": "\n".join(page_texts(build / "2024-11.pdf"))}


# -- every word, in every edition -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_every_word_of_the_writers_file_reaches_every_edition(built: Path, slug: str) -> None:
    expected, _dropped = source_words(WORDIMPORT / "sources/harbour.fodt")
    assert {"freshly", "painted", "بندرگاہ", "پرسکون", "timetable", "archive"} <= set(expected)
    for edition, text in edition_texts(built, slug).items():
        found = Counter(words(text))
        missing = {word: count for word, count in expected.items() if found[word] < count}
        assert missing == {}, f"{edition} lacks {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_no_edition_has_the_comments_or_the_deleted_text(built: Path, imported: Imported, slug: str) -> None:
    _expected, dropped = source_words(WORDIMPORT / "sources/harbour.fodt")
    sample = " ".join(path.read_text(encoding="utf-8") for path in (imported.root / "issues").rglob("*.md")
                      if "imported" not in path.parts and "harbour" not in path.name)
    dropped -= set(words(sample))  # a word another article uses proves nothing
    assert {"barnacled", "wheezing", "chronology", "harbourmaster"} <= dropped
    for edition, text in edition_texts(built, slug).items():
        assert dropped.isdisjoint(words(text)), f"{edition} has {dropped & set(words(text))}"


@pytest.mark.slow
def test_imported_article_passes_epubcheck_and_the_html_checker(built: Path) -> None:
    assert_epub_valid(built / "2024-11.epub")
    pages = [str(built / "html" / name) for name in ("the-harbour-at-dusk.html", "harbour-odt.html")]
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    errors = [m for m in json.loads(result.stderr)["messages"] if m["type"] == "error"]
    assert errors == []


@pytest.mark.slow
def test_the_web_page_has_the_articles_structure(built: Path) -> None:
    page = lxml_html.parse(str(built / "html/the-harbour-at-dusk.html")).getroot()
    article = page.xpath("//article[@class='piece']")[0]

    def texts(path: str) -> list[str]:
        return [element.text_content().strip() for element in article.xpath(path)]

    assert texts(".//h1") == ["The Harbour at Dusk"]
    assert "A season among the ferries of the old port" in article.text_content()
    body = article.xpath(".//div[@class='piece-body']")[0]  # the article's own headings, not "Cite this"
    assert [(h.tag, h.text_content()) for h in body.xpath(".//h2[not(@class)] | .//h3 | .//h4")] == [
        ("h2", "Morning crossings"), ("h3", "The first boat"), ("h4", "Tickets and timetables"), ("h2", "Evening")]
    assert article.xpath(".//figure/img/@alt") == [
        "A ferry with a red hull moored at a quay under a pale evening sky",
        "Bar chart of passengers per crossing rising through the week"]
    assert [len(table.xpath(".//tr")) for table in article.xpath(".//table")] == [3]
    assert texts(".//blockquote") == ["The sea keeps no promises, but it keeps its hours; be on the quay when the "
                                      "tide turns."]
    body = article.xpath(".//div[@class='piece-body']")[0]
    assert len(body.xpath("./ul/li")) == 3 and len(body.xpath("./ol/li")) == 2
    assert article.xpath(".//a[starts-with(@href, 'https:')]/@href") == ["https://example.org/ferries"]
    assert [note.split("\u21a9")[0].strip() for note in texts(".//section[@class='footnotes']//li")] == [
        "The timetable changes twice a year, at Easter and in October.",
        "Records before 1960 are kept in the municipal archive."]
    phrase = article.xpath(".//span[@lang='ur-PK']")[0]
    assert (phrase.get("dir"), phrase.text_content()) == ("rtl", "سمندر آج پرسکون ہے")
    paragraph = article.xpath(".//div[@lang='ur-PK']")[0]
    assert paragraph.get("dir") == "rtl" and "بندرگاہ" in paragraph.text_content()


# -- the import itself ----------------------------------------------------------------------------------------


def test_word_and_libreoffice_files_give_the_same_article(imported: Imported) -> None:
    articles = imported.root / "issues/2024-11/articles"
    docx = (articles / "the-harbour-at-dusk.md").read_text(encoding="utf-8")
    odt = (articles / "harbour-odt.md").read_text(encoding="utf-8")
    assert docx.splitlines()[1] == "# Imported from harbour.docx by issuepress import"
    assert odt.replace("harbour-odt-", "the-harbour-at-dusk-").replace("harbour.odt", "harbour.docx") == docx
    images = imported.root / "issues/2024-11/images"
    for number in (1, 2):
        assert (images / f"the-harbour-at-dusk-{number}.png").read_bytes() == \
            (images / f"harbour-odt-{number}.png").read_bytes()


def test_front_matter_and_markdown_are_what_an_editor_would_type(imported: Imported) -> None:
    text = (imported.root / ARTICLE).read_text(encoding="utf-8")
    assert text.startswith("---\n# Imported from harbour.docx by issuepress import\ntitle: The Harbour at Dusk\n"
                           "subtitle: A season among the ferries of the old port\nauthors: [bilal-anwar]\n---\n\n"
                           "Every evening the ferries")
    for line in ("# Morning crossings", "## The first boat", "### Tickets and timetables",
                 "> The sea keeps no promises, but it keeps its hours; be on the quay when the tide turns.",
                 "- a bench on the upper deck;", "| Morning Star | 07:00   | 07:40   |",
                 "![A ferry with a red hull moored at a quay under a pale evening sky]"
                 "(../images/the-harbour-at-dusk-1.png)",
                 "[^1]: The timetable changes twice a year, at Easter and in October.",
                 '<div lang="ur-PK" dir="rtl">'):
        assert line in text.splitlines()
    assert "the port authority publishes its records on [the harbour website](https://example.org/ferries)." in text
    assert '<span lang="ur-PK" dir="rtl">سمندر آج پرسکون ہے</span>' in text
    assert "\ue000" not in text and "ipara" not in text and "ilang" not in text


def test_manifest_keeps_its_comments_and_layout(imported: Imported) -> None:
    after = (imported.root / "issues/2024-11/issue.yaml").read_text(encoding="utf-8")
    assert after == imported.manifest_before + (
        "  - file: articles/the-harbour-at-dusk.md\n    section: Culture\n"
        "  - file: articles/harbour-odt.md\n")


def test_comments_are_warnings_with_text_author_and_line(imported: Imported) -> None:
    lines = problem_lines(imported.runs["docx"].stderr)
    comment = [line for line in lines if "comment by" in line]
    text = (imported.root / ARTICLE).read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(text, 1) if "since 1952" in line)
    assert comment == [f"{ARTICLE}:{number}: warning: comment by Rashed Rahman on paragraph 7 (\u201cThe crew "
                       "have worked the route\u2026\u201d): \u201cVerify chronology with harbourmaster please\u201d "
                       "(comments are not imported)"]
    assert "imported " in imported.runs["docx"].stderr and "next: issuepress check 2024-11" in \
        imported.runs["docx"].stderr


def test_imported_issue_checks_clean(imported: Imported) -> None:
    result = run_cli("check", "2024-11", cwd=imported.root)
    assert result.returncode == 0, result.stderr
    assert "5 pieces" not in result.stderr and "6 pieces" in result.stderr


@pytest.fixture
def magazine(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "magazine")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted((root / "issues").rglob("*"))
            if path.is_file()}


@pytest.mark.parametrize("name", ["harbour.docx", "harbour.odt"])
def test_unaccepted_changes_are_refused_by_paragraph_and_nothing_is_written(magazine: Path, name: str) -> None:
    before = snapshot(magazine)
    result = run_cli("import", "2024-11", str(WORDIMPORT / name), cwd=magazine)
    assert result.returncode == 1
    lines = problem_lines(result.stderr)
    assert lines[0].startswith(f"{WORDIMPORT / name}: has 2 tracked changes not yet accepted or rejected "
                               "(1 insertion, 1 deletion), in 1 place; accept or reject them in Word")
    assert "--accept-changes" in lines[0] and "--reject-changes" in lines[0]
    assert lines[1] == (f"{WORDIMPORT / name}: paragraph 5 (\u201cThe freshly painted ferry to the\u2026\u201d): "
                        "1 insertion and 1 deletion by Rashed Rahman")
    assert snapshot(magazine) == before


@pytest.mark.parametrize("name", ["harbour.docx", "harbour.odt"])
def test_rejected_changes_give_the_text_as_it_was(magazine: Path, name: str) -> None:
    result = run_cli("import", "2024-11", str(WORDIMPORT / name), "--reject-changes", "--as", "harbour",
                     cwd=magazine)
    assert result.returncode == 0, result.stderr
    text = (magazine / "issues/2024-11/articles/harbour.md").read_text(encoding="utf-8")
    assert "The barnacled wheezing ferry to the islands leaves at seven" in text
    assert "freshly" not in text and "Verify" not in text


@pytest.mark.slow
@pytest.mark.parametrize("settle", ["--accept-changes", "--reject-changes"])
def test_libreoffice_changes_are_settled_as_pandoc_settles_words(magazine: Path, settle: str) -> None:
    """Whole paragraphs inserted and deleted, and a change in a footnote: issuepress accepts or rejects an
    .odt's changes itself; pandoc does it for the same text saved as .docx, and the two must agree."""
    texts = {}
    for kind in ("docx", "odt"):
        result = run_cli("import", "2024-11", str(WORDIMPORT / f"changes.{kind}"), settle, "--as", kind,
                         "--author", "bilal-anwar", cwd=magazine)
        assert result.returncode == 0, result.stderr
        texts[kind] = article_text(magazine, kind).split("\n", 2)[2]  # after the line naming the file
    assert texts["odt"] == texts["docx"]
    if settle == "--accept-changes":
        assert "An inserted paragraph" in texts["odt"] and "crumbling" not in texts["odt"]
        assert "[^1]: The pier was newly rebuilt in 1911." in texts["odt"]
    else:
        assert "An inserted paragraph" not in texts["odt"] and "newly" not in texts["odt"]
        assert texts["odt"].endswith("The third paragraph keeps a footnote.[^1]\n\nA deleted paragraph about "
                                     "the crumbling pier.\n\nThe last paragraph stays.\n\n[^1]: The pier was "
                                     "rebuilt in 1911.\n")
    refused = {kind: problem_lines(run_cli("import", "2024-11", str(WORDIMPORT / f"changes.{kind}"),
                                           cwd=magazine).stderr) for kind in ("docx", "odt")}
    for kind, lines in refused.items():
        assert "has 3 tracked changes not yet accepted or rejected (2 insertions, 1 deletion)" in lines[0]
        where = "paragraph 3 (\u201cAn inserted paragraph that the editor\u2026\u201d)"
        assert f"{WORDIMPORT / f'changes.{kind}'}: {where}: 1 insertion by Rashed Rahman" in lines


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_writers_habits_become_what_an_editor_would_type(magazine: Path) -> None:
    result = run_cli("import", "2024-11", str(WORDIMPORT / "habits.docx"), cwd=magazine)
    assert result.returncode == 0, result.stderr
    text = (magazine / "issues/2024-11/articles/market-day.md").read_text(encoding="utf-8")
    assert text == (WORDIMPORT / "habits.expected.md").read_text(encoding="utf-8")
    notes = "\n".join(problem_lines(result.stderr))
    for habit in ("is bold text on a line of its own: it is now a heading (# The fish stalls)",
                  "had line breaks in mid-sentence (Shift+Enter); they are spaces now",
                  "begins with a tab or spaces, setting it off from the text: it is a block quote now",
                  "is 2 paragraphs that the writer separated with line breaks",
                  "\u201csardines doubled\u201d was highlighted", "\u201c(I think since 1987)\u201d was coloured",
                  "2 empty paragraphs (space between paragraphs) left out", "1 double space",
                  "5 straight quotes"):
        assert habit in notes
    heading = text.splitlines().index("# The fish stalls") + 1
    assert f"articles/market-day.md:{heading}: warning: paragraph 3 (\u201cThe fish stalls\u201d) is bold" in notes
    build = run_cli("build", "2024-11", "--format", "html", cwd=magazine)
    assert build.returncode == 0, build.stderr
    page = lxml_html.parse(str(magazine / "build/2024-11/html/market-day.html")).getroot().text_content()
    assert "(a) fish, (b) bread and (c) flowers" in page  # not ©, which (c) is in Markdown
    assert "\u201cfresh today\u201d to everyone, and \u2018cheap\u2019 to nobody" in page


@pytest.mark.parametrize("name", ["languages.docx", "languages.odt"])
def test_only_real_changes_of_language_are_marked(magazine: Path, name: str) -> None:
    result = run_cli("import", "2024-11", str(WORDIMPORT / name), "--as", "tongues", cwd=magazine)
    assert result.returncode == 0, result.stderr
    text = (magazine / "issues/2024-11/articles/tongues.md").read_text(encoding="utf-8")
    assert "printed in color and in colour" in text  # en-US in an en-GB document is no change of language
    assert 'The waiter said <span lang="el-GR">**Καλή** όρεξη</span> and smiled' in text  # two runs, one span
    assert 'read <span lang="fr-FR">Défense de fumer</span> in careful' in text
    assert '<div lang="de-DE">\n\nDie Küche schließt um zehn Uhr.\n\n</div>' in text
    assert 'the bread <span lang="ur-PK" dir="rtl">روٹی</span> and' in text
    assert "language:" not in text  # British English, as the issue


def test_a_writers_urdu_file_sets_the_articles_language(magazine: Path) -> None:
    result = run_cli("import", "2024-11", str(WORDIMPORT / "urdu.docx"), "--as", "mela", cwd=magazine)
    assert result.returncode == 0, result.stderr
    text = (magazine / "issues/2024-11/articles/mela.md").read_text(encoding="utf-8")
    assert "\ntitle: کتابوں کا میلہ\n" in text and "\nlanguage: ur-PK\n" in text
    assert 'شام کو <span lang="en-GB" dir="ltr">Lahore Literary Festival</span> کے مہمانوں نے شاعری سنی۔' in text
    assert run_cli("check", "2024-11", cwd=magazine).returncode == 0


# -- files saved by Word and Google Docs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def word_saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """The sample magazine, with the Word files' authors as contributors, and the files with authors imported
    in one command."""
    root = copy_sample(tmp_path_factory.mktemp("word-saved") / "magazine")
    with (root / "contributors.yaml").open("a", encoding="utf-8") as registry:
        for ident, name in (("michael-williamson", "Michael Williamson"), ("steve-canny", "Steve Canny"),
                            ("david-woods", "David Woods")):
            registry.write(f"{ident}:\n  name: {name}\n  bio: {name} writes the tests of a library.\n")
    files = [str(WORD_SAVED / f"{name}.docx") for name in (
        "mammoth-comments", "mammoth-footnotes", "mammoth-tables", "mammoth-tiny-picture",
        "python-docx-having-images", "python-docx-par-hyperlinks", "python-docx-txt-font-highlight-color")]
    return root, run_cli("import", "2024-11", *files, cwd=root)


def article_text(root: Path, slug: str) -> str:
    return (root / "issues/2024-11/articles" / f"{slug}.md").read_text(encoding="utf-8")


def test_files_saved_by_word_import_and_check(word_saved: tuple[Path, subprocess.CompletedProcess]) -> None:
    root, result = word_saved
    assert result.returncode == 0, result.stderr
    notes = "\n".join(problem_lines(result.stderr))
    assert article_text(root, "mammoth-footnotes").endswith(
        "\n\nOuch[^1].[^2]\n\n[^1]: A tachyon walks into a bar.\n\n[^2]: Fin.\n")
    assert "authors: [michael-williamson]" in article_text(root, "mammoth-footnotes")
    assert "comment by Michael Williamson on paragraph 1 (\u201cOuch.\u201d): \u201cA tachyon walks into a bar." \
           "\u201d" in notes
    assert "tachyon" not in article_text(root, "mammoth-comments")
    assert "| Top left    | Top right    |\n|-------------|--------------|" in article_text(root, "mammoth-tables")
    picture = article_text(root, "mammoth-tiny-picture").splitlines()
    line = picture.index("![](../images/mammoth-tiny-picture-1.png)") + 1
    assert f"articles/mammoth-tiny-picture.md:{line}: warning: picture mammoth-tiny-picture-1.png has no alt text" \
           in notes
    pictures = sorted(p.name for p in (root / "issues/2024-11/images").glob("python-docx-having-images-*"))
    assert pictures == [f"python-docx-having-images-{n}.png" for n in (1, 2, 3)]  # one is used twice
    assert article_text(root, "python-docx-having-images").count("![](../images/python-docx-having-images-") == 5
    assert "One [awesome hyperlink](http://yahoo.com/)." in article_text(root, "python-docx-par-hyperlinks")
    assert notes.count("was highlighted, perhaps for the editor") == 3
    check = run_cli("check", "2024-11", cwd=root)
    assert check.returncode == 0, check.stderr


def test_files_without_a_contributor_as_author_say_how_to_name_one(
        word_saved: tuple[Path, subprocess.CompletedProcess]) -> None:
    root, _result = word_saved
    files = [str(WORD_SAVED / f"{name}.docx") for name in (
        "pydocx-export_from_googledocs", "pydocx-has_title", "python-docx-comments-rich-para")]
    before = snapshot(root)
    refused = run_cli("import", "2024-11", *files, cwd=root)
    assert refused.returncode == 1 and snapshot(root) == before
    lines = problem_lines(refused.stderr)
    assert f"{files[0]}: names no author (its Author property is empty); pass --author with the contributor's " \
           "id (a key of contributors.yaml)" in lines
    assert any(line.startswith(f"{files[1]}: its author 'llzicar' (the document's Author property) is not a "
                               "contributor; add them to contributors.yaml as `llzicar:` with `name: llzicar`")
               for line in lines)
    result = run_cli("import", "2024-11", *files, "--author", "steve-canny", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "\ntitle: Title\n" in article_text(root, "title")  # a Title paragraph whose style the file lacks
    google = article_text(root, "pydocx-export-from-googledocs")
    assert google.endswith("---\n\nBeauty will save the world.\n")
    assert "comment by Steve Canny on paragraph 2" in result.stderr


def test_pictures_captions_kinds_and_links(magazine: Path, tmp_path: Path) -> None:
    """A captioned picture becomes a figure with its caption; a TIFF is saved as PNG; a Windows metafile and a
    picture only linked from the writer's disk are left out, each with a warning where it stood."""
    from PIL import Image

    Image.new("RGB", (1200, 800), (50, 100, 200)).save(tmp_path / "field.png")
    Image.new("RGB", (1200, 800), (200, 100, 50)).save(tmp_path / "field.tif")
    (tmp_path / "pictures.md").write_text(
        "---\ntitle: Fields\n---\n\nText before.\n\n![A blue field under a clear sky](field.png)\n\n"
        "An orange one: ![An orange field](field.tif)\n\nAnd a logo: ![The logo](field.png)\n", encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), "pictures.md", "-o", "pictures.docx"], cwd=tmp_path, check=True,
                   timeout=120)
    emf = b"\x01\x00\x00\x00\x6c\x00\x00\x00" + bytes(32) + b" EMF" + bytes(68)  # what Word saves a chart as
    with zipfile.ZipFile(tmp_path / "pictures.docx") as made, zipfile.ZipFile(tmp_path / "sent.docx", "w") as sent:
        for info in made.infolist():
            data = made.read(info)
            if info.filename == "word/document.xml":  # the logo: linked to a file on the writer's disk
                data = data.replace(b"<w:body>", b'<w:body><w:p><w:r><w:drawing><wp:inline xmlns:wp="http://'
                                    b'schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><a:graphic '
                                    b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:blip xmlns:r'
                                    b'="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link='
                                    b'"rIdLinked"/></a:graphic></wp:inline></w:drawing></w:r></w:p>', 1)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdLinked" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/image" Target="file:///C:/'
                                    b'Users/writer/logo.png" TargetMode="External"/></Relationships>')
            sent.writestr(info, data)
    with zipfile.ZipFile(tmp_path / "sent.docx") as sent:
        names = [n for n in sent.namelist() if n.startswith("word/media/")]
    result = run_cli("import", "2024-11", str(tmp_path / "sent.docx"), "--author", "bilal-anwar", cwd=magazine)
    assert result.returncode == 0, result.stderr
    text = article_text(magazine, "fields")
    assert '![A blue field under a clear sky](../images/fields-1.png "A blue field under a clear sky")' in text
    assert "An orange one: ![An orange field](../images/fields-2.png)" in text
    with Image.open(magazine / "issues/2024-11/images/fields-2.png") as converted:
        assert (converted.format, converted.size) == ("PNG", (1200, 800))
    assert len(names) == 2
    notes = problem_lines(result.stderr)
    assert any("is only linked to a file on the writer's computer (file:///C:/Users/writer/logo.png)" in line
               for line in notes)
    # the same file with its first picture saved as a metafile
    with zipfile.ZipFile(tmp_path / "sent.docx") as sent, zipfile.ZipFile(tmp_path / "metafile.docx", "w") as out:
        for info in sent.infolist():
            out.writestr(info, emf if info.filename == names[0] else sent.read(info))
    result = run_cli("import", "2024-11", str(tmp_path / "metafile.docx"), "--author", "bilal-anwar", "--as",
                     "metafile", cwd=magazine)
    assert result.returncode == 0, result.stderr
    lines = article_text(magazine, "metafile").splitlines()
    left_out = next(number for number, line in enumerate(lines, 1) if line.startswith("<!-- picture left out:"))
    assert f"articles/metafile.md:{left_out}: warning: picture 1 (A blue field under a clear sky) is a Windows " \
           "metafile (EMF), which no edition can show; it is left out" in result.stderr


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_a_table_with_merged_cells_and_a_note_becomes_a_markdown_table(magazine: Path, tmp_path: Path) -> None:
    """A table Markdown cannot hold would be written as HTML, where its note is no note: it is made one."""
    (tmp_path / "table.md").write_text(
        "---\ntitle: Crossings\n---\n\nThe times:\n\n"
        "+--------------+-------------+\n| Morning Star | 07:00[^1]   |\n|              |             |\n"
        "|              | and 08:00   |\n+--------------+-------------+\n| Evening Gull and the late boat |\n"
        "+--------------------------------+\n\n[^1]: Weekdays only.\n", encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), "table.md", "-o", "table.docx"], cwd=tmp_path, check=True,
                   timeout=120)
    result = run_cli("import", "2024-11", str(tmp_path / "table.docx"), "--author", "bilal-anwar", cwd=magazine)
    assert result.returncode == 0, result.stderr
    lines = article_text(magazine, "crossings").splitlines()
    assert lines[lines.index("The times:") + 2:lines.index("The times:") + 5] == [
        "| Morning Star                   | 07:00[^1]<br>and 08:00 |",
        "|--------------------------------|------------------------|",
        "| Evening Gull and the late boat |                        |"]
    assert "[^1]: Weekdays only." in lines
    assert "its first row is its header and merged cells are split (the words in the first) and a cell's " \
           "paragraphs are lines of one" in result.stderr
    build = run_cli("build", "2024-11", "--format", "html", cwd=magazine)
    assert build.returncode == 0, build.stderr
    page = lxml_html.parse(str(magazine / "build/2024-11/html/crossings.html")).getroot()
    assert page.xpath("//table//a[@role='doc-noteref']/@href") == ["#fn1"]
    assert [note.text_content().split("\u21a9")[0].strip() for note in page.xpath("//section[@class='footnotes']"
                                                                                   "//li")] == ["Weekdays only."]


def test_equations_are_kept_as_their_tex_source(magazine: Path, tmp_path: Path) -> None:
    (tmp_path / "sums.md").write_text("---\ntitle: Sums\n---\n\nThe area is $\\pi r^2$ here.\n", encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), "sums.md", "-o", "sums.docx"], cwd=tmp_path, check=True,
                   timeout=120)
    result = run_cli("import", "2024-11", str(tmp_path / "sums.docx"), "--author", "bilal-anwar", cwd=magazine)
    assert result.returncode == 0, result.stderr
    assert "The area is `\\pi r^{2}` here." in article_text(magazine, "sums")
    assert "1 equation (first: \\pi r^{2}) kept as TeX source" in result.stderr


# -- importing again --------------------------------------------------------------------------------------------


def revised(source: Path, folder: Path, old: bytes, new: bytes) -> Path:
    """The writer's file with one change made, as a revision sent later."""
    target = folder / f"{source.stem}-{len(list(folder.glob('*.docx')))}.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(info, data.replace(old, new) if info.filename == "word/document.xml" else data)
    return target


@pytest.mark.slow
def test_importing_again_replaces_an_unedited_article_and_refuses_an_edited_one(magazine: Path,
                                                                               tmp_path: Path) -> None:
    habits = WORDIMPORT / "habits.docx"
    article = magazine / "issues/2024-11/articles/market-day.md"
    assert run_cli("import", "2024-11", str(habits), cwd=magazine).returncode == 0
    again = run_cli("import", "2024-11", str(habits), cwd=magazine)
    assert again.returncode == 0 and "is already as the import makes it; nothing changed" in again.stderr
    assert (magazine / "issues/2024-11/issue.yaml").read_text(encoding="utf-8").count("market-day.md") == 1

    first = revised(habits, tmp_path, b"closes at noon", b"closes at one")
    replaced = run_cli("import", "2024-11", str(first), "--as", "market-day", cwd=magazine)
    assert replaced.returncode == 0, replaced.stderr
    assert "was replaced: nobody had edited it since the last import" in replaced.stderr
    assert "The last stall closes at one." in article.read_text(encoding="utf-8")

    edited = article.read_text(encoding="utf-8") + "\nThe editor's closing line.\n"
    article.write_text(edited, encoding="utf-8")
    second = revised(first, tmp_path, b"opens at six", b"opens at five")
    refused = run_cli("import", "2024-11", str(second), "--as", "market-day", cwd=magazine)
    assert refused.returncode == 1
    assert article.read_text(encoding="utf-8") == edited
    editor_side, writer_side = refused.stdout.split("--- issues/2024-11/articles/market-day.md (as imported "
                                                    "last time)")[1:]
    assert "+++ issues/2024-11/articles/market-day.md (edited since)" in editor_side
    assert "+The editor's closing line." in editor_side and "five" not in editor_side
    assert f"+++ issues/2024-11/articles/market-day.md (imported from {second})" in writer_side
    assert "-The market opens at six." in writer_side and "+The market opens at five." in writer_side
    assert "issues/2024-11/articles/market-day.md: was edited since it was imported" in refused.stderr
    assert "--force" in refused.stderr

    forced = run_cli("import", "2024-11", str(second), "--as", "market-day", "--force", cwd=magazine)
    assert forced.returncode == 0, forced.stderr
    assert "The market opens at five." in article.read_text(encoding="utf-8")
    assert "The editor's closing line." not in article.read_text(encoding="utf-8")


def test_an_article_written_by_hand_is_not_replaced(magazine: Path) -> None:
    article = magazine / "issues/2024-11/articles/market-day.md"
    article.write_text("---\ntitle: Market Day\n---\nThe editor's own piece.\n", encoding="utf-8")
    result = run_cli("import", "2024-11", str(WORDIMPORT / "habits.docx"), cwd=magazine)
    assert result.returncode == 1
    assert "issues/2024-11/articles/market-day.md: exists and was not made by issuepress import" in result.stderr
    assert "-The editor's own piece." in result.stdout and "+The market opens at six." in result.stdout
    assert article.read_text(encoding="utf-8").endswith("The editor's own piece.\n")


@pytest.mark.slow
def test_an_issue_made_by_new_keeps_its_template_and_checks(magazine: Path) -> None:
    assert run_cli("new", "2024-12", cwd=magazine).returncode == 0
    manifest = magazine / "issues/2024-12/issue.yaml"
    template = manifest.read_text(encoding="utf-8")
    result = run_cli("import", "2024-12", str(WORDIMPORT / "harbour.odt"), "--accept-changes", "--section",
                     "Culture", cwd=magazine)
    assert result.returncode == 0, result.stderr
    assert manifest.read_text(encoding="utf-8") == template + (
        "  - file: articles/the-harbour-at-dusk.md\n    section: Culture\n")
    check = run_cli("check", "2024-12", cwd=magazine)
    assert check.returncode == 0, check.stderr


# -- what is refused ---------------------------------------------------------------------------------------------


def test_an_author_who_is_not_a_contributor_is_named_with_how_to_add_them(magazine: Path) -> None:
    (magazine / "contributors.yaml").write_text("bilal-anwer:\n  name: Bilal Anwer\n  bio: A typo.\n",
                                                encoding="utf-8")
    result = run_cli("import", "2024-11", str(WORDIMPORT / "habits.docx"), cwd=magazine)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == [
        f"{WORDIMPORT / 'habits.docx'}: its author 'Bilal Anwar' (the document's Author property) is not a "
        "contributor (is it Bilal Anwer, bilal-anwer?); add them to contributors.yaml as `bilal-anwar:` with "
        "`name: Bilal Anwar` and a `bio:`, or pass --author with the id of the contributor who wrote it"]


@pytest.mark.parametrize("name, content, message", [
    ("story.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "is an old Word document (.doc) or a "
                                                                     "password-protected file"),
    ("notes.docx", b"Dear editor, here is my piece.\n", "is not a Word document (.docx) or an OpenDocument text"),
    ("cut.docx", (WORDIMPORT / "habits.docx").read_bytes()[:3000], "is damaged (a zip file cut short"),
    ("empty.docx", b"", "is empty (0 bytes)"),
    ("story.rtf", b"{\\rtf1\\ansi Hello}", "is an RTF file"),
])
def test_files_that_are_not_documents_are_refused_plainly(magazine: Path, tmp_path: Path, name: str,
                                                          content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(magazine)
    result = run_cli("import", "2024-11", str(path), cwd=magazine)
    assert result.returncode == 1
    assert problem_lines(result.stderr)[0].startswith(f"{path}: {message}")
    assert snapshot(magazine) == before


@pytest.mark.parametrize("arguments", [
    ["--accept-changes", "--reject-changes"],
    ["--as", "one", str(WORDIMPORT / "harbour.odt")],
    ["--as", "Not A Name"],
])
def test_usage_errors(magazine: Path, arguments: list[str]) -> None:
    result = run_cli("import", "2024-11", str(WORDIMPORT / "harbour.docx"), *arguments, cwd=magazine)
    assert result.returncode == 2, result.stderr


def test_an_issue_that_does_not_exist(magazine: Path) -> None:
    result = run_cli("import", "2031-01", str(WORDIMPORT / "harbour.docx"), cwd=magazine)
    assert result.returncode == 1
    assert "there is no issue '2031-01' (issues/2031-01/issue.yaml); start it with `issuepress new 2031-01`" \
           in result.stderr
