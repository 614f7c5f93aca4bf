"""Every script the magazine prints, in the theme's own fonts; web-sized images at the size their pixels make;
the pages a saddle stitch holds. Judged from the PDFs with poppler and pypdf, the EPUB with EPUBCheck."""

from __future__ import annotations

import collections
import json
import re
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw
from pypdf import PdfReader

from issuepress.editions import faces
from issuepress.editions.pdf.fontfaces import effective_ranges
from issuepress.editions.pdf.print_html import size_images
from issuepress.errors import Problems
from issuepress.layouts import load_theme
from issuepress.load.sources import _dpi
from issuepress.model import Asset

from conftest import REPO, problem_lines, run_cli
from epubcheck_tool import assert_epub_valid
from pdftools import fonts, page_texts

GREEK = "«ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν» and ἀληθινῷ"
CYRILLIC = "Все счастливые семьи похожи друг на друга"
VIETNAMESE = "Tiếng Việt có những dấu thanh như ắ, ằ, ẳ, ẵ, ặ và chữ đ, ơ, ư"
SYMBOLS = "x ∈ A → B, a ✓ for done, ↓ below, ∀ε ∃δ, ★ and ⌘"
SCRIPTS = f"""---
title: "Every script: Ἀρχή and Начало"
authors: [ada]
---

A Greek quotation: {GREEK}, with *ἀληθείᾳ* in italics and **Σωκράτης** in bold.

A Russian one: «{CYRILLIC}.»

{VIETNAMESE}.

Symbols: {SYMBOLS}. Mathematics: ℝ, 𝑥 + 𝑦, ⊗. An emoji: 🎉 and a rocket 🚀.

Code with Greek: `λ = 2 ✓`.
"""
# Web sizes, each width once, so that poppler's list of images says which is which
WIDTHS = [320, 360, 375, 390, 412, 414, 428, 480, 540, 600, 640, 720, 768, 800, 820, 834, 840, 900, 960, 1024,
          1080, 1152, 1200, 1280, 1366, 1440, 1536, 1600, 1680, 1920]
TAGS = [None, 72, 96, 144, 300, 600]  # no dpi; a screen's (three); real ones
COLUMN_IN = 135 / 25.4  # the A4 text column
ASKED = (1000, 227)  # an image of 1000 pixels whose author asks for 227 CSS pixels (60 mm): 423 ppi


def screenshot(path: Path, width: int, dpi: int | None) -> None:
    image = Image.new("RGB", (width, width * 5 // 8), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, 40), fill=(40, 60, 120))
    for row in range(60, width * 5 // 8 - 20, 24):
        draw.rectangle((20, row, width * 2 // 3, row + 10), fill=(90, 90, 90))
    image.save(path, **({"dpi": (dpi, dpi)} if dpi else {}))


def expected_ppi(width: int, dpi: int | None) -> float:
    """As the README says: the file's own resolution if real (150 dpi or more), else print: image_ppi (300);
    never wider than the column."""
    own = dpi if dpi and dpi >= 150 else 300
    return max(own, width / COLUMN_IN)


@pytest.fixture(scope="module")
def magazine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scripts") / "magazine"
    (root / "issues").mkdir(parents=True)
    (root / "magazine.yaml").write_text(
        "title: The Polyglot\nlanguage: en\nprint:\n  trim: A4\n  binding: saddle-stitch\n"
        "  saddle_stitch_pages: 8\n", encoding="utf-8")
    (root / "contributors.yaml").write_text("ada:\n  name: Ada Example\n  bio: Writes in every script.\n",
                                             encoding="utf-8")
    for issue, articles in (("scripts", ["scripts", "screenshots"]), ("cjk", ["cjk"])):
        folder = root / "issues" / issue
        (folder / "articles").mkdir(parents=True)
        listed = "\n".join(f"  - articles/{name}.md" for name in articles)
        (folder / "issue.yaml").write_text(f"volume: 1\nnumber: 1\ndate: 2025-01-01\narticles:\n{listed}\n",
                                           encoding="utf-8")
    scripts = root / "issues/scripts"
    (scripts / "articles/scripts.md").write_text(SCRIPTS, encoding="utf-8")
    (scripts / "images").mkdir()
    figures = []
    for number, width in enumerate(WIDTHS):
        dpi = TAGS[number % len(TAGS)]
        screenshot(scripts / f"images/shot-{number:02}.png", width, dpi)
        figures.append(f"![A screenshot {width} pixels wide](../images/shot-{number:02}.png \"Screen {number}\")")
    screenshot(scripts / "images/asked.png", ASKED[0], None)
    figures.append(f'<img src="../images/asked.png" alt="A screenshot its author wants 60 mm wide" '
                   f'width="{ASKED[1]}">')
    (scripts / "articles/screenshots.md").write_text(
        "---\ntitle: Thirty screenshots\nauthors: [ada]\n---\n\n" + "\n\n".join(figures) + "\n", encoding="utf-8")
    (root / "issues/cjk/articles/cjk.md").write_text(
        "---\ntitle: A word of Chinese\nauthors: [ada]\n---\n\nLatin first.\n\nThe word 中文 in Chinese, "
        "and a mark only a private font has: \U0010FFFD.\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scripts_build(magazine: Path) -> tuple[Path, str]:
    result = run_cli("build", "scripts", cwd=magazine)
    assert result.returncode == 0, result.stderr
    return magazine / "build/scripts", result.stderr


def _theme_families() -> set[str]:
    """The families of the theme's font files, as the PDFs name them: 'NotoSansSymbols2'."""
    return {re.sub(r"\W", "", TTFont(path, lazy=True)["name"].getBestFamilyName()).lower()
            for path in (REPO / "fonts").iterdir() if path.suffix in (".ttf", ".otf")}


def _runs_by_font(pdf: Path) -> dict[str, str]:
    """Font name (without its subset tag) -> the text pypdf finds set in it."""
    found: dict[str, str] = collections.defaultdict(str)

    def visit(text, _cm, _tm, font, _size) -> None:
        if font is not None and text.strip():
            found[str(font.get("/BaseFont")).split("+")[-1]] += text + " "

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.slow
def test_every_script_builds_in_every_edition_in_the_themes_fonts(scripts_build: tuple[Path, str]) -> None:
    out, stderr = scripts_build
    families = _theme_families()
    for pdf in (out / "scripts.pdf", out / "scripts-screen.pdf"):
        used = fonts(pdf)
        assert all(embedded for _name, embedded in used), used
        names = {name.split("+")[-1] for name, _embedded in used}
        strangers = {name for name in names
                     if not any(re.sub(r"\W", "", name).lower().startswith(family) for family in families)}
        assert not strangers, f"set in fonts the theme does not have: {strangers}"
        assert {"Noto-Serif", "Noto-Sans-Math", "Noto-Sans-Symbols2", "Noto-Emoji"} <= names, names
        text = " ".join(" ".join(page_texts(pdf)).split())
        for passage in (GREEK, CYRILLIC, VIETNAMESE, SYMBOLS, "🎉 and a rocket 🚀"):
            assert passage in text, passage
    # A Greek passage is set in the Greek face throughout: no Greek letter in any other face but the
    # headings' and code's (Inter and Noto Sans Mono have Greek of their own)
    runs = _runs_by_font(out / "scripts-screen.pdf")
    greek = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
    for font, text in runs.items():
        if not font.startswith(("Noto-Serif", "Inter", "Noto-Sans-Mono")):
            assert not greek.search(text), f"Greek set in {font}: {text[:200]}"
    assert "ἀληθινῷ" in runs["Noto-Serif"] and "ἀληθείᾳ" in runs["Noto-Serif-Italic"], runs.keys()
    assert "Σωκράτης" in runs["Noto-Serif-Bold"]
    assert "a font of this computer" not in stderr and "empty boxes" not in stderr, stderr
    # The EPUB carries the faces it uses, cut to their ranges, and passes EPUBCheck
    assert_epub_valid(out / "scripts.epub")


@pytest.mark.slow
def test_web_sized_images_print_at_their_own_resolution_or_300_ppi(scripts_build: tuple[Path, str]) -> None:
    out, stderr = scripts_build
    assert "ppi" not in stderr, stderr  # neither an error nor a warning for 31 screenshots
    listed = subprocess.run(["pdfimages", "-list", str(out / "scripts.pdf")], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    printed = {}  # pixel width -> ppi across, as poppler measures it on the page
    for row in listed:
        fields = row.split()
        if fields[2] == "image":
            printed[int(fields[3])] = int(fields[12])
    wanted = {width: expected_ppi(width, TAGS[number % len(TAGS)]) for number, width in enumerate(WIDTHS)}
    wanted[ASKED[0]] = ASKED[0] / (ASKED[1] / 96)
    assert sorted(printed) == sorted(wanted)
    wrong = {width: (printed[width], round(ppi)) for width, ppi in wanted.items() if abs(printed[width] - ppi) > 1.5}
    assert not wrong, f"pixel width: (printed ppi, expected ppi) {wrong}"
    # The printer's report says each image's resolution on paper, by the name the article gives it
    report = json.loads((out / "print/preflight.json").read_text(encoding="utf-8"))
    [check] = [check for check in report["checks"] if check["check"] == "image resolution at the printed size"]
    assert check["result"] == "passed" and len(check["images"]) == len(WIDTHS) + 1
    first = next(image for image in check["images"] if image["image"] == "../images/shot-00.png")
    assert first == {"image": "../images/shot-00.png", "where": "issues/scripts/articles/screenshots.md:6",
                     "ppi": round(wanted[WIDTHS[0]])}


@pytest.mark.slow
def test_more_pages_than_a_saddle_stitch_holds_is_a_warning(scripts_build: tuple[Path, str]) -> None:
    _out, stderr = scripts_build
    stitched = [line for line in problem_lines(stderr) if "saddle stitch holds" in line]
    assert len(stitched) == 1 and stitched[0].startswith("magazine.yaml:6: warning: "), stderr
    assert "perfect-bound" in stitched[0] and "saddle_stitch_pages" in stitched[0]


@pytest.mark.slow
def test_a_character_no_theme_font_has_stops_only_the_pdfs_at_its_line(magazine: Path) -> None:
    result = run_cli("build", "cjk", cwd=magazine)
    assert result.returncode == 1, result.stderr
    said = [line for line in problem_lines(result.stderr) if "no font of the theme has" in line]
    assert len(said) == 1, result.stderr  # one line of the article (the same for both PDFs)
    assert all(line.startswith("issues/cjk/articles/cjk.md:8: \u201cA word of Chinese\u201d has U+4E2D \u4e2d, "
                               "U+6587 \u6587, U+10FFFD") for line in said), said
    assert "fonts-noto-cjk" in said[0] and "layouts/css/fonts.css" in said[0]
    out = magazine / "build/cjk"
    assert (out / "cjk.epub").is_file() and (out / "html/cjk.html").is_file()
    assert not (out / "cjk.pdf").exists() and not (out / "cjk-screen.pdf").exists()


# --- the pure parts, in the quick loop ---

def _theme():
    return load_theme(REPO, Problems(REPO))


def test_an_issue_declares_only_the_faces_it_would_set_text_in() -> None:
    theme = _theme()
    assert faces.needed("Plain Latin, café, naïve, Москва, Việt", theme) == frozenset()
    assert faces.needed("μ", theme) == {"greek"}  # Charis SIL has it, but a Greek letter is set in Greek
    assert faces.needed("x ∈ A", theme) == {"math"}
    assert faces.needed("✓", theme) == frozenset()  # both text faces have it
    assert faces.needed("★ ⌘", theme) == {"symbols"}
    assert faces.needed("🎉", theme) == {"emoji"}
    assert faces.needed("中", theme) == frozenset()  # no face has it: the PDFs say so


def test_a_face_s_range_is_cut_to_what_its_font_has_for_weasyprint() -> None:
    theme = _theme()
    css = theme.render("css/fonts.css", arabic_script=False, code=False, faces=frozenset({"math", "symbols"}),
                       unicode_ranges=faces.UNICODE_RANGES)
    ranges = faces.declared_ranges(effective_ranges(css, theme.fonts))
    covers = {name: {code for start, end in spans for code in range(start, end + 1)} for name, spans in ranges.items()}
    assert 0x2208 in covers["NotoSansMath-Regular.ttf"]  # ∈
    assert 0x2318 not in covers["NotoSansMath-Regular.ttf"]  # ⌘: in Math's range, not in its font
    assert 0x2318 in covers["NotoSansSymbols2-Regular.ttf"]
    assert "CharisSIL-Regular.ttf" not in ranges  # a face without a range keeps none


def test_images_are_sized_by_their_own_resolution_else_by_image_ppi_unless_their_author_asks() -> None:
    from lxml import html as lxml_html

    tree = lxml_html.fragment_fromstring(
        '<div><img src="a.png"><img src="b.png"><img src="c.png"><img src="a.png" width="50%">'
        '<img src="a.png" width="400"><img src="a.png" width="8 cm"></div>')
    images = {"a.png": Asset("a.png", b"", "image/png", Path("a.png"), 1200, 800),
              "b.png": Asset("b.png", b"", "image/png", Path("b.png"), 1200, 800, dpi=600.0),
              "c.png": Asset("c.png", b"", "image/png", Path("c.png"), 1200, 800, dpi=72.0)}
    size_images(tree, images, 300)
    assert [image.get("style") for image in tree.iter("img")] == [
        "--print-width: 101.60mm", "--print-width: 50.80mm", "--print-width: 101.60mm", "width: 50%",
        "width: 400px", "width: 8cm"]


def test_a_file_s_resolution_is_read_across() -> None:
    assert _dpi((299.9994, 299.9994)) == 300.0
    assert _dpi(None) == 0.0 and _dpi((0, 0)) == 0.0 and _dpi("nonsense") == 0.0


def _font_with(path: Path, family: str, characters: str) -> None:
    """A font collection (as Debian ships Noto Serif CJK) of one font drawing a box for each character."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection

    names = [".notdef"] + [f"uni{ord(ch):04X}" for ch in characters]
    pen = TTGlyphPen(None)
    for x0, y0, x1, y1 in ((100, -100, 900, 800), (200, 0, 800, 700)):  # a square ring
        pen.moveTo((x0, y0)), pen.lineTo((x0, y1)), pen.lineTo((x1, y1)), pen.lineTo((x1, y0)), pen.closePath()
    glyph = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in characters})
    builder.setupGlyf({name: glyph for name in names})
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    collection = TTCollection()
    collection.fonts.append(builder.font)
    collection.save(str(path))


@pytest.mark.slow
def test_a_magazine_prints_chinese_in_a_font_of_its_own_as_the_readme_says(magazine: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "own-font"
    shutil.copytree(magazine / "issues/cjk", root / "issues/cjk")
    for name in ("magazine.yaml", "contributors.yaml"):
        shutil.copy(magazine / name, root / name)
    (root / "fonts").mkdir()
    _font_with(root / "fonts/TestCJK.ttc", "Test CJK", " \u4e2d\u6587\U0010fffd")
    (root / "layouts/css").mkdir(parents=True)
    fonts_css = (REPO / "layouts/css/fonts.css").read_text(encoding="utf-8")
    own = ('{% if page is defined %}\n@font-face { font-family: "Test CJK"; src: url("../fonts/TestCJK.ttc"); }\n'
           '{% endif %}\n')
    stack = '"Charis SIL", "Noto Naskh Arabic", {{ more }}serif;'
    assert stack in fonts_css
    (root / "layouts/css/fonts.css").write_text(
        fonts_css.replace(stack, stack.replace("{{ more }}", '"Test CJK", {{ more }}')) + own, encoding="utf-8")
    result = run_cli("build", "cjk", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "empty boxes" not in result.stderr
    names = {name.split("+")[-1] for name, _embedded in fonts(root / "build/cjk/cjk.pdf")}
    assert "Test-CJK" in names, names
    assert not (root / "build/cjk/html/fonts/TestCJK.ttc").exists()  # the PDFs' alone, as the README shows
