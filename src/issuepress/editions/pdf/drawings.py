"""SVG drawings for the PDFs -> the same drawings with their text set in the theme's faces.

A drawing names the fonts of the computer it was made on ('DejaVu Sans', 'Ubuntu Mono', sans-serif). The PDFs
know no font of the computer that builds them (editions/pdf/fontfaces.py), so each family list in a drawing
becomes the theme's stack of the same kind, from its stylesheet's `--serif`, `--sans` and `--mono`: monospaced
names take the code face, serif names the text face, every other name the sans face; a family the theme itself
declares stays first. The web edition and the EPUB show the drawing as it is, in the reader's fonts.
"""

from __future__ import annotations

import re
from dataclasses import replace

import tinycss2
from lxml import etree

from ...model import Asset

MONO = re.compile(r"mono|courier|consolas|menlo|code|typewriter|fixed", re.IGNORECASE)
SERIF = re.compile(r"serif|times|georgia|garamond|cambria|palatino|charis|roman|book", re.IGNORECASE)
FAMILY_DECLARATION = re.compile(r"(font-family\s*:\s*)([^;}\"]+)", re.IGNORECASE)
# the font shorthand: style, weight... then the size (and line height), then the families
FONT_SHORTHAND = re.compile(r"(\bfont\s*:\s*[^;}\"]*?\d[\d.]*(?:px|pt|em|rem|%|mm|cm|in)(?:\s*/\s*[\d.]+\w*)?\s+)"
                            r"([^;}\"]+)", re.IGNORECASE)


def theme_stacks(css: str) -> dict[str, str]:
    """The stylesheet's `:root { --serif: ...; --sans: ...; --mono: ... }`, as family lists."""
    stacks = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type == "declaration" and declaration.name in ("--serif", "--sans", "--mono"):
                stacks[declaration.name[2:]] = tinycss2.serialize(declaration.value).strip()
    return stacks


def in_theme_fonts(asset: Asset, stacks: dict[str, str], declared: set[str]) -> Asset:
    """The drawing with every family list it names made the theme's (unchanged when it names none)."""
    if asset.media_type != "image/svg+xml" or not {"serif", "sans", "mono"} <= stacks.keys():
        return asset
    try:
        root = etree.fromstring(asset.data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return asset  # read once already (load/svg.py): this does not happen

    def families(listed: str) -> str:
        names = [name.strip().strip("'\"") for name in listed.split(",") if name.strip()]
        kind = ("mono" if any(MONO.search(name) for name in names) else
                "serif" if any(SERIF.search(name) and "sans" not in name.lower() for name in names) else "sans")
        kept = [f'"{name}"' for name in names if name in declared and f'"{name}"' not in stacks[kind]]
        return ", ".join([*kept, stacks[kind]])

    def in_css(text: str) -> str:
        text = FAMILY_DECLARATION.sub(lambda found: found[1] + families(found[2]), text)
        return FONT_SHORTHAND.sub(lambda found: found[1] + families(found[2]), text)

    changed = False
    for element in root.iter(etree.Element):
        for name, value in list(element.attrib.items()):
            new = families(value) if name == "font-family" else in_css(value) if name == "style" else value
            if new != value:
                element.set(name, new)
                changed = True
        if etree.QName(element).localname == "style" and element.text:
            new = in_css(element.text)
            changed, element.text = changed or new != element.text, new
    if not changed:
        return asset
    return replace(asset, data=etree.tostring(root, xml_declaration=True, encoding="utf-8"))
