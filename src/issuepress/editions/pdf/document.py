"""A rendered issue -> the print-ready PDF (trim, bleed, marks, padded for the binding) and the screen PDF.

The recipe: lay out each part of the issue on its own with WeasyPrint (in
parallel processes, or from the cache: `parts`), plan the pages (blank
rectos, Notes padding) and lay out the contents page with the real page
numbers, lay out the running heads and folios for those pages, then assemble
and mark the PDF (`assembly`) and run the printer's preflight. WeasyPrint
fetches stylesheets, fonts and images only from memory, through
`fetcher.MemoryFetcher`: nothing on disk, nothing on the network. (WeasyPrint
is loaded only where something is laid out: a build whose parts all come from
the cache does not wait half a second for it.)
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable

from ...cache import MemoryCache
from ...cache import key as cache_key
from ...content.tree import copy_of, line_of
from ...errors import IssueError, Problem, shown_path
from ...layouts import Theme
from ...model import Asset, PrintSettings, RenderedIssue
from .. import Finish, Made, common
from . import assembly, furniture, marks, preflight, xmp
from .drawings import in_theme_fonts, theme_stacks
from .fontfaces import effective_ranges
from .layout import cached, lay_out, workers_started
from .pool import WorkFailed
from .press import conformance
from .press import edition as press_edition
from .press import package as press_package
from .press import report as press_report
from .print_blocks import Measure
from .print_html import print_body, size_images
from .types import BASE_URL, GOTO, GOTO_PAGE, Part, PartSpec

CODE_SCALE = 0.85  # code's size, as a share of the text's: css/print.css says the same


@dataclass(frozen=True)
class PageGeometry:
    """Everything the print stylesheet needs, in millimetres and points."""

    trim_width: float
    trim_height: float
    bleed: float
    slug: float  # media past the trim: the bleed plus room for marks
    inner: float
    outer: float
    top: float
    bottom: float
    font_size: float
    cover_title_size: float
    recto: bool

    @property
    def mean(self) -> float:
        """The side margin parts are laid out with; assembly moves pages to make it inner and outer."""
        return round((self.inner + self.outer) / 2, 3)

    @classmethod
    def for_print(cls, settings: PrintSettings, screen: bool) -> "PageGeometry":
        width, height = settings.trim_width, settings.trim_height
        text_width = min(width * 0.76, 135.0)  # about 70 characters a line
        spare = width - text_width
        return cls(
            trim_width=width, trim_height=height,
            bleed=0.0 if screen else settings.bleed,
            slug=0.0 if screen else marks.slug_mm(settings.bleed, settings.marks),
            inner=round(spare * 0.45, 2), outer=round(spare * 0.55, 2),  # the screen PDF centres: see `mean`
            top=round(height * 0.075, 2), bottom=round(height * 0.09, 2),
            font_size=10.5 if width >= 200 else 10.0 if width >= 150 else 9.5,
            cover_title_size=round(44 * width / 210, 1),
            recto=settings.recto and not screen,
        )


def start_edition(rendered: RenderedIssue, theme: Theme, cache, screen: bool) -> Finish:
    """Lay out the print or screen PDF; the returned function waits for its assembly (see `start_pdf`)."""
    finish = start_pdf(rendered, theme, cache or MemoryCache(), screen=screen)
    return lambda: _made(*finish())


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    """`check`'s rehearsal of both PDF editions: their layouts rendered, nothing laid out."""
    check_layouts(rendered, theme)
    return ()


def _made(data: bytes, report: preflight.Report) -> Made:
    """The PDF (and for print, the printer's package beside it), unless preflight found something a
    printer would reject."""
    if report.errors:
        raise IssueError(report.problems)
    return Made(data, report.summary(), tuple(report.problems), report.package)


def render_pdf(rendered: RenderedIssue, theme: Theme, cache, screen: bool,
               thorough: bool = False) -> tuple[bytes, preflight.Report]:
    """Lay out the parts (in parallel, or from the cache), number them, assemble, and preflight
    (`thorough`: with the print shop's slow checks too, as `check --print` runs them)."""
    return start_pdf(rendered, theme, cache, screen, thorough)()


@dataclass
class Planned:
    """The issue laid out part by part and its pages planned: what the PDFs are assembled from, and what the
    other editions take their print page numbers from (pages.py)."""

    settings: PrintSettings
    geometry: PageGeometry
    context: dict
    files: dict
    files_key: str
    slack: float  # how far pages move sideways to mirror their margins, in CSS px
    parts: dict[str, Part]
    laid_out: set[str]  # the parts laid out now (the others came from the cache)
    plan: assembly.Plan
    drawing: list[Problem]  # what could not be drawn (formulas), as warnings
    sheet: Part | None = None  # the running heads and folios, when asked for (`sheet_for`)


def plan_pages(rendered: RenderedIssue, theme: Theme, cache, screen: bool, workers,
               cached_only: bool = False,
               sheet_for: Callable[[assembly.Plan, dict], PartSpec] | None = None) -> Planned | None:
    """Lay out the parts (in `workers`, or here) or take them from the cache, then plan the pages: the contents
    page, which needs the page numbers, is laid out once with the numbers it would have on one page, and
    again only if it takes more. `cached_only`: None unless every part is in the cache (nothing is laid out).
    `sheet_for`: the sheet of running heads and folios for a plan (and the layouts' context), laid out beside the
    contents on the plan of a one-page contents (Planned.sheet), and again only if the contents takes more."""
    settings, geometry, context, files, specs, drawing = _prepared(rendered, theme, screen)
    # What every part may use besides its own HTML and stylesheet: the images and the theme.
    files_key = cache_key(sorted((a.href, a.digest) for a in rendered.assets),
                          theme.digest)
    # How far print pages move to mirror their margins; the screen PDF shares the parts, so both check for it.
    slack = (geometry.outer - geometry.inner) / 2 / 25.4 * 96
    order = [(spec.name, spec.kind) for spec in specs]
    heads = _heads(rendered)
    padded = 1 if screen else 4 if settings.binding == "saddle-stitch" else 2

    def laid(wanted: list[PartSpec]) -> tuple[dict[str, Part], set[str]] | None:
        if cached_only:
            found = cached(wanted, files, slack, cache, files_key)
            return (found, set()) if found is not None else None
        return lay_out(wanted, files, slack, cache, files_key, workers)

    first = laid([spec for spec in specs if spec.kind != "contents"])
    if first is None:
        return None
    parts, laid_out = first
    pages = {name: part.pages for name, part in parts.items()} | {"contents": 1}
    plan = assembly.plan(order, pages, heads, geometry.recto, padded)
    sheet = None
    for _attempt in range(3):
        contents_spec = _spec(theme, "contents", "contents", {**context, "starts": plan.starts})
        # The sheet waits for nothing but the plan: laid out in parallel with the contents, it is right unless the
        # contents takes more pages than planned (a long issue); then it is laid out again with the next contents
        sheet_spec = sheet_for(plan, context) if sheet_for is not None and sheet is None else None
        contents = laid([contents_spec] + ([sheet_spec] if sheet_spec is not None else []))
        if contents is None:
            return None
        # (the sheet is not a part of the issue's pages: the summary counts parts)
        parts["contents"], laid_out = contents[0]["contents"], laid_out | (contents[1] & {"contents"})
        pages["contents"] = parts["contents"].pages
        replanned = assembly.plan(order, pages, heads, geometry.recto, padded)
        settled, plan = replanned.starts == plan.starts, replanned  # the slots always match the parts
        if sheet_spec is not None and settled:
            sheet = contents[0][sheet_spec.name]
        if settled:
            break
    if sheet_for is not None and sheet is None:  # the contents never settled: the sheet of the last plan
        sheet_spec = sheet_for(plan, context)
        laid_sheet = laid([sheet_spec])
        if laid_sheet is None:
            return None
        sheet = laid_sheet[0][sheet_spec.name]
    return Planned(settings, geometry, context, files, files_key, slack, parts, laid_out, plan, drawing, sheet)


def start_pdf(rendered: RenderedIssue, theme: Theme, cache, screen: bool,
              thorough: bool = False) -> Callable[[], tuple[bytes, preflight.Report]]:
    """Lay out the parts and plan the pages now; the returned function assembles and preflights.

    Where layout processes have already laid out parts in this build (so WeasyPrint is loaded
    there), the assembly goes to one of them: the build goes on with the next edition meanwhile
    (the screen PDF's assembly then runs beside the print PDF's).
    """
    issue = rendered.issue

    def sheet_for(plan: assembly.Plan, context: dict) -> PartSpec:
        cells, _furnishing = furniture.cells_for(plan.slots, screen)
        return PartSpec("furniture", "furniture", theme.render("pdf/furniture.html", **context, cells=cells),
                        stylesheet="css/furniture.css")

    with workers_started() as workers, _said_as_problems(rendered):
        planned = plan_pages(rendered, theme, cache, screen, workers, sheet_for=sheet_for)
        assert planned is not None and planned.sheet is not None, "laid out, not only taken from the cache"
        settings, geometry, context, files = planned.settings, planned.geometry, planned.context, planned.files
        files_key, slack, parts, laid_out, plan = (planned.files_key, planned.slack, planned.parts,
                                                   planned.laid_out, planned.plan)
        _cells, furnishing = furniture.cells_for(plan.slots, screen)
        sheet = planned.sheet
        refused = dict.fromkeys(url.removeprefix(BASE_URL) for part in parts.values() for url in part.refused)
        if refused:  # the issue's own files were checked when it was read: these come from the layouts
            raise IssueError([Problem(f"the print layout asks for {url[:80]}, which is neither a file of the issue nor "
                                      "one of the theme's fonts; check the url() and src= in the layouts",
                                      theme.origins.get("css/print.css")) for url in refused])
        # For print: the parts in the press's inks, the images converted, a separate cover's spine laid out
        prepared = None if screen else press_edition.prepare(
            rendered, theme, settings, {name: files[name] for name in ("css/print.css", "css/furniture.css")},
            len(plan.slots), parts, sheet,
            lambda name, html: lay_out([PartSpec(name, name, html)], files, slack, cache, files_key, workers)[0][name],
            context, cache, workers)
        job = (plan, prepared.parts if prepared else parts, prepared.sheet if prepared else sheet,
               furnishing, geometry, screen, settings.marks, _metadata(rendered), issue.language,
               prepared.job if prepared else None, xmp.issue_record(rendered))
        assembled_key = press_edition.assembly_key(job) if prepared is not None else None
        assembled = cache.get("press-assembly", assembled_key) if assembled_key else None
        # Only workers that outlive this block (a build's) can be left to finish the assembly.
        handing_off = (assembled is None and workers is not None and workers.warm and not workers.broken
                       and workers.depth > 1)
        # For print, the printer's files are cut from the PDF there too, straight after its assembly: this process is
        # finishing the other editions then (the job's parts, already on their way, are not sent twice)
        split = None if prepared is None else (issue.id, replace(prepared, parts={}, sheet=None), geometry,
                                               settings.marks)
        assembling = workers.hand_off(_assembled, job, split) if handing_off else None
        processes = workers.count if workers is not None and not workers.broken else 1

    def finish() -> tuple[bytes, preflight.Report]:
        with _said_as_problems(rendered):
            data, files = (assembled, None) if assembled else (
                assembling.result() if assembling is not None else (assembly.assemble(*job), None))
        if assembled_key and assembled is None:
            cache.put("press-assembly", assembled_key, data)
        families = set(theme.families.values())
        labels = {piece.slug: f"\u201c{piece.title}\u201d" for piece in rendered.pieces}
        facts = {labels.get(name, f"the {name}"): part.facts for name, part in parts.items()}
        if prepared is not None and prepared.strip is not None:
            facts["the spine"] = prepared.strip.facts
        pieces = {labels[piece.slug]: piece for piece in rendered.pieces}
        report = preflight.check(rendered, facts, data, len(plan.slots), settings, screen, families, pieces)
        laid_out_parts = [*parts.values(), sheet]
        ignored = dict.fromkeys(item for part in laid_out_parts for item in part.facts.css_ignored)
        report.problems += [Problem(f"the PDF's layout ignores {declaration}", theme.origins.get(stylesheet),
                                    warning=True) for stylesheet, declaration in ignored]
        report.problems += planned.drawing
        report.parts, report.laid_out, report.processes = len(parts), len(laid_out), processes
        if prepared is not None:
            def page_label(number: int) -> str:
                part = plan.slots[number - 1].part
                return labels.get(part, f"the {part}") if part else "a blank page"

            judge = (lambda pdf: _judged(workers.hand_off(conformance.pdf_x_findings, pdf))) if handing_off else None
            report.package = press_report.complete(rendered, settings, prepared, geometry, data, report,
                                                   preflight.image_citations(rendered), page_label, thorough, cache,
                                                   judge, files)
        return data, report

    return finish


def _assembled(job: tuple, split: tuple | None) -> tuple[bytes, dict[str, bytes] | None]:
    """(in a layout process) The assembled PDF, and for print (`split`: what `package.print_files` needs besides the
    PDF) the printer's files cut from it."""
    data = assembly.assemble(*job)
    return data, press_package.print_files(split[0], data, *split[1:]) if split is not None else None


def _judged(handed) -> Callable[[], tuple]:
    """What waits for pdf-oxide's verdict in a layout process: a process that died reaching it is the checker's
    failure, said as such (not fatal), like any other failure of the checker."""

    def verdict() -> tuple:
        try:
            return handed.result()
        except WorkFailed as failed:
            return [], [], f"pdf-oxide could not check the file: {failed.reason}"

    return verdict


@contextmanager
def _said_as_problems(rendered: RenderedIssue):
    """Work a layout process could not do (it died doing it, twice, or ran for far too long) -> a problem of the
    piece whose part it was: the build then stops cleanly, saying where, and the other editions are written."""
    try:
        yield
    except WorkFailed as failed:
        spec = failed.item
        piece = next((piece for piece in rendered.pieces if spec is not None and piece.slug == spec.name), None)
        root = rendered.issue.magazine.root
        if piece is not None:
            what, where = f"\u201c{piece.title}\u201d could not be laid out", shown_path(piece.source, root)
        else:
            what = f"the {spec.name} could not be laid out" if spec is not None else "the PDF could not be assembled"
            where = shown_path(rendered.issue.manifest, root)
        raise IssueError([Problem(f"{what}: {failed.reason}. This is a fault in the layout, not in your text; "
                                  "build again, and if it happens again report it with this file", where)]) from None


def check_layouts(rendered: RenderedIssue, theme: Theme) -> None:
    """Render the print PDF's layouts without laying them out, so that `check` finds a mistake in
    one without waiting for WeasyPrint (IssueError naming the layout)."""
    _settings, geometry, context, _files, specs, _drawing = _prepared(rendered, theme, screen=False)
    # Each with what a build gives it, from a plan of two pages a part (both sides' running heads):
    # the contents page every part's first page, the sheet every running head of print and screen.
    order = [(spec.name, spec.kind) for spec in specs]
    plan = assembly.plan(order, {name: 2 for name, _kind in order}, _heads(rendered), geometry.recto, 2)
    _spec(theme, "contents", "contents", {**context, "starts": plan.starts})
    cells = dict.fromkeys(cell for screen in (False, True) for cell in furniture.cells_for(plan.slots, screen)[0])
    theme.render("pdf/furniture.html", **context, cells=list(cells))
    if _settings.separate_cover:  # the spine of a separate cover (press.edition lays it out)
        theme.render("pdf/part.html", **context, part={"kind": "spine", "lettered": True})


def _prepared(rendered: RenderedIssue, theme: Theme, screen: bool):
    """(print settings, page geometry, layout context, the files parts may use, part specs, what could not be
    drawn)."""
    settings = rendered.issue.magazine.print
    geometry = PageGeometry.for_print(settings, screen)
    context = {**common.context(rendered, theme), "page": geometry, "screen": screen, "cover": rendered.cover,
               "goto": GOTO, "goto_page": GOTO_PAGE, "starts": {}}
    css = effective_ranges(theme.render("css/print.css", **context), theme.fonts)
    context["typefaces"] = theme.typefaces(theme.fonts_in(css))
    sheet_css = effective_ranges(theme.render(
        "css/furniture.css", **context, cell_mm=furniture.CELL_MM, digit_pt=furniture.DIGIT_PT,
        sheet_width=round(geometry.trim_width - geometry.inner - geometry.outer, 3)), theme.fonts)
    files: dict[str, Asset | bytes] = {"css/print.css": css.encode("utf-8"), "css/furniture.css": sheet_css.encode()}
    files.update({font.href: font for font in theme.fonts_in(css)})
    stacks, declared = theme_stacks(css), set(theme.families.values())
    files.update({asset.href: in_theme_fonts(asset, stacks, declared) for asset in rendered.assets})
    drawing: list[Problem] = []
    specs = _specs(rendered, theme, context, settings, geometry, screen, drawing)
    return settings, geometry, context, files, specs, drawing


def _specs(rendered: RenderedIssue, theme: Theme, context: dict, settings: PrintSettings, geometry: PageGeometry,
           screen: bool, drawing: list[Problem]) -> list[PartSpec]:
    """The parts in reading order. Covers carry their own bleed, so that the stylesheet (and with it every
    other part) is the same for the print and the screen PDF."""
    bleed = f"<style>@page cover, back-cover {{ bleed: {geometry.slug}mm }}</style>" if not screen else ""
    page_slugs = {piece.page: piece.slug for piece in rendered.pieces}
    # The text column code is set in (css/print.css: code at 0.85 of the text's size), and the column of a page
    # turned sideways for a wide table (css/print.css: @page landscape), unless the trim is square
    turned = geometry.trim_height - geometry.top - geometry.bottom if geometry.trim_height != geometry.trim_width else 0
    measure = Measure(geometry.trim_width - geometry.inner - geometry.outer, geometry.font_size * CODE_SCALE, turned)
    specs = [_spec(theme, "cover", "cover", context, bleed)]
    specs.append(PartSpec("contents", "contents", ""))  # set in start_pdf, once the page numbers are known
    previous = None
    images = {asset.href: asset for asset in rendered.assets}
    for piece in rendered.pieces:
        where = shown_path(piece.source, rendered.issue.magazine.root)

        def warn(element, message: str, where=where) -> None:
            drawing.append(Problem(message, where, line_of(element), warning=True))

        tree = copy_of(piece.markup)
        size_images(tree, images, settings.image_ppi)
        body = print_body(tree, piece.slug, page_slugs, settings.footnotes, GOTO, measure, warn)
        starts_section = bool(piece.section) and piece.section != previous
        previous = piece.section
        part = {"kind": "piece", "piece": piece, "body": body, "section_start": starts_section}
        specs.append(PartSpec(piece.slug, "piece", theme.render("pdf/part.html", **context, part=part),
                              weight=piece.words))
    specs.append(_spec(theme, "back", "back", context))
    if not screen:  # a page to pad a print issue with, for its binding (assembly.plan)
        specs.append(_spec(theme, "notes", "notes", context))
    specs.append(_spec(theme, "back-cover", "back-cover", context, bleed))
    return specs


def _spec(theme: Theme, name: str, kind: str, context: dict, head: str = "") -> PartSpec:
    html = theme.render("pdf/part.html", **context, part={"kind": kind})
    return PartSpec(name, kind, html.replace("</head>", head + "</head>", 1) if head else html)


def _heads(rendered: RenderedIssue) -> dict[str, tuple[str, str, str]]:
    """Running heads per part: (left-hand page, right-hand page, screen)."""
    masthead = f"{rendered.issue.magazine.title} \u00b7 {rendered.issue.title}"
    heads = {piece.slug: (masthead, f"{piece.section}\u2003{piece.title}" if piece.section else piece.title,
                          piece.title) for piece in rendered.pieces}
    back = "Contributors" if rendered.contributors else "Imprint"
    heads["back"] = (masthead, back, back)
    return heads


def _metadata(rendered: RenderedIssue) -> dict[str, str]:
    issue = rendered.issue
    moment = "D:" + common.build_timestamp(issue).strftime("%Y%m%d%H%M%S") + "Z"
    metadata = {"/Title": issue.full_title, "/Creator": "issuepress", "/Producer": "issuepress with WeasyPrint",
                "/CreationDate": moment, "/ModDate": moment,
                "/Subject": issue.description or f"{issue.magazine.title}, Volume {issue.volume}, No. {issue.number}"}
    if issue.editor:
        metadata["/Author"] = issue.editor
    if issue.keywords:
        metadata["/Keywords"] = ", ".join(issue.keywords)
    return metadata
