"""Long-running commands (`issuepress serve`, `issuepress build --watch`) run as a user runs them, in a
subprocess, with their terminal output read as it comes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path


class Running:
    """`issuepress ARGS` running in `root`, and every line it has printed so far (stderr, where it talks)."""

    def __init__(self, root: Path, args: list[str], ready: str, env: dict | None = None, own_group: bool = False):
        # Ctrl-C (SIGINT) is how a user stops these; a suite started in the background would pass on
        # an ignored SIGINT, which Python then leaves ignored, so the child gets the default back.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "issuepress", *args], cwd=root, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            start_new_session=own_group)  # own_group: a terminal's Ctrl-C can be sent to it and its children
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.ready = self.wait_for_line(ready, timeout=300)
        except AssertionError:
            self.process.kill()
            raise

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 30, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} in:\n{self.output}")

    def stop(self, signum: int = signal.SIGINT, group: bool = False) -> int:
        """Send `signum` (to the whole process group with `group`, as a terminal's Ctrl-C does); its exit status."""
        if self.process.poll() is None:
            if group:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self.reader.join(timeout=5)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Served(Running):
    """A running preview on a free port (--port 0) and its URL."""

    def __init__(self, root: Path, issue_id: str, quiet: bool = False):
        super().__init__(root, [*(["--quiet"] * quiet), "serve", issue_id, "--port", "0"],
                         r"serving \S+ at (http://127\.0\.0\.1:\d+/)")
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", self.ready).group(0)

    def get(self, path: str = "") -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=120) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def text(self, path: str = "") -> str:
        """A page's text with entities decoded, as a reader would see the characters."""
        status, _kind, body = self.get(path)
        assert status == 200, (status, body[:500])
        return unescape(body.decode("utf-8"))

    def wait_for_page(self, path: str, predicate, timeout: float = 30) -> str:
        """Fetch the page again and again (a bounded number of times) until it satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text(path)
            if predicate(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"{path} never changed as expected; last:\n{text[-2000:]}\nserver said:\n{self.output}")
