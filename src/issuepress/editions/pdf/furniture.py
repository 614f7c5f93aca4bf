"""A page plan -> running heads and folios: each distinct head and each digit set once, placed on every page.

Laying out a WeasyPrint page costs several milliseconds even when it holds
only a folio, and a 300-page issue has 300 different folios. So the sheet
(pdf/furniture.html, css/furniture.css) has one small page per distinct
running head and one per digit, each becoming a form XObject; a page draws
its head, and its folio digit by digit in equal steps (tabular figures), in
its margins. Text extraction and search see each page's own head and folio.
The sheet is cached, and set again only when the heads change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from .marks import PT_PER_MM

CELL_MM = 6.0  # the height of a head or a folio
DIGIT_PT = 5.2  # the step between a folio's figures (8pt figures are about 5pt wide)
HEAD_GAP_MM = 2.4  # from the text block up to a head's cell: the head's letters sit 4mm above the text
FOLIO_GAP_MM = 3.4  # from the text block down to a folio's cell: the figures start 5mm below it
DIGITS = "0123456789"


@dataclass(frozen=True)
class Cell:
    kind: str  # "head" or "digit"
    side: str  # "left", "right" or "centre" (the screen PDF); digits are centred in their step
    text: str


@dataclass(frozen=True)
class PageFurniture:
    side: str
    head: int | None  # the cell of this page's running head
    folio: str  # the page number, or "" for none


def cells_for(slots, screen: bool) -> tuple[list[Cell], list[PageFurniture | None]]:
    """The sheet's cells (the distinct heads, then the ten digits), and what each page draws."""
    heads: dict[Cell, int] = {}
    pages: list[PageFurniture | None] = []
    for number, slot in enumerate(slots, start=1):
        if slot.furniture == "none" or slot.part is None:
            pages.append(None)
            continue
        side = "centre" if screen else ("right" if number % 2 else "left")
        head = "" if slot.furniture == "folio" else {"left": slot.head_left, "right": slot.head_right,
                                                     "centre": slot.head_centre}[side]
        index = heads.setdefault(Cell("head", side, head), len(heads)) if head else None
        pages.append(PageFurniture(side, index, str(number)))
    return list(heads) + [Cell("digit", "centre", digit) for digit in DIGITS], pages


def draw(page: pikepdf.Page, furniture: PageFurniture, forms: list[pikepdf.Object], heads: int, geometry,
         screen: bool) -> None:
    """Draw the page's head and folio in its margins; `forms` are the sheet's cells, the digits last."""
    width = (geometry.trim_width - geometry.inner - geometry.outer) * PT_PER_MM
    left = (geometry.mean if screen else geometry.inner if furniture.side == "right" else geometry.outer) * PT_PER_MM
    operations = []
    if furniture.head is not None:
        y = (geometry.trim_height - geometry.top + HEAD_GAP_MM) * PT_PER_MM
        operations.append(_place(page, forms, furniture.head, left, y))
    folio = furniture.folio
    if folio:
        span = len(folio) * DIGIT_PT
        x = {"left": left, "right": left + width - span, "centre": left + (width - span) / 2}[furniture.side]
        y = (geometry.bottom - FOLIO_GAP_MM - CELL_MM) * PT_PER_MM
        for position, digit in enumerate(folio):
            operations.append(_place(page, forms, heads + DIGITS.index(digit), x + position * DIGIT_PT, y))
    if operations:
        page.contents_add(("\n" + "\n".join(operations) + "\n").encode())


def _place(page: pikepdf.Page, forms: list[pikepdf.Object], cell: int, x: float, y: float) -> str:
    # Fixed names (pikepdf's own overlays pick random ones) keep the PDF the same build after build.
    name = pikepdf.Name(f"/IssuepressCell{cell}")
    page.add_resource(forms[cell], pikepdf.Name.XObject, name, replace_existing=True)
    return f"q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q"
