"""An SVG drawing an article shows -> the same drawing made harmless, with the size it asks to print at.

Technical articles draw their diagrams as SVG, and every edition keeps them as vectors. An SVG can hold
scripts, event handlers, foreign HTML and references to other files or the web: svg-hush (Cloudflare's
sanitizer, through py-svg-hush) removes scripts, handlers, foreign objects and links that run code; what it
leaves that points outside the drawing (`href="/etc/passwd"`, `url(https://...)`) is removed here, each kind
said once at the line of the article that shows it. Images the drawing holds as data (matplotlib's
`<image href="data:image/png;base64,...">`) are kept. Nothing is ever executed or fetched.
"""

from __future__ import annotations

import re

import py_svg_hush
from lxml import etree

from ..errors import Problems

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
KEPT_DATA = {"image": ["png", "jpeg", "gif", "webp"]}  # images inside the drawing, as data
CSS_UNITS = {"px": 1.0, "": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|pc|mm|cm|in)?\s*$")
OUTSIDE_URL = re.compile(r"url\(\s*['\"]?(?!#)[^)]*\)")


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower())


def clean_svg(data: bytes, shown: str, problems: Problems, cited_in,
              line: int | None) -> tuple[bytes, float, float] | None:
    """(the drawing made harmless, its width and height in CSS pixels), or None after saying why not."""
    try:
        cleaned = py_svg_hush.filter_svg(data, keep_data_url_mime_types=KEPT_DATA)
        root = etree.fromstring(cleaned, etree.XMLParser(resolve_entities=False, no_network=True))
    except (ValueError, etree.XMLSyntaxError) as error:
        problems.error(f"image {shown} is not an SVG drawing that can be read ({str(error)[:120]})", cited_in, line)
        return None
    if root.tag != f"{SVG}svg":
        problems.error(f"image {shown} is not an SVG drawing (its root is <{etree.QName(root).localname}>)",
                       cited_in, line)
        return None
    removed = _outside_references(root)
    if _removed_by_hush(data, cleaned):
        removed.insert(0, "scripts, event handlers or foreign content")
    if removed:
        problems.warn(f"image {shown}: removed {', '.join(removed)} from the drawing; nothing in an SVG is run or "
                      "fetched", cited_in, line)
    width, height = _size(root)
    if not width or not height:
        problems.error(f"image {shown} says no size (width and height, or a viewBox); give the <svg> a viewBox",
                       cited_in, line)
        return None
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), width, height


def _outside_references(root: etree._Element) -> list[str]:
    """Remove links to other files or the web that svg-hush leaves; what kinds were removed."""
    removed: dict[str, None] = {}
    for element in root.iter(etree.Element):
        for name in ("href", XLINK_HREF):
            value = (element.get(name) or "").strip()
            if value and not value.startswith("#") and not value.startswith("data:"):
                del element.attrib[name]
                removed[f"a link to {value[:40]}"] = None
        for name, value in list(element.attrib.items()):
            if OUTSIDE_URL.search(value):
                element.set(name, OUTSIDE_URL.sub("none", value))
                removed["references to other files"] = None
        if element.tag == f"{SVG}style" and element.text and OUTSIDE_URL.search(element.text):
            element.text = OUTSIDE_URL.sub("none", element.text)
            removed["references to other files"] = None
    return list(removed)


def _removed_by_hush(before: bytes, after: bytes) -> bool:
    lowered = before.lower()
    return any(marker in lowered and marker not in after.lower()
               for marker in (b"<script", b"onload", b"onclick", b"onmouse", b"foreignobject", b"javascript:"))


def _size(root: etree._Element) -> tuple[float, float]:
    """The drawing's size in CSS pixels: its width and height, or its viewBox in user units (as browsers do)."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(n) for n in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if n] if root.get(
        "viewBox") else []
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width and not height:
            height = width * box[3] / box[2]
        elif height and not width:
            width = height * box[2] / box[3]
        elif not width and not height:
            width, height = box[2], box[3]
    return width or 0.0, height or 0.0


def _length(value: str | None) -> float | None:
    found = LENGTH.match(value or "")
    return float(found.group(1)) * CSS_UNITS[found.group(2) or ""] if found else None
