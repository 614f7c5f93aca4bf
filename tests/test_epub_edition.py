"""The EPUB edition: valid (EPUBCheck), reproducible, well structured, and readable in a reading system."""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, copy_sample, problem_lines, run_cli
from epubcheck_tool import assert_epub_valid
from reader import read_with_epubjs

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
ARTICLES = ["moscow-and-islamabad", "letter-from-lahore", "urdu-page"]


@pytest.fixture(scope="module")
def sample_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("epub") / "magazine")
    result = run_cli("build", "2024-11", "--format", "epub", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build/2024-11/2024-11.epub"


def xml(epub: Path, name: str):
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(name))


@pytest.mark.slow
def test_sample_passes_epubcheck(sample_epub: Path) -> None:
    report = assert_epub_valid(sample_epub)
    assert report["publication"]["nSpines"] >= 9


@pytest.mark.slow
def test_strand_issue_passes_epubcheck(strand: Path) -> None:
    result = run_cli("build", "1891-07", "--format", "epub", cwd=strand)
    assert result.returncode == 0, result.stderr
    epub = strand / "build/1891-07/1891-07.epub"
    assert_epub_valid(epub)
    # the corpus's Z39.98 semantics survive, with their prefix declared
    with zipfile.ZipFile(epub) as archive:
        story = archive.read("EPUB/a-scandal-in-bohemia.xhtml").decode()
    assert 'epub:type="z3998:recipient"' in story
    assert 'epub:prefix="z3998: http://www.daisy.org/z3998/2012/vocab/structure/#"' in story


def test_container_layout(sample_epub: Path) -> None:
    with zipfile.ZipFile(sample_epub) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert archive.read("mimetype") == b"application/epub+zip"
        assert {info.date_time for info in archive.infolist()} == {(2024, 11, 1, 0, 0, 0)}


@pytest.mark.slow
def test_two_builds_are_byte_identical(sample: Path, tmp_path: Path) -> None:
    digests = []
    for run in ("one", "two"):
        result = run_cli("build", "2024-11", "--format", "epub", "--out", str(tmp_path / run), cwd=sample)
        assert result.returncode == 0, result.stderr
        digests.append(hashlib.sha256((tmp_path / run / "2024-11.epub").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


@pytest.mark.slow
def test_source_date_epoch_sets_modified(sample: Path) -> None:
    result = run_cli("build", "2024-11", "-f", "epub", cwd=sample, env={"SOURCE_DATE_EPOCH": "1733011200"})
    assert result.returncode == 0, result.stderr
    opf = xml(sample / "build/2024-11/2024-11.epub", "EPUB/content.opf")
    assert opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS) == ["2024-12-01T00:00:00Z"]


def test_package_metadata(sample_epub: Path) -> None:
    opf = xml(sample_epub, "EPUB/content.opf")
    meta = lambda prop: opf.xpath(f"//opf:meta[@property='{prop}']/text()", namespaces=NS)  # noqa: E731
    dc = lambda name: opf.xpath(f"//dc:{name}/text()", namespaces=NS)  # noqa: E731
    expected_id = uuid.uuid5(uuid.NAMESPACE_URL, "issuepress:issn:2049-3630:6:11")
    assert opf.xpath("//dc:identifier[@id=/opf:package/@unique-identifier]/text()", namespaces=NS) == [
        f"urn:uuid:{expected_id}"]
    assert "urn:issn:2049-3630" in dc("identifier")
    assert dc("title")[0] == "The Meridian Review \u2014 November 2024"
    assert dc("language") == ["en", "ur"]
    assert dc("publisher") == ["Meridian Press"] and dc("date") == ["2024-11-01"]
    assert dc("creator") == ["Samira Qadir", "Bilal Anwar", "Nadia Hussain"]
    assert dc("contributor") == ["Rashed Rahman"]
    roles = {opf.xpath(f"string(//*[@id='{ref[1:]}'])", namespaces=NS): role for ref, role in
             [(m.get("refines"), m.text) for m in opf.xpath("//opf:meta[@property='role']", namespaces=NS)]}
    assert roles == {"Samira Qadir": "aut", "Bilal Anwar": "aut", "Nadia Hussain": "aut", "Rashed Rahman": "edt"}
    assert meta("belongs-to-collection") == ["The Meridian Review"]
    assert meta("collection-type") == ["series"] and meta("group-position") == ["11"]
    assert meta("schema:accessMode") == ["textual", "visual"]
    assert meta("schema:accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(meta("schema:accessibilityFeature"))
    assert meta("schema:accessibilityHazard") == ["none"]
    # What this file has: its print page numbers, from the print edition it names; no feature outside the vocabulary
    assert {"pageBreakMarkers", "printPageNumbers", "pageNavigation"} <= set(meta("schema:accessibilityFeature"))
    assert "table" not in meta("schema:accessibilityFeature")
    summary = meta("schema:accessibilitySummary")[0]
    assert "an editor's note and 3 articles, with 4 footnotes, 1 image and 1 table" in summary
    assert "The 12 pages of the print edition are marked" in summary
    assert dc("source") == meta("pageBreakSource") == [f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'issuepress:urn:uuid:{expected_id}')}"]
    # No conformance claim: WCAG conformance needs a person's evaluation too, and the claim must name who made it
    assert meta("dcterms:conformsTo") == []
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en" and opf.get("dir") == "ltr"
    assert opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS) == ["images/cover.jpg"]


def test_navigation_document(sample_epub: Path) -> None:
    nav = xml(sample_epub, "EPUB/nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    sections = toc.xpath("x:ol/x:li[x:ol]", namespaces=NS)
    assert [s.xpath("string(x:a)", namespaces=NS) for s in sections] == ["Analysis", "Culture", "Urdu Page"]
    hrefs = toc.xpath(".//x:a/@href", namespaces=NS)
    for slug in ARTICLES:
        assert f"{slug}.xhtml" in hrefs
    assert "moscow-and-islamabad.xhtml#the-india-ledger" in hrefs  # article headings are nested too
    urdu = toc.xpath(".//x:li[x:a/@href='urdu-page.xhtml']", namespaces=NS)[-1]  # inside its section
    assert (urdu.get("lang"), urdu.get("dir")) == ("ur", "rtl")
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"cover", "toc", "bodymatter"} <= set(landmarks)
    ncx = xml(sample_epub, "EPUB/toc.ncx")
    sources = ncx.xpath("//ncx:content/@src", namespaces=NS)
    assert all(f"{slug}.xhtml" in sources for slug in ARTICLES)


def test_footnotes_are_epub_footnotes(sample_epub: Path) -> None:
    doc = xml(sample_epub, "EPUB/moscow-and-islamabad.xhtml")
    refs = doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    notes = doc.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert len(refs) == len(notes) == 4
    for ref, note in zip(refs, notes):
        assert ref.get("href") == "#" + note.get("id")
        assert note.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS) == ["#" + ref.get("id")]


def test_languages_images_and_fonts(sample_epub: Path) -> None:
    urdu = xml(sample_epub, "EPUB/urdu-page.xhtml")
    assert (urdu.get("lang"), urdu.get("dir")) == ("ur", "rtl")
    article = xml(sample_epub, "EPUB/moscow-and-islamabad.xhtml")
    images = article.xpath("//x:img", namespaces=NS)
    assert images and all(img.get("alt") for img in images)
    assert article.xpath("//x:figure/x:figcaption", namespaces=NS)
    with zipfile.ZipFile(sample_epub) as archive:
        names = archive.namelist()
        css = archive.read("EPUB/css/epub.css").decode()
    assert "EPUB/fonts/CharisSIL-Regular.ttf" in names and "EPUB/fonts/NotoNaskhArabic-Regular.ttf" in names
    assert "color:" not in css.replace(" ", "")  # reader settings decide colours
    assert "hyphens: auto" in css


def test_fonts_hold_the_issues_characters_and_reserved_names_are_not_used(sample_epub: Path) -> None:
    """The OFL fonts are cut to what the issue sets (plus Latin for names on copies); a font whose licence
    reserves its name (Charis SIL) is renamed, keeping its copyright and licence records."""
    import io

    from fontTools.ttLib import TTFont

    from issuepress.editions.epub.fontsubset import NAME_RECORDS

    with zipfile.ZipFile(sample_epub) as archive:
        text = "".join("".join(etree.fromstring(archive.read(name)).itertext())
                       for name in archive.namelist() if name.endswith(".xhtml"))
        fonts = {name: archive.read(name) for name in archive.namelist() if name.endswith(".ttf")}
    latin = {ch for ch in text if ch.isprintable() and not "\u0600" <= ch <= "\u06ff"}
    for name, data in fonts.items():
        original = (REPO / "fonts" / Path(name).name).read_bytes()
        assert len(data) < len(original) / 3, name
        font = TTFont(io.BytesIO(data))
        names = {record.nameID: record.toUnicode() for record in font["name"].names if record.platformID == 3}
        if "CharisSIL" in name:
            assert names[1].startswith("Subset "), names[1]
            assert not [i for i in NAME_RECORDS if i in names and re.search("charis|sil", names[i], re.I)]
            assert 'Reserved Font Names "Charis" and "SIL"' in names[13]  # the licence record stays
            assert "scripts.sil.org/OFL" in names[14]
            had = TTFont(io.BytesIO(original)).getBestCmap()  # what the whole font can set
            missing = {ch for ch in latin | set("ŁłŒœ€") if ord(ch) in had and ord(ch) not in font.getBestCmap()}
            assert not missing, (name, missing)
        else:
            assert names[1].startswith("Noto"), names[1]  # no reserved name: the family keeps its name
    arabic = TTFont(io.BytesIO(fonts["EPUB/fonts/NotoNaskhArabic-Regular.ttf"])).getBestCmap()
    assert all(ord(ch) in arabic for ch in text if "\u0600" <= ch <= "\u06ff")



@pytest.mark.slow
def test_reading_system_opens_and_shows_the_issue(sample_epub: Path) -> None:
    book, problems = read_with_epubjs(sample_epub, show_index=4)
    assert book["title"] == "The Meridian Review \u2014 November 2024"
    labels = [entry["label"] for entry in book["toc"]]
    assert "Lavrov in Islamabad: A Message Addressed Elsewhere" in labels
    assert "\u0644\u0627\u06c1\u0648\u0631 \u0645\u06cc\u06ba \u062e\u0632\u0627\u06ba" in labels  # the Urdu title
    texts = {item["href"]: item["text"] for item in book["spine"]}
    assert "Great Game" in texts["moscow-and-islamabad.xhtml"]
    assert "Samira Qadir" in texts["contributors.xhtml"]
    assert "Lavrov in Islamabad" in book["shown"]
    assert problems == []


@pytest.mark.slow
def test_issue_without_cover_gets_a_typographic_cover(sample: Path) -> None:
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("cover: images/cover.jpg\n", ""))
    result = run_cli("build", "2024-11", "--format", "epub", cwd=sample)
    assert result.returncode == 0, result.stderr
    epub = sample / "build/2024-11/2024-11.epub"
    assert_epub_valid(epub)
    opf = xml(epub, "EPUB/content.opf")
    assert opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS) == ["images/generated-cover.png"]
    with zipfile.ZipFile(epub) as archive:
        import io

        from PIL import Image
        cover = Image.open(io.BytesIO(archive.read("EPUB/images/generated-cover.png")))
    assert cover.size == (1600, 2400)
    assert len(cover.convert("L").getcolors(maxcolors=1 << 16)) > 10, "the cover has no text on it"


@pytest.mark.slow
def test_markup_that_used_to_break_the_epub_and_the_web_edition_now_validates(sample: Path) -> None:
    """Headings named like the theme's own ids, <wbr>, a raw <img> without alt, an article named 'licences',
    ids in raw HTML written twice, with spaces, or taken by the layouts."""
    import json
    import subprocess

    from conftest import vnu_jar

    articles = sample / "issues/2024-11/articles"
    (articles / "licences.md").write_text(
        "---\ntitle: Licences, a short history\nauthors: [samira-qadir]\n---\n## Main\n\nText.\n\n"
        "## Piece title\n\nsuper<wbr>califragilistic word.\n\n"
        'An <img src="../images/timeline.png"> here.\n\n'
        '<div id="box one">A box.</div>\n\nSome <span id="dup">text</span>, <span id="dup">more</span>.\n\n'
        '<p id="main">A paragraph.</p>\n\n## Dup\n\nSee [the text](#dup), <span id="fn1">this</span> and a '
        'note.[^1] <b id="">Empty</b>.\n\n[^1]: The note.\n',
        encoding="utf-8")
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("articles:\n", "articles:\n  - articles/licences.md\n", 1))
    result = run_cli("build", "2024-11", "-f", "epub,html", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert "Duplicate name" not in result.stderr
    lines = problem_lines(result.stderr)
    said = [line.removeprefix("issues/2024-11/articles/licences.md:") for line in lines if 'raw HTML' in line]
    assert said == [
        '15: warning: id "box one" in raw HTML has spaces, which an id cannot have; it is now "box-one"',
        '17: warning: id "dup" in raw HTML is already used on the page, by a heading, a footnote, the layouts or an '
        'earlier tag; it is now "dup-3"',  # "dup-2" is the heading's
        '19: warning: id "main" in raw HTML is already used on the page, by a heading, a footnote, the layouts or an '
        'earlier tag; it is now "main-3"',  # "main" is the layouts', "main-2" the heading's
        '23: warning: id "fn1" in raw HTML is already used on the page, by a heading, a footnote, the layouts or an '
        'earlier tag; it is now "s-fn1"',
        '23: warning: id="" in raw HTML is empty; it was removed'], lines
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as epub:
        page = epub.read("EPUB/licences-article.xhtml").decode()
    assert page.count('id="fn1"') == 1 and 'href="#fn1"' in page and 'id="s-fn1"' in page
    assert_epub_valid(sample / "build/2024-11/2024-11.epub")
    pages = sorted(str(p) for p in (sample / "build/2024-11/html").glob("*.html"))
    checked = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", *pages],
                             capture_output=True, text=True, timeout=300)
    errors = [m for m in json.loads(checked.stderr)["messages"] if m["type"] == "error"]
    assert errors == [], errors


@pytest.mark.slow
def test_a_bio_written_in_markdown_and_a_contributors_web_address_reach_every_edition(sample: Path) -> None:
    import json
    import subprocess

    from conftest import vnu_jar
    from pdftools import page_texts

    registry = sample / "contributors.yaml"
    registry.write_text(registry.read_text().replace(
        "She writes the magazine's regular analysis pieces.",
        "She writes `code` for *Dawn* -- and [a blog](https://samira.example.org/blog), not [this](notes.html) or "
        "<b>that</b>.^[No notes in bios.]\n  url: https://www.samira.example.org/"), encoding="utf-8")
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 0 and "a font of this computer" not in result.stderr, result.stderr
    built = sample / "build/2024-11"
    web = (built / "html/contributors.html").read_text(encoding="utf-8")
    assert ("She writes <code>code</code> for <em>Dawn</em> – and "
            "<a href=\"https://samira.example.org/blog\">a blog</a>, not this "
            "or &lt;b&gt;that&lt;/b&gt;.^[No notes in bios.]</p>") in web
    assert '<a href="https://www.samira.example.org/">samira.example.org</a>' in web
    with zipfile.ZipFile(built / "2024-11.epub") as epub:
        assert "<em>Dawn</em>" in epub.read("EPUB/contributors.xhtml").decode()
    assert_epub_valid(built / "2024-11.epub")
    checked = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json",
                              str(built / "html/contributors.html")], capture_output=True, text=True, timeout=300)
    assert [m for m in json.loads(checked.stderr)["messages"] if m["type"] == "error"] == []
    printed = " ".join(" ".join(page_texts(built / "2024-11.pdf")).split())
    assert ("She writes code for Dawn – and a blog, not this or <b>that</b>.^[No notes in bios.] "
            "samira.example.org") in printed


@pytest.mark.slow
def test_a_contributors_web_address_must_be_one(sample: Path) -> None:
    registry = sample / "contributors.yaml"
    text = registry.read_text()
    registry.write_text(text.replace("  name: Samira Qadir\n", "  name: Samira Qadir\n  url: samira.example.org\n"))
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    line = text.splitlines().index("  name: Samira Qadir") + 2
    assert (f"contributors.yaml:{line}: contributor 'samira-qadir': 'url' must start with http:// or https://, not "
            "'samira.example.org'") in problem_lines(result.stderr), result.stderr
    # Addresses the editions could not link to validly (EPUBCheck RSC-020, the Nu checker), and a site address
    # to which the issue's folder could not be added
    registry.write_text(text.replace("  name: Samira Qadir\n",
                                     "  name: Samira Qadir\n  url: https://example.org/a?b=1&c=<2>\n"))
    magazine = sample / "magazine.yaml"
    magazine.write_text(re.sub(r"(?m)^url: .*$", "url: https://example.org/mag/?ref=rss", magazine.read_text()))
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    problems = problem_lines(result.stderr)
    assert (f"contributors.yaml:{line}: contributor 'samira-qadir': 'url' cannot hold '<' as it is: "
            "'https://example.org/a?b=1&c=<2>'; write it as %3C") in problems, result.stderr
    assert any(p.startswith("magazine.yaml:") and p.endswith(
        ": 'url' is the magazine's site, to which each issue's folder is added, so it cannot have a ?query or "
        "#fragment: 'https://example.org/mag/?ref=rss'") for p in problems), result.stderr


@pytest.mark.slow
def test_a_photo_turned_by_its_exif_and_a_jpeg_named_png_are_shown_as_they_are(sample: Path) -> None:
    """A phone stores an upright photo sideways, with an EXIF orientation; a JPEG saved as .png makes
    EPUBCheck warn (PKG-022) unless the EPUB names it .jpg."""
    from PIL import Image

    images = sample / "issues/2024-11/images"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees to show
    Image.new("RGB", (1800, 1200), (200, 120, 40)).save(images / "upright.jpg", exif=exif, dpi=(300, 300))
    Image.new("RGB", (1500, 1000), (40, 120, 200)).save(images / "photo.png", format="JPEG")
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("cover: images/cover.jpg", "cover: images/upright.jpg"))
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n![The same stall](../images/photo.png)\n",
                       encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "epub,html", cwd=sample)
    assert result.returncode == 0, result.stderr
    index = (sample / "build/2024-11/html/index.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="images/upright.jpg" alt="Cover of [^"]*" width="1200" height="1800">', index), index
    page = (sample / "build/2024-11/html/letter-from-lahore.html").read_text(encoding="utf-8")
    assert 'src="images/photo.jpg"' in page
    assert_epub_valid(sample / "build/2024-11/2024-11.epub")


@pytest.mark.slow
def test_a_link_to_the_editors_note_leads_to_it_in_every_edition(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nAs [the editor wrote](../editors-note.md), smog.\n",
                       encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "epub,html,screen-pdf", cwd=sample)
    assert result.returncode == 0 and "link removed" not in result.stderr, result.stderr
    built = sample / "build/2024-11"
    assert '<a href="editors-note.html">the editor wrote</a>' in (built / "html/letter-from-lahore.html").read_text()
    with zipfile.ZipFile(built / "2024-11.epub") as epub:
        page = epub.read("EPUB/letter-from-lahore.xhtml").decode()
    assert '<a href="editors-note.xhtml">the editor wrote</a>' in page
    assert_epub_valid(built / "2024-11.epub")
    # in the screen PDF: a link, on the letter's pages, to the note's first page (page 3); the print PDF, a
    # PDF/X, has no links
    from pypdf import PdfReader

    pdf = PdfReader(str(built / "2024-11-screen.pdf"))
    note = pdf.get_destination_page_number(pdf.named_destinations["editors-note"]) + 1
    links = [number for number, page in enumerate(pdf.pages, start=1) for annotation in page.get("/Annots") or []
             if str((annotation.get_object().get("/A") or {}).get("/D")) == "editors-note"]
    assert note == 3 and any(number > 5 for number in links), (note, links)


@pytest.mark.slow
def test_with_yearly_numbering_the_series_position_counts_volumes_too(sample: Path) -> None:
    """Number 1 of volume 2 must come after number 12 of volume 1 in a reading app's series view."""
    magazine = sample / "magazine.yaml"
    magazine.write_text(re.sub(r"(?m)^numbering: .*$", "numbering: yearly", magazine.read_text())
                        if re.search(r"(?m)^numbering:", magazine.read_text())
                        else magazine.read_text() + "numbering: yearly\n")
    result = run_cli("build", "2024-11", "-f", "epub", cwd=sample)
    assert result.returncode == 0, result.stderr
    opf = xml(sample / "build/2024-11/2024-11.epub", "EPUB/content.opf")
    assert opf.xpath("//opf:meta[@property='group-position']/text()", namespaces=NS) == ["6.11"]
    assert opf.xpath("//opf:meta[@name='calibre:series_index']/@content", namespaces=NS) == ["6.11"]
    assert_epub_valid(sample / "build/2024-11/2024-11.epub")


@pytest.mark.slow
def test_emphasis_and_code_in_a_title_are_kept_where_titles_are_set_and_dropped_where_they_are_text(
        sample: Path) -> None:
    import json
    import subprocess

    from pypdf import PdfReader

    from conftest import vnu_jar
    from pdftools import page_texts

    story = sample / "issues/2024-11/articles/letter-from-lahore.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        'title: "Letter from Lahore: Pages in the Haze"',
        'title: "Letter from Lahore: Reading *Middlemarch* with `grep` [in](https://x.example) <b>haze</b>"').replace(
        'subtitle: "As the smog', 'subtitle: "As the **smog**'), encoding="utf-8")
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 0 and "a font of this computer" not in result.stderr, result.stderr
    built = sample / "build/2024-11"
    plain = "Letter from Lahore: Reading Middlemarch with grep in <b>haze</b>"
    marked = ("Letter from Lahore: Reading <em>Middlemarch</em> with <code>grep</code> in "
              "&lt;b&gt;haze&lt;/b&gt;")
    page = (built / "html/letter-from-lahore.html").read_text(encoding="utf-8")
    assert f"<h1>{marked}</h1>" in page
    assert '<p class="piece-subtitle">As the <strong>smog</strong>' in page
    assert f"<title>{plain.replace('<', '&lt;').replace('>', '&gt;')} · " in page
    assert f'<a href="letter-from-lahore.html">{marked}</a>' in (built / "html/index.html").read_text(encoding="utf-8")
    checked = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", str(built / "html/index.html"),
                              str(built / "html/letter-from-lahore.html")], capture_output=True, text=True, timeout=300)
    assert [m for m in json.loads(checked.stderr)["messages"] if m["type"] == "error"] == []
    epub = built / "2024-11.epub"
    with zipfile.ZipFile(epub) as archive:
        assert f'<h1 id="piece-title">{marked}</h1>' in archive.read("EPUB/letter-from-lahore.xhtml").decode()
    nav = xml(epub, "EPUB/nav.xhtml")
    assert plain in [a.text for a in nav.iterfind(".//x:nav//x:a", NS)]
    assert_epub_valid(epub)
    reader = PdfReader(str(built / "2024-11.pdf"))
    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    assert plain in list(titles(reader.outline))
    printed = " ".join(" ".join(page_texts(built / "2024-11.pdf")).split())
    assert "Reading Middlemarch with grep in <b>haze</b>" in printed
    fonts = subprocess.run(["pdffonts", str(built / "2024-11.pdf")], capture_output=True, text=True).stdout
    assert "Charis-SIL-Bold-Italic" in fonts and "Noto-Sans-Mono" in fonts  # the title's <em> and <code>
