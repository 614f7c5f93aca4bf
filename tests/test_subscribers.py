"""Personalised copies: the subscriber list, the copies (valid, traceable, private), and resuming."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from issuepress.editions.faces import ADD_A_FONT

from conftest import problem_lines, run_cli
from epubcheck_tool import assert_epub_valid
from pdftools import fonts, page_texts

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server

LIST = """id,name,email,plan
ann,Ann Reader,ann@example.org,gold
bob,Bob Müller,,silver
,No Id,x@example.org,
ann,Ann Again,a@example.org,
carl,Carl,not-an-email,
nadia,نادیہ حسین,nadia@example.org,
eve,Eve \u202eredivider,eve@example.org,
BOB,Bob Again,,
con,Con Sole,,
"""


def read_manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    from conftest import copy_sample

    root = copy_sample(tmp_path_factory.mktemp("subscribers") / "magazine")
    (root / "subscribers.csv").write_text(LIST, encoding="utf-8")
    result = run_cli("subscribers", "2024-11", "--list", "subscribers.csv", "-f", "epub,pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    assert run_cli("build", "2024-11", "-f", "epub", cwd=root).returncode == 0
    return root, root / "build/2024-11/subscribers", result.stderr


def test_bad_rows_are_reported_with_their_lines_and_skipped(copies) -> None:
    _, out, stderr = copies
    assert problem_lines(stderr) == [
        "subscribers.csv:4: warning: missing subscriber id; row skipped",
        "subscribers.csv:5: warning: subscriber id 'ann' is already used on line 2; row skipped",
        "subscribers.csv:6: warning: 'not-an-email' is not an email address; row skipped",
        "subscribers.csv:8: warning: the name of subscriber 'eve' holds an invisible control character (such as a "
        "bidi override); retype it; row skipped",
        "subscribers.csv:9: warning: subscriber id 'BOB' is already used on line 3 (as 'bob': copies' file names "
        "ignore case on Mac and Windows); row skipped",
        "subscribers.csv:10: warning: subscriber id 'con' names a device on Windows, where a file con.epub cannot be "
        "made; choose another; row skipped",
    ]
    assert "wrote 6 copies (epub and pdf for 3 subscribers)" in stderr and "6 rows skipped" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["ann.epub", "ann.pdf", "bob.epub", "bob.pdf", "manifest.csv",
                                                     "nadia.epub", "nadia.pdf"]


def test_strict_stops_on_a_bad_row_and_writes_nothing(sample: Path) -> None:
    (sample / "subscribers.csv").write_text(LIST, encoding="utf-8")
    result = run_cli("subscribers", "2024-11", "--list", "subscribers.csv", "--strict", cwd=sample)
    assert result.returncode == 1
    assert "subscribers.csv:4: missing subscriber id" in problem_lines(result.stderr)
    assert not (sample / "build").exists()


def test_a_list_without_the_header_is_an_error(sample: Path) -> None:
    (sample / "people.csv").write_text("ann,Ann Reader,ann@example.org\n", encoding="utf-8")
    result = run_cli("subscribers", "2024-11", "--list", "people.csv", cwd=sample)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == [
        "people.csv:1: the first line must name the columns id,name,email (missing: id, name, email)"]


def test_manifest_lists_every_copy_with_its_digest_and_unique_identifier(copies) -> None:
    _, out, _ = copies
    rows = read_manifest(out)
    assert sorted(row["file"] for row in rows) == ["ann.epub", "ann.pdf", "bob.epub", "bob.pdf", "nadia.epub",
                                                   "nadia.pdf"]
    for row in rows:
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    epub_ids = [row["copy_identifier"] for row in rows if row["file"].endswith(".epub")]
    assert len(set(epub_ids)) == 3 and all(i.startswith("urn:uuid:") for i in epub_ids)


def test_copies_change_only_the_imprint_and_package(copies) -> None:
    root, out, _ = copies
    with zipfile.ZipFile(root / "build/2024-11/2024-11.epub") as base, zipfile.ZipFile(out / "ann.epub") as copy:
        assert sorted(base.namelist()) == sorted(copy.namelist())
        assert copy.namelist()[0] == "mimetype"
        changed = [name for name in base.namelist() if base.read(name) != copy.read(name)]
        assert changed == ["EPUB/content.opf", "EPUB/imprint.xhtml"]
        package = copy.read("EPUB/content.opf").decode()
        imprint = copy.read("EPUB/imprint.xhtml").decode()
        # the issue keeps its identifier; the copy adds its own
        assert base.read("EPUB/content.opf").decode().count("<dc:identifier") + 1 == package.count("<dc:identifier")
    assert "This copy was prepared for <bdi>Ann Reader</bdi>." in imprint


def test_copies_pass_epubcheck(copies) -> None:
    _, out, _ = copies
    for name in ("ann.epub", "nadia.epub"):
        assert_epub_valid(out / name)


def test_email_stays_out_unless_asked(copies, tmp_path: Path) -> None:
    root, out, _ = copies
    with zipfile.ZipFile(out / "ann.epub") as copy:
        assert not any(b"ann@example.org" in copy.read(name) for name in copy.namelist())
    result = run_cli("subscribers", "2024-11", "--list", "subscribers.csv", "--include-email",
                     "--out", str(tmp_path), cwd=root)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "ann.epub") as copy:
        assert "Ann Reader &lt;ann@example.org&gt;" in copy.read("EPUB/imprint.xhtml").decode()


def test_trace_round_trips(copies) -> None:
    root, out, _ = copies
    rows = {row["file"]: row for row in read_manifest(out)}
    for sid in ("ann", "bob", "nadia"):
        result = run_cli("trace", str(out / f"{sid}.epub"), cwd=root)
        assert result.returncode == 0, result.stderr
        assert f"copy identifier: {rows[f'{sid}.epub']['copy_identifier']}" in result.stdout
        assert f"subscriber: {sid} (from " in result.stdout
    assert "imprint says: prepared for Ann Reader\n" in run_cli("trace", str(out / "ann.epub"), cwd=root).stdout
    result = run_cli("trace", str(root / "build/2024-11/2024-11.epub"), cwd=root)
    assert result.returncode == 1
    assert "not a personalised copy" in result.stdout


def test_pdf_copies_carry_the_line_in_every_footer(copies) -> None:
    _, out, _ = copies
    texts = page_texts(out / "bob.pdf")
    assert len(texts) == 10
    assert all("This copy was prepared for Bob Müller" in text for text in texts)
    assert all(embedded for _, embedded in fonts(out / "bob.pdf"))


def test_interrupted_run_resumes_without_redoing_copies(sample: Path) -> None:
    people = "id,name,email\n" + "".join(f"s{n:03},Subscriber {n},\n" for n in range(24))
    (sample / "many.csv").write_text(people, encoding="utf-8")
    out = sample / "build/2024-11/subscribers"
    process = subprocess.Popen([sys.executable, "-m", "issuepress", "subscribers", "2024-11", "--list", "many.csv",
                                "-f", "epub,pdf"], cwd=sample, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NO_COLOR": "1"})
    while process.poll() is None:  # stop it part-way through the (slower) PDF copies
        if (out / "manifest.csv").is_file() and len(read_manifest(out)) >= 27:
            process.send_signal(signal.SIGTERM)
            break
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "the next run resumes" in stderr
    finished = {row["file"]: row["sha256"] for row in read_manifest(out)}
    assert 27 <= len(finished) < 48
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no half-written copy"
    result = run_cli("subscribers", "2024-11", "--list", "many.csv", "-f", "epub,pdf", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert f"wrote {48 - len(finished)} copies" in result.stderr and f"({len(finished)} already done" in result.stderr
    rows = read_manifest(out)
    assert len(rows) == 48
    assert all(finished[row["file"]] == row["sha256"] for row in rows if row["file"] in finished)


def test_a_name_no_font_can_print_is_said_instead_of_stamped_as_empty_boxes(sample: Path) -> None:
    # The theme has no Japanese font, and the PDFs use no font of the computer, whichever fonts it has
    env: dict[str, str] = {}
    (sample / "subscribers.csv").write_text("id,name,email\nann,Ann Reader,\nkenji,山田 健二,\n", encoding="utf-8")
    result = run_cli("subscribers", "2024-11", "--list", "subscribers.csv", "-f", "pdf", cwd=sample, env=env)
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [
        "subscribers.csv:3: warning: the name of subscriber 'kenji' has characters no font of the theme has "
        f"(U+4E8C 二, U+5065 健, U+5C71 山, U+7530 田): a stamped PDF would show empty boxes; {ADD_A_FONT}; row skipped"]
    out = sample / "build/2024-11/subscribers"
    assert sorted(p.name for p in out.iterdir()) == ["ann.pdf", "manifest.csv"]
    strict = run_cli("subscribers", "2024-11", "--list", "subscribers.csv", "-f", "pdf", "--strict", cwd=sample,
                     env=env)
    assert strict.returncode == 1 and "U+5C71 山" in strict.stderr
