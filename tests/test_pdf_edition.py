"""The print PDF and the screen PDF: geometry, binding, fonts, outline, contents, pixels, preflight."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import STRAND_ORDER, copy_sample, problem_lines, run_cli, run_on_terminal
from pdftools import PT_PER_MM, boxes, contents_numbers, fonts, outline, page_texts, render_page

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server

A4 = (210 * PT_PER_MM, 297 * PT_PER_MM)
SAMPLE_TITLES = ["Lavrov in Islamabad: A Message Addressed Elsewhere", "Letter from Lahore: Pages in the Haze"]
THEME_FONTS = ("Charis-SIL", "Inter", "Noto-Naskh-Arabic")


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("pdf") / "magazine")
    result = run_cli("build", "2024-11", "--format", "pdf,screen-pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "12 pages, saddle-stitch" in result.stderr  # the summary reports the final page count
    return root / "build/2024-11"


@pytest.fixture(scope="module")
def strand_pdf(strand: Path) -> Path:
    result = run_cli("build", "1891-07", "--format", "pdf", cwd=strand)
    assert result.returncode == 0, result.stderr
    return strand / "build/1891-07/1891-07.pdf"


def squash(text: str) -> str:
    """Text without whitespace or bidi controls: pdftotext writes letter-spaced capitals as 'N OT E S'
    and wraps right-to-left runs in embedding marks."""
    return "".join(ch for ch in text if not ch.isspace() and not "\u202a" <= ch <= "\u202e")


def assert_geometry(pdf: Path, trim: tuple[float, float], bleed_mm: float) -> None:
    bleed = bleed_mm * PT_PER_MM
    for number, page in enumerate(boxes(pdf), start=1):
        left, bottom, right, top = page["TrimBox"]
        assert (round(right - left, 1), round(top - bottom, 1)) == (round(trim[0], 1), round(trim[1], 1)), number
        assert page["BleedBox"] == pytest.approx((left - bleed, bottom - bleed, right + bleed, top + bleed), abs=0.02)
        media = page["MediaBox"]
        assert media[0] <= page["BleedBox"][0] and media[2] >= page["BleedBox"][2], "marks need room past the bleed"


def test_sample_geometry_and_binding(sample_pdfs: Path) -> None:
    pdf = sample_pdfs / "2024-11.pdf"
    assert_geometry(pdf, A4, 3)
    pages = len(PdfReader(str(pdf)).pages)
    assert pages == 12 and pages % 4 == 0
    texts = page_texts(pdf)
    assert squash(texts[-2]) == "NOTES", "saddle-stitch padding goes before the back cover"
    assert "ISSN 2049-3630" in texts[-1]


def test_strand_geometry_and_perfect_binding(strand_pdf: Path) -> None:
    assert_geometry(strand_pdf, (6.5 * 72, 9.5 * 72), 0.125 * 25.4)
    texts = page_texts(strand_pdf)
    assert not any(squash(text) == "NOTES" for text in texts), "an even count needs no padding"
    assert len(texts) > 150 and len(texts) % 2 == 0


@pytest.mark.parametrize("name", ["2024-11.pdf", "2024-11-screen.pdf"])
def test_every_font_is_embedded_and_from_the_theme(sample_pdfs: Path, name: str) -> None:
    found = fonts(sample_pdfs / name)
    assert found
    for font, embedded in found:
        assert embedded, f"{font} is not embedded"
        assert font.split("+")[-1].startswith(THEME_FONTS), f"{font} is not a theme font"
    # each part embeds its own subsets: none may share a name with another (RIPs cache fonts by name)
    names = [font for font, _ in found]
    assert len(names) == len(set(names)), sorted(names)


def test_outline_lists_sections_and_articles(sample_pdfs: Path, strand_pdf: Path) -> None:
    entries = outline(sample_pdfs / "2024-11.pdf")
    titles = [title for _, title, _ in entries]
    for expected in ["Contents", "Editor\u2019s note", "Analysis", *SAMPLE_TITLES, "Contributors"]:
        assert expected in titles
    assert (1, SAMPLE_TITLES[0], 4) in entries  # nested under its section
    strand_titles = [title for depth, title, _ in outline(strand_pdf) if depth == 1]
    assert len(strand_titles) == len(STRAND_ORDER)


@pytest.mark.parametrize("which", ["sample", "strand"])
def test_contents_page_numbers_are_where_articles_start(which: str, sample_pdfs: Path, strand_pdf: Path) -> None:
    pdf = sample_pdfs / "2024-11.pdf" if which == "sample" else strand_pdf
    texts = page_texts(pdf)
    printed = contents_numbers(texts[1])
    assert len(printed) >= (4 if which == "sample" else 13)
    for title, number in printed.items():
        # the article opens on that page: its title is in the page's first lines, under no running head
        opening = squash("".join(texts[number - 1].splitlines()[:8]))
        assert squash(title) in opening, (title, number, opening[:120])
        assert not any(squash(title) in squash(text) for text in texts[2:number - 1]), \
            f"{title} appears before page {number}"


@pytest.mark.parametrize("which", ["sample", "strand"])
def test_folios_and_running_heads(which: str, sample_pdfs: Path, strand_pdf: Path) -> None:
    pdf = sample_pdfs / "2024-11.pdf" if which == "sample" else strand_pdf
    texts = page_texts(pdf)
    starts = {page for _, title, page in outline(pdf)}
    for number, text in enumerate(texts, start=1):
        lines = [squash(line) for line in text.splitlines() if squash(line)]
        if number == 1 or number == len(texts) or squash(text) in ("", "NOTES"):
            assert not lines or not lines[-1].isdigit(), f"page {number} has a folio"
            continue
        assert lines[-1] == str(number), f"page {number} has folio {lines[-1]!r}"
        if number not in starts and number > 2:  # past the opening, every page carries a running head
            head = lines[0]
            expected = "Review" if which == "sample" else "Strand"
            if number % 2 == 0:  # a left-hand page: the publication
                assert expected in head, (number, head)
            else:  # a right-hand page: the article (or back matter) it belongs to
                assert expected not in head and len(head) > 3, (number, head)


def test_metadata(sample_pdfs: Path) -> None:
    reader = PdfReader(str(sample_pdfs / "2024-11.pdf"))
    meta = reader.metadata
    assert meta.title == "The Meridian Review \u2014 November 2024"
    assert meta.author == "Rashed Rahman"
    assert meta.subject.startswith("Russia\u2019s foreign minister")
    assert meta["/Keywords"] == "Pakistan, Russia, Afghanistan, India, Lahore"
    assert meta["/CreationDate"] == "D:20241101000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_cover_and_opening_are_not_blank(sample_pdfs: Path, tmp_path: Path) -> None:
    pdf = sample_pdfs / "2024-11.pdf"
    for number in (1, 4):
        image = Image.open(render_page(pdf, number, tmp_path / f"page{number}", dpi=50)).convert("L")
        inked = sum(image.histogram()[:200]) / (image.width * image.height)
        assert inked > (0.5 if number == 1 else 0.05), f"page {number} looks blank ({inked:.3f} inked)"


@pytest.mark.parametrize("size", [(2800, 3600), (4000, 2000)])  # taller, and wider, than the page
def test_a_cover_image_fills_the_bleed_on_every_side(size: tuple[int, int], sample: Path, tmp_path: Path) -> None:
    """A printer trims inside the bleed: any paper left there shows as a white edge on the cover."""
    Image.new("RGB", size, (0, 160, 60)).save(sample / "issues/2024-11/images/cover.jpg", quality=95)
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    pdf = sample / "build/2024-11/2024-11.pdf"
    media, bleed, trim = (boxes(pdf)[0][name] for name in ("MediaBox", "BleedBox", "TrimBox"))
    page = Image.open(render_page(pdf, 1, tmp_path / "cover", dpi=72)).convert("RGB")  # a pixel a point

    def at(x: float, y: float) -> tuple[int, int, int]:
        return page.getpixel((round(x - media[0]), round(media[3] - y)))

    middle_x, middle_y = (trim[0] + trim[2]) / 2, (trim[1] + trim[3]) / 2
    in_the_bleed = {"left": at((bleed[0] + trim[0]) / 2, middle_y), "right": at((bleed[2] + trim[2]) / 2, middle_y),
                    "bottom": at(middle_x, (bleed[1] + trim[1]) / 2), "top": at(middle_x, (bleed[3] + trim[3]) / 2)}
    for side, (red, green, blue) in in_the_bleed.items():
        assert green > 120 and red < 60 and blue < 100, f"the {side} bleed is not the cover's green: {in_the_bleed}"


def test_characters_no_font_has_stop_the_pdfs_at_their_line_and_the_other_editions_are_written(
        sample: Path) -> None:
    """They would print as empty boxes; no font anywhere has a private-use character of plane 16. The reading
    apps' and browsers' editions fall back on the reader's fonts: they are written."""
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8") + "\nA mark only a private font has: \U0010FFFD.\n\nAn <font>old</font> tag.\n"
    article.write_text(text, encoding="utf-8")
    number = text.splitlines().index("A mark only a private font has: \U0010FFFD.") + 1
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 1, result.stderr
    # The issue's warnings are said with the problem that stopped the PDFs, not lost with it
    assert any(line.startswith("issues/2024-11/articles/letter-from-lahore.md:") and "<font>" in line
               for line in problem_lines(result.stderr)), result.stderr
    assert any(line.startswith(f"issues/2024-11/articles/letter-from-lahore.md:{number}: \u201cLetter from Lahore")
               and "print as empty boxes" in line and "U+10FFFD" in line
               for line in problem_lines(result.stderr)), result.stderr
    assert "pdf: not written (1 problem)" in result.stderr and "screen-pdf: not written" in result.stderr
    assert not (sample / "build/2024-11/2024-11.pdf").exists()
    assert (sample / "build/2024-11/2024-11.epub").is_file() and (sample / "build/2024-11/html/index.html").is_file()
    # ... without the page numbers of a print edition that was not made, and saying so
    for edition in ("EPUB", "web edition"):
        assert (f"issues/2024-11/issue.yaml: warning: the {edition} has no print page numbers: the print edition "
                "could not be made (its problems are reported with the print PDF)") in problem_lines(result.stderr)
    assert sum("U+10FFFD" in line for line in problem_lines(result.stderr)) == 1, result.stderr  # said once
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as archive:
        assert b"pagebreak" not in archive.read("EPUB/moscow-and-islamabad.xhtml")
        assert b"page-list" not in archive.read("EPUB/nav.xhtml")


def test_nested_lists_are_marked_in_the_theme_s_fonts(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n- one\n  - two\n    - three\n\n"
                       "1. first\n   - inside\n\nA note.[^list]\n\n[^list]: A note with a list:\n\n    - item\n",
                       encoding="utf-8")
    magazine = sample / "magazine.yaml"  # notes at the end: an ordered list whose notes may hold lists
    magazine.write_text(re.sub(r"(?m)^  footnotes: .*$", "  footnotes: end", magazine.read_text()))
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0 and "a font of this computer" not in result.stderr, result.stderr
    text = "\n".join(page_texts(sample / "build/2024-11/2024-11.pdf"))
    assert re.search(r"\u2022\s+one\s+\u2013\s+two\s+\u2023\s+three", text), text[-400:]
    assert re.search(r"1\.\s+first\s+\u2013\s+inside", text), text[-400:]


def test_a_footnote_holding_a_code_block_and_a_list_keeps_them_in_the_note(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nFirst sentence.[^run] Second sentence.\n\n"
                       "[^run]: Run this:\n\n    ```\n    make press\n    ```\n\n    - a list item\n",
                       encoding="utf-8")
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    page = next(text for text in page_texts(sample / "build/2024-11/2024-11.pdf") if "First sentence" in text)
    assert re.search(r"First sentence\.\s*1 Second sentence\.", page), page  # the body reads on
    note = page.index("Run this:")
    assert note > page.index("Second sentence") and page.index("make press") > note, page
    assert page.index("a list item") > page.index("make press"), page


def test_an_article_s_opening_paragraph_is_not_indented_and_the_next_ones_are(sample_pdfs: Path) -> None:
    lines = "\n".join(page_texts(sample_pdfs / "2024-11.pdf")).splitlines()
    opening = next(line for line in lines if "November in Lahore arrives twice" in line)
    assert opening.startswith("November"), opening
    later = next(line for line in lines if "I left with three books" in line)
    assert later.startswith(" ") and later.strip().startswith("I left"), later


def test_footnotes_sit_at_the_foot_of_their_page(sample_pdfs: Path) -> None:
    page = page_texts(sample_pdfs / "2024-11.pdf")[3]
    body, _, foot = page.partition("The phrase is usually credited to Arthur Conolly")
    assert "theGreatGame" in squash(body) and foot.strip() and "NOTES" not in squash(page)


def test_urdu_article_text_is_there(sample_pdfs: Path) -> None:
    texts = page_texts(sample_pdfs / "2024-11.pdf")
    assert any("\u062e\u0632\u0627\u06ba" in text for text in texts)  # the title's last word, خزاں


def test_screen_pdf_has_no_bleed_and_clickable_contents(sample_pdfs: Path) -> None:
    pdf = sample_pdfs / "2024-11-screen.pdf"
    for page in boxes(pdf):
        assert page["MediaBox"] == pytest.approx((0, 0, *A4), abs=0.1)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 10  # cover to back cover, without the Notes pages
    links = [annotation.get_object() for annotation in reader.pages[1].get("/Annots", [])]
    targets = [str(link["/A"]["/D"]) for link in links if link.get("/A", {}).get("/S") == "/GoTo"]
    assert len(targets) >= 5, "every contents entry links to its article"
    destinations = reader.named_destinations
    texts = page_texts(pdf)
    for target, word in (("moscow-and-islamabad", "Lavrov"), ("letter-from-lahore", "Lahore")):
        assert target in targets
        assert word in texts[reader.get_destination_page_number(destinations[target])]


def test_two_builds_are_byte_identical(sample: Path, tmp_path: Path) -> None:
    digests = []
    for run in ("one", "two"):
        assert run_cli("build", "2024-11", "-f", "pdf", "--out", str(tmp_path / run), cwd=sample).returncode == 0
        digests.append(hashlib.sha256((tmp_path / run / "2024-11.pdf").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def _asks_full_width(sample: Path) -> None:
    """The article asks for the timeline across the column, whatever its pixels: `<img width="100%">`."""
    article = sample / "issues/2024-11/articles/moscow-and-islamabad.md"
    text = article.read_text(encoding="utf-8")
    image = re.search(r"(?m)^!\[[^\]]*\]\(\.\./images/timeline\.png[^)]*\)$", text)
    assert image is not None
    article.write_text(text.replace(image.group(0), '<img src="../images/timeline.png" alt="A timeline" width="100%">'),
                       encoding="utf-8")


def test_low_resolution_image_fails_preflight_at_the_width_its_author_asks(sample: Path) -> None:
    small = Image.open(sample / "issues/2024-11/images/timeline.png").resize((400, 200))
    small.save(sample / "issues/2024-11/images/timeline.png")
    _asks_full_width(sample)
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 1
    # named as the article writes it, not as the editions rename it
    assert any(line.startswith("issues/2024-11/articles/moscow-and-islamabad.md:21: image ../images/timeline.png "
                               "prints at") and "below the 150 ppi minimum" in line
               for line in problem_lines(result.stderr)), result.stderr
    assert not (sample / "build/2024-11/2024-11.pdf").exists()


def test_check_print_runs_preflight_without_writing(sample: Path) -> None:
    result = run_cli("check", "2024-11", "--print", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert "print PDF: 12 pages, saddle-stitch, 8 fonts embedded" in result.stderr
    Image.new("RGB", (300, 150), "red").save(sample / "issues/2024-11/images/timeline.png")
    _asks_full_width(sample)
    result = run_cli("check", "2024-11", "--print", cwd=sample)
    assert result.returncode == 1
    assert "below the 150 ppi minimum" in result.stderr
    assert not (sample / "build").exists()


def test_an_image_whose_own_resolution_is_too_low_for_the_column_warns(sample: Path) -> None:
    """1200 pixels at 200 dpi would print 6 inches wide: the column takes 5.3, at 226 ppi."""
    image = Image.open(sample / "issues/2024-11/images/timeline.png").resize((1200, 600))
    image.save(sample / "issues/2024-11/images/timeline.png", dpi=(200, 200))
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("issues/2024-11/articles/moscow-and-islamabad.md:21: warning: image "
                               "../images/timeline.png prints at 22") and "300 ppi" in line
               for line in problem_lines(result.stderr)), result.stderr


def test_recto_openings_and_no_marks(sample: Path) -> None:
    settings = sample / "magazine.yaml"
    text = settings.read_text().replace("recto: false", "recto: true").replace("marks: crop", "marks: none")
    settings.write_text(text.replace("footnotes: foot", "footnotes: end"))
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    pdf = sample / "build/2024-11/2024-11.pdf"
    starts = [page for depth, title, page in outline(pdf) if title in SAMPLE_TITLES or title == "Editor\u2019s note"]
    assert starts and all(page % 2 == 1 for page in starts), starts
    for page in boxes(pdf):
        assert page["MediaBox"] == pytest.approx(page["BleedBox"], abs=0.02)
    texts = page_texts(pdf)
    assert any("NOTES" in squash(text) and "The phrase is usually credited" in text for text in texts), \
        "endnotes follow the article"


@pytest.mark.parametrize("recto", ["false", "true"])
def test_a_perfect_bound_issue_ends_on_a_left_hand_back_cover(recto: str, sample: Path) -> None:
    settings = sample / "magazine.yaml"
    settings.write_text(settings.read_text().replace("binding: saddle-stitch", "binding: perfect-bound")
                        .replace("recto: false", f"recto: {recto}"))
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    texts = page_texts(sample / "build/2024-11/2024-11.pdf")
    assert len(texts) % 2 == 0, f"{len(texts)} pages: the back cover would be a right-hand page"
    assert "ISSN 2049-3630" in texts[-1]


def test_parts_are_laid_out_in_parallel_at_a_terminal(tmp_path: Path) -> None:
    """An editor's terminal shows a live progress display, which runs a thread; the layout processes
    must still start (they are forked before it), one per core."""
    root = copy_sample(tmp_path / "magazine")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "250", "TERM": "xterm"}
    text = run_on_terminal(["build", "2024-11", "-f", "pdf", "--no-cache"], root, env)
    assert "Traceback" not in text
    cores = len(os.sched_getaffinity(0))
    expected = f"parts laid out in {cores} processes" if cores > 1 else "parts laid out\r"
    assert expected in text, text[-2000:]


def long_list(tmp_path: Path, count: int, print_settings: str, entry) -> Path:
    """A magazine on A5 whose issue 2025-03 holds `count` one-line notes, listed in the manifest by `entry(n)`."""
    root = tmp_path / "magazine"
    (root / "issues/2025-03/articles").mkdir(parents=True)
    (root / "magazine.yaml").write_text(f"title: The Long List\nprint:\n  trim: a5\n{print_settings}",
                                        encoding="utf-8")
    for n in range(1, count + 1):
        (root / f"issues/2025-03/articles/note-{n}.md").write_text(
            f"---\ntitle: Note number {n}\n---\n\nA short note, number {n}.\n", encoding="utf-8")
    entries = "\n".join(entry(n) for n in range(1, count + 1))
    (root / "issues/2025-03/issue.yaml").write_text(
        f"volume: 1\nnumber: 3\ndate: 2025-03-01\narticles:\n{entries}\n", encoding="utf-8")
    return root


def test_contents_running_over_a_page_still_numbers_every_article(tmp_path: Path) -> None:
    """The contents page is laid out as if it fitted one page; a longer one is laid out again."""
    root = long_list(tmp_path, 40, "  recto: true\n", lambda n: f"  - articles/note-{n}.md")
    result = run_cli("build", "2025-03", "-f", "pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    texts = page_texts(root / "build/2025-03/2025-03.pdf")
    printed: dict[str, int] = {}
    for page in texts[1:4]:
        printed |= contents_numbers(page)
    assert len(printed) == 40, sorted(printed)
    assert contents_numbers(texts[1]) and contents_numbers(texts[2]), "the contents should run over a page"
    for title, number in printed.items():
        opening = squash("".join(texts[number - 1].splitlines()[:8]))
        assert squash(title) in opening, (title, number, opening[:120])


def test_weasyprint_loads_its_libraries_without_running_a_compiler(tmp_path: Path) -> None:
    """ctypes looks for a library WeasyPrint names by running gcc and ld (a quarter of a second per build
    process); issuepress lets the system's loader open the libraries by their sonames instead."""
    import subprocess
    import sys

    ran = tmp_path / "ran"
    for tool in ("gcc", "cc", "ld", "ldconfig"):  # a program that notes it was run, then does what the real one does
        real = next((Path(d, tool) for d in ("/usr/bin", "/sbin", "/usr/sbin") if Path(d, tool).exists()), None)
        script = tmp_path / tool
        script.write_text(f'#!/bin/sh\necho {tool} >> "{ran}"\n' + (f'exec {real} "$@"\n' if real else "exit 1\n"))
        script.chmod(0o755)
    probe = ("from issuepress.editions.pdf.loader import weasyprint\n"
             "from weasyprint.text import ffi\n"
             "print(ffi.pango.pango_version() > 0, ffi.harfbuzz_subset is not None)\n")
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == ["True", "True"], result.stderr
    assert not ran.exists(), ran.read_text()
    # The probe can see these programs being run: loading WeasyPrint itself, as every other program does, runs them.
    plain = subprocess.run([sys.executable, "-c", "import weasyprint"], capture_output=True, text=True, env=env)
    assert plain.returncode == 0 and ran.exists(), plain.stderr


@pytest.mark.parametrize("name", ["2024-11.pdf", "2024-11-screen.pdf"])
def test_running_heads_sit_above_the_text_and_folios_below_it(name: str, sample_pdfs: Path) -> None:
    """Read where the words are: a head or a folio drawn in the page's own flipped coordinates would
    still be extracted as text, upside down at the other end of the page."""
    import html
    import subprocess

    layout = subprocess.run(["pdftotext", "-f", "5", "-l", "5", "-bbox", str(sample_pdfs / name), "-"],
                            capture_output=True, text=True, check=True).stdout
    words = [(float(top), float(bottom), html.unescape(text)) for top, bottom, text in
             re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', layout)]
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', layout).group(1))
    highest, lowest = min(words), max(words, key=lambda word: word[1])
    assert lowest[2] == "5" and lowest[0] > height * 0.85, lowest
    assert not highest[2].isdigit() and highest[1] < height * 0.15, highest


def test_a_tall_image_is_scaled_to_the_page_and_an_overlong_footnote_is_refused(sample: Path) -> None:
    images, article = sample / "issues/2024-11/images", sample / "issues/2024-11/articles/letter-from-lahore.md"
    Image.new("RGB", (1500, 9000), (20, 120, 90)).save(images / "tall.png", dpi=(300, 300))
    text = article.read_text(encoding="utf-8")
    article.write_text(text + '\n![A tall infographic](../images/tall.png "Tall.")\n\nAfter it.\n', encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    # A footnote longer than a small page: WeasyPrint stacks it upwards, over the running head and off the page.
    magazine = sample / "magazine.yaml"
    magazine.write_text(re.sub(r"(?m)^  trim: .*$", "  trim: A6", magazine.read_text()))
    note = " ".join(["This footnote sentence goes on at some length to fill the page."] * 40)
    article.write_text(text + f"\nA note.[^long]\n\n[^long]: {note}\n", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 1
    # said at the note's line: the note is what runs out
    number = (text + "\nA note.[^long]\n\n[^long]: ").count("\n") + 1
    assert any(line.startswith(f"issues/2024-11/articles/letter-from-lahore.md:{number}: content runs out of the page "
                               "in “Letter from Lahore: Pages in the Haze”, past the trim or over the running head")
               for line in problem_lines(result.stderr)), result.stderr


def test_a_piece_without_a_section_is_set_apart_from_the_section_before_it_on_the_contents_page(
        sample: Path) -> None:
    import html
    import subprocess

    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("    section: Urdu Page\n", ""))
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    layout = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(sample / "build/2024-11/2024-11.pdf"),
                             "-"], capture_output=True, text=True, check=True).stdout
    words = {html.unescape(text): (float(top), float(bottom)) for top, bottom, text in
             re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', layout)}
    # The Culture piece's byline, then the unsectioned Urdu page (on page 8); Nadia's byline, then Contributors (9).
    after_section = words["8"][0] - words["Bilal"][1]
    between_entries = words["9"][0] - words["Nadia"][1]
    assert after_section > between_entries + 10, (after_section, between_entries)


def test_latin_words_in_an_urdu_title_and_text_are_set_in_the_theme_fonts(sample: Path) -> None:
    """Naskh has no Latin letters: without Charis SIL after it, the computer's own serif set them."""
    article = sample / "issues/2024-11/articles/urdu-page.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"(?m)^title: .*$", 'title: "القاهرة Cairo"', text, count=1)
                       + "\n**Bold English** and *italic English*.\n", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert "a font of this computer" not in result.stderr
    names = {name.split("+")[-1] for name, _ in fonts(sample / "build/2024-11/2024-11.pdf")}
    assert all(name.startswith(THEME_FONTS) for name in names), names


def test_a_low_resolution_cover_is_said_at_the_manifests_cover_line(sample: Path) -> None:
    Image.new("RGB", (300, 420), (0, 160, 60)).save(sample / "issues/2024-11/images/cover.jpg")
    line = (sample / "issues/2024-11/issue.yaml").read_text().splitlines().index("cover: images/cover.jpg") + 1
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 1
    assert any(line_.startswith(f"issues/2024-11/issue.yaml:{line}: cover cover.jpg prints at")
               for line_ in problem_lines(result.stderr)), result.stderr


def test_a_layout_may_put_its_own_running_head_in_the_top_margin(sample: Path) -> None:
    from issuepress.layouts import builtin_theme_dir

    (sample / "layouts/css").mkdir(parents=True)
    print_css = (builtin_theme_dir() / "layouts/css/print.css").read_text()
    (sample / "layouts/css/print.css").write_text(print_css + '\n@page { @top-center { content: "The Review" } }\n')
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert "The Review" in page_texts(sample / "build/2024-11/2024-11.pdf")[4]


def test_on_a_small_trim_the_back_covers_lines_do_not_overprint_and_a_description_too_long_is_refused(
        sample: Path) -> None:
    import html
    import subprocess

    magazine = sample / "magazine.yaml"
    magazine.write_text(re.sub(r"(?m)^  trim: .*$", '  trim: "100mm 100mm"', magazine.read_text()))
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=sample).returncode == 0
    pdf = sample / "build/2024-11/2024-11.pdf"
    last = str(len(page_texts(pdf)))
    layout = subprocess.run(["pdftotext", "-f", last, "-l", last, "-bbox", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    words = [(float(top), float(bottom), html.unescape(text)) for top, bottom, text in
             re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', layout)]
    lines = sorted({(top, bottom) for top, bottom, _ in words})
    assert len(lines) > 8  # the title on two lines, the description on several
    # Boxes include the fonts' ascent and descent, so the lines of a paragraph overlap a little; set over each
    # other, the next line started less than a third of a line below the one before
    assert all(below[0] - above[0] > 0.7 * (above[1] - above[0]) for above, below in zip(lines, lines[1:])), lines
    manifest = sample / "issues/2024-11/issue.yaml"
    long = " ".join(["A description that goes on and on."] * 40)
    manifest.write_text(re.sub(r"description: >-\n(?:  .*\n)+", f"description: {long}\n", manifest.read_text()))
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 1
    assert any(line.startswith("issues/2024-11/issue.yaml: content runs out of the page in the back-cover")
               and line.endswith("shorten the issue's description or the magazine's title")
               for line in problem_lines(result.stderr)), result.stderr


def test_a_note_cited_inside_another_note_is_numbered_after_it_in_print(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace("Everyone you meet has an opinion about masks.",
                        "Everyone you meet has an opinion about masks. First call.[^a] Second call.[^c]", 1)
    article.write_text(text + "\n[^a]: Note A, which cites another.[^b]\n\n[^b]: Note B, cited from note A.\n\n"
                              "[^c]: Note C, from the body.\n", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf,html", cwd=sample)
    assert result.returncode == 0, result.stderr
    printed = " ".join(" ".join(page_texts(sample / "build/2024-11/2024-11.pdf")).split())
    # WeasyPrint's own counter numbered the nested note 1 and the article's first note 2
    assert "First call.1 Second call.3" in printed
    assert "1. Note A, which cites another.2 2. Note B, cited from note A. 3. Note C, from the body." in printed
    # and the web edition (like the EPUB) gives each note the same number
    page = (sample / "build/2024-11/html/letter-from-lahore.html").read_text(encoding="utf-8")
    notes = re.findall(r'<li id="fn(\d+)" class="footnote-item"><p>([^<]*)', page)
    assert notes == [("1", "Note A, which cites another."), ("2", "Note B, cited from note A. "),
                     ("3", "Note C, from the body. ")], notes


def test_an_image_in_a_footnote_stays_small_enough_for_the_note_to_sit_under_its_call(sample: Path) -> None:
    """Full size, the image made the notes taller than the rest of the page; WeasyPrint moved them to the
    next page and set them over its text."""
    Image.new("RGB", (3000, 3000), (120, 30, 60)).save(sample / "issues/2024-11/images/square.png", dpi=(300, 300))
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    # A figure first fills most of the page, leaving little room under the call
    text = article.read_text(encoding="utf-8").replace(
        "November in Lahore arrives twice.", '![A square](../images/square.png "A figure.")\n\nNovember in Lahore '
        "arrives twice.", 1).replace(
        "Everyone you meet has an opinion about masks.", "Everyone you meet has an opinion about masks.[^pic]", 1)
    article.write_text(text + "\n[^pic]: A note holding an image ![A square](../images/square.png) and text.\n",
                       encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    import subprocess

    pdf = sample / "build/2024-11/2024-11.pdf"
    pages = [" ".join(page.split()) for page in page_texts(pdf)]
    [called] = [number for number, page in enumerate(pages, start=1) if "an opinion about masks." in page]
    [noted] = [number for number, page in enumerate(pages, start=1) if "A note holding an image and text." in page]
    assert noted in (called, called + 1)  # no room left under the call: the note goes to the next page
    listed = subprocess.run(["pdfimages", "-list", "-f", str(noted), "-l", str(noted), str(pdf)],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    ppi = max(int(row.split()[12]) for row in listed)  # the note's image, the smallest drawn on its page
    assert 3000 / ppi * 25.4 <= 30.5, f"the note's image is {3000 / ppi * 25.4:.0f} mm tall"


def test_a_section_label_on_the_contents_page_is_never_left_at_the_foot_without_its_articles(
        tmp_path: Path) -> None:
    # on A5, one article a section: without care a page ended with a section's label
    root = long_list(tmp_path, 30, "", lambda n: f"  - file: articles/note-{n}.md\n    section: Part {n}")
    result = run_cli("build", "2025-03", "-f", "pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    texts = page_texts(root / "build/2025-03/2025-03.pdf")
    contents = [page for page in texts[1:8] if contents_numbers(page)]
    assert len(contents) > 1
    for page in contents:
        lines = [line for line in page.splitlines() if line.strip()]
        last = lines[-2]  # the line above the folio
        assert not re.fullmatch(r"PART\d+", re.sub(r"\s", "", last)), page


def test_in_a_right_to_left_issue_bylines_and_code_still_read_left_to_right(sample: Path) -> None:
    import html
    import subprocess

    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("language: en\n", "language: ur\n"))
    english = sample / "issues/2024-11/articles/moscow-and-islamabad.md"
    english.write_text(english.read_text(encoding="utf-8").replace("authors:", "language: en\nauthors:", 1),
                       encoding="utf-8")
    urdu = sample / "issues/2024-11/articles/urdu-page.md"
    urdu.write_text(urdu.read_text(encoding="utf-8") + "\n```\nprint('hello')  # کوڈ\n```\n", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    pdf = sample / "build/2024-11/2024-11.pdf"
    pages = page_texts(pdf)

    def lefts(number: int) -> dict[str, float]:
        """Where each word of a page starts, from the left edge."""
        layout = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-bbox", str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout
        return {html.unescape(word): float(left) for left, word in
                re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', layout)}

    # Nadia's byline on the Urdu page, Samira's on the English article: both "By" then the name, not reversed
    for name in ("Nadia", "Samira"):
        number = next(n for n, page in enumerate(pages, start=1) if f"By {name}" in " ".join(page.split())
                      or re.search(rf"\bBy\b.*\b{name}\b|\b{name}\b.*\bBy\b", page))
        words = lefts(number)
        assert words["By"] < words[name], (name, words)
    number = next(n for n, page in enumerate(pages, start=1) if "hello" in page)
    words = lefts(number)
    assert words["print('hello')"] < words["#"], words


def test_a_note_cited_in_a_heading_is_set_as_a_note_and_left_out_of_the_bookmark(sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("November in Lahore arrives twice.",
                                    "## Heading with note[^h]\n\nNovember in Lahore arrives twice.", 1)
                       + "\n[^h]: A note from a heading.\n", encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    pdf = sample / "build/2024-11/2024-11.pdf"
    assert "Heading with note" in [title for _level, title, _page in outline(pdf)]  # not "Heading with note1"
    reader = PdfReader(str(pdf))
    fonts_of: dict[str, set[str]] = {}

    def seen(text, _cm, _tm, font, _size) -> None:
        if text.strip() and font:
            fonts_of.setdefault(text.strip(), set()).add(str(font.get("/BaseFont")))

    for page in reader.pages:
        page.extract_text(visitor_text=seen)
    heading = {font for text, fonts in fonts_of.items() if "Heading with note" in text for font in fonts}
    note = {font for text, fonts in fonts_of.items() if "A note from a heading." in text for font in fonts}
    assert heading and all("Bold" in font for font in heading), fonts_of
    assert note and not any("Bold" in font for font in note), note


def test_a_heading_that_is_an_image_is_bookmarked_by_its_alt_text_and_one_without_words_is_not(
        sample: Path) -> None:
    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("November in Lahore arrives twice.",
                                    "## ![The fair's sign](../images/cover.jpg)\n\nNovember in Lahore arrives twice."
                                    "\n\n## ![](../images/cover.jpg)\n\nMore.", 1), encoding="utf-8")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    titles = [title for _level, title, _page in outline(sample / "build/2024-11/2024-11.pdf")]
    assert "The fair's sign" in titles or "The fair\u2019s sign" in titles, titles
    assert "" not in [title.strip() for title in titles], titles
