"""Changes to the files an issue is built from -> calls to `on_change` with the changed paths.

Two watchers run side by side: one on the magazine folder itself, not
recursively (magazine.yaml, contributors.yaml, and layouts/ or fonts/
appearing or going), and one on the issue folder, layouts/ and fonts/,
recursively. Watching the whole magazine folder recursively would also
watch build/, and in a checkout .venv/ and node_modules/: thousands of
folders for nothing. Folders are watched rather than files, because editors
save by writing a new file and renaming it over the old one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from watchfiles import Change, DefaultFilter, watch

ROOT_FILES = frozenset({"magazine.yaml", "contributors.yaml"})
THEME_FOLDERS = ("layouts", "fonts")


def _lasting(batch) -> list[Path]:
    """The changed paths, without an editor's temporary files: added and deleted again in one batch."""
    kinds: dict[str, set[Change]] = {}
    for change, path in batch:
        kinds.setdefault(path, set()).add(change)
    return sorted(Path(path) for path, seen in kinds.items() if not {Change.added, Change.deleted} <= seen)


class _NotUnder(DefaultFilter):
    """watchfiles' usual filter (editors' swap files, __pycache__...), and nothing in or of one folder.
    (Its own ignore_paths compares prefixes: ignoring issues/x/out would also ignore issues/x/outline.md.)"""

    def __init__(self, folder: Path | None):
        super().__init__()
        self.folder = str(folder) if folder is not None else None

    def __call__(self, change: Change, path: str) -> bool:
        inside = self.folder is not None and (path == self.folder or path.startswith(self.folder + os.sep))
        return not inside and super().__call__(change, path)


class _Either:
    """Stops a watch when either event is set (watchfiles only needs `is_set`)."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class MagazineWatcher:
    def __init__(self, root: Path, issue_id: str, on_change: Callable[[list[Path]], None], stop: threading.Event,
                 ignored: Path | None = None):
        self.root, self.issue_folder = root, root / "issues" / issue_id
        self.on_change, self.stop = on_change, stop
        self.ignored = ignored  # the folder the editions are written to
        self.rewatch = threading.Event()  # layouts/ or fonts/ appeared or went: watch the new set of folders
        self.threads = [threading.Thread(target=self._watch_root, name="watch-magazine", daemon=True),
                        threading.Thread(target=self._watch_folders, name="watch-issue", daemon=True)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout)

    def folders(self) -> list[Path]:
        return [folder for folder in (self.issue_folder, *(self.root / name for name in THEME_FOLDERS))
                if folder.is_dir()]

    def _watch_root(self) -> None:
        def wanted(change, path: str) -> bool:
            return Path(path).name in ROOT_FILES or Path(path).name in THEME_FOLDERS

        for changes in self._changes([self.root], recursive=False, watch_filter=wanted, stop=self.stop):
            if any(path.name in THEME_FOLDERS for path in changes):
                self.rewatch.set()
            self.on_change(changes)

    def _watch_folders(self) -> None:
        first = True
        while not self.stop.is_set():
            self.rewatch.clear()
            folders = self.folders()
            # A file saved in a new folder before its watch began would go unseen: once the new watch is
            # up, rebuild from those folders (not at start-up, when the first build has just read them).
            ready = None if first else (lambda folders=folders: self.on_change(folders))
            first = False
            for changes in self._changes(folders, recursive=True, watch_filter=_NotUnder(self.ignored),
                                         stop=_Either(self.stop, self.rewatch), on_ready=ready):
                self.on_change(changes)

    def _changes(self, folders: list[Path], recursive: bool, watch_filter, stop, on_ready=None):
        """Each batch of changed paths, until `stop`; a folder that vanishes mid-watch is waited out, not fatal."""
        while not stop.is_set():
            if not folders:
                time.sleep(0.2)
                return
            try:
                # yield_on_timeout: the first (empty) batch says the watch is up, for `on_ready`
                for batch in watch(*folders, watch_filter=watch_filter, stop_event=stop, recursive=recursive,
                                   debounce=400, step=50, rust_timeout=200, yield_on_timeout=True,
                                   raise_interrupt=False):
                    if on_ready is not None:
                        on_ready, ready = None, on_ready
                        ready()
                    changed = _lasting(batch)
                    if changed:
                        yield changed
                return
            except (OSError, RuntimeError):  # notify's errors for a folder removed or unreadable
                time.sleep(0.5)


class ChangeQueue:
    """Changed paths from the watchers -> one rebuild at a time; changes made during a rebuild go into the next."""

    def __init__(self, rebuild: Callable[[list[Path]], None], stopping: threading.Event):
        self.rebuild, self.stopping = rebuild, stopping
        self.pending: dict[Path, None] = {}  # in the order seen, once each
        self.lock, self.wake = threading.Lock(), threading.Event()

    def add(self, paths: list[Path]) -> None:
        with self.lock:
            self.pending.update(dict.fromkeys(paths))
        self.wake.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.wake.wait(0.25):
                self.wake.clear()
                with self.lock:
                    changed = list(self.pending)
                    self.pending.clear()
                self.rebuild(changed)
