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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402


def build(src: Path, root: Path, out: Path, formats: list[str]) -> float:
    """One cold build of 1891-07 by the code in `src`; its wall time in seconds."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(src)}
    extra = [item for edition in formats for item in ("-f", edition)]
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "issuepress", "build", "1891-07", *extra, "--out", str(out),
                             "--no-cache", "--root", str(root)], env=env, capture_output=True, text=True,
                            timeout=900)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the build by {src} failed:\n{result.stderr}")
    return wall


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
            times: dict[str, list[float]] = {"this": [], "base": []}
            for round_ in range(options.repeat + 1):  # the first round warms the disk cache and is not counted
                for name, src in (("base", base / "src"), ("this", REPO / "src")):
                    wall = build(src, root, Path(folder) / f"out-{name}-{round_}", options.format)
                    if round_:
                        times[name].append(wall)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=True)
    ratios = [this / base for this, base in zip(times["this"], times["base"])]
    editions = ", ".join(options.format) or "all editions"
    print(f"1891-07 (12 Strand stories), {editions}, cold, {options.repeat} rounds")
    print(f"  {options.rev}: median {statistics.median(times['base']):.2f}s  {sorted(round(t, 2) for t in times['base'])}")
    print(f"  this checkout: median {statistics.median(times['this']):.2f}s  "
          f"{sorted(round(t, 2) for t in times['this'])}")
    print(f"  paired ratio (this / {options.rev}): median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
