"""magazine.yaml, contributors.yaml and issues/ID/issue.yaml -> a validated, frozen Issue.

Every problem is collected in the caller's `Problems`; `load_issue` returns
None only when the issue cannot be described at all (no manifest, or one that
is not a mapping), so that article files are still checked in the same run.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from ..content.markdown import renderer_for
from ..dates import default_title
from ..errors import Problems
from ..model import ArticleEntry, Contributor, Issue, Magazine
from .fields import Fields, describe
from .keys import ARTICLE_ENTRY, CONTRIBUTOR, ISSUE, MAGAZINE
from .readers import READERS
from .sources import is_file, read_text, resolve_inside
from .yamlsource import LineDict, parse_yaml

ISSUE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

def _load_mapping(path: Path, problems: Problems, required: bool) -> LineDict | None:
    if not path.exists():
        if required:
            problems.error(f"file not found: {problems.where(path)}", path)
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    before = len(problems.errors)
    data = parse_yaml(text, path, problems)
    if data is None:
        if len(problems.errors) == before:  # nothing but comments, or nothing at all
            problems.error("is empty; it must be a mapping of keys", path, 1)
        return None
    if not isinstance(data, LineDict):
        problems.error(f"must be a mapping of keys (key: value), not {describe(data)}", path, 1)
        return None
    return data


def load_magazine(root: Path, problems: Problems) -> Magazine:
    path = root / "magazine.yaml"
    data = _load_mapping(path, problems, required=False)
    contributors = load_contributors(root / "contributors.yaml", problems)
    if data is None:
        return Magazine(root=root, contributors=contributors)
    values = Fields(data, path, problems, MAGAZINE.names).read(MAGAZINE, READERS)
    return Magazine(root=root, contributors=contributors, **values)


def load_contributors(path: Path, problems: Problems) -> MappingProxyType:
    data = _load_mapping(path, problems, required=False)
    return MappingProxyType(_contributors(data, path, problems, {})) if data else MappingProxyType({})


def _contributors(data: LineDict, path: Path, problems: Problems,
                  registry: dict[str, Contributor]) -> dict[str, Contributor]:
    """Contributor records, each merged over the registry's record of the same id."""
    result = dict(registry)
    for cid, record in data.items():
        line = data.line_of(cid)
        if not isinstance(cid, str) or not re.fullmatch(r"[A-Za-z0-9][\w.-]*", cid):
            problems.error(f"contributor id {describe(cid)} must be a word such as jane-doe", path, line)
            continue
        if isinstance(record, str):  # `jane-doe: Jane Doe` is shorthand for a name
            record_fields = {"name": record}
        elif isinstance(record, LineDict):
            fields = Fields(record, path, problems, CONTRIBUTOR.names, context=f"contributor '{cid}': ")
            record_fields = fields.read(CONTRIBUTOR, READERS, check_required=False)
        else:
            problems.error(f"contributor '{cid}' must be a mapping with name and bio, not {describe(record)}",
                           path, line)
            continue
        base = result.get(cid)
        merged = {**(base.__dict__ if base else {}), **record_fields, "id": cid}
        if not merged.get("name"):
            problems.error(f"contributor '{cid}' has no name", path, line)
            continue
        result[cid] = Contributor(**merged)
    return result


def load_issue(root: Path, issue_id: str, problems: Problems, magazine: Magazine | None = None) -> Issue | None:
    """Read and validate one issue; problems go to `problems`, None if hopeless. `magazine`: the settings and
    registry already read (for many issues at once), else read here."""
    magazine = magazine or load_magazine(root, problems)
    if not ISSUE_ID.match(issue_id) or ".." in issue_id:
        problems.error(f"'{issue_id}' is not an issue id; use a folder name under issues/, such as 2024-11")
        return None
    folder = root / "issues" / issue_id
    manifest = folder / "issue.yaml"
    if not folder.is_dir():
        known = sorted(p.name for p in (root / "issues").glob("*/issue.yaml") for p in [p.parent])
        hint = f" (issues here: {', '.join(known)})" if known else " (no issues/*/issue.yaml here; is --root right?)"
        problems.error(f"no issue '{issue_id}': folder issues/{issue_id} does not exist{hint}")
        return None
    data = _load_mapping(manifest, problems, required=True)
    if data is None:
        return None
    fields = Fields(data, manifest, problems, ISSUE.names)
    readers = {**READERS,
               "path": lambda fields, key: _issue_file(fields, key.name, folder, root),
               "articles": lambda fields, key: _article_entries(fields, folder, root),
               "contributors": lambda fields, key: _contributors(fields.mapping_of(key.name) or LineDict(), manifest,
                                                                 problems, dict(magazine.contributors))}
    values = fields.read(ISSUE, readers)
    if "date" not in values or "volume" not in values or "number" not in values:
        return None
    language = values.get("language", magazine.language)
    smarten = renderer_for(language).smarten
    for entry in values.get("articles", ()):
        if entry.path == values.get("editors_note"):
            problems.error(f"{entry.path.name} is the editor's note (editors_note:), which opens the issue by "
                           "itself; do not list it under articles too", manifest, entry.line)
    people = fields.mapping_of("contributors") or {}
    contributors = values.get("contributors", dict(magazine.contributors))
    values.update(
        title=smarten(values["title"]) if "title" in values else default_title(values["date"]),
        language=language, articles=values.get("articles", ()), contributors=MappingProxyType(contributors))
    if "description" in values:
        values["description"] = smarten(values["description"])
    return Issue(id=issue_id, folder=folder, manifest=manifest, magazine=magazine, **values,
                 featured=tuple(k for k in people if k in contributors), lines=MappingProxyType(dict(data.key_lines)))


def _issue_file(fields: Fields, key: str, folder: Path, root: Path) -> Path | None:
    """A file the manifest names (the cover, the editor's note), checked to be inside the magazine folder."""
    value = fields.text(key)
    if value is None:
        return None
    return _checked_path(fields, key, value, folder, root, fields.line(key))


def _checked_path(fields: Fields, key: str, value: str, folder: Path, root: Path, line: int) -> Path | None:
    path, reason = resolve_inside(folder, value, root, url=False)
    if reason:
        fields.problems.error(f"'{key}': {reason}", fields.path, line)
        return None
    if not is_file(path):
        fields.problems.error(f"'{key}': file not found: {fields.problems.where(path)}", fields.path, line)
        return None
    return path


def _article_entries(fields: Fields, folder: Path, root: Path) -> tuple[ArticleEntry, ...]:
    if "articles" in fields.mapping and fields.mapping["articles"] is None:
        # a new issue's `articles:` with only its commented template under it
        fields.error("'articles' is empty; list at least one article file", "articles")
        return ()
    items = fields.sequence("articles", required=True)
    if items is None:
        return ()
    if not items:
        fields.error("'articles' is empty; list at least one article file", "articles")
        return ()
    entries: list[ArticleEntry] = []
    seen: dict[Path, int] = {}
    for index, item in enumerate(items):
        line = items.line_of(index)
        values: dict = {}
        if isinstance(item, LineDict):
            entry = Fields(item, fields.path, fields.problems, ARTICLE_ENTRY.names, context="article: ")
            values = entry.read(ARTICLE_ENTRY, {"path": lambda entry, key: entry.text(key.name, required=True)})
            file, line = values.pop("path", None), item.line_of("file")
        elif isinstance(item, str) and item.strip():
            file = item.strip()
        else:
            fields.problems.error(f"each article must be a file path or a mapping with 'file', not {describe(item)}",
                                  fields.path, line)
            continue
        if file is None:
            continue
        path = _checked_path(fields, "articles", file, folder, root, line)
        if path is None:
            continue
        if path in seen:
            fields.problems.error(f"article {file} is listed twice (first on line {seen[path]}); list it once",
                                  fields.path, line)
            continue
        seen[path] = line
        entries.append(ArticleEntry(path=path, line=line, **values))
    return tuple(entries)
