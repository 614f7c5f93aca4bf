"""Benchmark issuepress against pandoc and WeasyPrint; print a Markdown table.

Turns two issues -- the sample issue (issues/2024-11) and a temp issue holding all
twelve Strand stories (1891-07, built by tests/conftest.py's make_strand_magazine) --
into each edition (html, epub, pdf, and all editions at once) with the installed
`issuepress` console script, and the same Markdown files into standalone HTML and
EPUB with pandoc and into a PDF with plain WeasyPrint (on pandoc's HTML). Every tool
runs as a child process; wall time comes from a monotonic clock, peak RSS from
os.wait4's ru_maxrss (the largest single process in the child's tree, not a sum).

    .venv/bin/python benchmarks/run.py [--repeat N] [--quick] [--keep]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc
import pypdf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import STRAND_ORDER, make_strand_magazine  # noqa: E402

ISSUEPRESS = Path(sys.executable).parent / "issuepress"
PANDOC = pypandoc.get_pandoc_path()
EDITIONS = ["html", "epub", "pdf"]
TITLES = {"2024-11": "The Meridian Review: November 2024",
          "1891-07": "The Strand Magazine: The Adventures of Sherlock Holmes"}
PRINT_CSS = ("@page { size: A4; margin: 20mm } "
             "body { font-family: serif; font-size: 10.5pt; max-width: none; margin: 0; padding: 0 }")
# The same, setting text as the theme does: justified and hyphenated (WeasyPrint hyphenates by the
# document's language, which pandoc writes from the `lang` metadata).
JUSTIFIED_CSS = PRINT_CSS + " p { text-align: justify; hyphens: auto }"
WEASYPRINT = ("import sys, weasyprint; weasyprint.HTML(sys.argv[1], base_url=sys.argv[3])"
              ".write_pdf(sys.argv[2], stylesheets=[weasyprint.CSS(string=sys.argv[4])])")
EDITED_STORY = STRAND_ORDER[5]  # the paragraph-change rebuild edits this story


@dataclass
class Run:
    wall: float      # seconds
    rss_mb: float    # peak resident set size of the child, MiB
    code: int        # exit code
    output: str      # stdout and stderr, interleaved


@dataclass
class Row:
    issue: str
    edition: str
    tool: str
    runs: list[Run] = field(default_factory=list)
    pages: int | None = None
    baseline: Row | None = None


def run(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run one child process to completion; time it and read its peak RSS from wait4."""
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return Run(wall, usage.ru_maxrss / 1024, proc.returncode, text)


def issuepress(root: Path, issue: str, edition: str, out: Path, *extra: str, one_core: bool = False) -> Run:
    """`issuepress build ISSUE [-f EDITION] --out OUT --root ROOT`; edition "all" means no -f."""
    formats = [] if edition == "all" else ["-f", edition]
    pin = ["taskset", "-c", "0"] if one_core else []
    return run([*pin, ISSUEPRESS, "build", issue, *formats, "--out", out, "--root", root, *extra])


def fresh_dir(work: Path, label: str) -> Path:
    """A new, empty output folder under the work folder."""
    for n in range(1, 10_000):
        path = work / "out" / f"{label}-{n}"
        if not path.exists():
            path.mkdir(parents=True)
            return path
    raise RuntimeError("too many output folders")


def measure_cold(root: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """A build into an empty output folder with --no-cache: nothing from earlier builds is used."""
    out = fresh_dir(work, f"{issue}-{edition}-cold")
    return issuepress(root, issue, edition, out, "--no-cache"), out


def measure_one_core(root: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """A cold build pinned to one CPU (taskset), as on a one-core machine."""
    out = fresh_dir(work, f"{issue}-{edition}-one-core")
    return issuepress(root, issue, edition, out, "--no-cache", one_core=True), out


def measure_warm(root: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """A build with the cache filled by a build of the same content just before; only the second is timed."""
    out = fresh_dir(work, f"{issue}-{edition}-warm")
    first = issuepress(root, issue, edition, out)
    if first.code != 0:
        return first, out
    return issuepress(root, issue, edition, out), out


def change_one_paragraph(story: Path) -> None:
    """Append a sentence to the first paragraph after the story's front matter (again on each call)."""
    lines = story.read_text(encoding="utf-8").split("\n")
    body = lines.index("---", 1) + 1
    i = next(i for i in range(body, len(lines)) if lines[i].strip() and not lines[i].startswith("#"))
    lines[i] += " A sentence added by the benchmark."
    story.write_text("\n".join(lines), encoding="utf-8")


def measure_rebuild(root: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """Build all editions (filling the cache), change one paragraph of one story, then time the rebuild."""
    out = fresh_dir(work, f"{issue}-{edition}-rebuild")
    first = issuepress(root, issue, edition, out)
    if first.code != 0:
        return first, out
    change_one_paragraph(root / "issues" / issue / "articles" / f"{EDITED_STORY}.md")
    return issuepress(root, issue, edition, out), out


def measure_watch_rebuild(root: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """`build --watch`: once it has built, change one paragraph of one story and time from the save to
    its "rebuilt" line (noticing the change included); then stop it with SIGTERM (which it takes as it
    takes Ctrl-C; SIGINT is ignored by commands started in the background, as `make benchmark &` would)."""
    out = fresh_dir(work, f"{issue}-{edition}-watch")
    formats = [] if edition == "all" else ["-f", edition]
    proc = subprocess.Popen([str(c) for c in [ISSUEPRESS, "build", issue, *formats, "--out", out, "--root", root,
                                              "--watch"]],
                            env={**os.environ, "NO_COLOR": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    output: list[str] = []

    def wait_for(pattern: str, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                return False
            output.append(line)
            if re.match(pattern, line):
                return True
        return False

    wall, code = 0.0, 1
    if wait_for(r"watching ", 600):
        start = time.perf_counter()
        change_one_paragraph(root / "issues" / issue / "articles" / f"{EDITED_STORY}.md")
        if wait_for(r"rebuilt |build failed", 300) and output[-1].startswith("rebuilt "):
            wall, code = time.perf_counter() - start, 0
    proc.send_signal(signal.SIGTERM)
    deadline = time.perf_counter() + 60
    while (reaped := os.wait4(proc.pid, os.WNOHANG))[0] == 0:
        if time.perf_counter() > deadline:
            proc.kill()
            reaped = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    _, status, usage = reaped
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    reader.join(timeout=10)
    while not lines.empty():
        output.append(lines.get_nowait() or "")
    return Run(wall, usage.ru_maxrss / 1024, code or proc.returncode, "".join(output)), out


def markdown_files(issue_dir: Path) -> list[Path]:
    """The issue's Markdown in reading order: the editor's note, then the manifest's articles."""
    manifest = (issue_dir / "issue.yaml").read_text(encoding="utf-8")
    names = re.findall(r"^editors_note:\s*(\S+)", manifest, re.M) + re.findall(r"^\s*- file:\s*(\S+)", manifest, re.M)
    return [issue_dir / name for name in names]


def pandoc(issue_dir: Path, issue: str, edition: str, work: Path) -> tuple[Run, Path]:
    """pandoc on the issue's Markdown files (given as separate inputs) to standalone HTML or an EPUB."""
    out = fresh_dir(work, f"{issue}-pandoc-{edition}")
    target = out / f"{issue}.{edition}"
    options = ["-s"] if edition == "html" else ["--toc"]
    cmd = [PANDOC, *markdown_files(issue_dir), "-o", target, *options, "--metadata", f"title={TITLES[issue]}",
           "--metadata", "lang=en",
           "--resource-path", f"{issue_dir / 'articles'}:{issue_dir}"]
    return run(cmd, cwd=issue_dir / "articles"), out


def weasyprint(html: Path | None, issue_dir: Path, issue: str, work: Path, one_core: bool = False,
               css: str = PRINT_CSS) -> tuple[Run, Path]:
    """Plain WeasyPrint on pandoc's standalone HTML, with a minimal print stylesheet (pinned to the CPU the
    one-core issuepress runs on, for that comparison)."""
    out = fresh_dir(work, f"{issue}-weasyprint")
    if html is None:
        return Run(0.0, 0.0, 1, "pandoc wrote no HTML to render"), out
    base_url = str(issue_dir / "articles") + "/"  # pandoc keeps image paths relative to the Markdown
    pin = ["taskset", "-c", "0"] if one_core else []
    return run([*pin, sys.executable, "-c", WEASYPRINT, html, out / f"{issue}.pdf", base_url, css]), out


def count_pages(out: Path) -> int | None:
    """Pages of the (first) PDF in an output folder, or None."""
    pdfs = sorted(out.rglob("*.pdf"))
    try:
        return len(pypdf.PdfReader(pdfs[0]).pages) if pdfs else None
    except Exception:  # a broken PDF is reported by the failed row, not here
        return None


def measure_once(row: Row, measure) -> None:
    """Call measure() once and keep the run (and the page count of a PDF)."""
    result, out = measure()
    row.runs.append(result)
    if result.code == 0 and row.edition == "pdf":
        row.pages = count_pages(out)


def rounds(jobs: list[tuple[Row, object]], count: int) -> None:
    """Run every job once per round, COUNT rounds: a slow spell on this shared machine then falls on
    issuepress and its baseline alike, instead of on whichever was measured during it. A job whose
    run fails is not run again."""
    for _ in range(count):
        for row, measure in jobs:
            if all(r.code == 0 for r in row.runs):
                measure_once(row, measure)


def pdf_available(root: Path, issue: str, work: Path) -> bool:
    """False if this issuepress does not know the pdf format yet (exit 2, "unknown format")."""
    result = issuepress(root, issue, "pdf", fresh_dir(work, "probe"))
    return not (result.code == 2 and "unknown format" in result.output)


def pandoc_html(work: Path, issue: str) -> Path | None:
    return next((work / "out").glob(f"{issue}-pandoc-html-*/{issue}.html"), None)


def bench_issue(root: Path, issue: str, work: Path, count: int, with_pdf: bool, rebuild: bool) -> list[Row]:
    """All rows for one issue: per edition issuepress cold, warm and the baseline; then all editions.

    Each round runs every measurement once (see `rounds`); the baselines first, since plain
    WeasyPrint renders the HTML pandoc wrote."""
    issue_dir = root / "issues" / issue
    baselines = {edition: Row(issue, edition, "pandoc") for edition in ("html", "epub")}
    jobs = [(baselines[e], lambda e=e: pandoc(issue_dir, issue, e, work)) for e in ("html", "epub")]
    if with_pdf:
        baselines["pdf"] = Row(issue, "pdf", "weasyprint (pandoc html)")
        baselines["pdf, one core"] = Row(issue, "pdf", "weasyprint (pandoc html), one core")
        baselines["pdf, one core, justified"] = Row(issue, "pdf", "weasyprint (pandoc html), one core, justified")
        for name, one_core, css in (("pdf", False, PRINT_CSS), ("pdf, one core", True, PRINT_CSS),
                                    ("pdf, one core, justified", True, JUSTIFIED_CSS)):
            jobs.append((baselines[name], lambda one_core=one_core, css=css: weasyprint(
                pandoc_html(work, issue), issue_dir, issue, work, one_core, css)))
    rows: list[Row] = []
    for edition in EDITIONS:
        if edition != "pdf" or with_pdf:
            measures = [("cold", measure_cold, edition), ("warm", measure_warm, edition)]
            if edition == "pdf":
                measures.append(("cold, one core", measure_one_core, "pdf, one core"))
            for kind, measure, baseline in measures:
                row = Row(issue, edition, f"issuepress {kind}", baseline=baselines.get(baseline))
                rows.append(row)
                jobs.append((row, lambda e=edition, m=measure: m(root, issue, e, work)))
        if edition in baselines:
            rows.append(baselines[edition])
        if edition == "pdf" and with_pdf:
            rows.append(baselines["pdf, one core"])
            # The one-core runs again, against WeasyPrint doing the theme's typographic work (not measured twice)
            one_core = next(row for row in rows if row.tool == "issuepress cold, one core")
            rows += [Row(issue, "pdf", "issuepress cold, one core", runs=one_core.runs,
                         baseline=baselines["pdf, one core, justified"]), baselines["pdf, one core, justified"]]
    everything = "all" if with_pdf else "all (html+epub)"
    cold = Row(issue, everything, "issuepress cold")
    warm = Row(issue, everything, "issuepress warm", baseline=cold)
    rows += [cold, warm]
    jobs += [(cold, lambda: measure_cold(root, issue, "all", work)),
             (warm, lambda: measure_warm(root, issue, "all", work))]
    if rebuild:  # the ratio column is then rebuild / cold build of every edition
        again = Row(issue, everything, "issuepress 1-para rebuild", baseline=cold)
        watched = Row(issue, everything, "issuepress 1-para rebuild, --watch", baseline=cold)
        rows += [again, watched]
        jobs += [(again, lambda: measure_rebuild(root, issue, "all", work)),
                 (watched, lambda: measure_watch_rebuild(root, issue, "all", work))]
    rounds(jobs, count)
    for row in rows:  # a row sharing another's runs shares its page count
        row.pages = row.pages or next((other.pages for other in rows if other.runs is row.runs), None)
    return rows


def cell(row: Row) -> list[str]:
    """One table line's cells."""
    ok = [r for r in row.runs if r.code == 0]
    if not ok or len(ok) < len(row.runs):
        code = row.runs[-1].code if row.runs else "?"
        return [row.issue, row.edition, row.tool, f"FAILED (exit {code})", "", "", "", ""]
    wall = statistics.median(r.wall for r in ok)
    rss = max(r.rss_mb for r in ok)
    ratio = ""
    if row.baseline and row.baseline.runs and all(r.code == 0 for r in row.baseline.runs):
        # runs of the same round are paired: the median of their ratios
        ratio = f"{statistics.median(a.wall / b.wall for a, b in zip(ok, row.baseline.runs)):.2f}"
    pages = str(row.pages) if row.pages else ""
    per_second = f"{row.pages / wall:.1f}" if row.pages else ""
    return [row.issue, row.edition, row.tool, f"{wall:.2f}", f"{rss:.0f}", ratio, pages, per_second]


def table(rows: list[Row]) -> str:
    """A Markdown table, columns padded so it also reads as plain text."""
    header = ["issue", "edition", "tool", "median wall s", "peak RSS MB", "ratio to baseline", "pages", "pages/s"]
    lines = [header] + [cell(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def notes(rows: list[Row]) -> list[str]:
    """Warnings and failures seen in the runs' output (each distinct line once)."""
    seen: list[str] = []
    for row in rows:
        for result in row.runs:
            for line in result.output.splitlines():
                if (result.code != 0 or re.search(r"warn|error|traceback", line, re.I)) and line.strip():
                    note = f"{row.issue} {row.edition} {row.tool}: {line.strip()}"
                    if note not in seen:
                        seen.append(note)
    return seen


def stale_files() -> list[str]:
    """Modules of src/issuepress that differ from the installed copy (which is what runs)."""
    installed = Path(subprocess.run([sys.executable, "-c", "import issuepress; print(issuepress.__file__)"],
                                    capture_output=True, text=True, check=True).stdout.strip()).parent
    src = REPO / "src" / "issuepress"
    return [str(p.relative_to(src)) for p in sorted(src.rglob("*.py"))
            if not (installed / p.relative_to(src)).is_file()
            or (installed / p.relative_to(src)).read_bytes() != p.read_bytes()]


def machine() -> str:
    version = subprocess.run([ISSUEPRESS, "--version"], capture_output=True, text=True).stdout.strip()
    pandoc_version = subprocess.run([PANDOC, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return (f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
            f"cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); {platform.platform()}\n"
            f"python: {platform.python_version()}; {version}; {pandoc_version}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median time, max RSS)")
    parser.add_argument("--quick", action="store_true", help="one run, sample issue only")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder with every output")
    args = parser.parse_args()
    count = 1 if args.quick else args.repeat
    print(machine(), flush=True)
    work = Path(tempfile.mkdtemp(prefix="issuepress-bench-"))
    try:
        sample = work / "sample"
        shutil.copytree(REPO / "issues" / "2024-11", sample / "issues" / "2024-11")
        for name in ("magazine.yaml", "contributors.yaml"):
            shutil.copy(REPO / name, sample / name)
        issues = [(sample, "2024-11", False)]
        if not args.quick:
            issues.append((make_strand_magazine(work / "strand"), "1891-07", True))
        with_pdf = pdf_available(sample, "2024-11", work)
        rows = []
        for root, issue, rebuild in issues:
            print(f"measuring {issue} ({count} run(s) each) ...", file=sys.stderr, flush=True)
            rows += bench_issue(root, issue, work, count, with_pdf, rebuild)
        print(f"runs per measurement: {count}\n")
        print(table(rows))
        extra = [] if with_pdf else ["pdf: skipped, this issuepress has no pdf format yet (build -f pdf: unknown format)"]
        stale = stale_files()
        if stale:
            extra.append(f"the installed issuepress differs from src/ ({', '.join(stale)}): "
                         "`make setup` (pip install .) to benchmark the working tree")
        extra += notes(rows)
        if extra:
            print("\nnotes:\n" + "\n".join(f"- {line}" for line in extra))
        if args.keep:
            print(f"\noutputs kept in {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
