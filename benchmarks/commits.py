"""Several commits' issuepress on the twelve Strand stories, cold; print each one's processor time and its ratio
to the first commit: where along the history a build became slower.

Each commit is checked out into a temporary git worktree and run from its src/ with this venv's libraries. In
each round every commit builds once, in a shuffled order, so that a slow spell on the shared machine falls on
all of them; a ratio is the median of the rounds' ratios to the first commit.

    .venv/bin/python benchmarks/commits.py BASE REV [REV ...] [--rounds 3] [--format pdf]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402  (after the path it is found on)


def processor_time(src: Path, root: Path, formats: list[str]) -> float:
    """One cold build of 1891-07 by the code in `src`: user and system time, its layout processes' included."""
    extra = [item for edition in formats for item in ("-f", edition)]
    with tempfile.TemporaryDirectory(prefix="issuepress-commits-out-") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run([sys.executable, "-m", "issuepress", "build", "1891-07", *extra, "--out", out,
                                 "--no-cache", "--root", str(root)], capture_output=True, text=True, timeout=900,
                                env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(src)})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"the build with {src.parent.name} failed:\n{result.stderr[-2000:]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs="+", help="the first is the baseline")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", action="append", default=[], help="an edition (default: every edition)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="issuepress-commits-") as temporary:
        work = Path(temporary)
        root = make_strand_magazine(work / "magazine")
        sources = {}
        for commit in args.commits:
            tree = work / commit
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit],
                           check=True, capture_output=True)
            sources[commit] = tree / "src"
        try:
            times: dict[str, list[float]] = {commit: [] for commit in args.commits}
            for round_number in range(args.rounds):
                order = list(args.commits)
                random.shuffle(order)
                for commit in order:
                    times[commit].append(processor_time(sources[commit], root, args.format))
                print(f"round {round_number + 1}: " + ", ".join(f"{c} {times[c][-1]:.2f}s" for c in args.commits),
                      flush=True)
        finally:
            for commit in args.commits:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(work / commit)],
                               capture_output=True)
    base = times[args.commits[0]]
    editions = ", ".join(args.format) or "every edition"
    print(f"1891-07, {editions}, cold, {args.rounds} rounds: processor time, ratio to {args.commits[0]}")
    for commit in args.commits:
        ratios = [mine / first for mine, first in zip(times[commit], base)]
        print(f"  {commit}: median {statistics.median(times[commit]):.2f}s, ratio {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
