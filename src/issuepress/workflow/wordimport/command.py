"""`issuepress import ID FILE...` -> articles, pictures and manifest entries written, all or none.

Every file is read and converted first, and every problem collected; only
when there are none is anything written: the pictures, the articles, the
copies kept for the next import, and last the manifest. A file that would
replace an article edited since its import stops the import (with the diffs)
unless --force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import IssueError, Problem, Problems, shown_path
from ...load.manifest import ISSUE_ID, load_issue, load_magazine
from ...load.sources import read_text
from ...load.yamlsource import parse_yaml
from ...outputs import write_file
from ..scaffold import require_magazine
from .article import Converted, Destination, Options, convert
from .manifest_entry import add_entry, listed
from .reimport import decide, record_path


class EditedSinceImport(IssueError):
    """The import would replace edited articles; `diffs` shows what changed on each side."""

    def __init__(self, problems: list[Problem], diffs: str):
        super().__init__(problems)
        self.diffs = diffs


@dataclass
class Imported:
    converted: Converted
    article: Path
    written: bool
    listed: bool  # added to issue.yaml by this import


@dataclass
class Result:
    articles: list[Imported] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    manifest: Path | None = None


def _destination(root: Path, issue_id: str) -> tuple[Path, str, Destination]:
    """The issue's folder, its manifest's text, and what the conversion needs to know of it."""
    require_magazine(root)
    folder = root / "issues" / issue_id
    manifest = folder / "issue.yaml"
    if not ISSUE_ID.match(issue_id) or ".." in issue_id or not manifest.is_file():
        raise IssueError(f"there is no issue '{issue_id}' (issues/{issue_id}/issue.yaml); start it with "
                         f"`issuepress new {issue_id}`")
    problems = Problems(root)
    text = read_text(manifest, problems)
    if text is not None:
        parse_yaml(text, manifest, problems)
    problems.raise_if_any()  # the manifest is edited as text: it must read right first
    issue = load_issue(root, issue_id, Problems(root))  # its other problems are for `check` to report
    contributors = issue.contributors if issue else load_magazine(root, Problems(root)).contributors
    language = issue.language if issue else load_magazine(root, Problems(root)).language
    return folder, text, Destination(language, contributors, (root / "contributors.yaml").exists())


def import_files(root: Path, issue_id: str, files: list[tuple[Path, str]], section: str | None,
                 options: Options, force: bool) -> Result:
    """Import `files` ((path, as the user named it)) into the issue; IssueError if nothing can be written."""
    folder, manifest_text, destination = _destination(root, issue_id)
    converted = _convert_all(files, destination, options)
    result = Result(manifest=folder / "issue.yaml")
    new_manifest = _plan(root, folder, manifest_text, converted, section, force, result)
    _write(result, folder, result.manifest, new_manifest if new_manifest != manifest_text else None)
    for imported in result.articles:
        if imported.written:
            shown = shown_path(imported.article, root)
            result.warnings.extend(Problem(message, shown, line, warning=True)
                                   for line, message in imported.converted.warnings)
    return result


def _convert_all(files: list[tuple[Path, str]], destination: Destination, options: Options) -> list[Converted]:
    """Every file converted, or IssueError with the problems of all of them."""
    problems: list[Problem] = []
    converted: list[Converted] = []
    for path, shown in files:
        try:
            converted.append(convert(path, shown, destination, options))
        except IssueError as error:
            problems.extend(error.problems)
    by_slug: dict[str, Converted] = {}
    for item in converted:
        if item.slug in by_slug:
            problems.append(Problem(f"would be articles/{item.slug}.md, as {by_slug[item.slug].shown} would; import "
                                    "them one at a time, naming each with --as", item.shown))
        by_slug[item.slug] = item
    if problems:
        raise IssueError(problems)
    return converted


def _plan(root: Path, folder: Path, manifest_text: str, converted: list[Converted], section: str | None,
          force: bool, result: Result) -> str:
    """Decide for each article whether it is written (into `result`); the manifest's new text. Raises
    EditedSinceImport if an article would replace edits."""
    manifest = folder / "issue.yaml"
    data = parse_yaml(manifest_text, manifest, Problems(root))
    new_manifest, diffs, stopped = manifest_text, [], []
    for item in converted:
        article = folder / "articles" / f"{item.slug}.md"
        shown = shown_path(article, root)
        decision = decide(article, record_path(folder, item.slug), item.text, shown, item.shown, force)
        if decision.diffs:
            diffs.append(decision.diffs)
            stopped.append(Problem(decision.refusal, shown))
            continue
        if decision.write:
            _clashing_pictures(item, folder, article, stopped)
        entry = f"articles/{item.slug}.md"
        present = listed(data, entry)
        if present is None:
            new_manifest = add_entry(new_manifest, entry, section, shown_path(manifest, root))
        elif section and (not isinstance(present, dict) or present.get("section") != section):
            result.warnings.append(Problem(f"{entry} is already listed; its section is left as it is in "
                                           "issue.yaml", shown_path(manifest, root), warning=True))
        if decision.note:
            result.warnings.append(Problem(decision.note, shown, warning=True))
        result.articles.append(Imported(item, article, decision.write, present is None))
    if stopped:
        raise EditedSinceImport(stopped, "".join(diffs))
    return new_manifest


def _clashing_pictures(item: Converted, folder: Path, article: Path, problems: list[Problem]) -> None:
    """A new article's pictures must not replace files that another article uses."""
    if article.exists():
        return  # a new import of the same article replaces its own pictures
    for picture in item.pictures:
        target = folder / "images" / picture.name
        if target.exists() and target.read_bytes() != picture.data:
            problems.append(Problem(f"images/{picture.name} exists already and is another picture; import with "
                                    "--as and another name for the article", item.shown))


def _write(result: Result, folder: Path, manifest: Path, manifest_text: str | None) -> None:
    for imported in result.articles:
        if not imported.written:
            continue
        item = imported.converted
        for picture in item.pictures:
            write_file(folder / "images" / picture.name, picture.data, durable=False)
        write_file(imported.article, item.text.encode("utf-8"))
        write_file(record_path(folder, item.slug), item.text.encode("utf-8"), durable=False)
    if manifest_text is not None:
        write_file(manifest, manifest_text.encode("utf-8"))
