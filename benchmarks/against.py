"""This checkout's issuepress against an earlier commit's, on the twelve Strand stories; print the figures.

Builds the Strand issue (tests/conftest.py's make_strand_magazine) cold (`--no-cache`, into an empty folder)
with this checkout's code and with REV's, checked out into a temporary git worktree and run from its src/ with
this venv's libraries. The runs alternate, one of each per round, so that a slow spell on the shared machine
falls on both; the ratio is the median of the rounds' ratios (above 1: this checkout is slower).

    .venv/bin/python benchmarks/against.py REV [--repeat N] [--format EDITION ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402  (after the path it is found on)


def build(src: Path, root: Path, out: Path, formats: list[str]) -> tuple[float, float]:
    """One cold build of 1891-07 by the code in `src`: its wall time and its processor time (user and system,
    its layout processes' too) in seconds. The second is steadier on a machine others are using."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(src)}
    extra = [item for edition in formats for item in ("-f", edition)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "issuepress", "build", "1891-07", *extra, "--out", str(out),
                             "--no-cache", "--root", str(root)], env=env, capture_output=True, text=True,
                            timeout=900)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"the build by {src} failed:\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rev", help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (one build of each per round)")
    parser.add_argument("--format", action="append", default=[], help="an edition to build (default: all)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="issuepress-against-") as folder:
        base = Path(folder) / "base"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base), options.rev],
                       check=True, capture_output=True)
        try:
            root = make_strand_magazine(Path(folder) / "magazine")
            times: dict[str, list[tuple[float, float]]] = {"this": [], "base": []}
            for round_ in range(options.repeat + 1):  # the first round warms the disk cache and is not counted
                for name, src in (("base", base / "src"), ("this", REPO / "src")):
                    measured = build(src, root, Path(folder) / f"out-{name}-{round_}", options.format)
                    if round_:
                        times[name].append(measured)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=True)
    editions = ", ".join(options.format) or "all editions"
    print(f"1891-07 (12 Strand stories), {editions}, cold, {options.repeat} rounds")
    for index, what in ((0, "wall"), (1, "processor")):
        base, this = ([run[index] for run in times[name]] for name in ("base", "this"))
        ratios = [ours / theirs for ours, theirs in zip(this, base)]
        print(f"  {what} time: {options.rev} median {statistics.median(base):.2f}s, this checkout median "
              f"{statistics.median(this):.2f}s; paired ratio (this / {options.rev}) median "
              f"{statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}")

if __name__ == "__main__":
    main()
