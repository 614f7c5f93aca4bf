"""Laid-out parts -> one PDF: pages in order and numbered, margins mirrored, heads and folios, marks.

The parts come from `parts` with symmetric margins and no furniture. Here
the pages are put in reading order (with a blank page where an article must
open on the right, and Notes pages to fill a saddle-stitched issue to a
multiple of four, a perfect-bound one to an even count), each body page is moved sideways so the margins mirror on
facing pages, and every page gets its running head and folio (`furniture`). A
page laid out sideways for a wide table (css/print.css: @page landscape) is
turned into the trim, its top to the page's left edge as in books, so every
page of the PDF has the same boxes. Links between parts, named destinations
and the outline are joined up, and for print the bleed box, crop marks and
clipping are set with pikepdf.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

from . import furniture, xmp
from .furniture import PageFurniture
from .marks import PT_PER_MM, apply_marks
from .press import edition as press_edition
from .types import GOTO, Bookmark, Part

PX_TO_PT = 0.75


@dataclass(frozen=True)
class PageSlot:
    """One page of the finished PDF."""

    part: str | None  # None: a blank page
    index: int  # the page within its part
    furniture: str  # "none" (cover, blank, notes), "folio" (openings), "full"
    shift: bool  # body pages move sideways to mirror the margins; covers do not
    head_left: str = ""
    head_right: str = ""
    head_centre: str = ""


@dataclass(frozen=True)
class Plan:
    slots: tuple[PageSlot, ...]
    starts: dict[str, int]  # part name -> its first page, from 1


def plan(order: list[tuple[str, str]], pages: dict[str, int], heads: dict[str, tuple[str, str, str]],
         recto: bool, pad_to: int) -> Plan:
    """`order`: (part name, kind) in reading order; `pages`: each part's page count;
    `heads`: part -> (left, right, centre) running heads; `pad_to`: Notes pages go before the back
    cover until the page count is a multiple of it (4 for a saddle-stitched issue, 2 for a bound one,
    whose back cover is a left-hand page)."""
    slots: list[PageSlot] = []
    starts: dict[str, int] = {}
    for name, kind in order:
        if kind == "back-cover":
            notes = [s for s in order if s[1] == "notes"]
            while (len(slots) + pages[name]) % pad_to and notes:
                slots.append(PageSlot(notes[0][0], 0, "none", True))
        if kind == "notes":
            continue  # only ever used as padding, above
        if kind == "piece" and recto and len(slots) % 2 == 1:
            slots.append(PageSlot(None, 0, "none", False))  # pages count from 1: an odd count ends on a right page
        starts[name] = len(slots) + 1
        left, right, centre = heads.get(name, ("", "", ""))
        for index in range(pages[name]):
            if kind in ("cover", "back-cover"):
                slots.append(PageSlot(name, index, "none", False))
            elif index == 0 or kind == "contents":
                slots.append(PageSlot(name, index, "folio", True))
            else:
                slots.append(PageSlot(name, index, "full", True, left, right, centre))
    return Plan(tuple(slots), starts)


def assemble(plan: Plan, parts: dict[str, Part], sheet: Part, furnishing: list[PageFurniture | None],
             geometry, screen: bool, marks: frozenset[str], metadata: dict[str, str], language: str,
             press=None, record: xmp.Record | None = None, first: int = 1) -> bytes:
    """`press`: for print, what makes the PDF a PDF/X for the press (press.edition.PressJob), or None; `record`: the
    XMP's publication fields where no PDF/X packet carries them; `first`: the number of the first page (an
    offprint's pages keep their numbers in the issue, and their sides)."""
    final = pikepdf.new()
    sources = {name: pikepdf.open(io.BytesIO(part.pdf)) for name, part in parts.items()}
    sheets = pikepdf.open(io.BytesIO(sheet.pdf))
    for name, source in [*sources.items(), ("furniture", sheets)]:
        _retag_subsets(source, name)
    forms = [final.copy_foreign(page.as_form_xobject()) for page in sheets.pages]
    width, height = geometry.trim_width * PT_PER_MM, geometry.trim_height * PT_PER_MM
    slug = 0.0 if screen else geometry.slug * PT_PER_MM
    placed: dict[tuple[str, int], pikepdf.Dictionary] = {}  # page dictionaries as they came from their part
    turned: set[int] = set()  # the pages laid out sideways, by their place in this PDF (from 1)
    for place, slot in enumerate(plan.slots, start=1):
        number = place - 1 + first  # the page's number in the issue, which says its side
        if slot.part is None:
            final.add_blank_page(page_size=(width, height))
        elif (slot.part, slot.index) in placed:  # a Notes page again: a page may sit in the tree only once
            final.pages.append(pikepdf.Page(final.make_indirect(pikepdf.Dictionary(placed[slot.part, slot.index]))))
        else:
            final.pages.append(sources[slot.part].pages[slot.index])
            placed[slot.part, slot.index] = pikepdf.Dictionary(final.pages[-1].obj)
        page = final.pages[-1]
        if _sideways(page, width, height):
            turned.add(place)
            _turn_links(page, width)
            if screen:  # a screen shows the page as it is read: landscape, the table upright
                page.Rotate = 90
        page.MediaBox = [-slug, -slug, width + slug, height + slug]
        page.TrimBox = [0, 0, width, height]
        if place in turned:  # WeasyPrint's, sideways (for print, the marks set it again with the bleed)
            page.BleedBox = [0, 0, width, height]
        # The page's own drawing goes inside q/Q: WeasyPrint's starts by flipping the y axis, which the
        # furniture and the marks drawn after it must not inherit. Parts are laid out with the mean of the
        # inner and outer margins; print pages then move sideways, odd pages being right-hand pages.
        half = (geometry.outer - geometry.inner) / 2 * PT_PER_MM if slot.shift and not screen else 0.0
        move = f"1 0 0 1 {-half if number % 2 else half:.3f} 0 cm" if half else ""
        # A page laid out sideways is turned a quarter (its top to the left edge), then moved like the others
        turn = f" 0 1 -1 0 {width:.3f} 0 cm" if place in turned else ""
        page.contents_add(f"q {move}{turn}\n".encode(), prepend=True)
        page.contents_add(b"\nQ")
        if furnishing[place - 1] is not None:
            furniture.draw(page, furnishing[place - 1], forms, len(forms) - len(furniture.DIGITS), geometry, screen)
        if not screen:
            apply_marks(page, (0, 0, width, height), geometry.bleed * PT_PER_MM, marks)
    _link_parts(final, _join_destinations(final, sources, {final.pages[place - 1].objgen for place in turned}, width))
    _outline(final, plan, parts, height, turned)
    for key, value in metadata.items():
        final.docinfo[key] = value
    final.Root.Lang = pikepdf.String(language)
    version = press_edition.apply(final, press)
    if press is None and record is not None:
        xmp.write(final, record)
    out = io.BytesIO()
    final.save(out, deterministic_id=True, compress_streams=True, fix_metadata_version=False, min_version=version)
    return out.getvalue()


def _retag_subsets(source: pikepdf.Pdf, part: str) -> None:
    """Give each part's font subsets their own tag (the "ABCDEF+" before the name).

    WeasyPrint tags a subset by the font it came from, so every part would embed a different
    subset of Charis SIL under the same name; a RIP that caches fonts by name could then print
    one part's glyphs with another's subset. The new tag is made from the part and the old tag.
    """
    seen: set[tuple[int, int]] = set()

    def retag(name: str) -> str:
        tag, plus, rest = name.lstrip("/").partition("+")
        if not plus or len(tag) != 6:
            return name
        digest = hashlib.sha256(f"{part}:{tag}".encode()).digest()
        return "/" + "".join(chr(65 + byte % 26) for byte in digest[:6]) + "+" + rest

    def walk(resources) -> None:
        if resources is None:
            return
        for font in dict(resources.get("/Font", {})).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            for entry in [font, *font.get("/DescendantFonts", [])]:
                if "/BaseFont" in entry:
                    entry.BaseFont = pikepdf.Name(retag(str(entry.BaseFont)))
                descriptor = entry.get("/FontDescriptor")
                if descriptor is not None and "/FontName" in descriptor:
                    descriptor.FontName = pikepdf.Name(retag(str(descriptor.FontName)))
        for xobject in dict(resources.get("/XObject", {})).values():
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in source.pages:
        walk(page.obj.get("/Resources"))


def _sideways(page: pikepdf.Page, width: float, height: float) -> bool:
    """Whether the part laid this page out sideways: its size is the trim's turned a quarter."""
    left, bottom, right, top = (float(value) for value in page.MediaBox)
    return abs(width - height) > 1 and abs(right - left - height) < 1 and abs(top - bottom - width) < 1


def _turned(x: float, y: float, width: float) -> tuple[float, float]:
    """A point of a page laid out sideways -> the same point once the page is turned into the trim."""
    return width - y, x


def _turn_links(page: pikepdf.Page, width: float) -> None:
    """The page's link areas turned with it, so that a click still lands on the link's text."""
    for annotation in page.get("/Annots", []):
        if "/Rect" in annotation:
            x0, y0, x1, y1 = (float(value) for value in annotation.Rect)
            (a, b), (c, d) = _turned(x0, y0, width), _turned(x1, y1, width)
            annotation.Rect = [min(a, c), min(b, d), max(a, c), max(b, d)]
        if "/QuadPoints" in annotation:
            points = [float(value) for value in annotation.QuadPoints]
            annotation.QuadPoints = [value for x, y in zip(points[::2], points[1::2]) for value in _turned(x, y, width)]


def _join_destinations(final: pikepdf.Pdf, sources: dict[str, pikepdf.Pdf], turned: set[tuple[int, int]],
                       width: float) -> set[str]:
    """Every part's named destinations (element ids, unique across parts) in the finished PDF, their names
    returned; on a page laid out sideways, the point turned with the page."""
    names = pikepdf.Array()
    entries: dict[str, pikepdf.Object] = {}
    for source in sources.values():
        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            for name, destination in pikepdf.NameTree(source.Root.Names.Dests).items():
                if destination.is_indirect:
                    destination = destination.get_object()
                # [page, /XYZ, x, y, zoom]: the page copied with the pages, the rest as it is
                page, rest = final.copy_foreign(destination[0]), list(destination)[1:]
                if page.objgen in turned and len(rest) >= 3 and rest[0] == pikepdf.Name.XYZ and all(
                        isinstance(value, (int, float, Decimal)) for value in rest[1:3]):
                    rest[1:3] = _turned(float(rest[1]), float(rest[2]), width)
                entries[name] = pikepdf.Array([page, *rest])
    for name in sorted(entries):
        names.append(pikepdf.String(name))
        names.append(entries[name])
    final.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))
    return set(entries)


def _link_parts(final: pikepdf.Pdf, destinations: set[str]) -> None:
    """Links written across parts as GOTO URLs become links to the named destination; a link to a part this PDF
    has not (an offprint's to another article) is left out, its words kept."""
    for page in final.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = []
        for annotation in annotations:
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(GOTO):
                if uri[len(GOTO):] not in destinations:
                    continue
                annotation.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.String(uri[len(GOTO):]))
            kept.append(annotation)
        if len(kept) != len(annotations):
            page.obj.Annots = pikepdf.Array(kept)


def _outline(final: pikepdf.Pdf, plan: Plan, parts: dict[str, Part], height: float, turned: set[int]) -> None:
    with final.open_outline() as outline:
        stack: list[tuple[int, pikepdf.OutlineItem]] = []
        for name, start in sorted(plan.starts.items(), key=lambda item: item[1]):
            for mark in parts[name].bookmarks:
                # on a page laid out sideways, the page's top: the mark's height there runs across the page
                item = _item(mark, start, height, height if start + mark.page in turned else None)
                while stack and stack[-1][0] >= mark.level:
                    stack.pop()
                (stack[-1][1].children if stack else outline.root).append(item)
                stack.append((mark.level, item))


def _item(mark: Bookmark, start: int, height: float, top: float | None = None) -> pikepdf.OutlineItem:
    return pikepdf.OutlineItem(mark.label, start - 1 + mark.page, "XYZ",
                               top=height - mark.y * PX_TO_PT if top is None else top)
