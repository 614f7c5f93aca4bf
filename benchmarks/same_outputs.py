"""Two versions of issuepress -> whether they build the same bytes: every edition of the sample and the
twelve Strand stories, file by file.

A restructuring of the code must not change what it writes. This builds both
issues with the code of a commit (`--before`, default HEAD) and with the
working tree (or `--after REV`), each from its own source folder on
PYTHONPATH (the venv supplies the libraries), and compares every file.

    .venv/bin/python benchmarks/same_outputs.py                 # HEAD against the working tree
    .venv/bin/python benchmarks/same_outputs.py --before 51ceeb1 --after HEAD

Prints one line per edition and exits 1 if any file differs.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_sample, make_strand_magazine  # noqa: E402  (the tests' own issue makers)

ISSUES = {"2024-11": copy_sample, "1891-07": make_strand_magazine}


def source_tree(revision: str | None, into: Path) -> Path:
    """The repository at `revision` (None: the working tree as it is) as a folder."""
    if revision is None:
        return REPO
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(tree: Path, magazine: Path, issue_id: str, out: Path) -> float:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "NO_COLOR": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run([sys.executable, "-m", "issuepress", "build", issue_id, "--no-cache", "--out", str(out)],
                            cwd=magazine, env=env, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        sys.exit(f"build of {issue_id} with {tree} failed:\n{result.stderr}")
    return time.perf_counter() - started


def differing(before: Path, after: Path) -> list[str]:
    """Relative paths present on one side only or with different bytes."""
    names = {p.relative_to(before).as_posix() for p in before.rglob("*") if p.is_file()}
    names |= {p.relative_to(after).as_posix() for p in after.rglob("*") if p.is_file()}
    return sorted(name for name in names
                  if not ((before / name).is_file() and (after / name).is_file()
                          and filecmp.cmp(before / name, after / name, shallow=False)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="the commit built first (default HEAD)")
    parser.add_argument("--after", default=None, help="the commit compared with it (default: the working tree)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and say where it is")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="issuepress-same-"))
    failed = False
    try:
        trees = {"before": source_tree(options.before, work / "src-before"),
                 "after": source_tree(options.after, work / "src-after")}
        for issue_id, make in ISSUES.items():
            magazine = make(work / f"magazine-{issue_id}")
            seconds = {side: build(tree, magazine, issue_id, work / side / issue_id) for side, tree in trees.items()}
            before, after = work / "before" / issue_id, work / "after" / issue_id
            files = sorted(p.relative_to(after).as_posix() for p in after.rglob("*") if p.is_file())
            changed = differing(before, after)
            failed |= bool(changed)
            verdict = "identical" if not changed else f"{len(changed)} differ: {', '.join(changed[:8])}"
            print(f"{issue_id}: {len(files)} files, {verdict} "
                  f"(built in {seconds['before']:.1f}s before, {seconds['after']:.1f}s after)")
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{options.before} -> {options.after or 'working tree'}: {'DIFFERENT' if failed else 'the same bytes'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
