"""Table tests of the pure functions the editions rest on: the page plan, running-head cells, slugs, lengths,
ISSNs, text direction, web addresses and the faces of drawings. They run in a second: the fast tier's first line
of defence."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from issuepress.content import text_direction
from issuepress.content.names import slugify, unique
from issuepress.editions.pdf.assembly import PageSlot, plan
from issuepress.editions.pdf.drawings import in_theme_fonts, theme_stacks
from issuepress.editions.pdf.furniture import DIGITS, cells_for
from issuepress.load.fields import web_address_problem
from issuepress.load.printsizes import parse_length, parse_trim
from issuepress.load.readers import issn_is_valid
from issuepress.model import Asset

ORDER = [("cover", "cover"), ("contents", "contents"), ("a", "piece"), ("b", "piece"), ("back", "back"),
         ("notes", "notes"), ("back-cover", "back-cover")]
HEADS = {"a": ("Mag", "A", "A screen"), "b": ("Mag", "B", "B screen")}


@pytest.mark.parametrize("pages, recto, pad_to, count, starts", [
    # cover 1, contents 1, a 3, b 2, back 1, back cover 1 = 9 pages; Notes pages pad before the back cover
    ({"a": 3, "b": 2}, False, 4, 12, {"cover": 1, "contents": 2, "a": 3, "b": 6, "back": 8, "back-cover": 12}),
    ({"a": 3, "b": 2}, False, 2, 10, {"cover": 1, "contents": 2, "a": 3, "b": 6, "back": 8, "back-cover": 10}),
    ({"a": 3, "b": 2}, False, 1, 9, {"cover": 1, "contents": 2, "a": 3, "b": 6, "back": 8, "back-cover": 9}),
    # recto: an article opens on a right-hand (odd) page, after a blank page where needed
    ({"a": 3, "b": 2}, True, 2, 10, {"cover": 1, "contents": 2, "a": 3, "b": 7, "back": 9, "back-cover": 10}),
    ({"a": 2, "b": 2}, True, 4, 8, {"cover": 1, "contents": 2, "a": 3, "b": 5, "back": 7, "back-cover": 8}),
    ({"a": 2, "b": 3}, True, 4, 12, {"cover": 1, "contents": 2, "a": 3, "b": 5, "back": 8, "back-cover": 12}),
])
def test_the_page_plan(pages: dict, recto: bool, pad_to: int, count: int, starts: dict) -> None:
    sizes = {"cover": 1, "contents": 1, "back": 1, "notes": 1, "back-cover": 1, **pages}
    planned = plan(ORDER, sizes, HEADS, recto, pad_to)
    assert len(planned.slots) == count
    assert planned.starts == starts
    assert planned.slots[0] == PageSlot("cover", 0, "none", False)
    assert planned.slots[-1] == PageSlot("back-cover", 0, "none", False)
    notes = [slot for slot in planned.slots if slot.part == "notes"]
    assert len(notes) == count - 1 - (planned.starts["back"] + sizes["back"] - 1)  # between the back and its cover
    for name, first in starts.items():  # an opening page carries a folio only; the rest a running head too
        if name in HEADS:
            assert planned.slots[first - 1].furniture == "folio"
            assert all(slot.furniture == "full" and slot.head_right == HEADS[name][1]
                       for slot in planned.slots[first:first + sizes[name] - 1])


@pytest.mark.parametrize("screen, sides", [(False, ["right", "left", "right"]), (True, ["centre"] * 3)])
def test_running_head_cells(screen: bool, sides: list[str]) -> None:
    slots = [PageSlot("a", 0, "folio", True), PageSlot("a", 1, "full", True, "Mag", "A", "A screen"),
             PageSlot("a", 2, "full", True, "Mag", "A", "A screen"), PageSlot(None, 0, "none", False)]
    cells, pages = cells_for(slots, screen)
    assert [cell.text for cell in cells[-len(DIGITS):]] == list(DIGITS)
    heads = [cell for cell in cells if cell.kind == "head"]
    # each distinct head once: a left-hand page shows the magazine, a right-hand one the article
    assert [(cell.side, cell.text) for cell in heads] == (
        [("centre", "A screen")] if screen else [("left", "Mag"), ("right", "A")])
    assert [page.side for page in pages[:3]] == sides
    assert [page.folio for page in pages[:3]] == ["1", "2", "3"] and pages[3] is None
    assert pages[0].head is None  # an opening page has no running head


@pytest.mark.parametrize("text, slug", [
    ("Moscow's road to Islamabad", "moscow-s-road-to-islamabad"), ("  Ünïcödé  Wörds ", "ünïcödé-wörds"),
    ("2024 in review", "s-2024-in-review"), ("لاہور سے خط", "لاہور-سے-خط"), ("***", ""), ("a_b", "a_b"),
])
def test_slugs(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_unique_names_count_up() -> None:
    assert unique("notes", {"notes", "notes-2"}) == "notes-3"
    assert unique("images/x", {"images/x.png"}, ".png") == "images/x-2.png"
    assert unique("fresh", set()) == "fresh"


@pytest.mark.parametrize("text, millimetres, problem", [
    ("3mm", 3.0, None), ("0.125in", 3.175, None), ("9pt", 3.175, None), ("0", 0.0, None),
    ("3", None, "needs a unit"), ("three", None, "is not a length"), ("1cm", 10.0, None),
])
def test_lengths(text: str, millimetres: float | None, problem: str | None) -> None:
    value, reason = parse_length(text)
    assert value == millimetres
    assert (reason is None) if problem is None else (problem in reason)


@pytest.mark.parametrize("text, size, problem", [
    ("A4", (210.0, 297.0), None), ("letter", (215.9, 279.4), None), ("210mm 297mm", (210.0, 297.0), None),
    ("6.5in x 9.5in", (165.1, 241.3), None), ("A9", None, "must be a paper size"),
    ("10mm 10mm", None, "not a plausible page size"),
])
def test_trim_sizes(text: str, size, problem: str | None) -> None:
    value, reason = parse_trim(text)
    assert value == size
    assert (reason is None) if problem is None else (problem in reason)


@pytest.mark.parametrize("issn, valid", [("2049-3630", True), ("0317-8471", True), ("1234-5679", True),
                                         ("2049-3631", False), ("2434-561X", True), ("2434-5610", False),
                                         ("12345678", False), ("abcd-efgh", False)])
def test_issn_check_digits(issn: str, valid: bool) -> None:
    assert issn_is_valid(issn) is valid


@pytest.mark.parametrize("tag, direction", [("en", "ltr"), ("ur", "rtl"), ("ar-EG", "rtl"), ("ur-Latn", "ltr"),
                                            ("az-Arab", "rtl"), ("he", "rtl"), ("pt-BR", "ltr")])
def test_text_direction(tag: str, direction: str) -> None:
    assert text_direction(tag) == direction


@pytest.mark.parametrize("url, problem", [
    ("https://example.org/", None), ("ftp://example.org/", "must start with http"),
    ("https://example.org/a b", "cannot hold a space"), ("https://example.org/<x>", "cannot hold '<'"),
    ("https://example.org/100%", "starts no %XX code"), ("https://[::1]/x", None),
    ("https://example.org/[x]", "after its host"),
])
def test_web_addresses(url: str, problem: str | None) -> None:
    found = web_address_problem(url, "url")
    assert (found is None) if problem is None else (problem in found)


def test_a_site_address_takes_no_query() -> None:
    assert "?query" in web_address_problem("https://example.org/?a=1", "url", site=True)


THEME_STACKS = (':root { --serif: "Charis SIL", serif; --sans: "Inter", sans-serif; '
                '--mono: "Noto Sans Mono", monospace }')


@pytest.mark.parametrize("written, becomes", [
    ('font-family="Arial, Helvetica, sans-serif"', '"Inter", sans-serif'),
    ('font-family="DejaVu Sans"', '"Inter", sans-serif'),
    ('font-family="UbuntuMono-Bold, Ubuntu Mono"', '"Noto Sans Mono", monospace'),
    ('font-family="Georgia, serif"', '"Charis SIL", serif'),
    ('font-family="Inter"', '"Inter", sans-serif'),
    ('font-family="Playfair, Inter"', '"Inter", sans-serif'),
    ("style=\"font: 400 10px 'DejaVu Sans Mono'\"", 'font: 400 10px "Noto Sans Mono", monospace'),
    ("style=\"fill: red; font-family: 'Times New Roman'\"", 'fill: red; font-family: "Charis SIL", serif'),
])
def test_a_drawings_text_is_set_in_the_themes_face_of_its_kind(written: str, becomes: str) -> None:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><text {written}>label</text></svg>'.encode()
    drawn = in_theme_fonts(Asset("d.svg", svg, "image/svg+xml", Path("d.svg")), theme_stacks(THEME_STACKS),
                           {"Charis SIL", "Inter", "Noto Sans Mono"})
    text = etree.fromstring(drawn.data)[0]
    assert (text.get("font-family") or text.get("style")) == becomes


def test_a_task_called_from_the_roomy_frame_maps_no_chunk_of_the_frame_stack_at_every_deep_call() -> None:
    """Python keeps frames' data in 16 KiB chunks that it maps when a call needs a new one and unmaps when it returns
    (each mapping a page fault or more): recursion that goes back and forth over a chunk's end, as WeasyPrint's
    does, pays that at every crossing. Called from worker.roomy_call, it runs in one big chunk instead."""
    import resource

    from issuepress.editions.pdf.worker import roomy_call

    def leaf() -> int:
        return 1

    def down(depth: int) -> int:  # deep enough to cross two chunk ends, a hundred leaf calls at every depth
        return down(depth - 1) if depth else sum(leaf() for _ in range(100))

    def sweep() -> int:
        return sum(down(depth) for depth in range(300))

    def faults(run) -> tuple[int, int]:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        result = run()
        return result, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    assert roomy_call(max, (3, 4)) == 4
    with pytest.raises(ZeroDivisionError):
        roomy_call(divmod, (1, 0))
    plain, plain_faults = faults(sweep)
    roomy, roomy_faults = faults(lambda: roomy_call(sweep, ()))
    assert plain == roomy == 30_000
    assert plain_faults >= 100 and roomy_faults < plain_faults / 10, (plain_faults, roomy_faults)
