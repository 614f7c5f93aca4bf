"""Broken issues: every problem reported at once as `path:line: message`, exit 1, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, problem_lines, run_cli

CASES = sorted(p.name for p in (FIXTURES / "bad").iterdir() if p.is_dir())


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["check", "build"])
def test_bad_issue_reports_every_problem(case: str, command: str, tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "bad" / case, tmp_path / case, symlinks=True)  # keep the escaping link
    expected = (root / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run_cli(command, "x", cwd=root)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == expected
    assert not (root / "build").exists(), "a failed build must not write anything"


def test_every_case_expects_problems() -> None:
    for case in CASES:
        assert (FIXTURES / "bad" / case / "expected.txt").read_text().strip(), case


@pytest.mark.slow
def test_unknown_issue_names_the_issues_there(sample: Path) -> None:
    result = run_cli("build", "2025-01", cwd=sample)
    assert result.returncode == 1
    assert "no issue '2025-01': folder issues/2025-01 does not exist (issues here: 2024-11)" in result.stderr


def test_issue_id_cannot_escape_issues_folder(sample: Path) -> None:
    result = run_cli("check", "../..", cwd=sample)
    assert result.returncode == 1
    assert "is not an issue id" in result.stderr


def test_unknown_format_is_a_usage_error(sample: Path) -> None:
    result = run_cli("build", "2024-11", "--format", "docx", cwd=sample)
    assert result.returncode == 2
    assert "unknown format docx" in result.stderr
    assert not (sample / "build").exists()
    result = run_cli("build", "2024-11", "--format", "", cwd=sample)  # an empty shell variable
    assert result.returncode == 2
    assert "no format given; choose from" in result.stderr
    assert not (sample / "build").exists()


def test_missing_argument_is_a_usage_error(sample: Path) -> None:
    assert run_cli("build", cwd=sample).returncode == 2


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_failed_build_keeps_previous_edition(sample: Path) -> None:
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    index = sample / "build/2024-11/html/index.html"
    before = index.read_bytes()
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("volume: 6", "volume: six"))
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 1
    assert "issues/2024-11/issue.yaml:3: 'volume' must be a whole number, not 'six'" in problem_lines(result.stderr)
    assert index.read_bytes() == before
    leftovers = [p.name for p in (sample / "build/2024-11").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_bug_is_one_line_not_a_traceback(sample: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from issuepress import cli, recipe

    def broken(*arguments):
        raise RuntimeError("something inside issuepress went wrong")

    monkeypatch.setattr(recipe, "load", broken)
    monkeypatch.delenv("ISSUEPRESS_DEBUG", raising=False)
    result = CliRunner().invoke(cli.main, ["check", "2024-11", "--root", str(sample)])
    assert result.exit_code == 70
    assert "internal error: RuntimeError: something inside issuepress went wrong" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_symbolic_link_loop_is_a_problem_of_the_issue(sample: Path) -> None:
    articles = sample / "issues/2024-11/articles"
    (articles / "loop-a.md").symlink_to("loop-b.md")
    (articles / "loop-b.md").symlink_to("loop-a.md")
    manifest = sample / "issues/2024-11/issue.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("articles:\n", "articles:\n  - articles/loop-a.md\n", 1))
    line = text.splitlines().index("articles:") + 2
    for command in ("check", "build"):
        result = run_cli(command, "2024-11", cwd=sample)
        assert result.returncode == 1, result.stderr
        assert (f"issues/2024-11/issue.yaml:{line}: 'articles': 'articles/loop-a.md' is a symbolic link that "
                "leads back to itself") in problem_lines(result.stderr)


@pytest.mark.slow
def test_an_output_folder_that_cannot_be_written_is_said_before_the_build(sample: Path) -> None:
    (sample / "afile").write_text("not a folder")
    result = run_cli("build", "2024-11", "--out", "afile/sub", cwd=sample)
    assert result.returncode == 1, result.stderr
    assert "cannot write the editions to afile/sub: afile is a file, not a folder" in result.stderr
    assert "building" not in result.stderr  # said before any edition is built


@pytest.mark.slow
def test_check_finds_the_mistakes_of_every_editions_layouts_at_once(sample: Path) -> None:
    (sample / "layouts/html").mkdir(parents=True)
    (sample / "layouts/html/article.html").write_text('{% include "html/article.html" %}\n')
    (sample / "layouts/epub").mkdir(parents=True)
    builtin = (REPO / "layouts/epub/article.xhtml").read_text()
    (sample / "layouts/epub/article.xhtml").write_text(builtin.replace("</header>", "</header><b>unclosed &nbsp;"))
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1, result.stderr
    lines = problem_lines(result.stderr)
    assert any(line.startswith("layouts/html/article.html:1: layout error: html/article.html never finishes")
               for line in lines), lines
    assert any(line.startswith("layouts/epub/article.xhtml: layout error: epub/article.xhtml makes XHTML that is "
                               "not well-formed") for line in lines), lines
    build = run_cli("build", "2024-11", "--format", "epub", cwd=sample)
    assert build.returncode == 1 and "not well-formed" in build.stderr, build.stderr
    assert not (sample / "build").exists()


def test_a_mistake_in_the_e_mails_layout_is_said_by_check_and_does_not_stop_a_build(sample: Path) -> None:
    """A build of the editions never renders the website's or the e-mail's layouts: it does not compile them (or
    stop at their mistakes); `check`, and the commands that use them, say a mistake at its line."""
    (sample / "layouts/email").mkdir(parents=True)
    (sample / "layouts/email/message.html").write_text("<p>Dear reader,</p>\n<p>{{ issue.title }</p>\n")
    build = run_cli("build", "2024-11", "-f", "html", cwd=sample)
    assert build.returncode == 0, build.stderr
    assert (sample / "build/2024-11/html/index.html").is_file()
    check = run_cli("check", "2024-11", cwd=sample)
    assert check.returncode == 1, check.stderr
    assert any(line.startswith("layouts/email/message.html:2: layout error") for line in problem_lines(check.stderr)), \
        check.stderr


def test_the_editors_note_listed_as_an_article_too_is_a_problem(sample: Path) -> None:
    manifest = sample / "issues/2024-11/issue.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("articles:\n", "articles:\n  - editors-note.md\n", 1))
    line = text.splitlines().index("articles:") + 2
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    assert (f"issues/2024-11/issue.yaml:{line}: editors-note.md is the editor's note (editors_note:), which opens "
            "the issue by itself; do not list it under articles too") in problem_lines(result.stderr)


@pytest.mark.slow
def test_an_image_too_big_to_decode_says_so(sample: Path) -> None:
    from PIL import Image

    Image.new("L", (8000, 8000), 128).save(sample / "issues/2024-11/images/timeline.png")  # 64 megapixels
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    assert any(line.startswith("issues/2024-11/articles/moscow-and-islamabad.md:21: image issues/2024-11/images/"
                               "timeline.png is 8000 x 8000 pixels (64 megapixels), more than issuepress takes")
               for line in problem_lines(result.stderr)), result.stderr
    assert "DecompressionBomb" not in result.stderr


@pytest.mark.slow
def test_a_layout_asking_for_a_missing_file_is_said_once_at_the_stylesheet(sample: Path) -> None:
    from issuepress.layouts import builtin_theme_dir

    (sample / "layouts/css").mkdir(parents=True)
    print_css = (builtin_theme_dir() / "layouts/css/print.css").read_text()
    (sample / "layouts/css/print.css").write_text(print_css + '\nh2 { background: url("../images/nope.png") }\n')
    result = run_cli("build", "2024-11", "-f", "pdf", cwd=sample)
    assert result.returncode == 1
    lines = [line for line in problem_lines(result.stderr) if "nope.png" in line]
    assert lines == ["layouts/css/print.css: the print layout asks for images/nope.png, which is neither a file of "
                     "the issue nor one of the theme's fonts; check the url() and src= in the layouts"], result.stderr


def test_a_broken_contributors_file_is_not_called_missing(sample: Path) -> None:
    (sample / "contributors.yaml").write_text("ann: [unclosed\n")
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    lines = problem_lines(result.stderr)
    assert lines[0].startswith("contributors.yaml:2: YAML syntax error"), lines
    assert not any("there is no contributors.yaml" in line for line in lines), lines


@pytest.mark.slow
def test_a_build_says_the_web_editions_and_the_pdfs_layout_mistakes_together(sample: Path) -> None:
    from issuepress.layouts import builtin_theme_dir

    (sample / "layouts/html").mkdir(parents=True)
    (sample / "layouts/html/article.html").write_text('{% include "html/article.html" %}\n')
    (sample / "layouts/css").mkdir(parents=True)
    print_css = (builtin_theme_dir() / "layouts/css/print.css").read_text()
    (sample / "layouts/css/print.css").write_text(print_css + '\nh2 { background: url("../images/nope.png") }\n')
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 1
    lines = problem_lines(result.stderr)
    assert any(line.startswith("layouts/html/article.html:1: layout error") for line in lines), lines
    assert any(line.startswith("layouts/css/print.css: the print layout asks for images/nope.png") for line in lines)
    # each edition's own mistake keeps that edition back; the EPUB, whose layouts are fine, is written
    built = sorted(path.name for path in (sample / "build/2024-11").iterdir())
    assert built == ["2024-11.epub"], built
    assert "html: not written" in result.stderr and "pdf: not written" in result.stderr


def test_a_date_before_the_year_1000_is_a_slip(sample: Path) -> None:
    manifest = sample / "issues/2024-11/issue.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("date: 2024-11-01", "date: 0001-01-01"))
    line = text.splitlines().index("date: 2024-11-01") + 1
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == [
        f"issues/2024-11/issue.yaml:{line}: 'date' 0001-01-01 is before the year 1000; check the year"]


@pytest.mark.slow
def test_check_renders_the_print_layouts_with_what_a_build_gives_them(sample: Path) -> None:
    (sample / "layouts/pdf").mkdir(parents=True)
    # The contents page may count on every piece's page number; only check's lack of them would fail it.
    contents = (REPO / "layouts/pdf/contents.html").read_text()
    (sample / "layouts/pdf/contents.html").write_text(
        contents.replace("starts.get(piece.slug, '')", "starts[piece.slug] + 0"))
    assert run_cli("check", "2024-11", cwd=sample).returncode == 0
    # A mistake made only where a running head (not a folio's digit) is set.
    furniture = (REPO / "layouts/pdf/furniture.html").read_text()
    (sample / "layouts/pdf/furniture.html").write_text(furniture.replace(
        "{{ cell.text }}", '{% if cell.kind == "head" %}{{ cell.txt.upper() }}{% else %}{{ cell.text }}{% endif %}'))
    result = run_cli("check", "2024-11", cwd=sample)
    assert result.returncode == 1, result.stderr
    assert any(line.startswith("layouts/pdf/furniture.html:") and "layout error" in line
               for line in problem_lines(result.stderr)), result.stderr
