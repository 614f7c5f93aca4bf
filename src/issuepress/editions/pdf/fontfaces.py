"""-> a WeasyPrint font configuration that holds no font of the computer: the PDFs are set in the theme's fonts
(its stylesheets' @font-face rules) alone.

WeasyPrint adds @font-face fonts to the machine's fonts, and fontconfig falls back to the machine's fonts for a
character the theme lacks, or even picks an installed font of a theme family's name (on a machine with Debian's
fonts-sil-charis, the theme's Charis SIL was silently replaced by it). A PDF then depended on the computer that
built it: one Greek word could be set in DejaVu Serif on one machine and in another font on the next. So each
configuration is loaded from a fontconfig file that names no font folder at all; the fonts WeasyPrint adds
itself, from the theme, are all there is, and a character none of them has is drawn as an empty box, which
WeasyPrint says and issuepress reports at its line (preflight).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Mapping

from ...layouts import FONT_URL
from ...model import Asset
from .. import faces

# FONTCONFIG_FILE is read from the environment while a configuration loads, and the environment is the
# whole process's: two threads must not load theirs at once.
_LOADING = threading.Lock()
_NO_FONTS = b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig/>\n'


def font_configuration():
    """A FontConfiguration with none of the computer's fonts, to which the stylesheets add the theme's."""
    from .loader import weasyprint

    with _LOADING, tempfile.NamedTemporaryFile(prefix="issuepress-fonts-", suffix=".conf") as conf:
        conf.write(_NO_FONTS)
        conf.flush()
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = conf.name
        try:
            return weasyprint.text.fonts.FontConfiguration()  # fontconfig reads the file now, and not again
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


def effective_ranges(css: str, fonts: Mapping[str, Asset]) -> str:
    """The stylesheet with each @font-face's `unicode-range` cut down to the characters its font has.

    CSS sets a character in a face only where the face's range includes it and its font has it (the range's
    intersection with the font's character map); WeasyPrint instead tells fontconfig that the font has every
    character of its range, and draws an empty box for one it lacks rather than trying the next face of the
    stack: Noto Sans Math, declared for U+2300-23FF, would take ⌘, which Noto Sans Symbols2 has and it lacks."""
    if "unicode-range" not in css:
        return css

    def cut(rule: re.Match) -> str:
        text = rule.group(0)
        declared, url = faces.UNICODE_RANGE.search(text), FONT_URL.search(text)
        if declared is None or url is None or url.group(1) not in fonts:
            return text
        has, wanted = faces.characters_of(fonts[url.group(1)]), faces.ranges(declared.group(1))
        kept = _as_ranges(sorted(code for code in has if any(start <= code <= end for start, end in wanted)))
        # a face with none of its range's characters sets nothing: the last code point, which none has
        return text[:declared.start(1)] + (kept or "U+10FFFF") + text[declared.end(1):]

    return faces.FONT_FACE.sub(cut, css)


def _as_ranges(codes: list[int]) -> str:
    """[0x391, 0x392, 0x393, 0x3A3] -> 'U+391-393, U+3A3'."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return ", ".join(f"U+{start:X}" + (f"-{end:X}" if end != start else "") for start, end in spans)
