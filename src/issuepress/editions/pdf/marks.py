"""Assembled PDF pages -> exact bleed boxes, artwork clipped to the bleed, crop and cross marks outside it.

WeasyPrint draws marks inside the bleed, under the page's background, and
sets the BleedBox to at most 10pt past the trim whatever the bleed is. A
printer wants the BleedBox exactly at the bleed, marks in the slug beyond it
and nothing printed there but marks. So the media has room for the slug
(`slug_mm`) and each page is finished here.
"""

from __future__ import annotations

import pikepdf

PT_PER_MM = 72 / 25.4
MARK_GAP_MM = 1.0  # between the bleed edge and the start of a crop mark
MARK_LENGTH_MM = 5.0
TARGET_RADIUS_MM = 2.0


def slug_mm(bleed_mm: float, marks: frozenset[str]) -> float:
    """How far the media extends past the trim: the bleed, plus room for marks."""
    if not marks:
        return bleed_mm
    return bleed_mm + MARK_GAP_MM + MARK_LENGTH_MM + 1.0


def apply_marks(page: pikepdf.Page, trim: tuple[float, float, float, float], bleed: float,
                marks: frozenset[str]) -> None:
    """Set the BleedBox `bleed` points past the trim; with marks, clip the artwork to it and draw them."""
    left, bottom, right, top = trim
    page.BleedBox = [left - bleed, bottom - bleed, right + bleed, top + bleed]
    if marks:
        clip = (f"q {left - bleed:.3f} {bottom - bleed:.3f} {right - left + 2 * bleed:.3f} "
                f"{top - bottom + 2 * bleed:.3f} re W n\n")
        page.contents_add(clip.encode(), prepend=True)
        page.contents_add(b"\nQ\n" + b"\n".join(_marks(left, bottom, right, top, bleed, marks)))


def _marks(left: float, bottom: float, right: float, top: float, bleed: float, marks: frozenset[str]) -> list[bytes]:
    """Drawing operators for the marks, in registration colour (every plate), 0.25pt hairlines."""
    ops = [b"q 0.25 w 1 1 1 1 K"]
    start, end = bleed + MARK_GAP_MM * PT_PER_MM, bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * PT_PER_MM
    if "crop" in marks:
        for x in (left, right):
            for y in (bottom, top):
                outward_x = -1 if x == left else 1
                outward_y = -1 if y == bottom else 1
                ops.append(_line(x + outward_x * start, y, x + outward_x * end, y))
                ops.append(_line(x, y + outward_y * start, x, y + outward_y * end))
    if "cross" in marks:
        radius = TARGET_RADIUS_MM * PT_PER_MM
        middle = start + radius
        centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
        for cx, cy in ((centre_x, top + middle), (centre_x, bottom - middle),
                       (left - middle, centre_y), (right + middle, centre_y)):
            ops.append(_circle(cx, cy, radius * 0.6))
            ops.append(_line(cx - radius, cy, cx + radius, cy))
            ops.append(_line(cx, cy - radius, cx, cy + radius))
    ops.append(b"Q")
    return ops


def _line(x1: float, y1: float, x2: float, y2: float) -> bytes:
    return f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S".encode()


def _circle(cx: float, cy: float, r: float) -> bytes:
    k = 0.5523 * r  # Bézier approximation of a quarter circle
    return (f"{cx + r:.3f} {cy:.3f} m "
            f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
            f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
            f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
            f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c S").encode()
