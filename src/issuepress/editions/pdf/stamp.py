"""A finished PDF and a line of text -> the same PDF with the line in every page's footer.

Used for personalised screen PDFs: the issue is laid out once, and each copy
gets a one-line overlay, set by WeasyPrint with the theme's fonts (so a name
in any script prints), drawn on every page as a form XObject. The copy is
the original file plus an incremental update holding the overlay and the
changed page dictionaries, so no page is parsed or rewritten. Before any copy
is made, the names are set once to find characters no font has, which would
print as empty boxes.
"""

from __future__ import annotations

import html
import io
import multiprocessing.util

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from ...layouts import Theme
from ...model import RenderedIssue
from .. import faces
from . import private
from .fetcher import MemoryFetcher
from .layout import HeardFromWeasyPrint
from .loader import weasyprint
from .types import BASE_URL


def stamp(pdf: bytes, line: str, rendered: RenderedIssue, theme: Theme) -> bytes:
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    first = writer.pages[0].mediabox
    overlay = PdfReader(io.BytesIO(_overlay(line, float(first.width), float(first.height), rendered, theme)))
    source = overlay.pages[0]
    form = StreamObject()
    form.set_data(source.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): source.mediabox,
                 NameObject("/Resources"): source["/Resources"].clone(writer)})
    form_ref = private.add_object(writer, form)
    # The page's own drawing is wrapped in q/Q so the overlay starts from the page's initial state.
    save = private.add_object(writer, _stream(b"q"))
    draw = private.add_object(writer, _stream(b"Q q /IssuepressStamp Do Q"))
    for page in writer.pages:
        resources = page["/Resources"].get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects.get_object()[NameObject("/IssuepressStamp")] = form_ref
        contents = page["/Contents"]
        parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *parts, draw])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(data: bytes) -> StreamObject:
    stream = StreamObject()
    stream.set_data(data)
    return stream


def characters_without_glyphs(lines: list[str], rendered: RenderedIssue, theme: Theme) -> set[str]:
    """The characters of `lines` that no font has (neither the theme's nor the computer's), which a
    stamp would print as empty boxes: found by setting all the lines once."""
    with HeardFromWeasyPrint() as heard:
        _overlay("\n".join(lines), 595.0, 842.0, rendered, theme)
    return set(heard.characters)


def _overlay(line: str, width: float, height: float, rendered: RenderedIssue, theme: Theme) -> bytes:
    sheet, fonts = _fonts(theme)
    document = f"""<!DOCTYPE html><html lang="{rendered.issue.language}"><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
p {{ position: absolute; bottom: 3.5mm; left: 10mm; right: 10mm; margin: 0; text-align: center;
     font: 6.5pt/1 var(--serif); color: #555; }}
</style></head><body><p dir="auto">{html.escape(line)}</p></body></html>"""
    return weasyprint.HTML(string=document, base_url=BASE_URL).write_pdf(stylesheets=[sheet], font_config=fonts)


# The theme's @font-face rules, parsed (and their fonts loaded) once for all the copies of a run.
_FONTS: dict[str, tuple] = {}


def _fonts(theme: Theme):
    if theme.digest not in _FONTS:
        from .fontfaces import effective_ranges, font_configuration

        # A subscriber's name may be in any script the theme has
        css = effective_ranges(theme.render("css/fonts.css", arabic_script=True, code=False,
                                            faces=frozenset(faces.UNICODE_RANGES),
                                            unicode_ranges=faces.UNICODE_RANGES), theme.fonts)
        files = {"css/fonts.css": css.encode("utf-8"), **{font.href: font for font in theme.fonts_in(css)}}
        fonts = font_configuration()
        multiprocessing.util.Finalize(fonts, fonts.__del__, exitpriority=10)  # its temporary font folder
        sheet = weasyprint.CSS(string=css, base_url=BASE_URL + "css/fonts.css", url_fetcher=MemoryFetcher(files),
                               font_config=fonts)
        _FONTS.clear()
        _FONTS[theme.digest] = (sheet, fonts)
    return _FONTS[theme.digest]
