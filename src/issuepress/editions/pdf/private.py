"""Every use of a library's private API in issuepress, in one place: WeasyPrint's layout boxes and log texts,
its font configuration's folder, pypdf's object table.

Libraries change these without notice. Each has a fast smoke test (tests/test_structure.py), and the
libraries have an upper version bound in pyproject.toml, so that an upgrade fails in `make test`, here, rather
than quietly in an editor's build. WeasyPrint is imported only when one of these is used.
"""

from __future__ import annotations

import logging

# WeasyPrint's warnings, as its source writes them (weasyprint/text/line_break.py, weasyprint/css/__init__.py)
NOTDEF_LOG = ".notdef glyph rendered"
IGNORED_LOG = "Ignored `%s:%s`"


def layout_boxes():
    """WeasyPrint's formatting structure (its `boxes` module): what a laid-out page is made of."""
    from .loader import weasyprint

    return weasyprint.formatting_structure.boxes


def page_box(page):
    """The root box of one page of a rendered WeasyPrint document."""
    return page._page_box


def missing_glyph(record: logging.LogRecord) -> str | None:
    """The character of a WeasyPrint warning that it drew an empty box (no font has it), or None."""
    if str(record.msg).startswith(NOTDEF_LOG) and record.args:
        return str(record.args[0])
    return None


def ignored_declaration(record: logging.LogRecord) -> tuple[str, str, str] | None:
    """(property, value, reason) of a WeasyPrint warning that it ignored a stylesheet's declaration, or None."""
    if str(record.msg).startswith(IGNORED_LOG) and len(record.args or ()) == 5:
        name, value, _line, _column, reason = record.args
        return str(name), str(value), str(reason)
    return None


def remove_font_folder(fonts) -> None:
    """Delete the temporary folder a FontConfiguration copied its @font-face fonts into (only its finalizer
    does otherwise), and make its own __del__ do nothing when the interpreter ends."""
    fonts.__del__()
    fonts._folder = None


def add_object(writer, pdf_object):
    """Add an object to a pypdf writer's object table; its indirect reference."""
    return writer._add_object(pdf_object)
