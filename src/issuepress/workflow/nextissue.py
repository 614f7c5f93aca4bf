"""The latest (or a named) issue -> the next issue's folder and manifest, numbered and dated after it.

The magazine is monthly: the date moves on a month (to the month an id such
as 2025-01 names, when it names one), the number goes up by one, and with
`numbering: yearly` in magazine.yaml the number restarts at 1 each January
while the volume counts the years. Sections, editor and language carry over;
the articles list is left for the editor to fill, with the previous issue's
sections as a commented template.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..dates import default_title
from ..errors import IssueError, Problem, Problems
from ..load.manifest import ISSUE_ID, load_magazine
from ..model import Issue
from . import templates
from .catalogue import all_issues, sections, summarise
from .scaffold import require_magazine, write_new_files

MONTH_ID = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class NextIssue:
    id: str
    volume: int
    number: int
    date: dt.date
    previous: Issue | None
    sections: tuple[str, ...] = ()


def add_month(date: dt.date, months: int = 1) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 January -> 29 February)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def month_named_by(issue_id: str) -> tuple[int, int] | None:
    match = MONTH_ID.match(issue_id)
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    return None


def next_date(previous: dt.date, issue_id: str) -> dt.date:
    """A month after the previous issue, or in the month the new id names (keeping the day of the month)."""
    named = month_named_by(issue_id)
    if named is None:
        return add_month(previous)
    year, month = named
    return dt.date(year, month, min(previous.day, calendar.monthrange(year, month)[1]))


def next_numbers(previous: Issue, date: dt.date, numbering: str) -> tuple[int, int]:
    """(volume, number) of the issue dated `date` that follows `previous`."""
    if numbering == "yearly" and date.year != previous.date.year:
        return previous.volume + (date.year - previous.date.year), 1
    return previous.volume, previous.number + 1


def first_issue(issue_id: str, today: dt.date) -> NextIssue:
    """Volume 1, number 1, dated by the id's month or else the first of next month."""
    named = month_named_by(issue_id)
    date = dt.date(*named, 1) if named else add_month(today.replace(day=1))
    return NextIssue(issue_id, 1, 1, date, None)


def plan(root: Path, issue_id: str, from_id: str | None, today: dt.date) -> NextIssue:
    """Work out the new issue; IssueError if the id is taken or the previous issue cannot be read."""
    require_magazine(root)
    if not ISSUE_ID.match(issue_id) or ".." in issue_id:
        raise IssueError(f"'{issue_id}' is not an issue id; use a folder name such as 2025-01")
    match = MONTH_ID.match(issue_id)
    if match and not 1 <= int(match.group(2)) <= 12:  # 2025-13: a slip for a month, not another kind of id
        raise IssueError(f"'{issue_id}' names month {match.group(2)}, which no year has; a month id is "
                         "YEAR-MM, 01 to 12")
    if (root / "issues" / issue_id).exists():
        raise IssueError(f"issues/{issue_id} already exists; new never overwrites an issue "
                         "(pick another id, or delete the folder first)")
    previous = _previous(root, from_id)
    if previous is None:
        return first_issue(issue_id, today)
    date = next_date(previous.date, issue_id)
    if date <= previous.date:
        raise IssueError(f"issue {issue_id} would be dated {date}, not after {previous.id} ({previous.date}); "
                         "name a later month, or use --from to follow an earlier issue")
    problems = Problems(root)
    numbering = load_magazine(root, problems).numbering
    problems.raise_if_any()  # a misspelt `numbering` must not number the issue wrongly
    volume, number = next_numbers(previous, date, numbering)
    return NextIssue(issue_id, volume, number, date, previous, tuple(sections(previous)))


def _previous(root: Path, from_id: str | None) -> Issue | None:
    """The named issue, or the latest by date; None when the magazine has no issue yet."""
    if from_id is not None:
        if not ISSUE_ID.match(from_id) or not (root / "issues" / from_id / "issue.yaml").is_file():
            raise IssueError(f"--from {from_id}: there is no issues/{from_id}/issue.yaml")
        summary = summarise(root, from_id)
    else:
        summaries = all_issues(root)
        if not summaries:
            return None
        # An issue without a readable date might be the latest: guessing could number two issues alike.
        broken = [s for s in summaries if s.issue is None]
        summary = broken[0] if broken else summaries[-1]
    if summary.issue is None:
        hint = "" if from_id else " (or name the issue to follow with --from)"
        raise IssueError([Problem(f"cannot follow issue {summary.id}: its volume, number or date cannot be "
                                  f"read; `issuepress check {summary.id}` says why{hint}",
                                  f"issues/{summary.id}/issue.yaml")])
    return summary.issue


def _scalar(value: str) -> str:
    """A value written so YAML reads it back as this text ('yes' stays a word, 'a: b' stays one value)."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def manifest_text(new: NextIssue) -> str:
    previous = new.previous
    header = (f"# Issue {new.id}, made by `issuepress new`"
              + (f" after {previous.id} (volume {previous.volume}, number {previous.number})." if previous else "."))
    # A new issue stays off the website until the editor removes `draft` (or sets it false)
    values = {"volume": str(new.volume), "number": str(new.number), "date": new.date.isoformat(), "draft": "true"}
    if previous and previous.editor:  # the editor and the language carry over
        values["editor"] = _scalar(previous.editor)
    if previous and "language" in previous.lines:
        values["language"] = _scalar(previous.language)
    articles = ["# Put the Markdown files in articles/ and list them here; until then",
                f"# `issuepress check {new.id}` reports that articles are needed."]
    if new.sections:
        articles.append(f"# The sections of {previous.id}, in its order:")
        for section in new.sections:
            articles += ["# - file: articles/...", f"#   section: {_scalar(section)}"]
    else:
        articles += ["# - file: articles/first-article.md", "#   section: Features"]
    return templates.new_issue_yaml(header, values, {"title": default_title(new.date)}, articles)


def create(root: Path, new: NextIssue) -> list[Path]:
    """Write the new issue's manifest, with empty articles/ and images/ folders to drop files into."""
    folder = root / "issues" / new.id
    written = write_new_files(folder, {"issue.yaml": manifest_text(new).encode("utf-8")}, "new")
    for name in ("articles", "images"):
        (folder / name).mkdir(exist_ok=True)
    return written
