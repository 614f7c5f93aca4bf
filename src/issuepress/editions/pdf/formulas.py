"""MathML formulas in an article's print copy -> SVG drawings (ziamath, in its bundled STIX Two Math) set in the text.

WeasyPrint does not lay out MathML, so each <math> becomes an image of the formula, drawn as outlines: no font
to embed, nothing of the TeX source in the page's text, and every formula printable by any press. The drawing is
sized in em, so it follows the size of the text around it, and an inline formula sits on the baseline.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from lxml import etree
from lxml import html as lxml_html

DRAWN_SIZE = 10.0  # the size ziamath draws at; the drawing's lengths, divided by it, are in em
VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


def draw_formulas(container: etree._Element, warn: Callable[[etree._Element, str], None] | None = None) -> None:
    """Each <math> in the copy -> an <img> of its drawing; one ziamath cannot draw stays as its TeX, set as code."""
    for math in list(container.iter("math")):
        tex = math.get("alttext") or " ".join(math.text_content().split())
        try:
            image = _drawing(math, tex)
        except Exception as problem:  # ziamath raises many kinds for MathML it cannot lay out
            if warn is not None:
                warn(math, f"the formula '{tex[:50]}' cannot be drawn ({problem or type(problem).__name__}); "
                           "the PDF sets its TeX source")
            image = lxml_html.Element("code", {"class": "math-source"})
            image.text = tex
        image.tail = math.tail
        math.getparent().replace(math, image)


def _drawing(math: etree._Element, tex: str) -> etree._Element:
    display = math.get("display") == "block"
    import ziamath  # a fifth of a second to load: only for an issue with formulas

    source = etree.tostring(math, encoding="unicode", method="xml", with_tail=False)
    svg = ziamath.Math(source, size=DRAWN_SIZE).svg()
    left, top, width, height = (float(number) for number in VIEWBOX.search(svg).groups())
    below_baseline = top + height  # the drawing's y runs down from the baseline at 0
    style = f"width: {width / DRAWN_SIZE:.3f}em; height: {height / DRAWN_SIZE:.3f}em"
    if not display:
        style += f"; vertical-align: {-below_baseline / DRAWN_SIZE:.3f}em"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return lxml_html.Element("img", {"class": "formula formula-block" if display else "formula", "alt": tex,
                                     "src": f"data:image/svg+xml;base64,{data}", "style": style})
