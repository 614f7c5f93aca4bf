"""Technical articles as their authors write them: extension syntax (fenced divs, attribute lists, definition lists,
sub- and superscripts), front matter written for other systems, highlighted code, formulas, SVG diagrams, wide
and long tables, links to the magazine's site; judged in every edition with EPUBCheck, the Nu Html Checker,
poppler and pikepdf."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from accessibility import ace_violations, axe_violations
from lxml import etree
from lxml import html as lxml_html
from PIL import Image
from sitetools import static_server

from browser import browser_page
from conftest import REPO, built, one_issue_magazine, problem_lines, run_cli, vnu_jar
from epubcheck_tool import assert_epub_valid
from pdftools import boxes, fonts, page_texts, placed_words

XHTML = {"x": "http://www.w3.org/1999/xhtml", "m": "http://www.w3.org/1998/Math/MathML"}
CARPENTRIES = next((path for path in (REPO.parent / "shared/corpus/carpentries",
                                      Path("/work/shared/corpus/carpentries")) if (path / "README.md").is_file()),
                   REPO.parent / "shared/corpus/carpentries")
# What must never reach an edition as it was typed
LITERAL_SYNTAX = re.compile(r"\{:|^\s*:::|\{alt=|\{\.[\w-]+\}|\$\$|\\frac|\\sum", re.MULTILINE)
EXTENSION_SYNTAX = re.compile(r"\{:|^\s*:::|\{alt=|\{\.[\w-]+\}", re.MULTILINE)
# Prose: text outside code, where an author may show the syntax itself (`$$ $$`)
PROSE = "//text()[not(ancestor::*[local-name()='code' or local-name()='pre'])]"


def magazine(root: Path, articles: dict[str, str], url: str | None = "https://magazine.example.org/") -> Path:
    return one_issue_magazine(root, articles, url, title="Technical Review")


def web_body(root: Path, slug: str) -> lxml_html.HtmlElement:
    return lxml_html.parse(str(root / f"build/x/html/{slug}.html")).xpath("//div[@class='piece-body']")[0]


def epub_document(epub: Path, slug: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(f"EPUB/{slug}.xhtml"))


# --- front matter written for another system ---

def test_front_matter_of_other_systems_maps_what_it_means_and_warns_once_for_each_other_key(tmp_path: Path) -> None:
    front = ("---\ntitle: Lesson\nteaching: 10\nexercises: 5\nlayout: post\npermalink: /x/\n"
             "abstract: What the lesson teaches\ntags: [python, numpy]\n---\nBody.\n")
    root = magazine(tmp_path, {"lesson": front})
    result = run_cli("build", "x", "-f", "html", cwd=root)
    assert result.returncode == 0, result.stderr
    warned = [line for line in problem_lines(result.stderr) if "is not a key issuepress reads" in line]
    assert [line.split(":")[1] for line in warned] == ["3", "4", "5", "6"]
    assert all(f"'{key}'" in line for key, line in zip(["teaching", "exercises", "layout", "permalink"], warned))
    page = lxml_html.parse(str(root / "build/x/html/lesson.html")).getroot()
    assert page.xpath("//p[@class='piece-subtitle']/text()") == ["What the lesson teaches"]
    keywords = [json.loads(script.text).get("keywords") for script in
                page.xpath("//script[@type='application/ld+json']")]
    assert ["python", "numpy"] in keywords


def test_a_front_matter_key_close_to_a_known_one_is_an_error_with_its_suggestion(tmp_path: Path) -> None:
    root = magazine(tmp_path, {"a": "---\ntitle: A\nsubtitel: The standfirst\n---\nBody.\n"})
    result = run_cli("check", "x", cwd=root)
    assert result.returncode == 1
    assert any(line.startswith("issues/x/articles/a.md:3:") and "'subtitle'" in line
               for line in problem_lines(result.stderr)), result.stderr


# --- extension syntax ---

LESSON = """\
{: .stray}

::: callout
## Remember

Indices start at **zero**.

::: solution
The answer is `0`.
:::
:::

> ## Challenge
>
> What does `print(1)` print?
>
> > ## Solution
> > ```python
> > print(1)
> > ```
> > {: .language-python}
> >
> > ```
> > 1
> > ```
> > {: .output}
> {: .solution}
{: .challenge}

![A bar chart](chart.png){alt='Bars rising from left to right' width=50%}

Water
: H~2~O, and energy is E = mc^2^.

:::

| a | b |
|---|---|
| 1 | 2 |
{: #data}

{% include links.md %}
"""


def test_lesson_syntax_becomes_boxes_output_and_lists_in_every_edition_and_leftovers_are_warned(
        tmp_path: Path) -> None:
    root = magazine(tmp_path, {"lesson": LESSON})
    Image.new("RGB", (600, 400), "teal").save(root / "issues/x/articles/chart.png")
    result = run_cli("build", "x", "-f", "html,epub", cwd=root)
    assert result.returncode == 0, result.stderr
    body = web_body(root, "lesson")
    assert body.xpath("./div[contains(@class, 'callout')]/div[contains(@class, 'solution')]//code/text()") == ["0"]
    challenge = body.xpath("./div[contains(@class, 'challenge')]")[0]  # a box, not a quotation
    assert challenge.xpath(".//div[contains(@class, 'solution')]//pre[contains(@class, 'output')]")
    assert body.xpath("//img/@alt") == ["Bars rising from left to right"]
    # a width in % is no HTML width attribute (EPUBCheck and vnu refuse one): it is the image's style
    assert body.xpath("//img/@style") == ["width: 50%"] and not body.xpath("//img/@width")
    assert body.xpath("//dl/dt/text()") == ["Water"] and body.xpath("//dd/sub/text()") == ["2"]
    assert body.xpath("//dd/sup/text()") == ["2"]
    assert [len(table.xpath(".//tr")) for table in body.xpath("//table[@id='data']")] == [2]  # the list is no row
    assert not LITERAL_SYNTAX.search(body.text_content()), body.text_content()
    document = epub_document(root / "build/x/x.epub", "lesson")
    epub_text = "".join(document.itertext())
    assert not LITERAL_SYNTAX.search(epub_text)
    assert document.xpath("//x:div[contains(@class, 'challenge')]", namespaces=XHTML)
    warned = [line for line in problem_lines(result.stderr) if "extension syntax" in line]
    assert [line.split(":")[1] for line in warned] == ["4", "38"], result.stderr
    # a Jekyll template tag (many lessons end with one) is left out, at its line, and never printed
    written = (root / "issues/x/articles/lesson.md").read_text(encoding="utf-8").split("\n")
    liquid = written.index("{% include links.md %}") + 1
    assert [line.split(":")[1] for line in problem_lines(result.stderr) if "Liquid" in line] == [str(liquid)]
    assert "{%" not in body.text_content() and "{%" not in epub_text


def test_fenced_code_is_highlighted_left_to_right_in_a_right_to_left_article(tmp_path: Path) -> None:
    root = magazine(tmp_path, {"code": "---\ntitle: Code\nlanguage: ur\n---\n```python\ndef f(x):\n"
                                       "    return x  # done\n```\n"})
    assert run_cli("build", "x", "-f", "html", cwd=root).returncode == 0
    pre = web_body(root, "code").xpath("//pre")[0]
    assert pre.get("dir") == "ltr" and "language-python" in pre.get("class")
    assert pre.xpath(".//span[@class]"), "no highlighting"
    assert pre.text_content() == "def f(x):\n    return x  # done\n"


# --- formulas ---

FORMULAS = r"""The error rate is $CER = \frac{S+D+I}{N}$ for each text.

$$
\sum_{i=1}^{n} x_i^2 \le \left( \sum_{i=1}^{n} |x_i| \right)^2
$$

Prices of $5 and $10 stay prices. A broken one: $\frac{a}{$.
"""


def test_formulas_are_mathml_with_their_tex_as_text_alternative_and_a_broken_one_is_code(tmp_path: Path) -> None:
    root = magazine(tmp_path, {"maths": FORMULAS})
    result = run_cli("build", "x", "-f", "html,epub", cwd=root)
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [
        "issues/x/articles/maths.md:10: warning: the formula '\\frac{a}{' cannot be read as TeX "
        "(a command is missing its argument, or a { is not closed); it is set as its TeX source"]
    body = web_body(root, "maths")
    formulas = body.xpath("//math")
    assert [f.get("display") for f in formulas] == ["inline", "block"]
    assert formulas[0].get("alttext") == r"CER = \frac{S+D+I}{N}" and formulas[0].xpath(".//mfrac")
    assert body.xpath("//code[@class='math-source']/text()") == [r"\frac{a}{"]
    assert "Prices of $5 and $10 stay prices." in body.text_content()
    document = epub_document(root / "build/x/x.epub", "maths")
    assert len(document.xpath("//m:math[@alttext]", namespaces=XHTML)) == 2
    with zipfile.ZipFile(root / "build/x/x.epub") as archive:
        package = etree.fromstring(archive.read("EPUB/content.opf"))
    item = package.xpath("//*[local-name()='item'][@href='maths.xhtml']")[0]
    assert "mathml" in item.get("properties", "").split()


def test_a_tex_link_in_a_formula_links_nowhere(tmp_path: Path) -> None:
    root = magazine(tmp_path, {"maths": r"See $\href{javascript:alert(1)}{y}$." "\n"})
    assert run_cli("build", "x", "-f", "html", cwd=root).returncode == 0
    math = web_body(root, "maths").xpath("//math")[0]
    assert not math.xpath(".//@href") and not math.xpath(".//a")
    assert math.get("alttext") == r"\href{javascript:alert(1)}{y}"  # the TeX, as text


# --- SVG ---

HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200"
 height="100" viewBox="0 0 200 100" onload="alert(1)"><script>alert(2)</script>
<rect width="200" height="100" fill="url(https://tracker.example/x.svg#p)"/>
<image xlink:href="file:///etc/passwd" width="10" height="10"/>
<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>
<circle cx="100" cy="50" r="40" fill="#336699"/></svg>"""


def test_a_hostile_svg_is_cleaned_with_a_warning_at_its_line_and_kept_as_a_drawing(tmp_path: Path) -> None:
    root = magazine(tmp_path, {"svg": "Before.\n\n![A circle](diagram.svg)\n"})
    (root / "issues/x/articles/diagram.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    result = run_cli("build", "x", "-f", "html,epub", cwd=root)
    assert result.returncode == 0, result.stderr
    warned = problem_lines(result.stderr)
    assert len(warned) == 1 and warned[0].startswith(
        "issues/x/articles/svg.md:6: warning: image issues/x/articles/diagram.svg: removed")
    src = web_body(root, "svg").xpath("//img/@src")[0]
    assert src.endswith(".svg")
    kept = (root / "build/x/html" / src).read_text(encoding="utf-8")
    for hostile in ("script", "onload", "alert", "tracker.example", "/etc/passwd", "foreignObject"):
        assert hostile not in kept
    assert "<circle" in kept
    with zipfile.ZipFile(root / "build/x/x.epub") as archive:
        package = archive.read("EPUB/content.opf").decode()
    assert 'media-type="image/svg+xml"' in package


# --- whole issues ---

def carpentries_magazine(root: Path) -> Path:
    """The eight Carpentries episodes as one issue, each lesson's figures beside it as its authors keep them."""
    articles = root / "issues/c/articles"
    listing = []
    for lesson in sorted(path for path in CARPENTRIES.iterdir() if path.is_dir()):
        # r-novice-gapminder's episodes point at ../fig/: they live in _episodes/ in the lesson's repository
        folder = articles / lesson.name / ("_episodes" if lesson.name == "r-novice-gapminder" else "")
        folder.mkdir(parents=True)
        for episode in sorted(lesson.glob("*.md")):
            (folder / episode.name).write_bytes(episode.read_bytes())
            listing.append(f"  - {(folder / episode.name).relative_to(root / 'issues/c').as_posix()}\n")
        figures = articles / lesson.name / "fig"
        figures.mkdir()
        for figure in (lesson / "fig").iterdir():
            (figures / figure.name).write_bytes(figure.read_bytes())
    (root / "magazine.yaml").write_text("title: Carpentries Review\nurl: https://carpentries.example.org/\n",
                                        encoding="utf-8")
    (root / "issues/c/issue.yaml").write_text("volume: 1\nnumber: 1\ndate: 2024-01-01\narticles:\n"
                                              + "".join(listing), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def carpentries(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if not (CARPENTRIES / "README.md").is_file():
        pytest.fail(f"the Carpentries corpus is missing at {CARPENTRIES}")
    return built(carpentries_magazine(tmp_path_factory.mktemp("carpentries") / "magazine"), "c")


@pytest.mark.slow
def test_the_carpentries_episodes_build_in_all_four_editions_with_no_extension_syntax_left(
        carpentries: tuple[Path, str]) -> None:
    root, said = carpentries
    build = root / "build/c"
    assert {path.name for path in build.iterdir()} >= {"html", "c.epub", "c.pdf", "c-screen.pdf"}
    sources = sorted((root / "issues/c/articles").rglob("*.md"))
    assert len(sources) == 8
    for source in sources:
        # (a page's name starts with a letter: '02-numpy.md' is s-02-numpy.html)
        page = lxml_html.parse(str(build / "html" / f"s-{source.stem}.html")).getroot()
        body = page.xpath("//div[@class='piece-body']")[0]
        assert not LITERAL_SYNTAX.search("".join(body.xpath(f".{PROSE}"))), source.name
        # every block of code of the episode, fenced or raw <pre>, is one in the page (none swallowed, none split)
        text = source.read_text(encoding="utf-8")
        fences = len(re.findall(r"(?m)^[ >]*(?:```|~~~)[^`\n]*\n(?:.*\n)*?[ >]*(?:```|~~~)\s*$", text))
        assert len(body.xpath(".//pre")) == fences + len(re.findall(r"(?m)^[ >]*<pre\b", text)), source.name
    with zipfile.ZipFile(build / "c.epub") as archive:
        texts = ["".join(etree.fromstring(archive.read(name)).xpath(PROSE)) for name in archive.namelist()
                 if name.endswith(".xhtml")]
    assert not any(LITERAL_SYNTAX.search(text) for text in texts)
    for pdf in ("c.pdf", "c-screen.pdf"):  # (a PDF's text holds code too, where an episode shows TeX as such)
        assert not EXTENSION_SYNTAX.search("\n".join(page_texts(build / pdf))), pdf
    assert "Traceback" not in said


@pytest.mark.slow
def test_the_carpentries_epub_passes_epubcheck(carpentries: tuple[Path, str]) -> None:
    assert_epub_valid(carpentries[0] / "build/c/c.epub")


# A technical article with every construct at once: the `technical` fixture builds it.

LONG_LINE = ("tokens = [word_tokenize(sentence, language='french', preserve_line=True) for sentence in "
             "sentences if sentence.strip() and not sentence.startswith('#')]  # tokenise every sentence of the corpus")
URL = "https://programminghistorian.org/en/lessons/working-with-batches-of-pdf-files?utm_source=issue&section=ocr"
SCREENSHOTS = [(1200, 800, 300), (1200, 800, None), (800, 600, 72), (640, 400, 96), (1920, 1080, 144),
               (420, 300, None)]
FORMULA_TEX = [r"CER = \frac{S+D+I}{N}", r"\bar{x} = \frac{1}{n}\sum_{i=1}^{n} x_i",
               r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}", r"\alpha \in \mathbb{R}", r"\sqrt[3]{x^2+y^2}"]


def technical_article(folder: Path) -> str:
    columns = ["id", "original_title", "modern_translations", "language_code", "publication_year",
               "word_count", "token_count", "type_token_ratio", "ocr_confidence", "reviewer"]
    wide = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    wide += ["| " + " | ".join(f"{name}_{row}" for name in columns) + " |" for row in range(6)]
    long_table = ["| year | titles | words | share |", "|---:|---:|---:|---:|"]
    long_table += [f"| {1800 + row} | {row * 3} | {row * 1234} | {row / 2:.1f}% |" for row in range(200)]
    for number, (width, height, dpi) in enumerate(SCREENSHOTS, start=1):
        image = Image.new("RGB", (width, height), (30 * number, 90, 160))
        image.save(folder / f"screen-{number}.png", **({"dpi": (dpi, dpi)} if dpi else {}))
    for number in range(1, 4):
        (folder / f"diagram-{number}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 {100 + number * 20}">'
            f'<rect x="10" y="10" width="120" height="60" fill="#cc3333"/><path d="M130 40 L200 40" '
            f'stroke="#000" stroke-width="2"/><circle cx="240" cy="40" r="30" fill="#3366cc"/></svg>',
            encoding="utf-8")
    screenshots = "\n\n".join(f"![Screenshot {n}](screen-{n}.png)" for n in range(1, len(SCREENSHOTS) + 1))
    diagrams = "\n\n".join(f'![Diagram {n}](diagram-{n}.svg "Figure {n}: the pipeline")' for n in range(1, 4))
    formulas = "\n\n".join(f"$${tex}$$" for tex in FORMULA_TEX)
    return f"""---
title: Working with batches of PDF files
description: OCR, tokenising and counting a corpus of scanned books
tags: [ocr, python]
---

Read the [lesson on the site](/en/lessons/intro) and [the data]({URL}) first; then `{LONG_LINE[:60]}`.
The data sets are at <{URL}>, one file a year.

```python
{LONG_LINE}
print(len(tokens))
```

```
{"x" * 30} {"y" * 150}
```
{{: .output}}

{chr(10).join(wide)}

{chr(10).join(long_table)}

{screenshots}

{diagrams}

The error rate is $CER = \\frac{{S+D+I}}{{N}}$, as usual.

{formulas}

> Ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν: ἀληθινῷ.

> Съешь же ещё этих мягких французских булок, да выпей чаю.

Tiếng Việt có dấu. Symbols: x ∈ A → B ✓ ↓, and an emoji 🙂.
"""


@pytest.fixture(scope="module")
def technical(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("technical") / "magazine"
    (root / "issues/x/articles").mkdir(parents=True)
    text = technical_article(root / "issues/x/articles")
    magazine(root, {"batches": text, "other": "See [the batches](batches.md#read-the-lesson).\n"})
    return built(root, "x")


@pytest.mark.slow
def test_a_technical_article_builds_in_every_edition_and_the_epub_and_web_pages_validate(
        technical: tuple[Path, str]) -> None:
    root, said = technical
    assert "error" not in said.lower().replace("error rate", ""), said
    build = root / "build/x"
    assert_epub_valid(build / "x.epub")
    pages = sorted(str(page) for page in (build / "html").glob("*.html"))
    checked = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu", *pages],
                             capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr
    body = web_body(root, "batches")
    assert body.xpath("//a[text()='lesson on the site']/@href") == ["https://magazine.example.org/en/lessons/intro"]
    assert len(body.xpath("//math")) == len(FORMULA_TEX) + 1
    assert len(body.xpath("//img[contains(@src, '.svg')]")) == 3
    tables = body.xpath("//div[@class='table-scroll'][@role='region'][@tabindex='0']/table")
    assert len(tables) == 2 and len(tables[1].xpath(".//tbody/tr")) == 200


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x.pdf", "x-screen.pdf"])
def test_in_the_pdfs_text_stays_inside_the_trim_code_and_addresses_are_whole_and_formulas_are_drawn(
        technical: tuple[Path, str], name: str) -> None:
    root, _said = technical
    pdf = root / "build/x" / name
    trims = [page.get("TrimBox", page["MediaBox"]) for page in boxes(pdf)]
    for number, x0, y0, x1, y1, word in placed_words(pdf):  # pages turned for a wide table too
        left, bottom, right, top = trims[number - 1]
        assert left - 0.5 <= x0 and x1 <= right + 0.5, f"page {number}: '{word}' runs outside the trim"
        assert bottom - 0.5 <= y0 and y1 <= top + 0.5, f"page {number}: '{word}' outside the trim"
    text = "\n".join(page_texts(pdf))
    squeezed = re.sub(r"\s+|\u200b|\u2192", "", text)  # line breaks, break points and continuation marks
    # every line of code and the address are there whole: no hyphen was added where they wrap
    assert re.sub(r"\s+", "", LONG_LINE) in squeezed
    assert "x" * 30 + "y" * 150 in squeezed
    assert URL.replace("https://", "") in squeezed or URL in squeezed
    assert not re.search(r"\\(frac|sum|int|sqrt|bar|alpha|mathbb)|\$\$", text), "TeX source in the PDF's text"
    # the formulas are outlines: the pages that show them fill paths (a glyph each) and set none of their text
    with pikepdf.open(pdf) as document:
        fills = sum(1 for page in document.pages for _operands, operator in pikepdf.parse_content_stream(page)
                    if str(operator) in ("f", "f*"))
    assert fills >= sum(len(re.sub(r"\\[a-z]+|[{}\\\s^_,]", "", tex)) for tex in FORMULA_TEX)
    assert "CER" not in text and "√" not in text


@pytest.mark.slow
def test_every_font_in_the_pdfs_is_the_themes_and_embedded(technical: tuple[Path, str]) -> None:
    root, said = technical
    declared = set()
    for sheet in (REPO / "layouts/css").glob("*.css"):
        declared |= set(re.findall(r'@font-face\s*\{[^}]*font-family:\s*"([^"]+)"', sheet.read_text(encoding="utf-8")))
    families = {family.replace(" ", "-") for family in declared}
    assert "a font of this computer" not in said
    for name in ("x.pdf", "x-screen.pdf"):
        for font, embedded in fonts(root / "build/x" / name):
            assert embedded, f"{font} is not embedded in {name}"
            assert any(font.split("+", 1)[-1].startswith(family) for family in families), f"{font} in {name}"


@pytest.mark.slow
@pytest.mark.parametrize("which, issue", [("technical", "x"), ("carpentries", "c")])
def test_ace_and_axe_find_no_violation_in_code_formulas_callouts_and_wide_tables(
        which: str, issue: str, request: pytest.FixtureRequest) -> None:
    root, _said = request.getfixturevalue(which)
    build = root / "build" / issue
    assert ace_violations(build / f"{issue}.epub") == []
    pages = sorted(path.name for path in (build / "html").glob("*.html"))
    assert len(pages) >= 4
    with static_server(build / "html") as address, browser_page(width=390, height=844) as (browser, _problems):
        found = {page: axe_violations(browser, address + page) for page in pages}  # a phone: things must scroll
    assert found == {page: [] for page in pages}
