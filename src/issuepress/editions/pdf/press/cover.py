"""The print PDF's cover pages and a laid-out spine -> a separate cover: the outside and the inside spread.

A perfect-bound issue's cover wraps the interior and its spine, and a saddle-stitched issue with
`cover: separate` has a plus-cover of heavier stock: either way the cover is four pages of the issue
(the front cover, the inside front cover, the inside back cover and the back cover), printed as two
spreads: back cover, spine and front cover outside; inside front cover, spine and inside back cover
inside, where a perfect binding glues the spine. The spine is as thick as the interior's leaves:
pages / 2 x the paper's caliper (the cover stock itself is not counted: ask the printer whether their
figure adds it). Its text is set when the spine is wide enough to hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from ..marks import MARK_GAP_MM, MARK_LENGTH_MM, PT_PER_MM, apply_marks

DEFAULT_CALIPER_MM = 0.1  # a leaf of 90 to 115 g/m2 paper, if magazine.yaml does not say
LETTERED_MM = 6.0  # the thinnest spine that carries text: a binder's spine may drift 1.5mm either way
SPINE_MARGIN_MM = 1.5


@dataclass(frozen=True)
class Spine:
    width_mm: float
    caliper_mm: float
    interior_pages: int
    lettered: bool

    @property
    def font_pt(self) -> float:
        """Type that keeps clear of the folds: at most 9pt, its capitals within the spine's middle."""
        room = (self.width_mm - 2 * SPINE_MARGIN_MM) * 72 / 25.4
        return round(min(9.0, room * 0.9), 1)


def spine_for(interior_pages: int, caliper_mm: float | None, perfect_bound: bool) -> Spine:
    """The spine of an interior of `interior_pages` pages (a leaf is two pages); a saddle-stitched cover
    only folds, and has none."""
    caliper = caliper_mm or DEFAULT_CALIPER_MM
    width = round(interior_pages / 2 * caliper, 2) if perfect_bound else 0.0
    return Spine(width, caliper, interior_pages, width >= LETTERED_MM)


def spine_style(spine: Spine, trim_height_mm: float, bleed_mm: float) -> str:
    """The spine part's page: as long as the spine with its bleed, as wide as the spine."""
    length = round(trim_height_mm + 2 * bleed_mm, 3)
    return (f"<style>@page spine {{ size: {length}mm {spine.width_mm}mm; margin: 0 }} "
            f".spine {{ page: spine; height: {spine.width_mm}mm; font-size: {spine.font_pt}pt }}</style>")


def cover_pages(count: int) -> tuple[int, int, int, int]:
    """The cover's pages of an issue of `count` pages, from 0: front, inside front, inside back, back."""
    return 0, 1, count - 2, count - 1


def make_cover(source: pikepdf.Pdf, strip: pikepdf.Pdf | None, spine: Spine, geometry,
               marks: frozenset[str]) -> pikepdf.Pdf:
    """The cover as two spreads (outside, inside) from the issue's four cover pages in `source` and the
    laid-out spine `strip` (both must stay open until the cover is saved: their streams are copied then),
    each page clipped to its panel and its outer bleed, the folds marked."""
    trim_w, trim_h = geometry.trim_width * PT_PER_MM, geometry.trim_height * PT_PER_MM
    bleed, slug = geometry.bleed * PT_PER_MM, geometry.slug * PT_PER_MM
    thick = spine.width_mm * PT_PER_MM
    width = 2 * trim_w + thick
    cover = pikepdf.new()
    front, inside_front, inside_back, back = cover_pages(len(source.pages))
    spine_form = cover.copy_foreign(strip.pages[0].as_form_xobject()) if strip is not None and thick > 0 else None
    for left, right, outside in ((back, front, True), (inside_front, inside_back, False)):
        page = cover.add_blank_page(page_size=(width + 2 * slug, trim_h + 2 * slug))
        page.MediaBox = [-slug, -slug, width + slug, trim_h + slug]
        page.TrimBox = [0, 0, width, trim_h]
        operations = []
        # the left panel bleeds outwards to the left and stops at the fold; the right one likewise
        for index, (number, x, low, high) in enumerate(((left, 0.0, -bleed, trim_w),
                                                        (right, trim_w + thick, trim_w + thick, width + bleed))):
            form = cover.copy_foreign(source.pages[number].as_form_xobject())
            name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/IssuepressPanel{index}"))
            operations.append(f"q {low:.3f} {-bleed:.3f} {high - low:.3f} {trim_h + 2 * bleed:.3f} re W n "
                              f"1 0 0 1 {x:.3f} 0 cm {name} Do Q")
        if outside and spine_form is not None:
            name = page.add_resource(spine_form, pikepdf.Name.XObject, pikepdf.Name("/IssuepressSpine"))
            # the strip lies along x; turned clockwise it reads from the top of the spine down
            operations.append(f"q {trim_w:.3f} {-bleed:.3f} {thick:.3f} {trim_h + 2 * bleed:.3f} re W n "
                              f"0 -1 1 0 {trim_w:.3f} {trim_h + bleed:.3f} cm {name} Do Q")
        page.contents_add("\n".join(operations).encode())
        apply_marks(page, (0, 0, width, trim_h), bleed, marks)
        if marks:
            page.contents_add(_fold_marks((trim_w, trim_w + thick) if thick else (trim_w,), trim_h, bleed))
    return cover


def _fold_marks(folds: tuple[float, ...], height: float, bleed: float) -> bytes:
    """Short lines in the slug, above and below each fold of the cover."""
    start, end = bleed + MARK_GAP_MM * PT_PER_MM, bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * PT_PER_MM
    lines = [f"{x:.3f} {height + start:.3f} m {x:.3f} {height + end:.3f} l S "
             f"{x:.3f} {-start:.3f} m {x:.3f} {-end:.3f} l S" for x in folds]
    return ("\nq 0.25 w 1 1 1 1 K " + " ".join(lines) + " Q\n").encode()
