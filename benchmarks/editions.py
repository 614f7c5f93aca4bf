"""What the print page numbers cost the other editions: issuepress against the commit before them (a paired ratio).

The EPUB and the web edition now take the print edition's page numbers from its layout (the cache's, or laid
out). Built with this checkout and with a baseline checkout (by default 4fbae3d, the commit before; a git
worktree with its own venv under build/, made on the first run, as press.py does), each in its own copy of the
magazine, for the twelve Strand stories and the sample issue:

- every edition, cold: `build ID --no-cache` into an empty folder (what the issue asks: at most 5% more);
- every edition, cached: the same build with the cache a first build filled;
- EPUB alone, cold: `build ID -f epub --no-cache`, which now lays out the print edition to number its pages;
- print layout alone (this checkout only): laying out the print edition's parts and planning its pages in the
  layout processes, as the EPUB does, with nothing else: what the EPUB's page numbers need;
- EPUB alone, cached: `-f epub` with the cache a build of every edition filled (the layout processes start,
  the layout is read from the cache).

Rounds alternate which checkout goes first; a ratio is the median of the per-round ratios (this / baseline), so a
slow spell on the shared machine falls on both. It prints the medians of wall time and the paired ratios, and
what the EPUB alone costs beyond the baseline's EPUB against what the print layout alone costs.

    .venv/bin/python benchmarks/editions.py [--rounds 3] [--baseline-commit 4fbae3d] [--baseline-dir DIR]
"""

from __future__ import annotations

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
sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import copy_sample, make_strand_magazine  # noqa: E402
from press import against_baseline  # noqa: E402
from run import fresh_dir  # noqa: E402

LAYOUT_ONLY = """
import sys
from pathlib import Path
from issuepress import recipe
from issuepress.cache import MemoryCache
from issuepress.editions.folios import pages_for
from issuepress.editions.pdf.layout import workers_started
root, issue = Path(sys.argv[1]), sys.argv[2]
with workers_started():  # started before the issue is read, as a build starts them
    rendered, theme = recipe.load(root, issue, MemoryCache())
    pages = pages_for(rendered, theme, MemoryCache())
print(pages.count)
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def build(issuepress: Path, root: Path, issue: str, out: Path, *extra: str) -> float:
    return timed([str(issuepress), "build", issue, "--out", str(out), "--root", str(root), *extra])


def main() -> None:
    args, tools = against_baseline(__doc__.split("\n")[0], 3, "4fbae3d")
    times: dict[tuple[str, str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="issuepress-editions-bench-") as temporary:
        work = Path(temporary)
        issues = {"1891-07": make_strand_magazine, "2024-11": copy_sample}
        roots = {(issue, tool): make(work / f"{issue}-{tool}") for issue, make in issues.items() for tool in tools}
        for round_number in range(args.rounds):
            order = list(tools) if round_number % 2 == 0 else list(reversed(tools))
            for issue in issues:
                for tool in order:
                    root, issuepress = roots[issue, tool], tools[tool]

                    def note(kind: str, seconds: float) -> None:
                        times.setdefault((issue, kind, tool), []).append(seconds)

                    note("every edition, cold", build(issuepress, root, issue, fresh_dir(work, "all"), "--no-cache"))
                    note("EPUB alone, cold", build(issuepress, root, issue, fresh_dir(work, "epub"), "-f", "epub",
                                                   "--no-cache"))
                    shutil.rmtree(root / "build" / ".cache", ignore_errors=True)
                    build(issuepress, root, issue, fresh_dir(work, "fill"))  # fills the cache
                    note("every edition, cached", build(issuepress, root, issue, fresh_dir(work, "again")))
                    note("EPUB alone, cached", build(issuepress, root, issue, fresh_dir(work, "epub"), "-f", "epub"))
                    if tool == "this":
                        note("print layout alone, cold", timed([sys.executable, "-c", LAYOUT_ONLY, str(root), issue]))
    print(f"{args.rounds} rounds, this checkout against {args.baseline_commit} (wall seconds, medians)\n")
    print("| issue | build | this | baseline | ratio (median of paired) |")
    print("| --- | --- | --- | --- | --- |")
    kinds = ("every edition, cold", "every edition, cached", "EPUB alone, cold", "EPUB alone, cached")
    for issue in issues:
        for kind in kinds:
            this, base = times[issue, kind, "this"], times[issue, kind, "baseline"]
            ratio = statistics.median(a / b for a, b in zip(this, base))
            print(f"| {issue} | {kind} | {statistics.median(this):.2f} | {statistics.median(base):.2f} | {ratio:.3f} |")
        layout = times[issue, "print layout alone, cold", "this"]
        extra = [a - b for a, b in zip(times[issue, "EPUB alone, cold", "this"],
                                       times[issue, "EPUB alone, cold", "baseline"])]
        print(f"| {issue} | print layout alone, cold | {statistics.median(layout):.2f} | | |")
        print(f"| {issue} | EPUB alone, cold: this minus baseline, against the print layout alone | "
              f"{statistics.median(extra):.2f} | | {statistics.median(e / lay for e, lay in zip(extra, layout)):.3f} |")


if __name__ == "__main__":
    main()
