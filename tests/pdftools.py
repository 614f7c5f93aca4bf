"""Reading PDFs the way a printer's preflight does: pypdf for structure, poppler for fonts, text and pixels."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader

PT_PER_MM = 72 / 25.4
XHTML = "{http://www.w3.org/1999/xhtml}"


def boxes(pdf: Path) -> list[dict[str, tuple[float, ...]]]:
    reader = PdfReader(str(pdf))
    return [{name: tuple(round(float(v), 2) for v in page[f"/{name}"]) for name in ("MediaBox", "BleedBox", "TrimBox")
             if f"/{name}" in page} for page in reader.pages]


def fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font, from poppler's pdffonts."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = output.splitlines()[2:]
    result = []
    for row in rows:
        parts = row.split()
        # name ... emb sub uni object ID: emb is the fifth field from the end
        result.append((parts[0], parts[-5] == "yes"))
    return result


def font_types(pdf: Path) -> dict[str, set[str]]:
    """Font name without its subset prefix -> the types poppler sees ('CID TrueType', 'CID Type 0C (OT)')."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    types: dict[str, set[str]] = {}
    for row in output.splitlines()[2:]:
        name, kind = row[:37].strip(), row[37:55].strip()  # pdffonts pads its columns to these widths
        types.setdefault(name.split("+", 1)[-1], set()).add(kind)
    return types


def page_texts(pdf: Path) -> list[str]:
    output = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    return output.split("\f")[:-1]


def placed_words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, x0, y0, x1, y1, word) of every word poppler finds, in the page's own coordinates (points, y up:
    those of its TrimBox), whatever the page's /Rotate. Poppler gives boxes from the top left of the page as
    a viewer shows it: a page with /Rotate 90 is shown turned clockwise."""
    pages = PdfReader(str(pdf)).pages
    output = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, page in enumerate(ElementTree.fromstring(output).iter(f"{XHTML}page"), start=1):
        left, bottom, _right, top = (float(value) for value in pages[number - 1].mediabox)
        turned = pages[number - 1].get("/Rotate", 0) % 360
        assert turned in (0, 90), f"page {number}: /Rotate {turned}"
        for word in page.iter(f"{XHTML}word"):
            x0, y0, x1, y1 = (float(word.get(key)) for key in ("xMin", "yMin", "xMax", "yMax"))
            box = (left + y0, bottom + x0, left + y1, bottom + x1) if turned else (left + x0, top - y1, left + x1,
                                                                                  top - y0)
            found.append((number, *box, word.text or ""))
    return found


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark."""
    reader = PdfReader(str(pdf))
    entries: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


def contents_numbers(contents_page: str) -> dict[str, int]:
    """'Title ....... 12' lines of the contents page -> {title: 12}."""
    found = {}
    for line in contents_page.splitlines():
        match = re.match(r"^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", line)
        if match:
            found[match.group(1).strip()] = int(match.group(2))
    return found


def render_page(pdf: Path, number: int, out: Path, dpi: int = 30) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-png", "-singlefile",
                    str(pdf), str(out)], check=True)
    return out.with_suffix(".png")
