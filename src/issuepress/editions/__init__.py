"""The editions' one contract and their registry: a rendered issue -> the files each edition writes.

Every edition is a module under `issuepress.editions` with two functions:

    start(rendered, theme, cache) -> Finish     begin making the edition; calling the result gives
                                                its `Made` (a PDF returns while its assembly is still
                                                running elsewhere, so the next edition starts meanwhile)
    rehearse(rendered, theme) -> warnings       make or render it in memory for `issuepress check`,
                                                raising IssueError for what a build would refuse

Adding an edition is that module plus one line in `EDITIONS`. The command line's
`--format`, the build's progress lines, `list`'s states, the preview's downloads
and `check`'s rehearsal all come from the registry. Modules are imported only
when their edition is used: the PDF editions' (with WeasyPrint) are slow to load.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import Problem


@dataclass(frozen=True)
class Made:
    """An edition built in memory: a file's bytes, or a folder as path -> bytes; and files it writes beside them
    (the print PDF's printer's package: "print/job-sheet.txt" -> bytes), each top folder written whole."""

    data: bytes | dict[str, bytes]
    detail: str = ""  # for the build summary, e.g. "36 pages, saddle-stitch"
    warnings: tuple[Problem, ...] = ()
    beside: dict[str, bytes] = field(default_factory=dict)  # more files, by path under the output folder


Finish = Callable[[], Made]


@dataclass(frozen=True)
class Edition:
    name: str  # as `--format` names it
    describe: str  # "print PDF": for progress lines and messages
    writes: str  # under the output folder, "{id}" standing for the issue; a trailing "/" is a folder
    module: str  # under issuepress.editions: defines start() and rehearse()
    lays_out: bool = False  # laid out in pages by WeasyPrint, in the layout processes
    # Carries the print edition's page numbers (folios.py): when both are built, made once the print pages are
    # planned, while the print PDF is assembled, and made again (its Finish called twice) without the numbers should
    # the print PDF then fail; taking the print layout from the cache or the layout processes otherwise
    paged: bool = False
    by_default: bool = True  # built when no --format is given (and listed by `list`)
    media_type: str | None = None  # a single file the preview offers for download (None: not offered)

    def target(self, out: Path, issue_id: str) -> Path:
        """The file or folder this edition writes for an issue, in the output folder `out`."""
        return out / self.writes.rstrip("/").format(id=issue_id)

    @property
    def is_folder(self) -> bool:
        return self.writes.endswith("/")

    def file_name(self, issue_id: str) -> str:
        return self.writes.format(id=issue_id)

    def _module(self):
        return importlib.import_module(f"{__name__}.{self.module}")

    def start(self, rendered, theme, cache) -> Finish:
        return self._module().start(rendered, theme, cache)

    def make(self, rendered, theme, cache) -> Made:
        return self.start(rendered, theme, cache)()

    @property
    def rehearse(self) -> Callable:
        """The module's rehearse(rendered, theme); editions that share one (print and screen PDF) give the same."""
        return self._module().rehearse


def _registry(*editions: Edition) -> dict[str, Edition]:
    return {edition.name: edition for edition in editions}


EDITIONS: dict[str, Edition] = _registry(
    Edition("html", "web edition", "html/", "html.edition", paged=True),
    Edition("epub", "EPUB", "{id}.epub", "epub.edition", paged=True, media_type="application/epub+zip"),
    Edition("pdf", "print PDF", "{id}.pdf", "pdf.print_pdf", lays_out=True, media_type="application/pdf"),
    Edition("screen-pdf", "screen PDF", "{id}-screen.pdf", "pdf.screen_pdf", lays_out=True,
            media_type="application/pdf"),
    Edition("offprints", "offprints", "offprints/", "pdf.offprints", lays_out=True, by_default=False),
)
