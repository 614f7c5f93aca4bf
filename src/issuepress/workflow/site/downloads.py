"""The issues' built editions -> the downloads the site offers: each issue's EPUB and screen PDF.

An edition in `build/ID/` that is up to date (built after every file it is made from last changed, as `list`
says) is copied as it is. With `--downloads` the others are built first, into `build/ID/` as `issuepress build`
would, so the site and the build folder agree; without it they are left off the site, and the summary says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ... import recipe
from ...editions import EDITIONS
from ...errors import IssueError
from ..catalogue import IssueSummary, edition_states
from .records import Download

OFFERED = {"epub": "EPUB", "screen-pdf": "PDF"}


@dataclass
class DownloadPlan:
    offered: dict[str, tuple[Download, ...]] = field(default_factory=dict)  # issue id -> its downloads
    sources: dict[str, Path] = field(default_factory=dict)  # site path -> the file in build/ID/
    taken: list[str] = field(default_factory=list)  # issues whose downloads were up to date in build/
    built: list[str] = field(default_factory=list)  # issues whose downloads were built now
    missing: list[str] = field(default_factory=list)  # issues left without (some of) their downloads

    def merge(self, other: DownloadPlan) -> None:
        self.offered.update(other.offered)
        self.sources.update(other.sources)
        for name in ("taken", "built", "missing"):
            setattr(self, name, sorted(getattr(self, name) + getattr(other, name)))

    def notes(self) -> list[str]:
        notes = []
        if self.taken:
            notes.append(f"taken from build/ (up to date): {_ids(self.taken)}")
        if self.built:
            notes.append(f"built now: {_ids(self.built)}")
        if self.missing:
            notes.append(f"left off (not built, or out of date; `issuepress site --downloads` builds them): "
                         f"{_ids(self.missing)}")
        return notes


def _ids(ids: list[str], named: int = 8) -> str:
    """The issues named, or for many the count and the first and last."""
    return ", ".join(ids) if len(ids) <= named else f"{len(ids)} issues, {ids[0]} to {ids[-1]}"


def plan(root: Path, summaries: list[IssueSummary], build: bool, progress=lambda text: None) -> DownloadPlan:
    """Which downloads each issue offers, building the missing ones first when `build`."""
    result = DownloadPlan()
    problems = []
    for summary in summaries:
        if summary.issue is None:
            continue
        states = edition_states(root, summary)
        stale = [name for name in OFFERED if states[name] != "up to date"]
        if stale and build:
            progress(f"building the {' and '.join(EDITIONS[name].describe for name in stale)} of {summary.id}")
            try:
                recipe.build(root, summary.id, stale)
            except IssueError as error:
                problems += error.problems
                continue
            result.built.append(summary.id)
        elif not stale:
            result.taken.append(summary.id)
        elif len(stale) < len(OFFERED):
            result.taken.append(summary.id)
            result.missing.append(f"{summary.id} ({', '.join(OFFERED[name] for name in stale)})")
        else:
            result.missing.append(summary.id)
        offered = []
        for name, label in OFFERED.items():
            if name in stale and not build:
                continue
            edition = EDITIONS[name]
            source = edition.target(root / "build" / summary.id, summary.id)
            href = f"{summary.id}/{edition.file_name(summary.id)}"
            offered.append(Download(name, label, href, edition.media_type or "", source.stat().st_size))
            result.sources[href] = source
        result.offered[summary.id] = tuple(offered)
    if problems:
        raise IssueError(problems)
    return result
