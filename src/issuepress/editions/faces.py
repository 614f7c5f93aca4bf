"""An issue's characters -> which of the theme's optional faces its editions declare, carry and name.

The theme's text faces (Charis SIL for the text, Inter for headings and furniture) set Latin, Cyrillic and
Vietnamese. For the rest, css/fonts.css (and css/epub.css) declare more faces, each with a `unicode-range`, and
each only for an issue that needs it, so that an edition carries, and its imprint names, only the faces it uses:

- `greek`: Noto Serif for every Greek letter, polytonic too. Charis SIL has a dozen lowercase Greek letters
  (for phonetics), so a Greek word set in it would mix two faces: the serif stack names Noto Serif, limited to
  Greek, before Charis SIL, and a Greek passage is set in it throughout.
- `math`, `symbols`, `emoji`: Noto Sans Math (operators, arrows, letter-like and alphanumeric symbols), Noto
  Sans Symbols2 (dingbats, shapes, miscellaneous symbols) and Noto Emoji (monochrome, drawn in outlines: a
  colour emoji font is bitmaps in RGB, which a CMYK print edition cannot carry). They come after the text faces
  in every stack, so they set only what those lack, and are declared only for an issue with such a character.

The ranges are here, once: the stylesheets write them into their @font-face rules (`unicode_ranges`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from ..errors import IssueError
from ..layouts import FONT_URL
from ..model import Asset

# What to do about a character no face of the theme has: the PDFs are set in the theme's fonts only
ADD_A_FONT = ("put a font that has them in the magazine's fonts/ and declare it in layouts/css/fonts.css (for "
              "Chinese, Japanese and Korean, Noto Serif CJK from Debian's fonts-noto-cjk; the README's "
              "\"Fonts for other scripts\" shows how)")

# Face -> the characters it sets, as CSS writes them; in the order the stacks name the faces.
UNICODE_RANGES = {
    "greek": "U+0370-03FF, U+1F00-1FFF",
    "math": "U+2100-214F, U+2190-21FF, U+2200-22FF, U+2300-23FF, U+25A0-25FF, U+27C0-27FF, U+2900-2AFF, "
            "U+1D400-1D7FF, U+1EE00-1EEFF",
    "symbols": "U+2150-218F, U+2190-21FF, U+2300-23FF, U+2460-24FF, U+25A0-27BF, U+2800-28FF, U+2B00-2BFF, "
               "U+1F000-1F0FF, U+1F100-1F1E5, U+1F650-1F67F, U+1F780-1F8FF, U+1FB00-1FBFF",
    "emoji": "U+200D, U+20E3, U+2190-21FF, U+2300-23FF, U+2460-24FF, U+25A0-27BF, U+2900-297F, U+2B00-2BFF, "
             "U+3030, U+303D, U+3297, U+3299, U+FE0F, U+1F000-1FAFF",
}
# Faces that set every character of their range, whether the text faces have it or not (see `greek` above)
THROUGHOUT = frozenset({"greek"})


def ranges(css: str) -> list[tuple[int, int]]:
    """'U+0370-03FF, U+1F00' -> [(0x370, 0x3FF), (0x1F00, 0x1F00)]."""
    return [(int(start, 16), int(end or start, 16))
            for start, end in re.findall(r"U\+([0-9A-Fa-f]+)(?:-([0-9A-Fa-f]+))?", css)]


_RANGES = {face: ranges(css) for face, css in UNICODE_RANGES.items()}


FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
UNICODE_RANGE = re.compile(r"unicode-range\s*:\s*([^;}]*?)\s*(?=;|\}|$)", re.IGNORECASE)


def declared_ranges(css: str) -> dict[str, list[tuple[int, int]]]:
    """Font file name -> the `unicode-range` a stylesheet's @font-face rule declares for it (fonts declared
    without one are not listed: they may set any character)."""
    found = {}
    for rule in FONT_FACE.finditer(css):
        declared, url = UNICODE_RANGE.search(rule.group(0)), FONT_URL.search(rule.group(0))
        if declared and url:
            found[url.group(1)] = ranges(declared.group(1))
    return found


def in_range(face: str, character: str) -> bool:
    code = ord(character)
    return any(start <= code <= end for start, end in _RANGES[face])


def needed(characters: Iterable[str], theme=None) -> frozenset[str]:
    """The optional faces that would set some of the issue's `characters`: a Greek letter calls for the Greek
    face; another character only where a text face lacks it, for the first face (in the stacks' order) that has
    it. Without the `theme`, any character in a face's range calls for it."""
    candidates = sorted(ch for ch in set(characters) if ord(ch) > 0x7E and any(
        in_range(face, ch) for face in UNICODE_RANGES))
    if not candidates:
        return frozenset()
    known = _theme_faces(theme) if theme is not None else None
    if known is None:
        return frozenset(face for face in UNICODE_RANGES if any(in_range(face, ch) for ch in candidates))
    text, optional = known
    found = set()
    for ch in candidates:
        code = ord(ch)
        greek = [face for face in THROUGHOUT if in_range(face, ch)]
        if greek:
            found.update(greek)
        elif any(code not in characters_of(font) for font in text):
            found.update(next(([face] for face, fonts in optional.items()
                               if in_range(face, ch) and any(code in characters_of(font) for font in fonts)), []))
    return frozenset(found)


def _theme_faces(theme) -> tuple[list[Asset], dict[str, list[Asset]]] | None:
    """The first font file of each text family css/fonts.css always declares, and the files of each optional
    face (what it declares for an issue that needs that face alone); None for a magazine's own fonts.css that
    wants more of the context than this gives (its layouts' own errors are said where they are rendered)."""
    def fonts(faces: frozenset[str]) -> list[Asset]:
        css = theme.render("css/fonts.css", arabic_script=False, code=False, faces=faces,
                           unicode_ranges=UNICODE_RANGES)
        return theme.fonts_in(css)

    if theme.digest not in _THEMES:
        try:
            base = fonts(frozenset())
        except IssueError:
            return None
        families: dict[str, Asset] = {}
        for font in base:
            families.setdefault(theme.family_name(font), font)
        optional, declared = {}, {font.href for font in base}
        for face in UNICODE_RANGES:
            optional[face] = [font for font in fonts(frozenset({face})) if font.href not in declared]
        _THEMES.clear()
        _THEMES[theme.digest] = (list(families.values()), optional)
    return _THEMES[theme.digest]


_THEMES: dict[str, tuple] = {}
_CMAPS: dict[str, frozenset[int]] = {}


def characters_of(font: Asset) -> frozenset[int]:
    """The code points a font file has a glyph for (read once per font and process): by HarfBuzz, which reads a
    character map ten times as fast as fontTools (0.5 ms against 5 ms for a face of Charis SIL), except in a WOFF
    file, which it does not unpack."""
    if font.digest not in _CMAPS:
        if font.data[:4] in (b"wOFF", b"wOF2"):
            from fontTools.ttLib import TTFont

            with TTFont(io.BytesIO(font.data), lazy=True, fontNumber=0) as loaded:
                _CMAPS[font.digest] = frozenset(loaded.getBestCmap() or {})
        else:
            import uharfbuzz

            _CMAPS[font.digest] = frozenset(uharfbuzz.Face(font.data).unicodes)
    return _CMAPS[font.digest]
