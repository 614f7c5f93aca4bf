"""What the printer's package costs the print build: issuepress against itself before it (a paired ratio).

Builds the print PDF (`-f pdf`) of the twelve Strand stories (tests/conftest.py's make_strand_magazine)
and of the sample issue (which has a cover photograph and a chart to convert) with this checkout's
issuepress and with a baseline checkout (by default commit 51ceeb1, the one before PDF/X-4: a git
worktree with its own venv under build/, made on the first run), each in its own copy of the magazine:

- cold: `--no-cache` into an empty folder: everything laid out, recoloured and converted;
- cached: the same build again with the cache a first build filled (converted images, recoloured
  parts, the assembled PDF and its package): what a rebuild costs once the images are converted;
- edited: then one paragraph of one story changed and the PDF built again: that story laid out and
  recoloured, the PDF assembled, checked and packaged again (the cost every rebuild pays).

Rounds alternate which of the two goes first; a ratio is the median of the per-round ratios (this
checkout / baseline), so a slow spell on the shared machine falls on both. Wall time is what a user
waits; CPU time (user + system, the build's process and its layout processes) is the work done, which
other users of a shared machine disturb less.

    .venv/bin/python benchmarks/press.py [--rounds 5] [--baseline-commit 51ceeb1] [--baseline-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import copy_sample, make_strand_magazine  # noqa: E402
from run import change_one_paragraph, fresh_dir  # noqa: E402

EDITED = {"1891-07": "the-man-with-the-twisted-lip", "2024-11": "letter-from-lahore"}


def baseline(commit: str, folder: Path | None) -> Path:
    """The baseline's issuepress console script: a worktree of `commit` with its own venv, made once."""
    folder = folder or REPO / "build" / f"bench-baseline-{commit}"
    script = folder / ".venv/bin/issuepress"
    if not script.exists():
        if not folder.exists():
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), commit], check=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
        subprocess.run([str(folder / ".venv/bin/python"), "-m", "pip", "install", "--quiet", "-e", str(folder)],
                       check=True)
    return script


def build(issuepress: Path, root: Path, issue: str, out: Path, *extra: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and the processes it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([str(issuepress), "build", issue, "-f", "pdf", "--out", str(out), "--root", str(root),
                             *extra], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{issuepress} failed on {issue}:\n{result.stderr[-3000:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def against_baseline(description: str, rounds: int, commit: str) -> tuple[argparse.Namespace, dict[str, Path]]:
    """The command line (--rounds, --baseline-commit, --baseline-dir) and the two issuepress scripts to compare."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--baseline-commit", default=commit)
    parser.add_argument("--baseline-dir", type=Path)
    args = parser.parse_args()
    return args, {"this": Path(sys.executable).parent / "issuepress",
                  "baseline": baseline(args.baseline_commit, args.baseline_dir)}


def main() -> None:
    args, tools = against_baseline(__doc__.split("\n")[0], 5, "51ceeb1")
    with tempfile.TemporaryDirectory(prefix="issuepress-press-bench-") as temporary:
        work = Path(temporary)
        issues = {"1891-07": make_strand_magazine, "2024-11": copy_sample}
        roots = {(issue, tool): make(work / f"{issue}-{tool}") for issue, make in issues.items() for tool in tools}
        times: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
        for round_number in range(args.rounds):
            order = list(tools) if round_number % 2 == 0 else list(reversed(tools))
            for issue in issues:
                for tool in order:
                    root = roots[issue, tool]
                    cold = build(tools[tool], root, issue, fresh_dir(work, f"{issue}-{tool}-cold"), "--no-cache")
                    times.setdefault((issue, "cold", tool), []).append(cold)
                    shutil.rmtree(root / "build" / ".cache", ignore_errors=True)
                    build(tools[tool], root, issue, fresh_dir(work, f"{issue}-{tool}-fill"))  # fills the cache
                    cached = build(tools[tool], root, issue, fresh_dir(work, f"{issue}-{tool}-cached"))
                    times.setdefault((issue, "cached", tool), []).append(cached)
                    change_one_paragraph(root / "issues" / issue / "articles" / f"{EDITED[issue]}.md")
                    edited = build(tools[tool], root, issue, fresh_dir(work, f"{issue}-{tool}-edited"))
                    times.setdefault((issue, "edited", tool), []).append(edited)
    print(f"print PDF (-f pdf), {args.rounds} rounds, this checkout against {args.baseline_commit}\n")
    print("| issue | build | measure | this (median s) | baseline (median s) | ratio (median of paired) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for issue in issues:
        for kind in ("cold", "cached", "edited"):
            for index, measure in enumerate(("wall", "CPU")):
                this = [run[index] for run in times[issue, kind, "this"]]
                base = [run[index] for run in times[issue, kind, "baseline"]]
                ratio = statistics.median(a / b for a, b in zip(this, base))
                print(f"| {issue} | {kind} | {measure} | {statistics.median(this):.2f} | {statistics.median(base):.2f} "
                      f"| {ratio:.3f} |")


if __name__ == "__main__":
    main()
