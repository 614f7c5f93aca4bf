"""The print edition's pages in the other editions: the EPUB's page-break markers and page list lead to the word
each printed page begins with, the web edition's margin folios and page ranges agree, a reading system shows the
list, the offprints are the articles' pages as printed, and every PDF says in its XMP what it is."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html
from pagewords import NS, epub_marks, pdf_body_words, word

from conftest import copy_sample, problem_lines, run_cli
from epubcheck_tool import assert_epub_valid
from pdftools import page_texts

STRAND_HEIGHT_MM = 9.5 * 25.4


def margins(height_mm: float) -> tuple[float, float]:
    """The top and bottom margins of the print stylesheet (document.PageGeometry), where heads and folios go."""
    return round(height_mm * 0.075, 2), round(height_mm * 0.09, 2)


@pytest.fixture(scope="module")
def strand_built(strand: Path) -> Path:
    result = run_cli("build", "1891-07", cwd=strand)
    assert result.returncode == 0, result.stderr
    return strand / "build/1891-07"


@pytest.fixture(scope="module")
def sample_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("folios") / "magazine")
    result = run_cli("build", "2024-11", "-f", "html,epub,pdf,screen-pdf,offprints", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build/2024-11"


def first_words_differ(pdf: Path, epub: Path, height_mm: float) -> tuple[list[str], dict[str, str], int]:
    """Pages whose first words the EPUB's marker of that page does not lead to (with what each side has), the
    pages the EPUB has no text of (by the document their marker is in), and how many pages began inside a word."""
    pages = pdf_body_words(pdf, *margins(height_mm))
    marks = epub_marks(epub)
    assert sorted(marks, key=int) == [str(number) for number in range(1, len(pages) + 1)], "one marker a page"
    wrong, textless, inside_a_word = [], {}, 0
    for number, words in enumerate(pages, start=1):
        document, before, after = marks[str(number)]
        if not after:  # the cover (an image in the EPUB), the Notes pages and the back cover (at the imprint's end)
            textless[str(number)] = document
            continue
        printed = word("".join(words[:40]))  # letter-spaced words come out of pdftotext a letter at a time
        expected = word("".join(after.split()[:2]))
        # A word hyphenated across the turn belongs to the page where it begins: the page begins after it
        continued = bool(words) and word(before).endswith(word(words[0])) and word(before) != word(words[0])
        inside_a_word += continued and not printed.startswith(expected)
        if not (printed.startswith(expected) or continued and word("".join(words[1:41])).startswith(expected)):
            wrong.append(f"page {number}: the PDF has {words[:4]}, the EPUB's marker in {document} is before "
                         f"{after!r} (after {before!r})")
    return wrong, textless, inside_a_word


@pytest.mark.slow
def test_every_page_of_the_strand_stories_begins_in_the_epub_at_the_word_it_begins_with_in_print(
        strand_built: Path) -> None:
    pdf, epub = strand_built / "1891-07.pdf", strand_built / "1891-07.epub"
    wrong, textless, inside_a_word = first_words_differ(pdf, epub, STRAND_HEIGHT_MM)
    assert wrong == []
    pages = len(pdf_body_words(pdf, *margins(STRAND_HEIGHT_MM)))
    # What the EPUB has no text of: the cover (its picture) and, at the end of the imprint, the back cover
    assert textless == {"1": "EPUB/cover.xhtml", str(pages): "EPUB/imprint.xhtml"}
    # Among them, pages that begin with the end of a word hyphenated across the turn: there the EPUB's page begins
    # after that word, which belongs to the page before
    assert inside_a_word >= 5
    assert_epub_valid(epub)


@pytest.mark.slow
def test_the_sample_s_pages_with_images_tables_and_notes_begin_where_they_begin_in_print(sample_built: Path) -> None:
    wrong, textless, _inside_a_word = first_words_differ(sample_built / "2024-11.pdf", sample_built / "2024-11.epub",
                                                         297)
    assert wrong == []
    # Saddle-stitched to 12 pages: two Notes pages to write on, then the back cover, at the end of the imprint
    assert textless == {"1": "EPUB/cover.xhtml", "10": "EPUB/imprint.xhtml", "11": "EPUB/imprint.xhtml",
                        "12": "EPUB/imprint.xhtml"}


@pytest.mark.slow
def test_the_page_list_leads_to_every_marker_and_the_package_names_the_print_edition(sample_built: Path) -> None:
    epub = sample_built / "2024-11.epub"
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    entries = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    assert [a.text for a in entries] == [str(number) for number in range(1, 13)]
    marks = epub_marks(epub)
    for entry in entries:
        document, fragment = entry.get("href").split("#")
        assert marks[entry.text][0] == f"EPUB/{document}" and fragment == f"print-page-{entry.text}"
    with pikepdf.open(sample_built / "2024-11.pdf") as pdf, pdf.open_metadata() as xmp:
        document_id = xmp["xmpMM:DocumentID"]
    source = opf.xpath("//dc:source/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"})
    assert source == [f"urn:{document_id}"]


@pytest.mark.slow
def test_epubjs_shows_the_page_list_and_goes_to_a_page(sample_built: Path) -> None:
    from reader import read_page_list

    found, problems = read_page_list(sample_built / "2024-11.epub", "6")
    assert problems == []
    assert [page["page"] for page in found["pages"]] == [str(number) for number in range(1, 13)]
    assert found["pages"][5]["href"] == "moscow-and-islamabad.xhtml#print-page-6"
    # Going to page 6 shows the column where it begins: with "countries that declined", as in print
    assert found["shown"] is True
    assert " ".join(found["after"].split()).startswith("countries that declined to condemn")


@pytest.mark.slow
def test_the_web_edition_marks_the_same_pages_and_gives_each_article_its_range(sample_built: Path) -> None:
    page = lxml_html.parse(str(sample_built / "html/moscow-and-islamabad.html")).getroot()
    folios = page.xpath("//*[@class='folio']")
    assert [folio.get("data-page") for folio in folios] == ["4", "5", "6"]
    # as screen readers say it, and apart from the word after it (read as text, "page 5" + "countries" is one word)
    assert [folio.text_content() for folio in folios] == ["page 4 ", "page 5 ", "page 6 "]
    after = folios[2].xpath("following::text()")
    assert " ".join("".join(after).split()).startswith("countries that declined")
    data = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)
    assert (data["pageStart"], data["pageEnd"], data["pagination"]) == (4, 6, "4-6")
    index = json.loads(lxml_html.parse(str(sample_built / "html/index.html")).getroot().xpath(
        "//script[@type='application/ld+json']")[0].text)
    assert [(part["headline"][:6], part.get("pageStart")) for part in index["hasPart"]] == [
        ("Editor", 3), ("Lavrov", 4), ("Letter", 7), ("لاہور ", 8)]


@pytest.mark.slow
def test_each_article_offers_its_citation_and_reference_managers_files(sample_built: Path) -> None:
    page = lxml_html.parse(str(sample_built / "html/moscow-and-islamabad.html")).getroot()
    cite = " ".join(page.xpath("string(//section[@class='piece-cite']/p[1])").split())
    assert cite == ("Samira Qadir, \u201cLavrov in Islamabad: A Message Addressed Elsewhere,\u201d The Meridian Review "
                    "6, no. 11 (November 2024): 4\u20136, https://meridian.example.org/2024-11/moscow-and-islamabad.html.")
    assert page.xpath("//meta[@name='citation_firstpage']/@content") == ["4"]
    ris = (sample_built / "html/moscow-and-islamabad.ris").read_bytes().decode("utf-8")
    assert "TY  - MGZN\r\nAU  - Qadir, Samira\r\n" in ris and "SP  - 4\r\nEP  - 6\r\n" in ris and ris.endswith("ER  - \r\n")
    bib = (sample_built / "html/moscow-and-islamabad.bib").read_text(encoding="utf-8")
    assert bib.startswith("@article{qadir2024lavrov,") and "pages = {4--6}" in bib and "journal = {The Meridian Review}" in bib
    with zipfile.ZipFile(sample_built / "2024-11.epub") as archive:
        article = etree.fromstring(archive.read("EPUB/moscow-and-islamabad.xhtml"))
    in_epub = " ".join("".join(article.xpath("//x:section[@class='piece-cite']/x:p//text()", namespaces=NS)).split())
    assert in_epub == cite


@pytest.mark.slow
def test_offprints_are_the_articles_pages_as_printed(sample_built: Path) -> None:
    offprints = sample_built / "offprints"
    assert sorted(path.name for path in offprints.iterdir()) == [
        "2024-11-editors-note.pdf", "2024-11-letter-from-lahore.pdf", "2024-11-moscow-and-islamabad.pdf",
        "2024-11-urdu-page.pdf"]
    issue = page_texts(sample_built / "2024-11.pdf")
    offprint = offprints / "2024-11-moscow-and-islamabad.pdf"
    pages = page_texts(offprint)
    assert len(pages) == 3
    first, *rest = pages
    head, _, opening = first.partition("\n")
    assert "Offprint from The Meridian Review" in head and "Volume 6, No. 11" in head and "pages 4\u20136" in head
    # The same text as pages 4 to 6 of the issue, running heads and folios included
    assert [" ".join(text.split()) for text in [opening, *rest]] == [" ".join(text.split()) for text in issue[3:6]]
    assert [text.split()[-1] for text in pages] == ["4", "5", "6"]
    with pikepdf.open(offprint) as pdf:
        assert all(list(page.mediabox) == list(page.trimbox) for page in pdf.pages)  # trimmed: no bleed, no marks
        assert "/OutputIntents" not in pdf.Root  # a reader's PDF, in the screen's colours
        with pdf.open_metadata() as xmp:
            assert (xmp["dc:title"], xmp["prism2:publicationName"], xmp["prism2:startingPage"],
                    xmp["prism2:endingPage"], xmp["prism2:volume"], xmp["prism2:number"], xmp["prism2:issn"]) == (
                "Lavrov in Islamabad: A Message Addressed Elsewhere", "The Meridian Review", "4", "6", "6", "11",
                "2049-3630")
        links = [annotation.A for page in pdf.pages for annotation in page.get("/Annots", [])
                 if annotation.get("/A") is not None]
        assert all(str(link.get("/URI", "")).startswith("https://") or "/D" in link for link in links)


@pytest.mark.slow
def test_the_print_and_screen_pdfs_say_their_publication_in_one_xmp_packet(sample_built: Path) -> None:
    for name in ("2024-11.pdf", "2024-11-screen.pdf"):
        with pikepdf.open(sample_built / name) as pdf:
            packet = pdf.Root.Metadata.read_bytes()
            assert packet.count(b"<x:xmpmeta") == 1
            with pdf.open_metadata() as xmp:
                assert (xmp["prism2:publicationName"], xmp["prism2:volume"], xmp["prism2:number"],
                        xmp["prism2:coverDate"], xmp["prism2:issn"], xmp["dc:publisher"]) == (
                    "The Meridian Review", "6", "11", "2024-11-01", "2049-3630", {"Meridian Press"})  # a Bag
    with pikepdf.open(sample_built / "2024-11.pdf") as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"  # the same packet as the PDF/X identification


@pytest.mark.slow
def test_an_epub_built_alone_is_the_one_a_full_build_makes(sample_built: Path, tmp_path: Path) -> None:
    """Alone, with no cache, the EPUB lays out the print edition to number its pages: the same file."""
    root = copy_sample(tmp_path / "magazine")
    result = run_cli("build", "2024-11", "-f", "epub", "--no-cache", cwd=root)
    assert result.returncode == 0, result.stderr
    alone = hashlib.sha256((root / "build/2024-11/2024-11.epub").read_bytes()).hexdigest()
    assert alone == hashlib.sha256((sample_built / "2024-11.epub").read_bytes()).hexdigest()


@pytest.mark.slow
def test_when_the_print_layout_fails_the_epub_and_web_edition_are_written_without_page_numbers(
        sample: Path) -> None:
    broken = sample / "layouts/pdf/piece.html"  # a layout mistake that only the print edition meets
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_thing.title }}", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "epub,html", cwd=sample)
    assert result.returncode == 0, result.stderr
    lines = problem_lines(result.stderr)
    for edition in ("EPUB", "web edition"):
        assert (f"issues/2024-11/issue.yaml: warning: the {edition} has no print page numbers: the print edition "
                "could not be made: layouts/pdf/piece.html:1: layout error: 'no_such_thing' is undefined") in lines, lines
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
        opf = archive.read("EPUB/content.opf").decode()
    assert "page-list" not in nav and "pagebreak" not in nav and "dc:source" not in opf
    assert "printPageNumbers" not in opf  # the accessibility metadata claims only what is there
    assert 'class="folio"' not in (sample / "build/2024-11/html/moscow-and-islamabad.html").read_text()
    assert_epub_valid(sample / "build/2024-11/2024-11.epub")


@pytest.mark.slow
def test_when_preflight_refuses_the_print_pdf_the_other_editions_are_written_without_page_numbers(
        sample: Path) -> None:
    """The EPUB and the web edition are made from the print layout's pages while the print PDF is still being
    assembled and checked; when its preflight then refuses it, they are made again without the numbers, which
    would cite the pages of a PDF that was not written."""
    from PIL import Image

    Image.new("CMYK", (1200, 800), (255, 255, 255, 255)).save(sample / "issues/2024-11/images/ink.jpg", quality=95)
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n![A solid block of every ink](../images/ink.jpg)\n",
                       encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf,epub,html", cwd=sample)
    assert result.returncode == 1, result.stderr
    lines = problem_lines(result.stderr)
    assert any("400% ink on the paper in places" in line for line in lines), lines
    for edition in ("EPUB", "web edition"):
        assert (f"issues/2024-11/issue.yaml: warning: the {edition} has no print page numbers: the print edition "
                "could not be made (its problems are reported with the print PDF)") in lines, lines
    assert not (sample / "build/2024-11/2024-11.pdf").exists()
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
        opf = archive.read("EPUB/content.opf").decode()
    assert "page-list" not in nav and "printPageNumbers" not in opf
    assert 'class="folio"' not in (sample / "build/2024-11/html/moscow-and-islamabad.html").read_text()


def marked(fragment: str, places: list[tuple[int, int]]) -> str:
    """`fragment` with a marker [N] at each (element's place in the tree, letters before it), as folios.mark puts them."""
    from issuepress.content.tree import parse, serialize
    from issuepress.editions.folios import Folio, mark

    tree = parse(fragment)
    folios = [Folio(str(number), "piece", node, count) for number, (node, count) in enumerate(places, start=1)]

    def marker(folio):
        element = lxml_html.Element("b")
        element.text = f"[{folio.label}]"
        return element

    mark(tree, folios, marker)
    return serialize(tree).replace("<b>", "").replace("</b>", "")


def test_a_page_begins_at_its_first_word_or_after_a_word_it_began_inside() -> None:
    text = "<p>The chloroform, a well-known drug, was <em>here</em> at last.</p>"
    # p is node 1, em node 2; letters are counted without spaces: "Thechloroform,awell-knowndrug,was" then "atlast."
    assert marked(text, [(1, 3)]) == "<p>The [1]chloroform, a well-known drug, was <em>here</em> at last.</p>"
    assert marked(text, [(1, 8)]) == "<p>The chloroform, [1]a well-known drug, was <em>here</em> at last.</p>"
    assert marked(text, [(1, 20)]) == "<p>The chloroform, a well-known [1]drug, was <em>here</em> at last.</p>"
    assert marked(text, [(2, 0), (1, 33)]) == "<p>The chloroform, a well-known drug, was <em>[1]here</em> [2]at last.</p>"
    assert marked(text, [(1, 36)]) == "<p>The chloroform, a well-known drug, was <em>here</em> at last.[1]</p>"
    assert marked(text, [(1, 99)]) == "<p>The chloroform, a well-known drug, was <em>here</em> at last.[1]</p>"
    assert marked(text, [(1, 3), (1, 30)]) == (
        "<p>The [1]chloroform, a well-known drug, [2]was <em>here</em> at last.</p>")


def test_a_page_that_begins_with_an_image_begins_before_it() -> None:
    assert marked('<p>Text</p><figure><img src="x.png" alt="X"></figure>', [(3, -1)]) == (
        '<p>Text</p><figure>[1]<img src="x.png" alt="X"></figure>')


def test_citations_for_reference_managers_escape_what_bibtex_reads_as_commands() -> None:
    from issuepress.editions.citation import Citation, bibtex, ris

    cited = Citation(("Ada Lovelace", "Hypatia"), "Tolls & dues: 100% of it", "The Review", 2, 3, "2025-01-01",
                     "January 2025", "7\u20139", None, None, None, "en", "lovelace2025tolls")
    entry = bibtex(cited)
    assert "author = {Ada Lovelace and Hypatia}" in entry and r"title = {Tolls \& dues: 100\% of it}" in entry
    assert "pages = {7--9}" in entry and "url" not in entry and "issn" not in entry
    record = ris(cited)
    assert "AU  - Lovelace, Ada\r\nAU  - Hypatia\r\n" in record and "SP  - 7\r\nEP  - 9\r\n" in record
