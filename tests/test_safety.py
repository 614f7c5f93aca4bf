"""Nothing lost: failed, interrupted and concurrent builds never leave half-written editions."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdf
import pytest

from issuepress.outputs import write_file, write_tree

from conftest import run_cli

pytestmark = pytest.mark.slow  # every test here builds an issue's PDFs, or drives a browser or a server


def digest_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_write_tree_failure_keeps_previous_folder(tmp_path: Path) -> None:
    target = tmp_path / "html"
    write_tree(target, {"index.html": b"old", "css/a.css": b"a"})
    before = digest_tree(target)
    with pytest.raises(TypeError):
        write_tree(target, {"index.html": b"new", "broken.html": None})  # fails half-way through
    assert digest_tree(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"], "no staging folder left behind"


def test_write_file_failure_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "x.epub"
    write_file(target, b"old")
    with pytest.raises(TypeError):
        write_file(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.epub"]


def test_sigterm_during_build_leaves_previous_editions(strand: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("build", "1891-07", "--out", str(out), cwd=strand).returncode == 0
    before = digest_tree(out)
    # --no-cache: from the cache the PDFs would be assembled before the signal arrives
    process = subprocess.Popen([sys.executable, "-m", "issuepress", "build", "1891-07", "--out", str(out),
                                "--no-cache"], cwd=strand, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NO_COLOR": "1"})
    for line in process.stderr:  # wait until the slowest edition is being laid out
        if line.startswith("pdf ") or line.startswith("screen-pdf"):
            break
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130
    assert "interrupted; nothing was written" in rest and "Traceback" not in rest
    assert digest_tree(out) == before
    assert not [p for p in out.rglob(".*")], "temporary files were left behind"


def test_two_issues_build_at_once(sample: Path) -> None:
    shutil.copytree(sample / "issues/2024-11", sample / "issues/2024-12")
    manifest = sample / "issues/2024-12/issue.yaml"
    manifest.write_text(manifest.read_text().replace("number: 11", "number: 12").replace("2024-11-01", "2024-12-01")
                        .replace("title: November 2024", "title: December 2024"))
    env = {**os.environ, "NO_COLOR": "1"}
    processes = [subprocess.Popen([sys.executable, "-m", "issuepress", "build", issue, "-f", "epub,html"],
                                  cwd=sample, stderr=subprocess.PIPE, text=True, env=env)
                 for issue in ("2024-11", "2024-12")]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    for issue, title in (("2024-11", "November 2024"), ("2024-12", "December 2024")):
        with zipfile.ZipFile(sample / f"build/{issue}/{issue}.epub") as archive:
            assert archive.testzip() is None
            assert title in archive.read("EPUB/content.opf").decode()
        assert title in (sample / f"build/{issue}/html/index.html").read_text()


KILL_A_WORKER_THEN_BUILD = """
import sys
import time
from pathlib import Path
from issuepress import recipe
from issuepress.editions.pdf import pool

root, out = Path(sys.argv[1]), Path(sys.argv[2])
with recipe.layout_workers(["pdf"]) as workers:
    assert workers is not None, "no layout processes: this machine must have two CPUs for this test"
    for worker in workers.workers:
        worker.process.kill()
        worker.process.join()
    for attempt in ("first", "second"):
        _rendered, built, _failed = recipe.build(root, "2024-11", ["pdf"], out / attempt, use_cache=False)
        assert workers.broken
        print(built[0].detail)
assert pool._RUNNING == []
"""


def test_a_layout_process_that_dies_does_not_fail_the_build(sample: Path, tmp_path: Path) -> None:
    """A worker killed mid-session (out of memory, a stray kill) leaves the layout to the build's own
    process; with --watch the next builds go on the same way. (In a process of its own: forking the
    layout processes from pytest's, which may run threads by now, is refused.)"""
    result = subprocess.run([sys.executable, "-c", KILL_A_WORKER_THEN_BUILD, str(sample), str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    details = result.stdout.splitlines()
    assert len(details) == 2 and all(d.startswith("12 pages") and "processes" not in d for d in details), details
    assert "Exception ignored" not in result.stderr, result.stderr
    assert len(pypdf.PdfReader(tmp_path / "second/2024-11.pdf").pages) == 12


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def test_a_killed_build_leaves_no_layout_process_behind(sample: Path) -> None:
    """SIGKILL gives issuepress no chance to stop its layout processes: Linux ends them with it, or they see that it
    has gone (pool.py)."""
    process = subprocess.Popen([sys.executable, "-m", "issuepress", "build", "2024-11", "-f", "pdf", "--no-cache"],
                               cwd=sample, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    for line in process.stderr:  # the workers are started before the issue is read
        if line.startswith("pdf "):
            break
    deadline = time.monotonic() + 60
    while True:  # the first layout process forks the others once it has loaded WeasyPrint (pool.py)
        first = children(process.pid)
        workers = first + [pid for parent in first for pid in children(parent)]
        if len(first) >= 2 or len(workers) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert len(workers) >= 2, "the layout processes run (this test needs two CPUs)"
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a layout process outlived the build"
