"""The build cache: warm builds redo only what changed, and never return an edition a cold build would not make."""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from pdftools import page_texts
from running import Running

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def laid_out(stderr: str, edition: str) -> tuple[int, int]:
    """(parts laid out, parts in all) from the build summary of a PDF edition."""
    line = next(line for line in stderr.splitlines() if "wrote" in line and edition in line)
    found = re.search(r"(\d+) of (\d+) parts laid out", line)
    return int(found.group(1)), int(found.group(2))


def build(root: Path, out: Path, *extra: str, issue: str = "1891-07") -> str:
    result = run_cli("build", issue, "--out", str(out), *extra, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stderr


def assert_same_as_cold(root: Path, warm: Path, tmp: Path, issue: str = "1891-07") -> None:
    cold = tmp / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build(root, cold, "--no-cache", issue=issue)
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
    from issuepress.cache import MemoryCache
    from issuepress.errors import IssueError
    from issuepress.recipe import load

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


def edit_paragraph(article: Path, added: str) -> None:
    """Add a sentence to the article's first long paragraph, saved the way editors save: a new file renamed over."""
    text = article.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if len(line) > 200)
    draft = article.with_name(article.name + ".saving")
    draft.write_text(text.replace(first, first + " " + added, 1), encoding="utf-8")
    draft.replace(article)


def test_watch_rebuilds_a_saved_article_as_a_one_off_build_would(sample: Path, tmp_path: Path) -> None:
    out, scratch = tmp_path / "watched", tmp_path / "scratch"
    scratch.mkdir()  # the layout processes' files go here, to see that nothing is left behind
    with Running(sample, ["build", "2024-11", "--out", str(out), "--watch"], r"^watching 2024-11",
                 env={"TMPDIR": str(scratch)}) as watching:
        assert re.search(r"^built 2024-11 in", watching.output, re.M), watching.output
        seen = len(watching.lines)
        edit_paragraph(sample / "issues/2024-11/articles/letter-from-lahore.md", "A sentence added on press day.")
        watching.wait_for_line(r"^rebuilt 2024-11 in .*letter-from-lahore\.md changed", timeout=120, start=seen)
        rebuilt = "\n".join(watching.lines[seen:])
        assert laid_out(rebuilt, ".pdf ")[0] <= 2, "one article (and perhaps the contents page) is laid out again"
        assert laid_out(rebuilt, "-screen.pdf")[0] <= 2
        assert watching.stop() == 0
    assert "stopped watching 2024-11" in watching.output
    assert list(scratch.iterdir()) == [], "the layout processes' folder is removed"
    assert "press day" in (out / "html/letter-from-lahore.html").read_text(encoding="utf-8")
    assert_same_as_cold(sample, out, tmp_path, issue="2024-11")


def test_watch_says_what_is_broken_keeps_the_last_editions_and_builds_again_once_fixed(sample: Path,
                                                                                      tmp_path: Path) -> None:
    out = tmp_path / "watched"
    article = sample / "issues/2024-11/articles/urdu-page.md"
    good = article.read_text(encoding="utf-8")
    with Running(sample, ["build", "2024-11", "--out", str(out), "--watch", "-f", "epub,html"],
                 r"^watching 2024-11") as watching:
        before = digests(out)
        seen = len(watching.lines)
        article.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
        failed = watching.wait_for_line(r"^build failed: 1 problem; nothing was written", timeout=120, start=seen)
        assert "keeps the last editions that built" in failed
        assert any(re.match(r"issues/2024-11/articles/urdu-page\.md:\d+: ", line) for line in watching.lines[seen:]), \
            watching.output
        assert digests(out) == before, "a failed build writes nothing"
        seen = len(watching.lines)
        article.write_text(good, encoding="utf-8")
        watching.wait_for_line(r"^rebuilt 2024-11 in .*urdu-page\.md changed", timeout=120, start=seen)
        assert watching.process.poll() is None, "problems do not stop the watch"
    assert digests(out) == before, "the same files build the same editions"


def test_watch_writing_into_the_issue_folder_does_not_rebuild_after_its_own_editions(sample: Path) -> None:
    import time

    with Running(sample, ["build", "2024-11", "--out", "issues/2024-11/out", "--watch", "-f", "html,epub"],
                 r"^watching 2024-11") as watching:
        time.sleep(3)
        assert not any(line.startswith("rebuilt") for line in watching.lines), watching.output
        seen = len(watching.lines)
        edit_paragraph(sample / "issues/2024-11/articles/letter-from-lahore.md", "A sentence added on press day.")
        watching.wait_for_line(r"^rebuilt 2024-11 in .*letter-from-lahore\.md changed", timeout=120, start=seen)
        # a file whose name only starts like the output folder's is still the issue's
        (sample / "issues/2024-11/outline.md").write_text("Plans.\n", encoding="utf-8")
        watching.wait_for_line(r"^rebuilt 2024-11 in .*outline\.md changed", timeout=120, start=seen)
        time.sleep(3)
        assert len([line for line in watching.lines[seen:] if line.startswith("rebuilt")]) == 2, watching.output
        assert watching.stop() == 0
    assert (sample / "issues/2024-11/out/html/index.html").is_file()


def test_watch_of_an_unknown_issue_fails_at_once(sample: Path) -> None:
    result = run_cli("build", "2031-01", "--watch", cwd=sample, timeout=60)
    assert result.returncode == 1
    assert "2031-01" in result.stderr and "nothing was written" in result.stderr


def test_watch_stops_quietly_on_a_terminals_ctrl_c(sample: Path, tmp_path: Path) -> None:
    """Ctrl-C at a terminal signals the layout processes too; only issuepress's own process answers."""
    with Running(sample, ["build", "2024-11", "--out", str(tmp_path / "out"), "--watch", "-f", "pdf"],
                 r"^watching 2024-11", own_group=True) as watching:
        assert watching.stop(signal.SIGINT, group=True) == 0
    assert "stopped watching 2024-11" in watching.output
    assert "Traceback" not in watching.output and "KeyboardInterrupt" not in watching.output, watching.output
