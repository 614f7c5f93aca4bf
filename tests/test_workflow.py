"""The press-day workflow on the command line: init, new, theme eject, list, and how build talks while it works."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from issuepress.dates import default_title
from issuepress.layouts import builtin_theme_dir
from issuepress.load.keys import MAGAZINE, PRINT

from conftest import problem_lines, run_cli, run_on_terminal

EMPTY_ARTICLES = "'articles' is empty; list at least one article file"


def manifest_of(root: Path, issue_id: str) -> dict:
    return yaml.safe_load((root / "issues" / issue_id / "issue.yaml").read_text(encoding="utf-8"))


def line_of(path: Path, key: str) -> int:
    """The line where `key:` starts in a YAML file, found in the file rather than written into the test."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def add_article(root: Path, issue_id: str, name: str, title: str, section: str | None = None) -> None:
    """An article file, and its entry in the manifest's articles list (replacing the commented template)."""
    folder = root / "issues" / issue_id
    (folder / "articles").mkdir(exist_ok=True)
    (folder / "articles" / f"{name}.md").write_text(f"---\ntitle: {title}\n---\nThe first paragraph of {title}.\n",
                                                    encoding="utf-8")
    manifest = folder / "issue.yaml"
    entry = f"  - file: articles/{name}.md\n" + (f"    section: {section}\n" if section else "")
    manifest.write_text(manifest.read_text(encoding="utf-8") + entry, encoding="utf-8")


def make_issue(root: Path, issue_id: str, volume: int, number: int, date: str, **extra: str) -> None:
    folder = root / "issues" / issue_id
    (folder / "articles").mkdir(parents=True)
    (folder / "articles/a.md").write_text("---\ntitle: A\n---\nText.\n", encoding="utf-8")
    lines = [f"volume: {volume}", f"number: {number}", f"date: {date}", *(f"{k}: {v}" for k, v in extra.items())]
    (folder / "issue.yaml").write_text("\n".join(lines) + "\narticles: [articles/a.md]\n", encoding="utf-8")


@pytest.fixture
def magazine(tmp_path: Path) -> Path:
    """A magazine folder with only magazine.yaml, ready for hand-made issues."""
    root = tmp_path / "magazine"
    (root / "issues").mkdir(parents=True)
    (root / "magazine.yaml").write_text("title: Test Monthly\n", encoding="utf-8")
    return root


# --- init ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_init_new_build_round_trip(tmp_path: Path) -> None:
    result = run_cli("init", "mag", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "mag"
    assert run_cli("build", "example", cwd=root).returncode == 0, "the example issue builds every edition"
    for name in ("example.epub", "example.pdf", "example-screen.pdf", "html/index.html"):
        assert (root / "build/example" / name).is_file()

    assert run_cli("new", "2025-01", cwd=root).returncode == 0
    manifest = root / "issues/2025-01/issue.yaml"
    check = run_cli("check", "2025-01", cwd=root)
    assert check.returncode == 1
    assert problem_lines(check.stderr) == [f"issues/2025-01/issue.yaml:{line_of(manifest, 'articles')}: "
                                           f"{EMPTY_ARTICLES}"], "a new issue only lacks its articles"

    add_article(root, "2025-01", "first", "Our First Article", section="Getting started")
    result = run_cli("build", "2025-01", "--format", "html,epub", cwd=root)
    assert result.returncode == 0, result.stderr
    index = (root / "build/2025-01/html/index.html").read_text(encoding="utf-8")
    example = manifest_of(root, "example")
    assert "Our First Article" in index and "January 2025" in index
    assert f"Volume {example['volume']}, No. {example['number'] + 1}" in index


@pytest.mark.slow
def test_init_magazine_yaml_shows_every_key_and_its_examples_are_valid(tmp_path: Path) -> None:
    assert run_cli("init", "meridian-review", cwd=tmp_path).returncode == 0
    root = tmp_path / "meridian-review"
    text = (root / "magazine.yaml").read_text(encoding="utf-8")
    shown = set(re.findall(r"^[#\s]*([a-z_]+):", text, re.MULTILINE))
    declared = MAGAZINE.names | PRINT.names
    assert declared <= shown, f"keys missing from the starter: {declared - shown}"
    assert yaml.safe_load(text)["title"] == "Meridian Review"
    assert "/build/" in (root / ".gitignore").read_text().splitlines()
    assert not (root / "layouts").exists() and not (root / "fonts").exists(), "init does not copy the theme"
    # every commented-out example is a valid value: switch them all on and the example issue still checks
    (root / "magazine.yaml").write_text(re.sub(r"^# ([a-z_]+:)", r"\1", text, flags=re.MULTILINE))
    result = run_cli("check", "example", cwd=root)
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == []


def test_init_says_how_to_go_on_in_words_a_shell_takes(tmp_path: Path) -> None:
    result = run_cli("init", "my mag", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cd 'my mag' && " in result.stdout + result.stderr


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    root = tmp_path / "mag"
    root.mkdir()
    (root / "magazine.yaml").write_text("title: Mine\n")
    result = run_cli("init", "mag", cwd=tmp_path)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == [
        "mag/magazine.yaml: already exists; init never overwrites a file (move it away first)"]
    assert (root / "magazine.yaml").read_text() == "title: Mine\n"
    assert sorted(p.name for p in root.iterdir()) == ["magazine.yaml"], "nothing else was written"


# --- new -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("numbering, previous, new_id, expected", [
    ("continuous", ("6", "11", "2024-11-01"), "next", (6, 12, "2024-12-01")),
    ("continuous", ("6", "12", "2024-12-01"), "2025-01", (6, 13, "2025-01-01")),
    ("continuous", ("6", "12", "2024-12-01"), "january", (6, 13, "2025-01-01")),
    ("yearly", ("6", "11", "2024-11-01"), "next", (6, 12, "2024-12-01")),
    ("yearly", ("6", "12", "2024-12-01"), "2025-01", (7, 1, "2025-01-01")),
    ("yearly", ("6", "12", "2024-12-15"), "january", (7, 1, "2025-01-15")),
    ("yearly", ("6", "11", "2024-11-01"), "2026-02", (8, 1, "2026-02-01")),
    ("continuous", ("1", "1", "2024-01-31"), "february", (1, 2, "2024-02-29")),
])
def test_new_advances_date_number_and_volume(magazine: Path, numbering: str, previous: tuple, new_id: str,
                                            expected: tuple) -> None:
    (magazine / "magazine.yaml").write_text(f"title: Test Monthly\nnumbering: {numbering}\n")
    make_issue(magazine, "previous", *previous)
    result = run_cli("new", new_id, cwd=magazine)
    assert result.returncode == 0, result.stderr
    made = manifest_of(magazine, new_id)
    assert (made["volume"], made["number"], made["date"]) == (expected[0], expected[1],
                                                               dt.date.fromisoformat(expected[2]))


def test_new_follows_the_latest_issue_by_date_or_the_one_named(magazine: Path) -> None:
    make_issue(magazine, "spring", 3, 3, "2025-03-01")
    make_issue(magazine, "winter", 3, 1, "2025-01-01")  # sorts after "spring" by name, but is older
    assert run_cli("new", "next", cwd=magazine).returncode == 0
    assert (manifest_of(magazine, "next")["number"], str(manifest_of(magazine, "next")["date"])) == (4, "2025-04-01")
    assert run_cli("new", "after-winter", "--from", "winter", cwd=magazine).returncode == 0
    assert (manifest_of(magazine, "after-winter")["number"],
            str(manifest_of(magazine, "after-winter")["date"])) == (2, "2025-02-01")


def test_new_carries_sections_editor_and_language(sample: Path) -> None:
    assert run_cli("new", "2024-12", cwd=sample).returncode == 0
    previous, made = manifest_of(sample, "2024-11"), manifest_of(sample, "2024-12")
    assert made["editor"] == previous["editor"] and made["language"] == previous["language"]
    assert made["articles"] is None, "no article is invented for the editor"
    text = (sample / "issues/2024-12/issue.yaml").read_text()
    sections = [entry["section"] for entry in previous["articles"]]
    assert re.findall(r"^  #   section: (.+)$", text, re.MULTILINE) == sections
    assert (sample / "issues/2024-12/articles").is_dir() and (sample / "issues/2024-12/images").is_dir()
    assert "title" not in made, f"the title is left to default to {default_title(made['date'])}"


def test_new_refuses_an_existing_id_and_an_earlier_month(sample: Path) -> None:
    manifest = sample / "issues/2024-11/issue.yaml"
    before = manifest.read_bytes()
    result = run_cli("new", "2024-11", cwd=sample)
    assert result.returncode == 1
    assert "issues/2024-11 already exists" in result.stderr
    assert manifest.read_bytes() == before
    result = run_cli("new", "2024-10", cwd=sample)
    assert result.returncode == 1
    assert "would be dated 2024-10-01, not after 2024-11" in result.stderr
    assert not (sample / "issues/2024-10").exists()
    result = run_cli("new", "2025-13", cwd=sample)  # a slip for 2025-03, not an id that names no month
    assert result.returncode == 1
    assert "'2025-13' names month 13, which no year has" in result.stderr
    assert not (sample / "issues/2025-13").exists()


def test_new_in_an_empty_magazine_starts_at_one(magazine: Path) -> None:
    assert run_cli("new", "2025-03", cwd=magazine).returncode == 0
    made = manifest_of(magazine, "2025-03")
    assert (made["volume"], made["number"], str(made["date"])) == (1, 1, "2025-03-01")


def test_numbering_is_validated_like_every_key(magazine: Path) -> None:
    make_issue(magazine, "previous", 1, 1, "2024-01-01")
    (magazine / "magazine.yaml").write_text("title: Test Monthly\nnumbering: anually\n")
    result = run_cli("new", "next", cwd=magazine)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == [
        "magazine.yaml:2: 'numbering' must be one of continuous, yearly, not 'anually'"]
    assert not (magazine / "issues/next").exists()
    (magazine / "magazine.yaml").write_text("title: Test Monthly\nnumberin: yearly\n")
    result = run_cli("check", "previous", cwd=magazine)
    assert problem_lines(result.stderr) == ["magazine.yaml:2: unknown key 'numberin'; did you mean 'numbering'?"]


def test_new_refuses_to_guess_past_an_unreadable_issue(magazine: Path) -> None:
    make_issue(magazine, "good", 1, 1, "2024-01-01")
    make_issue(magazine, "broken", 1, 2, "2024-02-30")  # no such day: its place in time is unknown
    result = run_cli("new", "next", cwd=magazine)
    assert result.returncode == 1
    assert "cannot follow issue broken" in result.stderr and "--from" in result.stderr
    assert run_cli("new", "next", "--from", "good", cwd=magazine).returncode == 0


# --- theme eject -----------------------------------------------------------------------------------

def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_theme_eject_then_a_layout_edit_shows_in_the_build(sample: Path) -> None:
    result = run_cli("theme", "eject", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert tree(sample / "layouts") == tree(builtin_theme_dir() / "layouts")
    assert not (sample / "fonts").exists()
    layout = sample / "layouts/html/contributors.html"
    layout.write_text(layout.read_text().replace("<h1>Contributors</h1>", "<h1>Who wrote this issue</h1>"))
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    assert "<h1>Who wrote this issue</h1>" in (sample / "build/2024-11/html/contributors.html").read_text()

    edited = layout.read_bytes()
    again = run_cli("theme", "eject", "--fonts", cwd=sample)
    assert again.returncode == 1
    assert problem_lines(again.stderr) == [
        "layouts/html/contributors.html: already exists; theme eject never overwrites a file (move it away first)"]
    assert layout.read_bytes() == edited and not (sample / "fonts").exists(), "refused means nothing written"


@pytest.mark.slow
def test_theme_eject_fonts(sample: Path) -> None:
    assert run_cli("theme", "eject", cwd=sample).returncode == 0
    # the layouts, ejected before and unchanged since, do not stand in the way of the fonts
    result = run_cli("theme", "eject", "--fonts", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert tree(sample / "fonts") == tree(builtin_theme_dir() / "fonts")
    assert run_cli("build", "2024-11", "--format", "epub", cwd=sample).returncode == 0


def test_theme_eject_outside_a_magazine_is_refused(tmp_path: Path) -> None:
    result = run_cli("theme", "eject", cwd=tmp_path)
    assert result.returncode == 1
    assert "is not a magazine folder" in result.stderr and not (tmp_path / "layouts").exists()


# --- list ------------------------------------------------------------------------------------------

def listed(root: Path) -> dict[str, list[str]]:
    """`issuepress list` as issue id -> its columns (columns are separated by two spaces or more)."""
    result = run_cli("list", cwd=root)
    assert result.returncode == 0, result.stderr
    rows = [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()[1:] if line.strip()]
    return {row[0]: row for row in rows}


@pytest.mark.slow
def test_list_shows_each_issue_and_whether_its_editions_are_up_to_date(sample: Path) -> None:
    assert run_cli("new", "2024-12", cwd=sample).returncode == 0
    rows = listed(sample)
    previous = manifest_of(sample, "2024-11")
    assert list(rows) == ["2024-11", "2024-12"]
    assert rows["2024-11"][:6] == ["2024-11", f"{previous['volume']}/{previous['number']}",
                                   str(previous["date"]), previous["title"], str(len(previous["articles"])),
                                   "not built"]
    assert rows["2024-12"][1:4] == [f"{previous['volume']}/{previous['number'] + 1}", "2024-12-01", "December 2024"]
    assert rows["2024-12"][-1] == "1 problem (issuepress check 2024-12)"

    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    assert listed(sample)["2024-11"][-1] == "up to date: html; not built: epub, pdf, screen-pdf"
    assert run_cli("build", "2024-11", cwd=sample).returncode == 0
    assert listed(sample)["2024-11"][-1] == "up to date"

    article = sample / "issues/2024-11/articles/letter-from-lahore.md"
    later = (sample / "build/2024-11/2024-11.pdf").stat().st_mtime + 60
    os.utime(article, (later, later))  # edited after the build
    assert listed(sample)["2024-11"][-1] == "out of date"


def test_list_with_no_issues(magazine: Path) -> None:
    result = run_cli("list", cwd=magazine)
    assert result.returncode == 0 and "no issues" in result.stderr and result.stdout == ""


# --- how build talks -------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_reports_each_edition_and_a_summary(sample: Path) -> None:
    result = run_cli("build", "2024-11", "--format", "html,pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    # each edition's line when it really starts: the PDF's layout begins beside the web edition
    started = [line.split()[0] for line in lines if line.endswith(" ...")]
    assert started[0] == "issue" and sorted(started[1:]) == ["html", "pdf"]
    rows = {line.split()[0]: line.rstrip() for line in lines if re.match(r"^(html|pdf) +wrote ", line)}
    assert set(rows) == {"html", "pdf"}
    for name, row in rows.items():
        assert re.search(r" \d+\.\d\ds$", row), f"no elapsed time for {name}: {row}"
    assert "12 pages, saddle-stitch" in rows["pdf"]
    assert lines[-1].startswith("built 2024-11 in ")
    assert "\x1b[" not in result.stderr, "no colour or cursor codes when not on a terminal"


@pytest.mark.slow
def test_quiet_and_verbose(sample: Path) -> None:
    quiet = run_cli("--quiet", "build", "2024-11", "--format", "html", cwd=sample)
    assert quiet.returncode == 0 and quiet.stderr == ""
    # quiet still shows every problem
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("volume: 6", "volume: six"))
    broken = run_cli("-q", "check", "2024-11", cwd=sample)
    assert broken.returncode == 1
    assert problem_lines(broken.stderr) == ["issues/2024-11/issue.yaml:3: 'volume' must be a whole number, not 'six'"]
    manifest.write_text(manifest.read_text().replace("volume: six", "volume: 6"))

    verbose = run_cli("--verbose", "build", "2024-11", "--format", "html", cwd=sample)
    assert verbose.returncode == 0
    assert re.search(r"^html +built the web edition in \d+\.\d\ds$", verbose.stderr, re.MULTILINE)
    assert "issues/2024-11/articles/moscow-and-islamabad.md" in verbose.stderr  # what was read
    assert run_cli("-q", "-v", "list", cwd=sample).returncode == 2


COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|38;[0-9;]+|9[0-7])m")


@pytest.mark.slow
def test_colour_only_on_a_terminal_and_never_with_no_color(sample: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    coloured = run_on_terminal(["build", "2024-11", "--format", "html"], sample, env)
    assert COLOUR.search(coloured), "a terminal gets colour"
    assert "wrote" in coloured and "web edition" in coloured
    plain = run_on_terminal(["build", "2024-11", "--format", "html"], sample, {**env, "NO_COLOR": "1"})
    assert not COLOUR.search(plain), "NO_COLOR turns colour off"
    assert "wrote" in plain
    piped = subprocess.run([sys.executable, "-m", "issuepress", "build", "2024-11", "--format", "html"], cwd=sample,
                           capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0 and "\x1b[" not in piped.stderr
