"""An issue being edited -> its editions built again each time one of its files is saved, until Ctrl-C.

`issuepress build ISSUE_ID --watch`, for press day. The layout processes
are started once and kept: they hold WeasyPrint and the parsed stylesheets
from one build to the next, so a rebuild after a paragraph changes costs
that article's layout and the assembly, not the time WeasyPrint takes to
load. Every build reads the issue afresh and goes through the same recipe
and cache as a one-off `issuepress build`, so it writes what that would.
A build with problems says them and writes nothing; the editions of the
last build that worked stay where they are.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable

from .. import recipe
from ..terminal import Output, because_of, failures, shown
from .watching import ChangeQueue, MagazineWatcher


def watch(root: Path, issue_id: str, formats: list[str], out_dir: Path | None, out: Output,
          build_once: Callable[[AbstractContextManager, str], None]) -> None:
    """Build, then build again after every change, until Ctrl-C or SIGTERM. `build_once(failed, because)`
    is the one-off build, reporting as `issuepress build` does: `failed` says what a failure means, and
    `because` names the files whose change a rebuild follows."""
    root = root.resolve()
    if not (root / "issues" / issue_id).is_dir():
        recipe.load(root, issue_id)  # raises the usual "no issue" problem, naming the issues there
    target = shown(out_dir or root / "build" / issue_id)
    stopping = threading.Event()

    def build(changed: list[Path] | None = None) -> None:
        build_once(failures(out, "build failed", f"nothing was written; {target} keeps the last editions that built",
                            keep_going=True), because_of(changed))

    # The layout processes are forked before the watcher's threads start: forking a process that
    # runs threads can leave a child waiting on a lock no thread will release.
    with recipe.layout_workers(formats):
        changes = ChangeQueue(build, stopping)
        # Editions written inside a watched folder (--out issues/ID/out) must not each start the next build
        written = (out_dir or root / "build" / issue_id).resolve()
        watcher = MagazineWatcher(root, issue_id, changes.add, stopping, ignored=written)
        try:
            watcher.start()  # before the first build, so that a file saved during it is not missed
            build()
            # printed even with --quiet: it says the command has not hung
            out.console.print(f"watching {issue_id}: saving a file builds it again; Ctrl-C stops", soft_wrap=True)
            changes.run()
        except KeyboardInterrupt:
            pass
        finally:
            stopping.set()
            watcher.join(timeout=5)
    out.say(f"stopped watching {issue_id}")
