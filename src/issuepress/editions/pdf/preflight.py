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

import pikepdf

from ...content.tree import line_of, tree_of
from ...errors import Problem, shown_path
from ...model import Article, PrintSettings, RenderedIssue
from ..faces import ADD_A_FONT
from . import private
from .types import NODE, PartFacts, in_node_order

PX_PER_INCH = 96  # CSS pixels, which WeasyPrint lays out in
PPI_WARNING, PPI_ERROR = 300, 150
OVERFLOW_TOLERANCE = 1.0  # CSS px


@dataclass
class Report:
    pages: int
    binding: str
    fonts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parts: int = 0
    laid_out: int = 0  # parts laid out in this build; the others came from the cache
    processes: int = 1  # how many processes laid them out
    press: list[tuple[str, str]] = field(default_factory=list)  # the printer's job sheet (press.report)
    package: dict[str, bytes] = field(default_factory=dict)  # the printer's package: "print/NAME" -> bytes
    checks: list[dict] = field(default_factory=list)  # the press checks that ran, and how they went
    images: list[dict] = field(default_factory=list)  # each image as the article names it, and its ppi on paper

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    def summary(self) -> str:
        fonts = f"{len(self.fonts)} fonts embedded"
        parallel = f" in {self.processes} processes" if self.laid_out > 1 and self.processes > 1 else ""
        standard = dict(self.press).get("Standard", "")
        intent = dict(self.press).get("Output intent", "").split(" ", 1)[0]
        press = f", PDF/X-4 for {intent}" if standard.startswith("PDF/X") else ""
        return (f"{self.pages} pages, {self.binding}, {fonts}{press}, {self.laid_out} of {self.parts} parts laid "
                f"out{parallel}")


def part_facts(document, slack_px: float, no_glyph: tuple[str, ...] = (),
               css_ignored: tuple[tuple[str, str], ...] = ()) -> PartFacts:
    """Image resolution at printed size, alt text and overflow, read from WeasyPrint's layout.

    `slack_px`: how far the page will be moved sideways when its margins are mirrored. A page laid out
    sideways for a wide table (its size the first page's turned a quarter) is turned before it is moved: its
    slack is at its top and foot, and its right margin lies under the running head.
    """
    boxes = private.layout_boxes()  # here: only laying out a part needs WeasyPrint
    first = document.pages[0] if document.pages else None

    worst: dict[str, float] = {}
    missing: list[str] = []
    overflow: dict[str, int | None] = {}  # text that runs out of the page, and its node in the article
    for page in document.pages:
        page_box = private.page_box(page)
        right, bottom = page_box.margin_width(), page_box.margin_height()
        sideways = first.width != first.height and (page.width, page.height) == (first.height, first.width)
        across, down = (0.0, slack_px) if sideways else (slack_px, 0.0)
        # Where a page has a top margin, that is where its running head goes: content above it (footnotes
        # too long for the page, which WeasyPrint stacks upwards) would print over the head, or off the page.
        top = page_box.margin_top
        head = right - page_box.margin_right if sideways else None  # a turned page's right edge is its head's
        # ... unless a layout put it there: a running head of its own, in an @page margin box
        in_margins = {id(box) for margin in page_box.children if isinstance(margin, boxes.MarginBox)
                      for box in margin.descendants()}
        for box, node in _with_nodes(page_box):
            if isinstance(box, boxes.ReplacedBox) and box.element is not None:
                src = box.element.get("src") or ""
                if box.width and getattr(box.replacement, "width", 0):
                    ppi = box.replacement.width / (box.width / PX_PER_INCH)
                    worst[src] = min(ppi, worst.get(src, ppi))
                if not box.element.get("alt") and src not in missing:
                    missing.append(src)
            if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)) and (
                    box.position_x + box.margin_width() + across > right + OVERFLOW_TOLERANCE
                    or box.position_y + box.margin_height() + down > bottom + OVERFLOW_TOLERANCE
                    or (sideways and box.position_y - down < -OVERFLOW_TOLERANCE)  # a portrait page's top: below
                    or box.position_x - across < -OVERFLOW_TOLERANCE
                    or (id(box) not in in_margins and (
                        (not sideways and box.position_y < top - OVERFLOW_TOLERANCE)
                        or (sideways and box.position_x + box.margin_width() > head + OVERFLOW_TOLERANCE)))):
                source = box.element.get("src", "") if box.element is not None else ""
                what = (getattr(box, "text", "") or source).strip()
                if what:
                    overflow.setdefault(what[:40], node)
    return PartFacts(tuple(sorted(worst.items())), tuple(missing), tuple(overflow.items()), no_glyph, css_ignored)


def _with_nodes(box, node: int | None = None):
    """Every box of a page, with the place in its article's tree of its nearest element that has one (print_html
    numbers them: `NODE`)."""
    element = getattr(box, "element", None)
    if element is not None:
        found = element.get(NODE)
        if found:
            node = int(found)
    yield box, node
    for child in getattr(box, "children", ()):
        yield from _with_nodes(child, node)


def check(rendered: RenderedIssue, facts: dict[str, PartFacts], pdf: bytes, pages: int, settings: PrintSettings,
          screen: bool, theme_families: set[str], pieces: dict[str, Article] | None = None) -> Report:
    """The printer's checks. `facts` are by the part's label ('“Title”', 'the cover'); `pieces` gives the
    article each piece's label is, in whose file its problems are said, at their lines (the others are the
    manifest's)."""
    report = Report(pages=pages, binding="screen" if screen else settings.binding)
    manifest = shown_path(rendered.issue.manifest, rendered.issue.magazine.root)
    if not screen and settings.binding == "saddle-stitch" and report.pages % 4:
        report.problems.append(Problem(f"{report.pages} pages cannot be saddle-stitched (not a multiple of 4)",
                                       manifest))
    if not screen:
        _stitch(report, settings, rendered)
    _fonts(pdf, report, manifest, theme_families)
    cited = image_citations(rendered)
    names = {href: name for piece in reversed(rendered.pieces) for href, name in piece.image_names}
    worst: dict[str, float] = {}
    for part, found in facts.items():
        for src, ppi in found.image_ppi:
            worst[src] = min(ppi, worst.get(src, ppi))
        for src in found.missing_alt:
            if src not in cited:  # an article's image without alt text was said when the article was read
                report.problems.append(Problem(f"image {src} has no alt text", manifest, warning=True))
        piece = (pieces or {}).get(part)
        where = _shown(rendered, piece.source) if piece is not None else manifest
        if found.overflow:  # once per part: a negative margin or a wide table can push every line out
            # The covers hold the manifests' words: there the fix is a shorter title or description
            advice = {"the cover": "shorten the magazine's or the issue's title, or the first articles' titles",
                      "the back-cover": "shorten the issue's description or the magazine's title",
                      "the spine": "shorten the magazine's or the issue's title, or use thicker paper"}.get(
                part, "shorten a long footnote, or narrow a wide table, image or word")
            texts = tuple(text for text, _node in found.overflow)
            line = next((line for _text, node in found.overflow if (line := _line_of_node(piece, node))), None)
            report.problems.append(Problem(
                f"content runs out of the page in {part}, past the trim or over the running head: "
                f"{_some(texts)}; {advice}", where, line))
        if found.no_glyph:
            report.problems += _without_glyphs(part, found.no_glyph, piece, where)
    if not screen:  # resolution is the printer's concern; the screen PDF shows what it has
        for src, ppi in sorted(worst.items()):
            where, line = cited.get(src, (manifest, None))
            report.images.append({"image": names.get(src, src), "where": f"{where}:{line}" if line else where,
                                  "ppi": round(ppi)})
            _judge_resolution(f"image {names.get(src, src)}", ppi, *cited.get(src, (manifest, None)), report,
                              min(PPI_WARNING, settings.image_ppi))
        _cover(rendered, settings, report, manifest)
    return report


def _line_of_node(piece: Article | None, node: int | None) -> int | None:
    """The line of the article's Markdown where its element number `node` (print_html.number) comes from."""
    if piece is None or node is None:
        return None
    nodes = in_node_order(tree_of(piece.markup))
    return line_of(nodes[node]) if 0 <= node < len(nodes) else None


def _without_glyphs(part: str, characters: tuple[str, ...], piece: Article | None, where: str | None) -> list[Problem]:
    """Characters no font of the theme has, which would print as empty boxes: one problem for each line of the
    article they are on (the first few lines, then how many more characters)."""
    by_line: dict[int, list[str]] = {}
    for ch in characters:
        line = piece.line_of_character(ch) if piece is not None else None
        by_line.setdefault(line or 0, []).append(ch)
    lines = sorted(by_line)
    problems = []
    for line in lines[:MANY]:
        found = by_line[line]
        named = ", ".join(f"U+{ord(ch):04X} {ch}" for ch in found[:MANY])
        named += f" and {len(found) - MANY} more" if len(found) > MANY else ""
        problems.append(Problem(
            f"{part} has {named}, which no font of the theme has: the PDFs would print as empty boxes; "
            f"{ADD_A_FONT}; the web edition and the EPUB, set in the reader's fonts, are written", where, line or None))
    rest = sum(len(by_line[line]) for line in lines[MANY:])
    if rest:
        problems.append(Problem(f"and {rest} more characters of {part} on later lines that no font of the theme has",
                                where, lines[MANY]))
    return problems


def image_citations(rendered: RenderedIssue) -> dict[str, tuple[str | None, int]]:
    """Where each image is first shown: its article and line (a layout's own images are the manifest's)."""
    return {href: (_shown(rendered, piece.source), line) for piece in reversed(rendered.pieces)
            for href, line in piece.image_lines}


def _fonts(pdf: bytes, report: Report, manifest: str, theme_families: set[str]) -> None:
    """Every font the pages use, directly or inside form XObjects (the running heads), and whether
    its program is embedded."""
    seen: dict[str, bool] = {}
    visited: set[tuple[int, int]] = set()

    def walk(resources) -> None:
        if resources is None or (resources.is_indirect and resources.objgen in visited):
            return
        if resources.is_indirect:
            visited.add(resources.objgen)
        for font in dict(resources.get("/Font", {})).values():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            name = str(font.get("/BaseFont", "/?")).lstrip("/").split("+", 1)[-1]  # without the subset tag
            embedded = descriptor is not None and any(key in descriptor for key in ("/FontFile", "/FontFile2",
                                                                                    "/FontFile3"))
            seen[name] = seen.get(name, True) and embedded
        for xobject in dict(resources.get("/XObject", {})).values():
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            walk(page.obj.get("/Resources"))
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


def _stitch(report: Report, settings: PrintSettings, rendered: RenderedIssue) -> None:
    """A saddle stitch is wire through the fold of sheets nested inside each other: past about 16 sheets of 80 to
    100 g/m² text paper (64 pages) the staples no longer close over the spine, it bulges, and the inner pages
    push out beyond the outer ones (creep) far enough to lose their outer margins at the trim."""
    if settings.binding != "saddle-stitch" or report.pages <= settings.saddle_stitch_pages:
        return
    root = rendered.issue.magazine.root
    where = root / "magazine.yaml" if (root / "magazine.yaml").is_file() else rendered.issue.manifest
    report.problems.append(Problem(
        f"{report.pages} pages is more than a saddle stitch holds ({settings.saddle_stitch_pages} pages: the "
        "staples no longer close over the spine and the inner pages creep outwards); bind it perfect-bound "
        "(print: binding: perfect-bound, with print: paper: for the spine), or, if your printer stitches this "
        "many, raise print: saddle_stitch_pages", shown_path(where, root),
        settings.lines.get("saddle_stitch_pages", settings.lines.get("binding")), warning=True))


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _cover(rendered: RenderedIssue, settings: PrintSettings, report: Report, manifest: str) -> None:
    cover = rendered.cover
    if cover is None:
        return
    # The cover fills the page and its bleed, scaled to cover it: the tighter side decides.
    width_in = (settings.trim_width + 2 * settings.bleed) / 25.4
    height_in = (settings.trim_height + 2 * settings.bleed) / 25.4
    ppi = min(cover.width / width_in, cover.height / height_in)
    _judge_resolution(f"cover {cover.source.name}", ppi, manifest, rendered.issue.lines.get("cover"), report)


def _judge_resolution(what: str, ppi: float, where: str | None, line: int | None, report: Report,
                      wanted: float = PPI_WARNING) -> None:
    """`wanted`: the resolution under which to warn (the print settings' image_ppi, if the magazine chose less)."""
    if ppi < PPI_ERROR:
        report.problems.append(Problem(
            f"{what} prints at {ppi:.0f} ppi, below the {PPI_ERROR} ppi minimum; supply a larger image "
            f"({PPI_WARNING} ppi at its printed size){', or ask for a smaller width' * what.startswith('image ')}",
            where, line))
    elif ppi < wanted * 0.98:  # the layout rounds an image's size: 299 ppi is the 300 it was set for
        report.problems.append(Problem(
            f"{what} prints at {ppi:.0f} ppi; printers ask for {wanted:.0f} ppi at the printed size",
            where, line, warning=True))


MANY = 6  # examples a message quotes before it says how many more there are


def _some(items: tuple[str, ...]) -> str:
    """'a', 'b', 'c' and 4 more"""
    quoted = ", ".join(repr(item) for item in items[:MANY])
    return quoted + (f" and {len(items) - MANY} more" if len(items) > MANY else "")


def _shown(rendered: RenderedIssue, path) -> str | None:
    return shown_path(path, rendered.issue.magazine.root)
