"""The built-in theme ships inside the package; a magazine's own layouts override it file by file."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import issuepress
from issuepress.layouts import builtin_theme_dir

from conftest import REPO, problem_lines, run_cli
from pdftools import font_types


def test_installed_package_carries_the_repository_theme() -> None:
    theme = builtin_theme_dir()
    assert theme == Path(issuepress.__file__).parent / "theme", "tests must run against the installed package"
    for folder in ("layouts", "fonts", "profiles"):
        shipped = {p.relative_to(theme / folder): p.read_bytes() for p in (theme / folder).rglob("*") if p.is_file()}
        source = {p.relative_to(REPO / folder): p.read_bytes() for p in (REPO / folder).rglob("*") if p.is_file()}
        assert shipped == source, f"the installed {folder}/ differs from the repository's; reinstall"


def _a_machine_with_charis_installed(tmp_path: Path) -> dict[str, str]:
    """The environment of a computer that has Charis SIL installed, whatever this one has."""
    installed = tmp_path / "installed-fonts"
    installed.mkdir()
    shutil.copy(REPO / "fonts/CharisSIL-Regular.ttf", installed)
    machine = tmp_path / "fonts.conf"
    machine.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                       f'<fontconfig><include ignore_missing="yes">fonts.conf</include><dir>{installed}</dir>'
                       f'<cachedir>{tmp_path / "font-cache"}</cachedir></fontconfig>')
    env = {"FONTCONFIG_FILE": str(machine)}
    seen = subprocess.run(["fc-match", "-f", "%{family}|%{fontformat}", "Charis SIL:style=Regular"],
                          capture_output=True, text=True, check=True, env={**os.environ, **env})
    assert seen.stdout.split("|") == ["Charis SIL", "TrueType"], seen.stdout
    return env


@pytest.mark.slow
def test_the_magazines_fonts_are_used_even_where_a_font_of_their_family_is_installed(sample: Path,
                                                                                      tmp_path: Path) -> None:
    """The printer gets the fonts the magazine ships, whichever fonts the machine that built the PDF has."""
    env = _a_machine_with_charis_installed(tmp_path)
    # The magazine's own "Charis SIL" regular is another typeface, with PostScript (CFF) outlines: poppler
    # tells it from the installed Charis SIL, whose outlines are TrueType.
    (sample / "fonts").mkdir()
    shutil.copy(REPO / "fonts/Inter-Regular.otf", sample / "fonts/CharisSIL-Regular.ttf")
    result = run_cli("build", "2024-11", "--format", "pdf", cwd=sample, env=env)
    assert result.returncode == 0, result.stderr
    types = font_types(sample / "build/2024-11/2024-11.pdf")
    assert types["Charis-SIL"] == {"CID Type 0C (OT)"}, types
    assert types["Charis-SIL-Italic"] == {"CID TrueType"}, types  # the theme's own Charis, untouched


@pytest.mark.slow
def test_a_font_face_that_asks_for_an_installed_font_first_still_gets_the_magazines(sample: Path,
                                                                                     tmp_path: Path) -> None:
    """`src: local(...), url(...)` must not make the PDF depend on the computer that builds it."""
    env = _a_machine_with_charis_installed(tmp_path)
    (sample / "fonts").mkdir()
    shutil.copy(REPO / "fonts/Inter-Regular.otf", sample / "fonts/CharisSIL-Regular.ttf")
    (sample / "layouts/css").mkdir(parents=True)
    fonts_css = (builtin_theme_dir() / "layouts/css/fonts.css").read_text()
    own_file = 'src: url("../fonts/CharisSIL-Regular.ttf")'
    assert own_file in fonts_css
    asks_first = fonts_css.replace(own_file, f'src: local("CharisSIL"), {own_file.removeprefix("src: ")}')
    (sample / "layouts/css/fonts.css").write_text(asks_first)
    result = run_cli("build", "2024-11", "--format", "pdf", cwd=sample, env=env)
    assert result.returncode == 0, result.stderr
    assert font_types(sample / "build/2024-11/2024-11.pdf")["Charis-SIL"] == {"CID Type 0C (OT)"}


def test_magazine_with_only_issues_builds(sample: Path) -> None:
    for name in ("magazine.yaml", "contributors.yaml"):
        (sample / name).unlink()
    (sample / "issues/2024-11/issue.yaml").write_text(
        "volume: 6\nnumber: 11\ndate: 2024-11-01\narticles: [articles/letter-from-lahore.md]\n"
        "contributors:\n  bilal-anwar:\n    name: Bilal Anwar\n")
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 0, result.stderr
    index = (sample / "build/2024-11/html/index.html").read_text()
    assert "Untitled Magazine" in index and "November 2024" in index


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_magazine_layout_overrides_builtin(sample: Path) -> None:
    own = sample / "layouts/html"
    own.mkdir(parents=True)
    builtin = (builtin_theme_dir() / "layouts/html/contributors.html").read_text()
    (own / "contributors.html").write_text(builtin.replace("<h1>Contributors</h1>", "<h1>Our writers</h1>"))
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    assert "<h1>Our writers</h1>" in (sample / "build/2024-11/html/contributors.html").read_text()


@pytest.mark.slow
def test_a_magazines_own_macros_from_an_older_theme_still_build(sample: Path) -> None:
    """The built-in layouts must not call macros a magazine's copy of partials/macros.html may lack."""
    own = sample / "layouts/partials"
    own.mkdir(parents=True)
    macros = (builtin_theme_dir() / "layouts/partials/macros.html").read_text()
    kept = macros.split("{% macro piece_lang")[0]  # only the macros the first themes had: masthead_line, byline
    (own / "macros.html").write_text(kept + '{% macro piece_lang(article) -%}\nlang="{{ article.language }}" '
                                     'dir="{{ article.direction }}"\n{%- endmacro %}\n{% macro chrome_lang(article, '
                                     'issue, issue_direction) -%}{%- endmacro %}\n')
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_template_typo_is_reported_not_blank(sample: Path) -> None:
    own = sample / "layouts/html"
    own.mkdir(parents=True)
    builtin = (builtin_theme_dir() / "layouts/html/contributors.html").read_text()
    (own / "contributors.html").write_text(builtin.replace("{{ person.name }}", "{{ person.nmae }}"))
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 1
    assert "layouts/html/contributors.html" in result.stderr and "nmae" in result.stderr


@pytest.mark.slow
def test_code_is_set_in_the_theme_s_monospace_face_only_in_issues_with_code(sample: Path) -> None:
    assert run_cli("build", "2024-11", "-f", "epub,html", cwd=sample).returncode == 0
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as archive:
        assert not [name for name in archive.namelist() if "NotoSansMono" in name]
    assert not (sample / "build/2024-11/html/fonts/NotoSansMono-Regular.ttf").exists()

    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nRun `make demo`:\n\n    make demo\n",
                       encoding="utf-8")
    result = run_cli("build", "2024-11", cwd=sample)
    assert result.returncode == 0 and "a font of this computer" not in result.stderr, result.stderr
    assert font_types(sample / "build/2024-11/2024-11.pdf")["Noto-Sans-Mono"] == {"CID TrueType"}
    with zipfile.ZipFile(sample / "build/2024-11/2024-11.epub") as archive:
        assert "EPUB/fonts/NotoSansMono-Regular.ttf" in archive.namelist()
        assert "Noto Sans Mono" in archive.read("EPUB/licences.xhtml").decode()
    assert (sample / "build/2024-11/html/fonts/NotoSansMono-Regular.ttf").is_file()


@pytest.mark.slow
def test_a_declaration_the_pdf_layout_ignores_is_said_once_at_its_stylesheet(sample: Path) -> None:
    assert "ignores" not in run_cli("build", "2024-11", "-f", "pdf", cwd=sample).stderr  # the theme's own CSS
    (sample / "layouts/css").mkdir(parents=True)
    print_css = (builtin_theme_dir() / "layouts/css/print.css").read_text()
    (sample / "layouts/css/print.css").write_text(print_css + "\nh2 { colr: red }\n@page { size: banana }\n")
    result = run_cli("build", "2024-11", "-f", "pdf,screen-pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert [line for line in problem_lines(result.stderr) if "ignores" in line] == [
        "layouts/css/print.css: warning: the PDF's layout ignores `colr: red` (unknown property)",
        "layouts/css/print.css: warning: the PDF's layout ignores `size: banana` (invalid value)"]
