"""Benchmark what the print PDF's typography costs on one core: justification and hyphenation; prints a table.

Builds the print PDF of the twelve-story issue (`issuepress build 1891-07 -f pdf
--no-cache`, pinned to CPU 0 with taskset) with the theme as it is, and with the
theme ejected (`issuepress theme eject`) and one rule appended to its print.css:
ragged right instead of justified, no automatic hyphenation, or both. The variants
run in rounds, as in run.py, and each ratio is the median of per-round ratios to
the theme as it is. This shows where the one-core PDF's time goes; the theme keeps
its justified, hyphenated column.

    .venv/bin/python benchmarks/typography.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402

ISSUEPRESS = Path(sys.executable).parent / "issuepress"
VARIANTS = {
    "the theme (justified, hyphenated)": "",
    "ragged right": ".piece-body p { text-align: start }",
    "no automatic hyphenation": ".piece-body p { hyphens: manual }",
    "ragged right, no hyphenation": ".piece-body p { text-align: start; hyphens: manual }",
}


def magazine(work: Path, name: str, rule: str) -> Path:
    """A copy of the twelve-story magazine; with a rule, its theme ejected and the rule appended to print.css."""
    root = make_strand_magazine(work / name)
    if rule:
        subprocess.run([ISSUEPRESS, "theme", "eject", "--root", root], check=True, capture_output=True)
        with open(root / "layouts" / "css" / "print.css", "a", encoding="utf-8") as css:
            css.write("\n" + rule + "\n")
    return root


def one_core_build(root: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", ISSUEPRESS, "build", "1891-07", "-f", "pdf", "--no-cache", "--out", out,
                    "--root", root], check=True, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each builds every variant once)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="issuepress-typography-"))
    try:
        roots = {label: magazine(work, f"m{i}", rule) for i, (label, rule) in enumerate(VARIANTS.items())}
        times: dict[str, list[float]] = {label: [] for label in VARIANTS}
        for _ in range(args.repeat):
            for label, root in roots.items():
                times[label].append(one_core_build(root, work / "out"))
        base = times[next(iter(VARIANTS))]
        print(f"print PDF of 1891-07 on one core, {args.repeat} rounds\n")
        print("| variant | median wall s | ratio to the theme |")
        print("|---|---|---|")
        for label, runs in times.items():
            ratio = statistics.median(a / b for a, b in zip(runs, base))
            print(f"| {label} | {statistics.median(runs):.2f} | {ratio:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
