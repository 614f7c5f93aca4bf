"""A laid-out print edition -> what a printer's preflight would say about it.

Checks the page count against the binding, that every font is embedded, the
effective resolution of every image at the size it prints, alt text, and
anything that runs past the trim. Resolution and overflow are read from
WeasyPrint's layout (the size each image really prints at); fonts and page
boxes from the finished PDF, as the printer will.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from ..errors import Problem, shown_path
from ..model import PrintSettings, RenderedIssue

PX_PER_INCH = 96  # CSS pixels, which WeasyPrint lays out in
PPI_WARNING, PPI_ERROR = 300, 150
OVERFLOW_TOLERANCE = 1.0  # CSS px


@dataclass
class Report:
    pages: int
    binding: str
    fonts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    def summary(self) -> str:
        fonts = f"{len(self.fonts)} fonts embedded"
        return f"{self.pages} pages, {self.binding}, {fonts}"


def check(rendered: RenderedIssue, document, pdf: bytes, settings: PrintSettings, screen: bool,
          theme_families: set[str]) -> Report:
    report = Report(pages=len(document.pages), binding="screen" if screen else settings.binding)
    manifest = shown_path(rendered.issue.manifest, rendered.issue.magazine.root)
    if not screen and settings.binding == "saddle-stitch" and report.pages % 4:
        report.problems.append(Problem(f"{report.pages} pages cannot be saddle-stitched (not a multiple of 4)",
                                       manifest))
    _fonts(pdf, report, manifest, theme_families)
    if not screen:
        _images(rendered, document, report)
        _cover(rendered, settings, report, manifest)
    _overflow(document, report, manifest)
    return report


def _fonts(pdf: bytes, report: Report, manifest: str, theme_families: set[str]) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    seen: dict[str, bool] = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            name = str(font.get("/BaseFont", "?")).lstrip("/").split("+", 1)[-1]  # without the subset tag
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[name] = seen.get(name, True) and embedded
    report.fonts = sorted(seen)
    families = {_squash(family) for family in theme_families}
    for name, embedded in sorted(seen.items()):
        if not embedded:
            report.problems.append(Problem(f"font {name} is not embedded in the PDF", manifest))
        if not any(_squash(name).startswith(family) for family in families):
            report.problems.append(Problem(
                f"some text is set in {name}, a font of this computer rather than of the theme: the theme's "
                "fonts lack a character it uses, and other computers may set it differently", manifest,
                warning=True))


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _images(rendered: RenderedIssue, document, report: Report) -> None:
    """Effective resolution of each image at the size it is printed."""
    sources = {asset.href: asset for asset in rendered.assets}
    cited = {asset.href: piece.source for piece in rendered.pieces for asset in piece.assets}
    worst: dict[str, float] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.ReplacedBox) and box.element is not None and box.width:
                src = box.element.get("src") or ""
                image = box.replacement
                if src in sources and getattr(image, "width", 0):
                    ppi = image.width / (box.width / PX_PER_INCH)
                    worst[src] = min(ppi, worst.get(src, ppi))
            if isinstance(box, boxes.ReplacedBox) and box.element is not None and not box.element.get("alt"):
                src = box.element.get("src") or ""
                where = _shown(rendered, cited.get(src))
                report.problems.append(Problem(f"image {src} has no alt text", where, warning=True))
    for src, ppi in sorted(worst.items()):
        _judge_resolution(f"image {src}", ppi, _shown(rendered, cited.get(src)), report)


def _cover(rendered: RenderedIssue, settings: PrintSettings, report: Report, manifest: str) -> None:
    cover = rendered.cover
    if cover is None:
        return
    # The cover fills the page and its bleed, scaled to cover it: the tighter side decides.
    width_in = (settings.trim_width + 2 * settings.bleed) / 25.4
    height_in = (settings.trim_height + 2 * settings.bleed) / 25.4
    ppi = min(cover.width / width_in, cover.height / height_in)
    _judge_resolution(f"cover {cover.source.name}", ppi, manifest, report)


def _judge_resolution(what: str, ppi: float, where: str | None, report: Report) -> None:
    if ppi < PPI_ERROR:
        report.problems.append(Problem(
            f"{what} prints at {ppi:.0f} ppi, below the {PPI_ERROR} ppi minimum; supply a larger image "
            f"({PPI_WARNING} ppi at its printed size)", where))
    elif ppi < PPI_WARNING - 0.5:
        report.problems.append(Problem(
            f"{what} prints at {ppi:.0f} ppi; printers ask for {PPI_WARNING} ppi at the printed size",
            where, warning=True))


def _overflow(document, report: Report, manifest: str) -> None:
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right, bottom = page_box.margin_width(), page_box.margin_height()
        for box in page_box.descendants():
            if not isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
                continue
            box_right = box.position_x + box.margin_width()
            box_bottom = box.position_y + box.margin_height()
            if box_right > right + OVERFLOW_TOLERANCE or box_bottom > bottom + OVERFLOW_TOLERANCE \
                    or box.position_x < -OVERFLOW_TOLERANCE:
                text = getattr(box, "text", "") or (box.element.get("src") if box.element is not None else "")
                report.problems.append(Problem(
                    f"page {number}: content runs past the trim: {text[:40]!r}", manifest))
                break


def _shown(rendered: RenderedIssue, path) -> str | None:
    return shown_path(path, rendered.issue.magazine.root)
