"""An article already in the issue and a new import of it -> replace it, leave it, or refuse with the diffs.

Each import keeps a copy of the Markdown it wrote in the issue's
`imported/` folder. When the writer sends a revised file, that copy tells
the editor's changes (copy -> article) from the writer's (copy -> new
import): an article nobody edited is replaced; an edited one is left alone
and both diffs are shown, for the editor to carry their edits over or to
pass --force and take the new import as it is.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

RECORDS = "imported"  # the folder of Markdown as last imported


@dataclass(frozen=True)
class Decision:
    write: bool
    note: str | None = None  # said after the import (a warning)
    diffs: str = ""  # shown when the import is refused
    refusal: str = ""  # ...and why


def record_path(folder: Path, slug: str) -> Path:
    return folder / RECORDS / f"{slug}.md"


def _diff(before: str, after: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        old_name, new_name))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def decide(article: Path, record: Path, new: str, shown: str, source: str, force: bool) -> Decision:
    """What to do with `article` (shown as `shown`) when the import of `source` gives `new`."""
    current = _read(article) if article.exists() else None
    if current is None and not article.exists():
        return Decision(True)
    if current == new:
        return Decision(False, "is already as the import makes it; nothing changed")
    earlier = _read(record)
    if earlier is not None and current == earlier:
        changed = len(_changed(earlier, new))
        return Decision(True, f"was replaced: nobody had edited it since the last import ({changed} lines changed "
                              "by the writer)")
    if earlier is not None and earlier == new:
        return Decision(False, f"is left as it is: {source} is the file imported last time, and the article has "
                               "been edited since")
    if force:
        return Decision(True, "was replaced (--force): the edits made since the last import are gone; the diff "
                              "is in version control, if the magazine folder is kept in one")
    if earlier is None:
        return Decision(False, diffs=_diff(current or "", new, f"{shown} (now)", f"{shown} (imported from {source})"),
                        refusal="exists and was not made by issuepress import (or its copy in imported/ is gone); "
                                f"the diff above shows what {source} would change: import it with --as and "
                                "another name, or pass --force to replace the article")
    diffs = (_diff(earlier, current or "", f"{shown} (as imported last time)", f"{shown} (edited since)")
             + _diff(earlier, new, f"{shown} (as imported last time)", f"{shown} (imported from {source})"))
    return Decision(False, diffs=diffs, refusal=f"was edited since it was imported; the diffs above show the edits "
                                                f"and the writer's revision in {source}: carry the edits over by "
                                                "hand, or pass --force to replace the article with the new import")


def _changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
