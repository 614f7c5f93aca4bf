"""Benchmark personalised copies: 1,000 EPUB copies of the twelve-story issue, on one core; prints a table.

Each run is `issuepress subscribers 1891-07 --list N.csv` in a child process pinned to
CPU 0 (taskset), with its peak memory from os.wait4. The rate is the one issuepress
reports for the copying phase (after the issue's EPUB is built once); wall time
includes that build. Runs with 200 and 1,000 subscribers show whether memory stays
flat as the list grows.

    .venv/bin/python benchmarks/subscribers.py [--counts 200,1000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402

ISSUEPRESS = Path(sys.executable).parent / "issuepress"


def run(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stderr) of one child process."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                   env={**os.environ, "NO_COLOR": "1"})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    return wall, usage.ru_maxrss / 1024, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="200,1000", help="subscriber counts to run (comma-separated)")
    counts = [int(n) for n in parser.parse_args().counts.split(",")]
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    with tempfile.TemporaryDirectory(prefix="issuepress-subscribers-") as folder:
        root = make_strand_magazine(Path(folder) / "strand")
        print(f"cores: {os.cpu_count()}, pinned to one: {bool(pin)}; issue: twelve Strand stories\n")
        print("| subscribers | wall s | copies/s (copying) | peak RSS MB | EPUB size MB |")
        print("|---|---|---|---|---|")
        for count in counts:
            listing = root / f"{count}.csv"
            listing.write_text("id,name,email\n" + "".join(
                f"reader-{n:05},Reader Number {n},reader{n}@example.org\n" for n in range(count)), encoding="utf-8")
            out = Path(folder) / f"copies-{count}"
            wall, rss, text = run([*pin, str(ISSUEPRESS), "subscribers", "1891-07", "--list", str(listing),
                                   "--out", str(out)], root)
            rate = re.search(r"(\d+) copies/s", text)
            size = (out / "reader-00000.epub").stat().st_size / 1e6
            print(f"| {count} | {wall:.1f} | {rate.group(1) if rate else '?'} | {rss:.0f} | {size:.2f} |")
            shutil.rmtree(out)


if __name__ == "__main__":
    main()
