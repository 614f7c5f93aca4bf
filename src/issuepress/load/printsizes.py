"""Trim sizes and lengths as editors write them ("A4", "8.5in 11in", "3mm") -> millimetres."""

from __future__ import annotations

import re

PAPER_SIZES_MM = {
    "a3": (297.0, 420.0), "a4": (210.0, 297.0), "a5": (148.0, 210.0), "a6": (105.0, 148.0),
    "b4": (250.0, 353.0), "b5": (176.0, 250.0), "letter": (215.9, 279.4), "legal": (215.9, 355.6),
    "tabloid": (279.4, 431.8), "ledger": (279.4, 431.8), "digest": (139.7, 215.9),
}
MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|pc|px)?\s*$")


def parse_length(text: str) -> tuple[float | None, str | None]:
    """'3mm' -> (3.0, None); a bare 0 is allowed, other bare numbers need a unit."""
    match = LENGTH.match(text)
    if not match:
        return None, f"'{text}' is not a length such as 3mm, 0.125in or 9pt"
    number, unit = float(match.group(1)), match.group(2)
    if unit is None and number != 0:
        return None, f"'{text}' needs a unit (mm, cm, in, pt)"
    return round(number * MM_PER_UNIT[unit or "mm"], 3), None


def parse_trim(text: str) -> tuple[tuple[float, float] | None, str | None]:
    """'A4', 'letter', '210mm 297mm' or '8.5in 11in' -> (width, height) in mm."""
    named = PAPER_SIZES_MM.get(text.strip().lower())
    if named:
        return named, None
    parts = text.replace("x", " ").replace("\u00d7", " ").split()
    if len(parts) != 2:
        names = ", ".join(sorted(PAPER_SIZES_MM))
        return None, f"'{text}' must be a paper size ({names}) or two lengths such as '210mm 297mm'"
    lengths = [parse_length(part) for part in parts]
    for value, reason in lengths:
        if reason:
            return None, reason
    width, height = (value for value, _ in lengths)
    if not (50 <= width <= 1000 and 50 <= height <= 1000):
        return None, f"'{text}' is not a plausible page size (each side between 50mm and 1000mm)"
    return (width, height), None
