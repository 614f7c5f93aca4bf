"""The build cache: warm builds redo only what changed, and never return an edition a cold build would not make."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from pdftools import page_texts


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def laid_out(stderr: str, edition: str) -> tuple[int, int]:
    """(parts laid out, parts in all) from the build summary of a PDF edition."""
    line = next(line for line in stderr.splitlines() if "wrote" in line and edition in line)
    found = re.search(r"(\d+) of (\d+) parts laid out", line)
    return int(found.group(1)), int(found.group(2))


def build(root: Path, out: Path, *extra: str) -> str:
    result = run_cli("build", "1891-07", "--out", str(out), *extra, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stderr


def assert_same_as_cold(root: Path, warm: Path, tmp: Path) -> None:
    cold = tmp / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build(root, cold, "--no-cache")
    ours, theirs = digests(warm), digests(cold)
    assert ours.keys() == theirs.keys()
    for name in ours:
        if name.endswith(".pdf"):
            assert page_texts(warm / name) == page_texts(cold / name), f"{name}: pages differ from a cold build"
        assert ours[name] == theirs[name], f"{name} differs from a cold build"


@pytest.fixture
def strand_copy(strand: Path, tmp_path: Path) -> Path:
    root = shutil.copytree(strand, tmp_path / "magazine", ignore=shutil.ignore_patterns("build"))
    return root


def test_warm_build_reuses_everything(strand_copy: Path, tmp_path: Path) -> None:
    build(strand_copy, tmp_path / "first")
    assert (strand_copy / "build/.cache").is_dir()
    stderr = build(strand_copy, tmp_path / "second")
    assert laid_out(stderr, ".pdf ")[0] == 0 and laid_out(stderr, "-screen.pdf")[0] == 0
    assert digests(tmp_path / "first") == digests(tmp_path / "second")


def test_edited_paragraph_rebuilds_one_article_and_matches_a_cold_build(strand_copy: Path, tmp_path: Path) -> None:
    build(strand_copy, tmp_path / "warm")
    story = strand_copy / "issues/1891-07/articles/the-five-orange-pips.md"
    text = story.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if len(line) > 200)
    story.write_text(text.replace(first, first + " A sentence added on press day.", 1), encoding="utf-8")
    stderr = build(strand_copy, tmp_path / "warm")
    done, total = laid_out(stderr, ".pdf ")
    assert total > 12 and done <= 2, "one story (and perhaps the contents page) is laid out again"
    assert "press day" in (tmp_path / "warm/html/the-five-orange-pips.html").read_text()
    assert_same_as_cold(strand_copy, tmp_path / "warm", tmp_path)


def test_layout_change_invalidates_what_depends_on_it(strand_copy: Path, tmp_path: Path) -> None:
    build(strand_copy, tmp_path / "warm")
    own = strand_copy / "layouts/css"
    own.mkdir(parents=True)
    css = (REPO / "layouts/css/print.css").read_text()
    (own / "print.css").write_text(css.replace("line-height: 1.38", "line-height: 1.5"))
    stderr = build(strand_copy, tmp_path / "warm")
    assert laid_out(stderr, ".pdf ")[0] == laid_out(stderr, ".pdf ")[1], "a stylesheet change lays out every part"
    assert_same_as_cold(strand_copy, tmp_path / "warm", tmp_path)


def test_font_change_invalidates_the_pdf(strand_copy: Path, tmp_path: Path) -> None:
    build(strand_copy, tmp_path / "warm", "-f", "pdf")
    (strand_copy / "fonts").mkdir()
    shutil.copy(REPO / "fonts/Inter-Regular.otf", strand_copy / "fonts/Inter-SemiBold.otf")  # lighter headings
    stderr = build(strand_copy, tmp_path / "warm", "-f", "pdf")
    assert laid_out(stderr, ".pdf ")[0] > 0
    cold = tmp_path / "cold"
    build(strand_copy, cold, "-f", "pdf", "--no-cache")
    assert digests(tmp_path / "warm") == digests(cold)


def test_no_cache_neither_reads_nor_fills_the_cache(strand_copy: Path, tmp_path: Path) -> None:
    stderr = build(strand_copy, tmp_path / "out", "-f", "pdf", "--no-cache")
    done, total = laid_out(stderr, ".pdf ")
    assert done == total
    assert not (strand_copy / "build/.cache").exists()


def one_article(root: Path, body: str) -> Path:
    (root / "issues/x/articles").mkdir(parents=True)
    (root / "issues/x/images").mkdir()
    (root / "issues/x/issue.yaml").write_text("volume: 1\nnumber: 1\ndate: 2024-01-01\narticles: [articles/a.md]\n")
    (root / "issues/x/articles/a.md").write_text(f"---\ntitle: A\n---\n{body}\n")
    return root


def test_a_broken_image_is_reported_every_time(tmp_path: Path) -> None:
    from issuepress.build import load
    from issuepress.cache import MemoryCache
    from issuepress.errors import IssueError

    root = one_article(tmp_path, "![A chart](../images/chart.png)")
    (root / "issues/x/images/chart.png").write_bytes(b"not a png")
    cache = MemoryCache()  # one cache across the attempts, as the preview server keeps
    for _attempt in range(2):
        with pytest.raises(IssueError) as caught:
            load(root, "x", cache)
        assert [p.message for p in caught.value.problems if not p.warning] == [
            "image issues/x/images/chart.png is not an image; use a JPEG, PNG, GIF or WebP file"]


def test_an_image_added_later_appears(tmp_path: Path) -> None:
    from PIL import Image

    root = one_article(tmp_path, '<img src="../images/later.png" alt="Drawn later">')
    result = run_cli("build", "x", "-f", "html", cwd=root)
    assert result.returncode == 0 and "removed <img>: file not found" in result.stderr
    Image.new("RGB", (40, 30), "red").save(root / "issues/x/images/later.png")
    result = run_cli("build", "x", "-f", "html", cwd=root)
    assert result.returncode == 0, result.stderr
    assert 'src="images/later.png"' in (root / "build/x/html/a.html").read_text()
