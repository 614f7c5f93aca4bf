"""Wide tables in the PDFs: a table whose longest words cannot all fit the column, even set small, goes on a
page laid out sideways and turned into the trim; one that fits stays in the flow. Judged with pikepdf, poppler
(pdftotext -bbox), pdf-oxide's PDF/X-4 validation and the print shop's checks of `check --print`."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from lxml import html as lxml_html
from pdf_oxide import PdfDocument

from issuepress.editions.pdf.print_blocks import Measure, _longest_word_em, fit

from conftest import REPO, one_issue_magazine, run_cli
from pdftools import PT_PER_MM, boxes, outline, placed_words

WIDE = ["id", "original_title", "modern_translations_of_the_title", "language_code", "publication_year",
        "word_count", "token_count", "type_token_ratio", "ocr_confidence", "reviewer_name", "catalogue_reference",
        "digitisation_date", "licence_identifier", "source_collection"]
LONG = [f"column_{number}" for number in range(12)]
NARROW = ["year", "a", "b", "c", "d", "e", "f", "g", "h"]
ROWS = 80
LINKED = ("column_5", 40)  # the cell of the long table with an anchor and a link
A4 = (210 * PT_PER_MM, 297 * PT_PER_MM)
BODY = (297 * 0.09 * PT_PER_MM - 1, 297 * (1 - 0.075) * PT_PER_MM + 1)  # the text block's foot and head on A4
TURN = re.compile(rb"0 1 -1 0 595\.\d+ 0 cm")  # the quarter turn of an A4 page laid out sideways


def wide_cell(name: str, row: int) -> str:
    return f"{name}_{row}"


def long_cell(name: str, row: int) -> str:
    return f"{name.removeprefix('column_')}_{row}_value"


def table(columns: list[str], rows: int, cell) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in range(rows):
        cells = [cell(name, row) for name in columns]
        if cell is long_cell and row == LINKED[1]:
            at = columns.index(LINKED[0])
            cells[at] = f'<span id="row-40">{cells[at]}</span> [site](https://example.org/row40)'
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


ARTICLE = f"""---
title: Tables
---

Some text before the tables; row 40 of the long table is [here](#row-40).

{table(WIDE, 5, wide_cell)}

A paragraph between the tables, with [a link](https://example.org/between).

{table(NARROW, 4, lambda name, row: f"{row}{name}")}

And a long one.

{table(LONG, ROWS, long_cell)}

The end.
"""


# --- which tables turn: the estimate, without laying anything out ---

def fitted(markup: str, turned_mm: float = 248.0):
    """The tables of `markup` once fitted to an A4 page's column (135mm; 248mm on a page turned sideways)."""
    container = lxml_html.fragment_fromstring(markup, create_parent="div")
    fit(container, Measure(135.0, 8.5, turned_mm))
    return [set((table.get("class") or "").split()) for table in container.iter("table")]


def html_table(columns: list[str], rows: int, cell) -> str:
    head = "".join(f"<th>{name}</th>" for name in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(name, row)}</td>" for name in columns) + "</tr>" for row in range(rows))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def test_only_a_table_whose_words_cannot_fit_the_column_is_turned() -> None:
    wide, narrow, long = (html_table(WIDE, 5, wide_cell), html_table(NARROW, 4, lambda name, row: f"{row}{name}"),
                          html_table(LONG, ROWS, long_cell))
    assert fitted(wide + narrow + long) == [{"wider", "landscape"}, {"wider"}, {"wider", "landscape"}]
    # few columns of long words turn too; short ones stay, as does a table inside a cell
    words = ["x" * 40 + f"_{n}" for n in range(4)]
    assert fitted(html_table(words, 1, wide_cell)) == [{"landscape"}]
    assert fitted(html_table(["a", "b", "c"], 3, wide_cell)) == [set()]
    assert fitted(f"<table><tr><td>{wide}</td></tr></table>")[1] == {"wider"}
    # a square trim has no page turned sideways (it would be the same page): the cells break instead
    assert fitted(wide, turned_mm=0) == [{"wider"}]
    # web addresses and words of text break after a slash or a hyphen
    assert fitted(html_table(["a"], 1, lambda *_: "a/" * 200 + " " + "b-" * 200)) == [set()]


def test_the_width_estimate_is_never_above_the_fonts_own() -> None:
    """Conservative: a table that fits the portrait column by the fonts' real widths is never turned."""
    for name, bold in (("Inter-Regular.otf", 1.0), ("Inter-SemiBold.otf", 1.04)):
        font = TTFont(REPO / "fonts" / name)
        advances, per_em = font["hmtx"], font["head"].unitsPerEm
        glyphs = font.getBestCmap()
        for word in [*WIDE, "OCRConfidence", "Übersetzung", "x_i", "2024", "identifier", "HTTPResponse", "W3C%"]:
            real = sum(advances[glyphs[ord(character)]][0] for character in word) / per_em
            cell = lxml_html.fragment_fromstring(f"<th>{word}</th>" if bold > 1 else f"<td>{word}</td>")
            estimate = _longest_word_em(cell) * bold
            assert 0.8 * real <= estimate <= real * 1.005, (name, word, estimate, real)


# --- an issue with the three tables, in the print and the screen PDF ---

@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = one_issue_magazine(tmp_path_factory.mktemp("landscape") / "magazine", {"tables": ARTICLE},
                              "https://magazine.example.org/", title="Technical Review")
    result = run_cli("build", "x", "-f", "pdf,screen-pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def pages_with(words, pattern: str) -> set[int]:
    return {page for page, *_box, word in words if re.fullmatch(pattern, word)}


def turned_pages(pdf: Path) -> set[int]:
    with pikepdf.open(pdf) as document:
        return {number for number, page in enumerate(document.pages, start=1)
                if TURN.search(b"".join(part.read_bytes() for part in _contents(page)))}


def _contents(page: pikepdf.Page) -> list:
    contents = page.obj.Contents
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x.pdf", "x-screen.pdf"])
def test_exactly_the_pages_of_the_too_wide_tables_are_turned_and_every_page_keeps_the_trim(
        tables: Path, name: str) -> None:
    pdf = tables / "build/x" / name
    words = placed_words(pdf)
    wide = pages_with(words, r"modern_translations.*")
    long = pages_with(words, r"\d+_\d+_value")
    narrow = pages_with(words, r"\dyear")
    assert len(wide) == 1 and len(long) >= 3 and len(narrow) == 1, (wide, long, narrow)
    assert turned_pages(pdf) == wide | long
    # the table that fits stays in the flow, with the text around it
    assert narrow <= pages_with(words, "between") & pages_with(words, "long")
    with pikepdf.open(pdf) as document:
        rotated = {number for number, page in enumerate(document.pages, start=1) if "/Rotate" in page.obj}
        # the screen shows a turned page as it is read, the table upright; print keeps every page as it is
        assert rotated == (wide | long if "screen" in name else set())
        assert all(int(document.pages[number - 1].obj.Rotate) == 90 for number in rotated)
    found = boxes(pdf)
    assert {page["TrimBox"] for page in found} == {(0.0, 0.0, round(A4[0], 2), round(A4[1], 2))}
    assert len({page["MediaBox"] for page in found}) == 1 and len({page.get("BleedBox") for page in found}) == 1
    for page, x0, y0, x1, y1, word in words:
        assert -0.5 <= x0 and x1 <= A4[0] + 0.5 and -0.5 <= y0 and y1 <= A4[1] + 0.5, f"page {page}: {word}"
    # the folio is where the folios are on a turned page too: at the foot, on the left of a left-hand page and
    # the right of a right-hand one (print), in the middle (screen)
    folios = {page: box for page, *box, word in words if word == str(page) and box[3] < BODY[0]}
    assert wide | long <= set(folios)
    for number in wide | long:
        (x0, y0, x1, _y1), same = folios[number], folios[min(narrow)] if number % 2 == min(narrow) % 2 else None
        if same is None:  # the narrow table's page is on the other side: the end of the article is not
            same = folios[max(pages_with(words, "end."))]
        place = {0: (x0, same[0]), 1: (x1, same[2])}[number % 2] if "screen" not in name else (
            (x0 + x1) / 2, (same[0] + same[2]) / 2)
        assert abs(y0 - same[1]) < 0.5 and abs(place[0] - place[1]) < 0.5, (number, folios[number], same)


@pytest.mark.slow
def test_a_turned_table_reads_with_its_top_to_the_left_edge_its_header_on_every_page_and_every_cell_whole(
        tables: Path) -> None:
    words = placed_words(tables / "build/x/x.pdf")
    on = defaultdict(list)
    for page, *box, word in words:
        on[page].append((*box, word))
    long = sorted(pages_with(words, r"\d+_\d+_value"))
    cells: set[str] = set()
    for number in long:
        header = {word: box for *box, word in on[number] if word in LONG}
        assert set(header) == set(LONG), f"page {number} lacks the header row"
        body = [(box, word) for *box, word in on[number] if re.fullmatch(r"\d+_\d+_value", word)]
        cells |= {word for _box, word in body}
        # set sideways: the header nearest the left edge, the first column at the foot of the page
        x0, y0, x1, y1 = header["column_0"]
        assert y1 - y0 > x1 - x0 and all(x0 < box[0] for box, _word in body)
        assert y0 < header["column_11"][1]
    assert cells == {long_cell(name, row) for name in LONG for row in range(ROWS)}
    # The table too wide for the turned page too: its cells break inside words, with no hyphen added. Every
    # line of a cell starts at its column's edge, so a column read downwards is its cells, whole.
    (number,) = pages_with(words, r"modern_translations.*")
    columns: dict[float, list] = defaultdict(list)
    for x0, y0, _x1, y1, word in on[number]:
        if BODY[0] <= y0 and y1 <= BODY[1]:  # the table, not the running head above it or the folio below
            edge = next((known for known in columns if abs(known - y0) < 1), y0)
            columns[edge].append((x0, word))
    read = ["".join(word for _x, word in sorted(column)) for _edge, column in sorted(columns.items())]
    assert read == [name + "".join(wide_cell(name, row) for row in range(5)) for name in WIDE]


@pytest.mark.slow
def test_links_and_destinations_on_a_turned_page_land_on_their_text(tables: Path) -> None:
    pdf = tables / "build/x/x-screen.pdf"
    words = placed_words(pdf)
    (target,) = [(page, box) for page, *box, word in words if word == long_cell(*LINKED)]
    (link,) = [(page, box) for page, *box, word in words if word == "site"]
    with pikepdf.open(pdf) as document:
        numbers = {page.objgen: number for number, page in enumerate(document.pages, start=1)}
        destination = pikepdf.NameTree(document.Root.Names.Dests)["tables--row-40"]
        assert numbers[destination[0].objgen] == target[0]
        # the anchor's top left as it is read: the left of the turned word, its foot
        assert abs(float(destination[2]) - target[1][0]) < 3 and abs(float(destination[3]) - target[1][1]) < 3
        (rect,) = [[float(value) for value in annotation.Rect] for annotation in document.pages[link[0] - 1].Annots
                   if str(annotation.get("/A", {}).get("/URI", "")) == "https://example.org/row40"]
        x0, y0, x1, y1 = link[1]
        assert rect[0] - 1 <= x0 and x1 <= rect[2] + 1 and rect[1] - 1 <= y0 and y1 <= rect[3] + 1
    # the outline still leads to the article
    assert {title: page for _depth, title, page in outline(pdf)}["Tables"] == min(pages_with(words, "Some"))


@pytest.mark.slow
def test_the_print_pdf_with_turned_pages_is_pdf_x4_and_passes_the_print_shops_checks(tables: Path) -> None:
    build = tables / "build/x"
    for pdf in (build / "x.pdf", build / "print/x-interior.pdf"):  # as tests/test_press.py judges them
        assert PdfDocument(str(pdf)).validate_pdf_x("4")["errors"] == [], pdf
    checked = run_cli("check", "x", "--print", cwd=tables)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    said = checked.stderr + checked.stdout
    for check in ("PDF/X-4", "black text in black ink alone", "separations"):
        assert re.search(rf"passed: .*{re.escape(check)}", said), said


def test_preflight_knows_a_page_laid_out_sideways_is_turned_then_moved() -> None:
    """Its slack (how far the page moves to mirror the margins) lies at its top and foot once turned, and its
    right margin under the running head."""
    from issuepress.editions.pdf.loader import weasyprint
    from issuepress.editions.pdf.preflight import part_facts

    def overflow(landscape_text: str, slack_mm: float) -> tuple:
        document = weasyprint.HTML(string=f"""<style>@page {{ size: 100mm 150mm; margin: 10mm }}
            @page landscape {{ size: 150mm 100mm; margin: 4mm 10mm }} .turned {{ page: landscape }}</style>
            <p>Portrait, with the page's margins.</p><div class="turned">{landscape_text}</div>""").render()
        return part_facts(document, slack_mm / 25.4 * 96).overflow

    assert overflow("<p style='margin: 0'>Near the top</p>", 2.0) == ()
    assert [text for text, _line in overflow("<p style='margin: 0'>Near the top</p>", 5.0)] == ["Near the top"]
    assert [text for text, _line in overflow('<p style="margin-right: -6mm; text-align: right">Over the head</p>',
                                             2.0)] == ["Over the head"]
