"""The magazine folder and the last site's state -> which issues to build now, which are drafts, which are as
they were, and the downloads each offers.

An issue whose files (and the editions in its build folder) are as they were is not even read: its record and
its downloads are the last build's. Only the issues that changed are read, checked and built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...editions import EDITIONS
from ...model import Magazine
from .. import catalogue
from . import downloads as download_plan
from .job import IssueJob
from .state import IssueState, SiteState, files_present, issue_contents, issue_fingerprint


@dataclass
class Plan:
    jobs: list[IssueJob] = field(default_factory=list)
    kept: dict[str, IssueState] = field(default_factory=dict)  # issues as they were (drafts among them)
    drafts: list[str] = field(default_factory=list)  # every draft, kept or not
    fresh: dict[str, tuple[str, str, dict]] = field(default_factory=dict)  # id -> (fingerprint, contents, stats)
    downloads: download_plan.DownloadPlan = field(default_factory=download_plan.DownloadPlan)


def build_marks(root: Path, issue_id: str) -> tuple:
    """The size and time of each edition the site may offer, as it is in build/ID/."""
    marks = []
    for name in download_plan.OFFERED:
        path = EDITIONS[name].target(root / "build" / issue_id, issue_id)
        try:
            stat = path.stat()
            marks.append((name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            marks.append((name, None))
    return tuple(marks)


def plan(root: Path, out: Path, magazine: Magazine, state: SiteState, shared: str, build_downloads: bool,
         language: str, use_cache: bool, say=lambda text: None) -> Plan:
    result = Plan()
    changed = []
    for issue_id in catalogue.issue_ids(root):
        old = state.issues.get(issue_id)
        contents, stats = issue_contents(root, issue_id, old.sources if old else (), old)
        fingerprint = issue_fingerprint(shared, contents, (build_marks(root, issue_id), build_downloads))
        result.fresh[issue_id] = (fingerprint, contents, stats)
        if old is not None and old.fingerprint == fingerprint and (old.record is None or files_present(out, old.files)):
            result.kept[issue_id] = old
            if old.record is None:
                result.drafts.append(issue_id)
            else:
                _keep_downloads(root, result.downloads, issue_id, old)
        else:
            changed.append(catalogue.summarise(root, issue_id, magazine))
    published = []
    for summary in changed:
        if summary.issue is not None and summary.issue.draft:
            result.drafts.append(summary.id)
            fingerprint, contents, stats = result.fresh[summary.id]
            result.kept[summary.id] = IssueState(fingerprint, None, {}, contents=contents, stats=stats)
        else:
            published.append(summary)
    made = download_plan.plan(root, published, build_downloads, say)
    result.downloads.merge(made)
    for summary in published:
        result.jobs.append(IssueJob(str(root), summary.id, made.offered.get(summary.id, ()), language, use_cache))
        if build_downloads and summary.id in made.built:  # its build folder has changed: say so next time
            fingerprint, contents, stats = result.fresh[summary.id]
            result.fresh[summary.id] = (issue_fingerprint(shared, contents, (build_marks(root, summary.id), True)),
                                        contents, stats)
    result.drafts.sort()
    return result


def _keep_downloads(root: Path, downloads: download_plan.DownloadPlan, issue_id: str, old: IssueState) -> None:
    offered = old.record.downloads
    downloads.offered[issue_id] = offered
    for download in offered:
        downloads.sources[download.href] = root / "build" / issue_id / download.href.split("/", 1)[1]
    (downloads.taken if len(offered) == len(download_plan.OFFERED) else downloads.missing).append(issue_id)
