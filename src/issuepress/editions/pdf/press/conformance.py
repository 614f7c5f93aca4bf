"""The printer's files -> what a print shop's preflight would reject: PDF/X-4, colour, ink, annotations.

PDF/X-4 conformance is judged by a checker nobody here wrote (pdf-oxide's `validate_pdf_x("4")`, a
young one: its version is pinned). It reads the document's structure; it does not look at the colours
a page sets, so issuepress checks those itself with pikepdf: no RGB and no spot colour left (images,
colour spaces, transparency groups, shadings), no colour and no image over the ink limit, nothing but
printer's marks annotated inside the bleed. These run after every print build. `content_findings`
(for `check --print`) also reads every content stream: colours set in RGB, and black text in four inks.
"""

from __future__ import annotations

import io

import pikepdf

RGB_SPACES = ("/DeviceRGB", "/CalRGB")
SPOT_SPACES = ("/Separation", "/DeviceN")
RICH_BLACK_K = 0.9  # text this dark in black ink must use black ink alone


def pdf_x_findings(data: bytes) -> tuple[list[str], list[str], str | None]:
    """pdf-oxide's errors and warnings for PDF/X-4, or why it could not judge."""
    try:
        from pdf_oxide import PdfDocument
    except ImportError:
        return [], [], ("pdf-oxide is not installed (pip install 'issuepress[press]'), so PDF/X-4 conformance was "
                        "not checked")
    try:
        verdict = PdfDocument.from_bytes(data).validate_pdf_x("4")
    except Exception as error:  # a checker's own failure is not the problem: said, not fatal
        return [], [], f"pdf-oxide could not check the file: {error}"
    return list(verdict.get("errors", [])), list(verdict.get("warnings", [])), None


def colour_findings(data: bytes) -> list[tuple[int, str]]:
    """(page number, what) for RGB or spot colour a page's resources still hold, and annotations inside
    the bleed; read from the resources, not the content streams (fast enough for every build)."""
    found: dict[tuple[int, str], None] = {}
    with pikepdf.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages, start=1):
            for what in _resources_findings(page.obj.get("/Resources"), set()):
                found[number, what] = None
            if "/Group" in page.obj and _space_kind(page.obj.Group.get("/CS")) == "RGB":
                found[number, "its transparency blends in RGB"] = None
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") not in ("/PrinterMark", "/TrapNet") and _inside(annotation, page):
                    found[number, f"a {str(annotation.get('/Subtype', '/?'))[1:]} annotation lies inside the bleed, "
                                  "which PDF/X allows only for printer's marks"] = None
    return list(found)


def _resources_findings(resources, seen: set):
    if resources is None or (resources.is_indirect and resources.objgen in seen):
        return
    if resources.is_indirect:
        seen.add(resources.objgen)
    for name, space in dict(resources.get("/ColorSpace", {})).items():
        kind = _space_kind(space)
        if kind == "RGB":
            yield f"colour space {name} is RGB"
        elif kind == "spot":
            yield f"colour space {name} is a spot colour ({_spot_names(space)})"
    for shading in dict(resources.get("/Shading", {})).values():
        if _space_kind(shading.get("/ColorSpace")) in ("RGB", "spot"):
            yield "a gradient is in RGB or a spot colour"
    for name, xobject in dict(resources.get("/XObject", {})).items():
        if xobject.get("/Subtype") == "/Image":
            kind = _space_kind(xobject.get("/ColorSpace"))
            if kind in ("RGB", "spot"):
                yield f"image {name} is {kind}"
        elif xobject.get("/Subtype") == "/Form":
            if "/Group" in xobject and _space_kind(xobject.Group.get("/CS")) == "RGB":
                yield "a transparency group blends in RGB"
            yield from _resources_findings(xobject.get("/Resources"), seen)
    for pattern in dict(resources.get("/Pattern", {})).values():
        if "/Shading" in pattern and _space_kind(pattern.Shading.get("/ColorSpace")) in ("RGB", "spot"):
            yield "a gradient is in RGB or a spot colour"
        yield from _resources_findings(pattern.get("/Resources"), seen)


def _space_kind(space) -> str:
    """'RGB', 'spot', or '' for what a CMYK press prints as it is (CMYK, grey, Lab, none)."""
    if space is None:
        return ""
    if isinstance(space, pikepdf.Name):
        return "RGB" if str(space) in RGB_SPACES else ""
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family in RGB_SPACES:
            return "RGB"
        if family in SPOT_SPACES:
            return "spot" if _spot_names(space) not in ("Black", "All", "None") else ""
        if family == "/ICCBased":
            return "RGB" if int(space[1].get("/N", 0)) == 3 else ""
        if family == "/Indexed":
            return _space_kind(space[1])
    return ""


def _spot_names(space) -> str:
    names = space[1]
    return ", ".join(str(n)[1:] for n in names) if isinstance(names, pikepdf.Array) else str(names)[1:]


def _inside(annotation, page) -> bool:
    rect = [float(v) for v in annotation.get("/Rect", [0, 0, 0, 0])]
    box = [float(v) for v in page.obj.get("/BleedBox", page.obj.get("/MediaBox"))]
    return rect[0] < box[2] and rect[2] > box[0] and rect[1] < box[3] and rect[3] > box[1]


def content_findings(data: bytes) -> list[tuple[int, str]]:
    """(page, what) for colours a content stream sets in RGB and for black text in four inks: every
    stream parsed, so slow for a long issue (`check --print` runs it)."""
    found: dict[tuple[int, str], None] = {}
    with pikepdf.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages, start=1):
            for stream in _page_streams(page):
                for what in _stream_findings(stream):
                    found[number, what] = None
    return list(found)


def _page_streams(page):
    """The page's content streams and those of the forms and tiling patterns it draws."""
    contents = page.obj.get("/Contents")
    yield from (contents if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else [])
    seen: set = set()
    stack = [page.obj.get("/Resources")]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        for kind in ("/XObject", "/Pattern"):
            for item in dict(resources.get(kind, {})).values():
                if isinstance(item, pikepdf.Stream) and item.objgen not in seen and (
                        item.get("/Subtype") == "/Form" or item.get("/PatternType") == 1):
                    seen.add(item.objgen)
                    yield item
                    stack.append(item.get("/Resources"))


def _stream_findings(stream):
    fill = ("gray", (0.0,))
    try:
        instructions = pikepdf.parse_content_stream(stream)
    except pikepdf.PdfError:
        yield "a content stream cannot be read"
        return
    for operands, operator in instructions:
        op = str(operator)
        if op in ("rg", "RG"):
            yield "a colour is set in RGB"
            if op == "rg":
                fill = ("rgb", tuple(float(v) for v in operands))
        elif op == "k":
            fill = ("cmyk", tuple(float(v) for v in operands))
        elif op == "g":
            fill = ("gray", tuple(float(v) for v in operands))
        elif op in ("Tj", "TJ", "'", '"') and fill[0] == "cmyk":
            c, m, y, k = fill[1]
            if k >= RICH_BLACK_K and c + m + y > 0:
                yield (f"black text is set in four inks (C {c:.0%} M {m:.0%} Y {y:.0%} K {k:.0%}), which "
                       "misregisters; give its colour black ink alone in the print stylesheet")
