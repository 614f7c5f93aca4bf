"""Benchmark the website: a back catalogue of 12 and of 120 monthly issues, cold and after one article changes.

Each issue holds three or four of the twelve Strand stories (about 30,000 words), each story made unique to its
issue by a sentence naming the issue (so no issue reuses another's rendered articles from the cache), with its
own volume, number and date: a monthly from January 2015. Every run is `issuepress site` in a child process:

- cold: an empty build/ folder (no cache, no site): every page, feed and search bundle, no EPUB or PDF;
- unchanged: the same command again, with nothing changed;
- one article: a sentence appended to one story of the latest issue (and, separately, of the oldest), then the
  same command: it rebuilds that issue, the pages that list it and the feeds;
- with --search: three searches of the largest site in Chromium (Playwright, as the tests drive it), served by a
  plain static server: the time to results, and the requests and bytes each search made the browser fetch.

Wall time is the median of the runs; peak memory is the largest total RSS of the command's process tree, sampled
every 20 ms from /proc (the main process and its worker processes), and `ru_maxrss` of the largest single one.

    .venv/bin/python benchmarks/site.py [--issues 12,120] [--runs 3] [--keep DIR] [--search]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import STRAND_ORDER, corpus_dir

ISSUEPRESS = Path(sys.executable).parent / "issuepress"
SECTIONS = ("Fiction", "Mysteries")


def make_catalogue(root: Path, count: int) -> Path:
    """`count` monthly issues from January 2015, each of three or four Strand stories made its own."""
    stories = {name: (corpus_dir() / f"{name}.md").read_text(encoding="utf-8") for name in STRAND_ORDER}
    root.mkdir(parents=True)
    (root / "magazine.yaml").write_text("title: The Strand Magazine\npublisher: George Newnes\nlanguage: en-GB\n"
                                        "issn: 0039-2103\nurl: https://strand.example.org/\n", encoding="utf-8")
    (root / "contributors.yaml").write_text(
        "arthur-conan-doyle:\n  name: Arthur Conan Doyle\n"
        "  bio: Arthur Conan Doyle (1859-1930) was a Scottish physician and writer.\n", encoding="utf-8")
    at = 0
    for index in range(count):
        year, month = 2015 + index // 12, index % 12 + 1
        issue_id = f"{year}-{month:02}"
        articles = root / "issues" / issue_id / "articles"
        articles.mkdir(parents=True)
        chosen = [STRAND_ORDER[(at + n) % len(STRAND_ORDER)] for n in range(3 + index % 2)]
        at += len(chosen)
        entries = []
        for n, name in enumerate(chosen):
            front, _, body = stories[name].partition("\n---\n")
            body = f"\nFrom issue {issue_id} of the benchmark magazine, story {n + 1}.\n" + body
            (articles / f"{name}.md").write_text(f"{front}\n---\n{body}", encoding="utf-8")
            entries.append(f"  - file: articles/{name}.md\n    section: {SECTIONS[n % 2]}")
        (root / "issues" / issue_id / "issue.yaml").write_text(
            f"volume: {year - 2014}\nnumber: {index + 1}\ndate: {year}-{month:02}-01\neditor: George Newnes\n"
            f"articles:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return root


def tree_rss(pid: int) -> int:
    """Total resident memory (bytes) of a process and its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def run_site(root: Path) -> tuple[float, float, float, str]:
    """(wall s, peak tree RSS MiB, largest process MiB, stderr) of `issuepress site`."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([str(ISSUEPRESS), "site"], cwd=root, stdout=subprocess.DEVNULL, stderr=err,
                                   env={**os.environ, "NO_COLOR": "1"})
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"issuepress site failed:\n{text}")
    return wall, peak[0] / 2**20, usage.ru_maxrss / 1024, text


def touch_story(root: Path, issue_id: str, round_: int) -> None:
    story = min((root / "issues" / issue_id / "articles").glob("*.md"))
    story.write_text(story.read_text(encoding="utf-8") + f"\nA sentence added in round {round_}.\n",
                     encoding="utf-8")


def measure(root: Path, runs: int) -> dict[str, tuple[float, float, float, str]]:
    ids = sorted(p.name for p in (root / "issues").iterdir())
    results: dict[str, list] = {"cold": [], "unchanged": [], "latest article": [], "oldest article": []}
    for round_ in range(runs):
        shutil.rmtree(root / "build", ignore_errors=True)
        results["cold"].append(run_site(root))
        results["unchanged"].append(run_site(root))
        touch_story(root, ids[-1], round_)
        results["latest article"].append(run_site(root))
        touch_story(root, ids[0], round_)
        results["oldest article"].append(run_site(root))
    for name, runs_ in results.items():  # a round that did other work than the others would skew the median
        said = {_first(r[3]) for r in runs_ if name != "cold"}
        if len(said) > 1:
            print(f"note: the {name} runs did not all do the same: {sorted(said)}")
    return {name: (statistics.median(r[0] for r in runs_), max(r[1] for r in runs_), max(r[2] for r in runs_),
                   runs_[-1][3]) for name, runs_ in results.items()}


def _first(said: str) -> str:
    """What a run says it built, without the issue ids that differ between rounds."""
    line = next((line for line in said.splitlines() if line.startswith(("built", "every"))), "")
    return re.sub(r"\(\d+ files, [\d.]+ [KM]?B", "(...", line)


def search_costs(site: Path) -> list[tuple[str, float, str, int, int]]:
    """Each search in a fresh page's session, one after the other: the first loads every issue's index."""
    from sitetools import static_server

    from browser import browser_page

    costs = []
    with static_server(site) as address, browser_page() as (page, _problems):
        fetched: list[int] = []
        page.on("response", lambda response: fetched.append(int(response.headers.get("content-length") or 0)))
        page.goto(address + "search/index.html")
        for term in ("gasogene", "Irene Adler", '"the speckled band"'):
            fetched.clear()
            started = time.perf_counter()
            page.fill("#search-input", term)
            page.click(".search-form button")
            page.wait_for_function("/result|Nothing/.test(document.getElementById('search-status').textContent)",
                                   timeout=120_000)
            costs.append((term, time.perf_counter() - started, page.inner_text("#search-status"), len(fetched),
                          sum(fetched)))
    return costs


def words(root: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in (root / "issues").rglob("*.md"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", default="12,120", help="catalogue sizes (comma-separated)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make the catalogues here and keep them")
    parser.add_argument("--search", action="store_true",
                        help="also search the largest site in Chromium: time, requests and bytes of each search")
    options = parser.parse_args()
    sizes = [int(n) for n in options.issues.split(",")]
    folder = options.keep or Path(tempfile.mkdtemp(prefix="issuepress-site-"))
    load = os.getloadavg()
    print(f"cores: {len(os.sched_getaffinity(0))}; load average before: {load[0]:.1f}; runs: {options.runs} "
          "(median wall time; peak memory: the most of any run)\n")
    print("| issues | words | run | wall s | peak RSS, all processes MB | largest process MB | what it said |")
    print("|---|---|---|---|---|---|---|")
    table: dict[int, dict] = {}
    try:
        for size in sizes:
            root = make_catalogue(folder / f"catalogue-{size}", size)
            table[size] = measure(root, options.runs)
            if options.search and size == sizes[-1]:
                searches = search_costs(root / "build" / "_site")
            for name, (wall, tree, largest, said) in table[size].items():
                first = next((line for line in said.splitlines() if line.startswith(("built", "every"))), "")
                print(f"| {size} | {words(root):,} | {name} | {wall:.2f} | {tree:.0f} | {largest:.0f} | {first} |")
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if options.search:
        print(f"\nsearching the {sizes[-1]}-issue site in Chromium, served by a static server on 127.0.0.1:")
        for term, seconds, status, requests, size in searches:
            print(f"- {term}: {seconds:.2f} s to results ({status}); {requests} requests, {size / 2**20:.1f} MB")
    if len(sizes) > 1:
        small, large = table[sizes[0]], table[sizes[-1]]
        print(f"\ngrowth from {sizes[0]} to {sizes[-1]} issues ({sizes[-1] / sizes[0]:.0f}x the catalogue):")
        for name in small:
            print(f"- {name}: {large[name][0] / small[name][0]:.1f}x the time, "
                  f"{large[name][1] / small[name][1]:.1f}x the peak memory")


if __name__ == "__main__":
    main()
