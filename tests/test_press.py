"""The printer's package: PDF/X-4 judged by pdf-oxide, plates rendered by Ghostscript, CMYK images, ink
limits, the cover spread with its spine, the job sheet, and byte-identical builds."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest
from pdf_oxide import PdfDocument
from PIL import Image, ImageStat

from issuepress.editions.pdf.press import conditions, conformance, cover, inks, pdfx
from issuepress.model import OutputIntent

from conftest import copy_sample, problem_lines, run_cli
from pdftools import PT_PER_MM, render_page

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def pdf_x_errors(pdf: Path) -> list[str]:
    verdict = PdfDocument(str(pdf)).validate_pdf_x("4")
    return verdict["errors"]


def perfect_bound(root: Path, paper: str = "0.1mm") -> Path:
    settings = root / "magazine.yaml"
    settings.write_text(settings.read_text().replace("binding: saddle-stitch", "binding: perfect-bound")
                        + f"  paper: {paper}\n")
    return root


@pytest.fixture(scope="module")
def sample_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("press") / "magazine")
    result = run_cli("build", "2024-11", "-f", "pdf,screen-pdf,epub", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build/2024-11"


@pytest.fixture(scope="module")
def bound_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = perfect_bound(copy_sample(tmp_path_factory.mktemp("bound") / "magazine"))
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build/2024-11"


@pytest.fixture(scope="module")
def strand_built(strand: Path) -> Path:
    result = run_cli("build", "1891-07", "-f", "pdf", cwd=strand)
    assert result.returncode == 0, result.stderr
    return strand / "build/1891-07"


def test_the_sample_the_strand_stories_and_a_perfect_bound_issue_are_pdf_x4(sample_built: Path, strand_built: Path,
                                                                           bound_built: Path) -> None:
    files = [sample_built / "2024-11.pdf", sample_built / "print/2024-11-interior.pdf",
             strand_built / "1891-07.pdf", strand_built / "print/1891-07-interior.pdf",
             strand_built / "print/1891-07-cover.pdf",
             bound_built / "print/2024-11-interior.pdf", bound_built / "print/2024-11-cover.pdf"]
    for pdf in files:
        assert pdf_x_errors(pdf) == [], pdf
        with pikepdf.open(pdf) as document:
            assert document.pdf_version >= "1.6"
            (intent,) = document.Root.OutputIntents
            assert str(intent.OutputConditionIdentifier) == "FOGRA39"
            assert str(intent.RegistryName) == "http://www.color.org"
            assert intent.DestOutputProfile.N == 4
            meta = document.open_metadata()
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
            assert meta["xmpMM:DocumentID"].startswith("uuid:") and meta["xmpMM:RenditionClass"] == "default"
            assert document.docinfo["/Trapped"] == pikepdf.Name("/False") and meta["pdf:Trapped"] == "False"
            assert not any("/Annots" in page.obj for page in document.pages), "no links inside the bleed"
    # and a checker that can fail: the PDF of the earlier versions is not PDF/X
    plain = sample_built.parent.parent / "plain"
    shutil.copytree(sample_built.parent.parent, plain, ignore=shutil.ignore_patterns("build"))
    settings = plain / "magazine.yaml"
    settings.write_text(settings.read_text() + "  standard: none\n")
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=plain).returncode == 0
    assert any("OutputIntents" in error for error in pdf_x_errors(plain / "build/2024-11/2024-11.pdf"))
    with pikepdf.open(plain / "build/2024-11/2024-11.pdf") as document:
        assert "/OutputIntents" not in document.Root
        assert any("/Annots" in page.obj for page in document.pages), "standard: none keeps the links"
        # pdf-oxide takes that RGB PDF for PDF/X-4 once it has an output intent: issuepress's own checks do not
        pdfx.make_pdfx(document, conditions.resolve(OutputIntent(), None), pdfx.Identity("x", "x", "2024-11-01"))
        out = io.BytesIO()
        document.save(out, min_version="1.6")
    assert PdfDocument.from_bytes(out.getvalue()).validate_pdf_x("4")["errors"] == []
    assert any("is RGB" in what for _page, what in conformance.colour_findings(out.getvalue()))
    assert any("set in RGB" in what for _page, what in conformance.content_findings(out.getvalue()))


def plates(pdf: Path, page: int, out: Path) -> Image.Image:
    """The page rendered in separations by Ghostscript (one point a pixel): a CMYK image of ink amounts."""
    out.mkdir()
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffsep", "-r72", f"-dFirstPage={page}",
                    f"-dLastPage={page}", f"-sOutputFile={out}/p%d.tif", str(pdf)], check=True, timeout=120)
    assert sorted(path.name for path in out.iterdir()) == ["p1(Black).tif", "p1(Cyan).tif", "p1(Magenta).tif",
                                                           "p1(Yellow).tif", "p1.tif"], "process plates only"
    return Image.open(out / "p1.tif")


def words(pdf: Path, page: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(word, box in points from the page's top left), from poppler's pdftotext."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    found = []
    for word in ElementTree.fromstring(xhtml).iter("{http://www.w3.org/1999/xhtml}word"):
        box = tuple(float(word.get(key)) for key in ("xMin", "yMin", "xMax", "yMax"))
        found.append((word.text or "", box))
    return found


def inks_under_words(pdf: Path, page: int, out: Path) -> tuple[int, int, int]:
    """(words, words with black ink, words with any cyan, magenta or yellow) of a page of body text."""
    image = plates(pdf, page, out)
    cyan, magenta, yellow, black = image.split()
    counted = black_words = coloured = 0
    for text, (left, top, right, bottom) in words(pdf, page):
        if not re.fullmatch(r"[a-z]{3,}[,.;]?", text):  # words of the body, not numbers or headings
            continue
        box = (int(left), int(top), int(right) + 1, int(bottom) + 1)
        counted += 1
        black_words += black.crop(box).getextrema()[1] > 128
        coloured += any(plate.crop(box).getextrema()[1] > 0 for plate in (cyan, magenta, yellow))
    return counted, black_words, coloured


def test_separations_put_body_text_on_the_black_plate_only(sample_built: Path, tmp_path: Path) -> None:
    counted, black_words, coloured = inks_under_words(sample_built / "2024-11.pdf", 6, tmp_path / "x4")
    assert counted > 150 and black_words == counted and coloured == 0, (counted, black_words, coloured)
    # The same page set in RGB (print.standard: none) prints its text in four inks: the check can fail
    plain = copy_sample(tmp_path / "plain")
    (plain / "magazine.yaml").write_text((plain / "magazine.yaml").read_text() + "  standard: none\n")
    assert run_cli("build", "2024-11", "-f", "pdf", cwd=plain).returncode == 0
    counted, _black, coloured = inks_under_words(plain / "build/2024-11/2024-11.pdf", 6, tmp_path / "rgb")
    assert coloured > counted / 2, (counted, coloured)


def images_of(page: pikepdf.Page) -> list[pikepdf.Stream]:
    """The images a page draws, also inside its forms and patterns (a page's background is one)."""
    found, stack = [], [page.obj.Resources]
    while stack:
        resources = stack.pop()
        for kind in ("/XObject", "/Pattern"):
            for item in resources.get(kind, {}).values():
                if item.get("/Subtype") == "/Image":
                    found.append(item)
                elif "/Resources" in item:
                    stack.append(item.Resources)
    return found


def image_spaces(pdf: Path) -> set[str]:
    with pikepdf.open(pdf) as document:
        return {str(image.ColorSpace) for page in document.pages for image in images_of(page)}


def test_images_are_cmyk_in_print_and_rgb_in_the_epub_and_the_screen_pdf(sample_built: Path, tmp_path: Path) -> None:
    assert image_spaces(sample_built / "2024-11.pdf") == {"/DeviceCMYK"}
    assert image_spaces(sample_built / "print/2024-11-interior.pdf") == {"/DeviceCMYK"}
    assert image_spaces(sample_built / "2024-11-screen.pdf") == {"/DeviceRGB"}
    with zipfile.ZipFile(sample_built / "2024-11.epub") as epub:
        for name in ("EPUB/images/cover.jpg", "EPUB/images/timeline.png"):
            original = (REPO / "issues/2024-11/images" / name.rsplit("/", 1)[1]).read_bytes()
            assert epub.read(name) == original
            assert Image.open(io.BytesIO(epub.read(name))).mode in ("RGB", "P")
    # the converted cover is the photograph's colours, not their negative (Adobe CMYK JPEGs store inks inverted)
    with pikepdf.open(sample_built / "2024-11.pdf") as document:
        (cover_image,) = images_of(document.pages[0])
        assert list(cover_image.Decode) == [1, 0] * 4
        rendered = Image.open(io.BytesIO(cover_image.read_raw_bytes())).convert("RGB")  # Pillow undoes it
    original = Image.open(REPO / "issues/2024-11/images/cover.jpg").convert("RGB")
    assert mean_difference(original, rendered) < 30
    # ... and a PDF reader (poppler) shows it so: the lower half of the printed cover, under the titles
    page = Image.open(render_page(sample_built / "2024-11.pdf", 1, tmp_path / "cover", dpi=20)).convert("RGB")
    slug = round(page.width - 210 / 25.4 * 20) // 2
    printed = page.crop((slug, page.height // 2, page.width - slug, page.height - slug))
    scaled = original.resize((printed.width, round(original.height * printed.width / original.width)))
    assert mean_difference(scaled.crop((0, scaled.height - printed.height, printed.width, scaled.height)),
                           printed) < 40


def mean_difference(one: Image.Image, other: Image.Image) -> float:
    """The mean difference of two pictures' colours (0 to 255), compared at 8 x 8."""
    pairs = zip(one.resize((8, 8)).tobytes(), other.convert("RGB").resize((8, 8)).tobytes())
    return sum(abs(a - b) for a, b in pairs) / 192


def test_an_image_with_400_percent_ink_fails_preflight_at_its_line(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    Image.new("CMYK", (1200, 800), (255, 255, 255, 255)).save(root / "issues/2024-11/images/ink.jpg", quality=95)
    article = root / "issues/2024-11/articles/letter-from-lahore.md"
    text = article.read_text(encoding="utf-8") + "\n![A solid block of every ink](../images/ink.jpg)\n"
    article.write_text(text, encoding="utf-8")
    line = text.splitlines().index("![A solid block of every ink](../images/ink.jpg)") + 1
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=root)
    assert result.returncode == 1, result.stderr
    assert any(problem.startswith(f"issues/2024-11/articles/letter-from-lahore.md:{line}: image images/ink.jpg puts "
                                  "400% ink on the paper in places, over the 330% limit of FOGRA39")
               for problem in problem_lines(result.stderr)), result.stderr
    assert not (root / "build").exists()
    # a lower limit of the magazine's own is held to as well, by check --print's separations too
    (root / "magazine.yaml").write_text((root / "magazine.yaml").read_text() + "  ink_limit: 240%\n")
    article.write_text(text.replace("\n![A solid block of every ink](../images/ink.jpg)\n", ""), encoding="utf-8")
    result = run_cli("check", "2024-11", "--print", cwd=root)
    assert result.returncode == 1
    assert re.search(r"print PDF page 1 \(the cover\) puts \d+% ink on the paper in places, over the 240% limit",
                     result.stderr), result.stderr


def test_check_print_finds_black_text_in_four_inks(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    assert run_cli("theme", "eject", cwd=root).returncode == 0
    css = root / "layouts/css/print.css"
    css.write_text(css.read_text().replace("--cmyk-111111: device-cmyk(0 0 0 1);",
                                           "--cmyk-111111: device-cmyk(0.6 0.5 0.5 1);"))
    result = run_cli("check", "2024-11", "--print", cwd=root)
    assert result.returncode == 1, result.stderr
    assert "black text is set in four inks (C 60% M 50% Y 50% K 100%)" in result.stderr
    assert re.search(r"print PDF page 4 \(“Lavrov in Islamabad[^)]*\): black text is printed on other plates",
                     result.stderr), result.stderr


def test_a_perfect_bound_cover_is_one_spread_with_its_spine(bound_built: Path) -> None:
    with pikepdf.open(bound_built / "2024-11.pdf") as whole:
        pages = len(whole.pages)
    interior_pages = pages - 4
    spine = round(interior_pages / 2 * 0.1, 2)
    with pikepdf.open(bound_built / "print/2024-11-cover.pdf") as spreads:
        assert len(spreads.pages) == 2  # outside: back, spine, front; inside: the inside covers
        for page in spreads.pages:
            left, bottom, right, top = (float(v) for v in page.TrimBox)
            assert round((right - left) / PT_PER_MM, 1) == round(2 * 210 + spine, 1)
            assert round((top - bottom) / PT_PER_MM, 1) == 297
            bleed = [float(v) for v in page.BleedBox]
            assert bleed[0] == pytest.approx(-3 * PT_PER_MM, abs=0.01)
    with pikepdf.open(bound_built / "print/2024-11-interior.pdf") as interior:
        assert len(interior.pages) == interior_pages and interior_pages % 2 == 0
    sheet = (bound_built / "print/job-sheet.txt").read_text()
    assert f"Spine          {spine:g} mm (too thin for lettering)" in sheet, sheet
    for name in ("2024-11-interior.pdf", "2024-11-cover.pdf", "preflight.json"):
        data = (bound_built / "print" / name).read_bytes()
        assert f"{name}  {len(data):,} bytes  {hashlib.sha256(data).hexdigest()}" in sheet
    report = json.loads((bound_built / "print/preflight.json").read_text())
    assert report["problems"] == [] and {check["result"] for check in report["checks"]} == {"passed", "not run in a build"}


def test_the_strand_cover_letters_its_spine(strand_built: Path, tmp_path: Path) -> None:
    sheet = (strand_built / "print/job-sheet.txt").read_text()
    spine = float(re.search(r"Spine +([\d.]+) mm \(lettered\)", sheet).group(1))
    image = plates(strand_built / "print/1891-07-cover.pdf", 1, tmp_path / "cover")
    with pikepdf.open(strand_built / "print/1891-07-cover.pdf") as spreads:
        left = round(-float(spreads.pages[0].MediaBox[0]) + 6.5 * 72)  # the spine starts where the back cover ends
    strip = image.crop((left + 3, 40, left + round(spine * PT_PER_MM) - 3, image.height - 40))
    magenta = strip.split()[1]
    assert ImageStat.Stat(magenta).mean[0] > 100, "the spine is the covers' dark blue"
    cream = magenta.point(lambda ink: 255 if ink < 40 else 0)  # little magenta: the spine's letters
    assert cream.getbbox() is not None, "the spine carries its text"


def test_spine_width_is_the_leaves_times_the_caliper() -> None:
    assert cover.spine_for(200, 0.1, perfect_bound=True).width_mm == 10.0
    assert cover.spine_for(200, 2 * 25.4 / 508, perfect_bound=True).width_mm == 10.0  # 508 pages per inch
    assert cover.spine_for(200, 0.1, perfect_bound=False).width_mm == 0.0  # saddle-stitched: a fold
    assert not cover.spine_for(100, 0.1, perfect_bound=True).lettered  # 5mm: too thin for text
    assert cover.spine_for(120, 0.1, perfect_bound=True).lettered


def test_two_builds_give_byte_identical_packages(tmp_path: Path) -> None:
    root = perfect_bound(copy_sample(tmp_path / "magazine"))
    digests = []
    # two cold builds, then one that fills the cache and one that takes everything from it
    for run, cached in (("one", False), ("two", False), ("three", True), ("four", True)):
        assert run_cli("build", "2024-11", "-f", "pdf", *([] if cached else ["--no-cache"]), "--out",
                       str(tmp_path / run), cwd=root).returncode == 0
        digests.append({path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                        for path in [tmp_path / run / "2024-11.pdf", *(tmp_path / run / "print").iterdir()]})
    assert all(digest == digests[0] for digest in digests) and len(digests[0]) == 5


def test_a_printers_own_profile_and_a_saddle_stitched_plus_cover(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    shutil.copy(REPO / "profiles/fogra29.icc", root / "printer.icc")
    settings = root / "magazine.yaml"
    settings.write_text(settings.read_text() + "  cover: separate\n  output_intent:\n    profile: printer.icc\n"
                        "    condition: FOGRA29\n")
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    package = root / "build/2024-11/print"
    with pikepdf.open(package / "2024-11-cover.pdf") as spreads:
        assert len(spreads.pages) == 2  # a 4-page plus-cover, as two spreads with no spine
        (intent,) = spreads.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "FOGRA29"
        assert intent.DestOutputProfile.read_bytes() == (REPO / "profiles/fogra29.icc").read_bytes()
        assert round(float(spreads.pages[0].TrimBox[2]) / PT_PER_MM) == 420
    with pikepdf.open(package / "2024-11-interior.pdf") as interior:
        assert len(interior.pages) == 8  # 12 pages less the cover's four: still a multiple of four
    assert "Ink limit      300% total area coverage" in (package / "job-sheet.txt").read_text()


def test_print_settings_are_checked_at_their_lines(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    (root / "notes.txt").write_text("not a profile")
    settings = root / "magazine.yaml"
    base = settings.read_text().replace("binding: saddle-stitch", "binding: perfect-bound")
    settings.write_text(base + "  cover: self\n  ink_limit: 500%\n  paper: thick\n  standard: pdf/x-1a\n"
                        "  output_intent:\n    profile: notes.txt\n    condition: FOGRA51\n")
    lines = settings.read_text().splitlines()
    at = {key: lines.index(next(line for line in lines if line.strip().startswith(key + ":"))) + 1
          for key in ("cover", "ink_limit", "paper", "standard", "profile")}
    result = run_cli("check", "2024-11", cwd=root)
    assert result.returncode == 1
    problems = problem_lines(result.stderr)
    for key, start in (("cover", "print: 'cover' cannot be self for a perfect-bound issue"),
                       ("ink_limit", "print: 'ink_limit' must be a total ink coverage between 100% and 400%"),
                       ("paper", "print: 'paper' must be the paper's caliper"),
                       ("standard", "print: 'standard' must be one of pdf/x-4, none"),
                       ("profile", "print: output_intent: 'profile' notes.txt is not an ICC profile")):
        assert any(line.startswith(f"magazine.yaml:{at[key]}: {start}") for line in problems), (key, problems)
    settings.write_text(base.replace("perfect-bound", "saddle-stitch") + "  output_intent: fogra99\n")
    result = run_cli("check", "2024-11", cwd=root)
    assert "'output_intent' must be one of fogra39, fogra29, swop" in result.stderr


def test_palette_greys_and_profiles() -> None:
    palette, problems = inks.palette(":root { --cmyk-7A1F2B: device-cmyk(0 90% 0.5 0.6); --cmyk-000000: "
                                     "device-cmyk(1 2 3) }")
    assert palette == {"7a1f2b": (0, 0.9, 0.5, 0.6)} and problems and problems[0][0] == 1
    profile = (REPO / "profiles/fogra39.icc").read_bytes()
    press = inks.Inks(tuple(palette.items()), profile, "fogra39")
    assert inks.ink_of((0x55 / 255,) * 3, press) == (0, 0, 0, round(1 - 0x55 / 255, 4))  # a grey: black ink alone
    assert inks.ink_of((0x7a / 255, 0x1f / 255, 0x2b / 255), press) == (0, 0.9, 0.5, 0.6)
    c, m, y, k = inks.ink_of((0.0, 0.0, 1.0), press)  # anything else through the profile
    assert c > 0.8 and y < 0.1 and sum((c, m, y, k)) <= 3.3
    for name in conditions.BUILTIN:
        data = (REPO / "profiles" / f"{name}.icc").read_bytes()
        assert conditions.profile_problem(data) is None
        assert f"based on {conditions.BUILTIN[name].identifier}" in conditions.profile_description(data)
    assert conditions.profile_problem(b"x" * 200) == "is not an ICC profile"
