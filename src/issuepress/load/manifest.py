"""magazine.yaml, contributors.yaml and issues/ID/issue.yaml -> a validated, frozen Issue.

Every problem is collected in the caller's `Problems`; `load_issue` returns
None only when the issue cannot be described at all (no manifest, or one that
is not a mapping), so that article files are still checked in the same run.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from types import MappingProxyType

from ..content.markdown import renderer_for
from ..errors import Problems
from ..model import ArticleEntry, Contributor, DeliverySettings, Issue, Magazine, PrintSettings
from .fields import EMAIL, Fields, describe, web_address_problem
from .keys import ARTICLE_ENTRY, CONTRIBUTOR, DELIVERY, ISSUE, MAGAZINE, PRINT, Key
from .printsizes import parse_length, parse_trim
from .sources import is_file, read_text, resolve_inside
from .yamlsource import LineDict, parse_yaml

ISSUE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def issn_is_valid(issn: str) -> bool:
    """ISSN check digit (ISO 3297): weights 8..2, mod 11, 10 written as X."""
    match = re.fullmatch(r"(\d{4})-?(\d{3})([\dX])", issn.upper())
    if not match:
        return False
    digits = match.group(1) + match.group(2)
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return match.group(3) == ("X" if check == 10 else str(check))


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


def _issn(fields: Fields, key: Key) -> str | None:
    issn = fields.text(key.name)
    if issn is not None and not issn_is_valid(issn):
        fields.error(f"'{key.name}' {issn} is not a valid ISSN (NNNN-NNNC with a correct check digit)", key.name)
        return None
    return issn.upper() if issn else None


def _site_url(fields: Fields, key: Key) -> str | None:
    url = fields.text(key.name)
    if url is not None and (problem := web_address_problem(url, key.name, site=True)):
        fields.error(problem, key.name)
        return None
    return (url.rstrip("/") + "/") if url else None


def _print_settings(fields: Fields, key: Key) -> PrintSettings | None:
    data = fields.mapping_of(key.name)
    if data is None:
        return None
    return PrintSettings(**Fields(data, fields.path, fields.problems, PRINT.names, context="print: ").read(PRINT,
                                                                                                        READERS))


def _trim(fields: Fields, key: Key) -> tuple[float, float] | None:
    value = fields.text(key.name)
    if value is None:
        return None
    parsed, reason = parse_trim(value)
    if reason:
        fields.error(f"'{key.name}' {reason}", key.name)
    return parsed


def _bleed(fields: Fields, key: Key) -> float | None:
    if fields.mapping.get(key.name) is None:
        return None
    parsed, reason = parse_length(str(fields.mapping[key.name]))  # `bleed: 3` is 3mm
    if reason or parsed is None or parsed > 20:
        fields.error(f"'{key.name}' {reason or 'must be between 0 and 20mm'}", key.name)
        return None
    return parsed


def _marks(fields: Fields, key: Key) -> frozenset[str] | None:
    value = fields.text(key.name)
    if value is None:
        return None
    words = set(value.split())
    if words == {"none"}:
        return frozenset()
    if words and words <= {"crop", "cross"}:
        return frozenset(words)
    fields.error(f"'{key.name}' must be crop, cross, \"crop cross\" or none, not '{value}'", key.name)
    return None


def _email(fields: Fields, key: Key) -> str | None:
    email = fields.text(key.name)
    if email and not EMAIL.match(email):
        fields.error(f"'{key.name}' is not an email address: '{email}'", key.name)
        return None
    return email


def _web_address(fields: Fields, key: Key) -> str | None:
    url = fields.text(key.name)
    if url and (problem := web_address_problem(url, key.name)):
        fields.error(problem, key.name)
        return None
    return url


PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _photo(fields: Fields, key: Key) -> Path | None:
    """A contributor's portrait, relative to the YAML file that names it and inside the magazine folder."""
    value = fields.text(key.name)
    if value is None:
        return None
    path, reason = resolve_inside(fields.path.parent, value, fields.problems.root, url=False)
    if reason is None and path is not None and path.suffix.lower() not in PHOTO_TYPES:
        reason = f"'{value}' is not a JPEG, PNG, GIF or WebP image"
    elif reason is None and path is not None and not is_file(path):
        reason = f"file not found: {fields.problems.where(path)}"
    if reason:
        fields.error(f"'{key.name}': {reason}", key.name)
        return None
    return path


def _delivery_settings(fields: Fields, key: Key) -> DeliverySettings | None:
    data = fields.mapping_of(key.name)
    if data is None:
        return None
    if "password" in data:  # said instead of "unknown key": the point is where a password goes
        fields.problems.error("a password is never kept in a file of the magazine folder; remove it and put it in "
                              "the environment variable named by 'password_env' (default ISSUEPRESS_SMTP_PASSWORD)",
                              fields.path, data.line_of("password"))
    settings = Fields(data, fields.path, fields.problems, DELIVERY.names | {"password"}, context="delivery: ")
    return DeliverySettings(**settings.read(DELIVERY, READERS), line=fields.line(key.name))


def _port(fields: Fields, key: Key) -> int | None:
    port = fields.integer(key.name)
    if port is not None and port > 65535:
        fields.error(f"'{key.name}' must be at most 65535, not {port}", key.name)
        return None
    return port


def _address(fields: Fields, key: Key) -> str | None:
    value = fields.text(key.name)
    if value is not None and not EMAIL.match(parseaddr(value)[1]):
        fields.error(f"'{key.name}' must be an e-mail address, or a name and one: Name <name@example.org>", key.name)
        return None
    return value


def _unsubscribe(fields: Fields, key: Key) -> str | None:
    value = fields.text(key.name)
    if value is None:
        return None
    filled = value.replace("{id}", "x").replace("{email}", "x")
    problem = web_address_problem(filled, key.name)
    if problem or not filled.lower().startswith("https://"):
        fields.error(problem or f"'{key.name}' must be an https:// address (RFC 8058), not '{value}'", key.name)
        return None
    return value


def _variable(fields: Fields, key: Key) -> str | None:
    variable = fields.text(key.name)
    if variable is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        fields.error(f"'{key.name}' is the name of an environment variable (such as SMTP_PASSWORD), not something "
                     "else; never the password itself", key.name)
        return None
    return variable


# How the kinds of value that are not plain text, numbers or choices are read (see keys.Key.kind); the
# issue's paths, articles and contributors need the issue's folder, and are read in `load_issue`.
READERS = {"issn": _issn, "site_url": _site_url, "url": _web_address, "print": _print_settings, "trim": _trim,
           "bleed": _bleed, "marks": _marks, "email": _email, "delivery": _delivery_settings, "port": _port,
           "address": _address, "unsubscribe": _unsubscribe, "variable": _variable, "photo": _photo}


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


def default_title(date) -> str:
    return f"{MONTHS[date.month - 1]} {date.year}"


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
