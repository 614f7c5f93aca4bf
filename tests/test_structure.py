"""The shape of the code: no import cycle (imports inside functions count), small modules, and every use of a
library's private API still working with the installed library (see editions/pdf/private.py)."""

from __future__ import annotations

import ast
import io
import logging
from pathlib import Path

import pytest

import issuepress

PACKAGE = Path(issuepress.__file__).parent
REPOSITORY = Path(__file__).resolve().parents[1]  # the package may be installed into the venv, not linked
MAX_LINES = 400  # DESIGN.md aims at 300


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The issuepress modules a module imports anywhere in its text, in functions too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from . import x` imports the module x
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in known and module != name}


def test_no_import_cycle() -> None:
    found = modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in trail:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in done:
                visit(target, trail + [target])
        done.add(name)

    done: set[str] = set()
    for name in graph:
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_no_module_is_long() -> None:
    long = {name: lines for name, path in modules().items()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: split them"


# --- each private API issuepress relies on, tried against the installed library ---

def test_weasyprint_layout_boxes_and_pages() -> None:
    from issuepress.editions.pdf import private
    from issuepress.editions.pdf.loader import weasyprint

    document = weasyprint.HTML(string="<p>Words <img src='data:,' alt=''></p>").render()
    page_box = private.page_box(document.pages[0])
    boxes = private.layout_boxes()
    assert isinstance(page_box, boxes.PageBox)
    assert any(isinstance(box, boxes.TextBox) and "Words" in box.text for box in page_box.descendants())
    assert page_box.margin_width() > 0 and page_box.margin_top >= 0


def test_weasyprint_still_says_what_it_could_not_do() -> None:
    """The warnings issuepress turns into problems: a character no font has, a declaration ignored."""
    from issuepress.editions.pdf import private
    from issuepress.editions.pdf.loader import weasyprint

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        css = weasyprint.CSS(string="p { colr: red; font-family: nothing-at-all }")
        # drawn, not only laid out: WeasyPrint says so when it draws the empty box
        weasyprint.HTML(string="<p>A private mark: \U0010FFFD</p>").write_pdf(stylesheets=[css])
    finally:
        logger.removeHandler(handler)
    name, value, _reason = next(found for r in records if (found := private.ignored_declaration(r)))
    assert (name, value.strip()) == ("colr", "red")
    assert any(private.missing_glyph(record) for record in records), [r.getMessage() for r in records]


def test_a_font_configuration_folder_can_be_removed() -> None:
    from issuepress.editions.pdf import private
    from issuepress.editions.pdf.loader import weasyprint

    fonts = weasyprint.text.fonts.FontConfiguration()
    folder = Path(fonts._folder) if getattr(fonts, "_folder", None) else None
    private.remove_font_folder(fonts)
    assert fonts._folder is None
    assert folder is None or not folder.exists()


def test_pypdf_takes_an_object_into_its_table() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import IndirectObject, NameObject

    from issuepress.editions.pdf import private

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    reference = private.add_object(writer, NameObject("/Probe"))
    assert isinstance(reference, IndirectObject) and reference.get_object() == "/Probe"
    writer.write(io.BytesIO())


@pytest.mark.parametrize("library, bound", [("weasyprint", "71"), ("pypdf", "8")])
def test_libraries_with_private_api_have_an_upper_bound(library: str, bound: str) -> None:
    import tomllib

    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    spec = next(dep for dep in project["project"]["dependencies"] if dep.startswith(library))
    assert f"<{bound}" in spec, spec
