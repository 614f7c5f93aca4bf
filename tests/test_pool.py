"""The layout processes never hang a build: a worker killed or crashing at any moment, results of hundreds of
megabytes, a task that never ends, and a build abandoned half-way all end cleanly and within a bound.

Each case runs in a process of its own (forking the workers from pytest's, which may run threads, is refused),
driving `editions/pdf/pool.py` directly; the last ones kill the workers of a real build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from conftest import make_strand_magazine, run_cli

PROBE = """
import os, sys, time, signal
from pathlib import Path
from issuepress.editions.pdf import pool

gate = Path(sys.argv[1])

def wait_for(path, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)

def square(job, n):
    return n * n

def held(job, n):
    (gate / f"running-{n}-{os.getpid()}").touch()
    wait_for(gate / "go")
    return n * n

def big(job, n):
    (gate / f"running-{n}-{os.getpid()}").touch()
    return bytes(300 * 1024 * 1024)

def crashing(job, n):
    if n == 3:
        os.abort()
    return n * n

def spin(n):
    (gate / f"running-{n}-{os.getpid()}").touch()
    return sum(range(10 ** 12))  # in C, holding Python's lock all the while

def forever(job, n):
    while True:
        time.sleep(1)

def here(n):
    return -n

def running(n):
    wait_for_any = lambda: sorted(gate.glob(f"running-{n}-*"))
    deadline = time.monotonic() + 60
    while not wait_for_any():
        assert time.monotonic() < deadline, f"task {n} never started"
        time.sleep(0.01)
    return int(wait_for_any()[0].name.rsplit("-", 1)[1])

def kill(pid):
    os.kill(pid, signal.SIGKILL)

workers = pool.Workers(2, preload=lambda: (gate / f"preloaded-{os.getpid()}").touch())
case = sys.argv[2]
started = time.monotonic()
try:
    if case == "idle":
        kill(workers.workers[0].process.pid)
        print(workers.map(square, [1, 2, 3, 4], {}, None, here))
    elif case == "mid-task":
        import threading
        def killer():
            kill(running(1))
            (gate / "go").touch()
        threading.Thread(target=killer).start()
        print(workers.map(held, [1, 2, 3], {}, None, here))
    elif case == "mid-result":
        import threading
        def killer():
            pid = running(1)
            deadline = time.monotonic() + 60
            while not list(workers.folder.glob("result-*.partial")) and time.monotonic() < deadline:
                time.sleep(0.001)
            kill(pid)
        threading.Thread(target=killer).start()
        print([len(r) for r in workers.map(big, [1, 2], {}, None, here)])
    elif case == "all-dead":
        for worker in workers.workers:
            kill(worker.process.pid)
        print(workers.map(square, [1, 2, 3], {}, None, here))
    elif case == "crash":
        try:
            workers.map(crashing, [1, 2, 3, 4], {}, None, here)
        except pool.WorkFailed as failed:
            print("failed", failed.item, failed.reason)
    elif case == "forever":
        try:
            workers.map(forever, [1], {}, None, here)
        except pool.WorkFailed as failed:
            print("failed", failed.item, failed.reason)
    elif case == "shared":
        import threading
        handed = workers.hand_off(square, None, 7)
        mapping = threading.Thread(target=lambda: print("mapped", workers.map(held, [1], {}, None, here)))
        mapping.start()
        running(1)  # the other thread holds the workers now, waiting for its own task until "go"
        print("handed", handed.result(), "while mapping", mapping.is_alive())
        (gate / "go").touch()
        mapping.join()
    elif case == "loaded-once":
        import threading
        def both_running():
            running(1), running(2)
            (gate / "go").touch()
        threading.Thread(target=both_running).start()
        results = workers.map(held, [1, 2], {}, None, here)
        ran = {path.name.rsplit("-", 1)[1] for path in gate.glob("running-*")}
        print(results, "loaded", len(list(gate.glob("preloaded-*"))), "by", len(ran), "workers",
              "forked by the first" if pool.forks_others() else "each forked here")
    elif case == "unasked-dies":
        print(workers.map(square, [1], {}, None, here))  # one worker is used; the other's pid is not asked for
        first, second = workers.hand_off(square, None, 2), workers.hand_off(crashing, None, 3)
        try:
            second.result()
        except pool.WorkFailed as failed:
            print(first.result(), "failed", failed.item, failed.reason)
    elif case == "killed-while-busy":
        workers.hand_off(spin, 1)
        print("busy", running(1), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    elif case == "abandoned":
        first, second = workers.hand_off(big, None, 1), workers.hand_off(big, None, 2)
        running(1), running(2)
        deadline = time.monotonic() + 60
        while not list(workers.folder.glob("result-*.partial")) and time.monotonic() < deadline:
            time.sleep(0.001)
        print("writing", bool(list(workers.folder.glob("result-*.partial"))))
    print("children", len([w for w in workers.workers if w.process.is_alive()]))
finally:
    closing = time.monotonic()
    workers.close(abandoned=case == "abandoned")
    print(f"closed in {time.monotonic() - closing:.1f}s")
    print("left", workers.folder.exists(), [w.process.is_alive() for w in workers.workers])
"""


def probe(tmp_path: Path, case: str, env: dict | None = None) -> list[str]:
    gate = tmp_path / "gate"
    gate.mkdir()
    result = subprocess.run([sys.executable, "-c", PROBE, str(gate), case], capture_output=True, text=True,
                            timeout=600, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "left False [False, False]", lines  # no process and no temporary file outlive close()
    return lines


def closed_within(lines: list[str], seconds: float) -> bool:
    took = next(float(line.split()[2].rstrip("s")) for line in lines if line.startswith("closed in"))
    return took <= seconds


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
@pytest.mark.parametrize("case, expected", [
    ("idle", "[1, 4, 9, 16]"),  # killed before any work: the other does it all
    ("mid-task", "[1, 4, 9]"),  # killed while laying out: the part is done again by the other
    ("mid-result", "[314572800, 314572800]"),  # killed while writing 300 MB of result
    ("all-dead", "[-1, -2, -3]"),  # no worker left: the parts are laid out in the build's own process
])
def test_a_worker_killed_at_any_moment_costs_nothing_but_time(tmp_path: Path, case: str, expected: str) -> None:
    lines = probe(tmp_path, case)
    assert lines[0] == expected
    assert closed_within(lines, 10)


def test_a_part_that_crashes_its_worker_twice_is_said_not_retried_for_ever(tmp_path: Path) -> None:
    lines = probe(tmp_path, "crash")
    assert lines[0].startswith("failed 3 the layout process doing it stopped unexpectedly"), lines
    assert "SIGABRT" in lines[0] and "twice" in lines[0]


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_a_part_that_never_finishes_is_stopped(tmp_path: Path) -> None:
    lines = probe(tmp_path, "forever", env={"ISSUEPRESS_TASK_SECONDS": "3"})
    assert lines[0] == "failed 1 it took more than 3 s", lines


def test_a_worker_that_dies_before_the_build_knew_its_pid_is_counted_as_lost(tmp_path: Path) -> None:
    lines = probe(tmp_path, "unasked-dies")
    assert lines[0] == "[1]", lines
    assert lines[1].startswith("4 failed None the layout process doing it stopped unexpectedly"), lines  # handed off
    assert "SIGABRT" in lines[1] and "twice" in lines[1], lines


def test_a_worker_busy_in_a_long_call_ends_when_the_build_is_killed(tmp_path: Path) -> None:
    """The workers end with the first layout process, and it with the build's, even when a worker is inside a call
    that never lets Python's lock go."""
    gate = tmp_path / "gate"
    gate.mkdir()
    result = subprocess.run([sys.executable, "-c", PROBE, str(gate), "killed-while-busy"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    busy = int(result.stdout.split()[1])
    deadline = time.monotonic() + 20
    while Path(f"/proc/{busy}").exists() and _cpu_ticks(busy) < (1 << 30) and _state(busy) != "Z":
        assert time.monotonic() < deadline, "a busy worker outlived the build"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_the_layout_processes_load_weasyprint_once_between_them(tmp_path: Path) -> None:
    """The first layout process loads WeasyPrint and forks the workers, which share it: loading it once per worker
    took the cores the build's process was reading the issue on."""
    lines = probe(tmp_path, "loaded-once")
    if lines[0].endswith("each forked here"):  # a system without pidfds (before Linux 5.4)
        assert lines[0] == "[1, 4] loaded 2 by 2 workers each forked here", lines
    else:
        assert lines[0] == "[1, 4] loaded 1 by 2 workers forked by the first", lines


def test_abandoning_workers_that_are_writing_hundreds_of_megabytes_returns_at_once(tmp_path: Path) -> None:
    lines = probe(tmp_path, "abandoned")
    assert lines[0] == "writing True"
    assert closed_within(lines, 10)


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def layout_processes(build: int) -> tuple[list[int], list[int]]:
    """The build's layout processes, once two are started: (those that lay out, every one of them). The first loads
    WeasyPrint and forks the others (pool.py); where the system cannot watch processes it did not start, the build
    forks each itself."""
    deadline = time.monotonic() + 60
    while True:
        first = children(build)
        forked = [pid for parent in first for pid in children(parent)]
        working = forked if forked else first if len(first) >= 2 else []
        if len(working) >= 2 or time.monotonic() > deadline:
            return working, first + forked
        time.sleep(0.02)


def start_strand_build(tmp_path: Path) -> tuple[Path, subprocess.Popen, list[int]]:
    """A cold PDF build of the twelve stories, and its layout processes once both are laying out."""
    root = make_strand_magazine(tmp_path / "magazine")
    process = subprocess.Popen([sys.executable, "-m", "issuepress", "build", "1891-07", "-f", "pdf", "--no-cache"],
                               cwd=root, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    for line in process.stderr:  # the workers are started before the issue is read; then the PDF is begun
        if line.startswith("pdf "):
            break
    workers, _all = layout_processes(process.pid)
    assert len(workers) >= 2, "the layout processes run (this test needs two CPUs)"
    deadline = time.monotonic() + 120
    while min(_cpu_ticks(pid) for pid in workers) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)  # each has been laying out a story for half a second of CPU
    return root, process, workers


@pytest.mark.slow
def test_a_build_whose_layout_process_is_killed_mid_layout_still_writes_a_whole_pdf(tmp_path: Path) -> None:
    root, process, workers = start_strand_build(tmp_path)
    os.kill(workers[0], signal.SIGKILL)  # its story is laid out again by the other
    rest = process.stderr.read()
    assert process.wait(timeout=600) == 0, rest
    assert "Traceback" not in rest
    reader = pypdf.PdfReader(root / "build/1891-07/1891-07.pdf")
    text = " ".join(page.extract_text() for page in reader.pages[-30:])
    assert "COPPER BEECHES" in text.upper()  # the last story is there whole: its last words too
    assert "wrote build/1891-07/1891-07.pdf" in rest


@pytest.mark.slow
def test_a_build_that_loses_every_layout_process_mid_layout_fails_cleanly_naming_the_story(tmp_path: Path) -> None:
    """A story whose layout process died is not laid out in the build's own process, which it might bring
    down too: it is a problem of that story, and the build stops cleanly, in bounded time."""
    root, process, workers = start_strand_build(tmp_path)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    rest = process.stderr.read()
    assert process.wait(timeout=600) == 1, rest
    assert "Traceback" not in rest
    problems = [line for line in rest.splitlines() if "could not be laid out" in line]
    assert problems and all(line.startswith("issues/1891-07/articles/") for line in problems), rest
    assert "pdf: not written (1 problem)" in rest and not (root / "build/1891-07/1891-07.pdf").exists()
    assert "nothing written for 1891-07" in rest


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 1 << 30  # gone already
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.mark.slow
def test_a_build_interrupted_while_laying_out_stops_at_once_and_leaves_nothing(tmp_path: Path) -> None:
    root = make_strand_magazine(tmp_path / "magazine")
    process = subprocess.Popen([sys.executable, "-m", "issuepress", "build", "1891-07", "--no-cache"],
                               cwd=root, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    for line in process.stderr:
        if line.startswith("pdf "):
            break
    workers, every = layout_processes(process.pid)
    deadline = time.monotonic() + 120
    while workers and min(_cpu_ticks(pid) for pid in workers) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)  # both are laying out
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 130
    deadline = time.monotonic() + 20  # a worker ends as it sees the build's process has (pool.py)
    while any(Path(f"/proc/{pid}").exists() and _cpu_ticks(pid) < (1 << 30) for pid in every):
        assert time.monotonic() < deadline, "a layout process outlived the build"
        time.sleep(0.05)
    assert not (root / "build/1891-07").exists()
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"issuepress-layout-*{process.pid}*"))
    assert run_cli("build", "1891-07", "-f", "html", cwd=root).returncode == 0


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_a_result_another_thread_is_collecting_is_taken_at_once(tmp_path: Path) -> None:
    """The print PDF's assembly is waited for while the screen PDF's layout holds the workers: its result is taken as
    soon as it is in, not once the other thread's task ends."""
    lines = probe(tmp_path, "shared")
    assert "handed 49 while mapping True" in lines, lines
    assert "mapped [1]" in lines, lines

