"""The issues/ folder of a magazine -> one summary per issue, and whether its built editions are up to date.

A summary is read leniently: an issue with problems is still listed (with
what could be read and how many problems it has), because `list` is how an
editor finds the issue that needs fixing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..content.pieces import split_front_matter
from ..editions import EDITIONS
from ..errors import Problems
from ..load.manifest import ISSUE_ID, load_issue
from ..load.sources import read_text
from ..load.yamlsource import LineDict, parse_yaml
from ..model import Issue, Magazine


@dataclass(frozen=True)
class IssueSummary:
    id: str
    issue: Issue | None  # None when volume, number or date cannot be read
    problems: int

    @property
    def sort_key(self) -> tuple:
        """Oldest first; issues that cannot be read go last, by id."""
        if self.issue is None:
            return (1, dt.date.max, 0, 0, self.id)
        return (0, self.issue.date, self.issue.volume, self.issue.number, self.id)


def issue_ids(root: Path) -> list[str]:
    folder = root / "issues"
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob("*/issue.yaml") if ISSUE_ID.match(p.parent.name))


def summarise(root: Path, issue_id: str, magazine: Magazine | None = None) -> IssueSummary:
    problems = Problems(root)
    issue = load_issue(root, issue_id, problems, magazine)
    return IssueSummary(issue_id, issue, len(problems.errors))


def all_issues(root: Path) -> list[IssueSummary]:
    return sorted((summarise(root, issue_id) for issue_id in issue_ids(root)), key=lambda s: s.sort_key)


def sections(issue: Issue) -> list[str]:
    """The issue's sections in reading order, once each: the manifest's, else the article's front matter."""
    found: dict[str, None] = {}
    for entry in issue.articles:
        section = entry.section or _front_matter_section(entry.path, issue.folder)
        if section:
            found.setdefault(section, None)
    return list(found)


def _front_matter_section(path: Path, root: Path) -> str | None:
    quiet = Problems(root)  # the article's own problems are `check`'s business, not this summary's
    text = read_text(path, quiet)
    if text is None:
        return None
    front, _body, _lines = split_front_matter(text)
    data = parse_yaml(front, path, quiet) if front else None
    section = data.get("section") if isinstance(data, LineDict) else None
    return section.strip() if isinstance(section, str) and section.strip() else None


# --- up to date or not -------------------------------------------------------------------------

def newest_input(root: Path, issue: Issue) -> float:
    """The latest modification among everything a build of the issue reads from the magazine folder."""
    paths = [root / "magazine.yaml", root / "contributors.yaml", issue.manifest]
    paths += [entry.path for entry in issue.articles]
    paths += [p for p in (issue.cover, issue.editors_note) if p]
    for folder in (issue.folder, root / "layouts", root / "fonts"):
        if folder.is_dir():
            paths += [p for p in folder.rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def _built_at(path: Path) -> float | None:
    """When an edition was written: a file's time, or a folder's oldest file (it is replaced whole)."""
    if path.is_file():
        return path.stat().st_mtime
    if path.is_dir():
        times = [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
        return min(times) if times else None
    return None


def edition_states(root: Path, summary: IssueSummary) -> dict[str, str]:
    """Edition name -> 'up to date', 'out of date' or 'not built', for the default build/ID/ outputs."""
    newest = newest_input(root, summary.issue) if summary.issue else float("inf")
    states = {}
    for name, edition in EDITIONS.items():
        if not edition.by_default:  # made only when asked for (offprints): not missing when absent
            continue
        built = _built_at(edition.target(root / "build" / summary.id, summary.id))
        states[name] = "not built" if built is None else "up to date" if built >= newest else "out of date"
    return states


def describe_states(states: dict[str, str]) -> str:
    """'up to date' when every edition is; otherwise each state with its editions, worst news first."""
    if len(set(states.values())) == 1:
        return next(iter(states.values()))
    grouped = {state: [name for name, s in states.items() if s == state]
               for state in ("out of date", "up to date", "not built")}
    return "; ".join(f"{state}: {', '.join(names)}" for state, names in grouped.items() if names)
