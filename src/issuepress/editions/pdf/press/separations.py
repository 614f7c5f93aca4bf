"""A print PDF -> what its printing plates show: ink coverage, spot plates, black text on the black plate.

Ghostscript's tiffsep device renders each page as the press would separate it: a CMYK image of the
page (one byte of ink a plate, 0 none to 255 full) and one file for each plate. Rendered at 36 dpi
(a pixel is 0.7 mm, the size of area a press's ink limit is about), inside the bleed (the marks beyond
it print in every ink on purpose). For text, the page is rendered a second time with everything but
text taken out (images blanked, paths ended unpainted, gradients dropped: Ghostscript's own filters
also drop text drawn from its glyph cache, so they cannot be used); a dark pixel of that render that
is mostly black ink must be black ink alone. Slow (about 35 ms a page and render): `check --print`.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import pikepdf

from .inks import content_streams

DPI = 36
PROCESS_PLATES = {"Cyan", "Magenta", "Yellow", "Black"}
PAINTING = re.compile(rb"(?<=\s)(f\*?|F|B\*?|b\*?|S|s)(?=\s)")
SHADING = re.compile(rb"/[^\s/\[\]()<>{}%]+\s+sh(?=\s)")
DARK = 128  # a text pixel this dark in black ink is black text
STRAY = 8  # other inks under 3% in a pixel are anti-aliasing and rounding, not a second ink


def check(pdf: bytes, ink_limit: float, page_label: Callable[[int], str]) -> tuple[list[str], str | None]:
    """Problems found on the plates, and why the check could not run (or None)."""
    gs = shutil.which("gs")
    if gs is None:
        return [], ("Ghostscript is not installed (Debian: apt-get install ghostscript), so ink coverage on the "
                    "pages, spot plates and black text were not checked in separations")
    from PIL import Image

    found: list[str] = []
    with tempfile.TemporaryDirectory(prefix="issuepress-plates-") as work:
        folder = Path(work)
        pages, error = _render(gs, pdf, folder / "page")
        if error:
            return [], error
        for number in range(1, pages + 1):
            where = f"print PDF page {number} ({page_label(number)})"
            plates = {path.name.split("(", 1)[1].rstrip(").tif") for path in folder.glob(f"page{number:04d}(*).tif")}
            spots = sorted(plates - PROCESS_PLATES)
            if spots:
                found.append(f"{where} prints on spot plates ({', '.join(spots)}); a CMYK press has none")
            with Image.open(folder / f"page{number:04d}.tif") as page:
                worst = _coverage(page)
            if worst > ink_limit + 0.5:
                found.append(f"{where} puts {worst:.0f}% ink on the paper in places, over the {ink_limit:.0f}% limit")
        count, error = _render(gs, _text_only(pdf), folder / "text")
        if error:
            return found, error
        for number in range(1, count + 1):
            with Image.open(folder / f"text{number:04d}.tif") as page:
                mixed = _rich_black(page)
            if mixed:
                found.append(f"print PDF page {number} ({page_label(number)}): black text is printed on other plates "
                             f"than the black one ({mixed} spots at {DPI} dpi), where it misregisters")
    return found, None


def _render(gs: str, pdf: bytes, stem: Path) -> tuple[int, str | None]:
    """Render every page in separations; returns the page count, or why Ghostscript failed."""
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
    try:
        subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffsep", f"-r{DPI}", "-dUseBleedBox",
                        f"-sOutputFile={stem}%04d.tif", str(source)], check=True, capture_output=True,
                       timeout=60 + pages)
    except subprocess.TimeoutExpired:
        return 0, f"Ghostscript took over {60 + pages} seconds to render the separations; they were not checked"
    except subprocess.CalledProcessError as failed:
        reason = failed.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return 0, f"Ghostscript could not render the separations ({reason[0]}); they were not checked"
    return pages, None


def _coverage(page) -> float:
    """The most ink (C+M+Y+K, percent) any pixel of the page carries."""
    from PIL import ImageMath

    c, m, y, k = (plate.convert("I") for plate in page.split())
    total = ImageMath.lambda_eval(lambda args: args["c"] + args["m"] + args["y"] + args["k"], c=c, m=m, y=y, k=k)
    return total.getextrema()[1] / 255 * 100


def _rich_black(page) -> int:
    """How many pixels of a text-only render are dark, mostly black ink, and not black ink alone."""
    from PIL import ImageMath

    c, m, y, k = (plate.convert("I") for plate in page.split())
    mixed = ImageMath.lambda_eval(
        lambda args: (args["k"] >= DARK) * (args["k"] >= args["c"]) * (args["k"] >= args["m"])
        * (args["k"] >= args["y"]) * ((args["c"] + args["m"] + args["y"]) > STRAY), c=c, m=m, y=y, k=k)
    return sum(mixed.histogram()[1:]) if mixed.getextrema()[1] else 0


def _text_only(pdf: bytes) -> bytes:
    """The PDF with only its text drawn: images blanked, paths ended without painting, gradients dropped."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        blank = document.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                     BBox=pikepdf.Array([0, 0, 0, 0]))
        for stream in content_streams(document):
            data = SHADING.sub(b"", PAINTING.sub(b"n", b"\n" + stream.read_bytes() + b"\n"))
            stream.write(data[1:-1])
        for page in document.pages:
            _blank_images(page.obj.get("/Resources"), blank, set())
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _blank_images(resources, blank, seen: set) -> None:
    if resources is None or (resources.is_indirect and resources.objgen in seen):
        return
    if resources.is_indirect:
        seen.add(resources.objgen)
    xobjects = resources.get("/XObject")
    for name, xobject in dict(xobjects or {}).items():
        if xobject.get("/Subtype") == "/Image":
            xobjects[name] = blank
        else:
            _blank_images(xobject.get("/Resources"), blank, seen)
    for pattern in dict(resources.get("/Pattern", {})).values():
        _blank_images(pattern.get("/Resources"), blank, seen)
