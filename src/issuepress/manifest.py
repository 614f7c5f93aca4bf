"""magazine.yaml, contributors.yaml and issues/ID/issue.yaml -> a validated, frozen Issue.

Every problem is collected in the caller's `Problems`; `load_issue` returns
None only when the issue cannot be described at all (no manifest, or one that
is not a mapping), so that article files are still checked in the same run.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from .errors import Problems
from .fields import EMAIL, Fields, describe, web_address_problem
from .markdown import renderer_for
from .model import ArticleEntry, Contributor, Issue, Magazine, OutputIntent, PrintSettings
from .press.conditions import BUILTIN, ICC_REGISTRY, profile_problem
from .printsizes import parse_length, parse_trim
from .sources import is_file, read_text, resolve_inside
from .yamlsource import LineDict, parse_yaml

MAGAZINE_KEYS = {"title", "publisher", "issn", "language", "url", "numbering", "print"}
PRINT_KEYS = {"trim", "bleed", "marks", "binding", "recto", "footnotes", "standard", "output_intent", "ink_limit",
              "paper", "cover"}
OUTPUT_INTENT_KEYS = {"profile", "condition", "registry", "description"}
ISSUE_KEYS = {"volume", "number", "date", "title", "editor", "language", "cover", "editors_note",
              "articles", "contributors", "description", "keywords"}
ARTICLE_ENTRY_KEYS = {"file", "section"}
CONTRIBUTOR_KEYS = {"name", "bio", "email", "url"}
ISSUE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NUMBERING = ("continuous", "yearly")  # how `issuepress new` counts: numbers go on, or restart each year
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
    fields = Fields(data, path, problems, MAGAZINE_KEYS)
    issn = fields.text("issn")
    if issn is not None and not issn_is_valid(issn):
        fields.error(f"'issn' {issn} is not a valid ISSN (NNNN-NNNC with a correct check digit)", "issn")
        issn = None
    url = fields.text("url")
    if url is not None and (problem := web_address_problem(url, "url", site=True)):
        fields.error(problem, "url")
        url = None
    print_data = fields.mapping_of("print")
    return Magazine(
        root=root,
        title=fields.text("title") or "Untitled Magazine",
        publisher=fields.text("publisher"),
        issn=issn.upper() if issn else None,
        language=fields.language("language") or "en",
        url=(url.rstrip("/") + "/") if url else None,
        numbering=fields.choice("numbering", NUMBERING) or NUMBERING[0],
        print=_print_settings(print_data, path, problems, root) if print_data is not None else PrintSettings(),
        contributors=contributors,
    )


def _print_settings(data: LineDict, path: Path, problems: Problems, root: Path) -> PrintSettings:
    fields = Fields(data, path, problems, PRINT_KEYS, context="print: ")
    defaults = PrintSettings()
    trim = (defaults.trim_width, defaults.trim_height)
    if (value := fields.text("trim")) is not None:
        parsed, reason = parse_trim(value)
        trim = parsed or trim
        if reason:
            fields.error(f"'trim' {reason}", "trim")
    bleed = defaults.bleed
    if "bleed" in data and data["bleed"] is not None:
        parsed, reason = parse_length(str(data["bleed"]))
        if reason or parsed is None or parsed > 20:
            fields.error(f"'bleed' {reason or 'must be between 0 and 20mm'}", "bleed")
        else:
            bleed = parsed
    marks = defaults.marks
    if (value := fields.text("marks")) is not None:
        words = set(value.split())
        if words == {"none"}:
            marks = frozenset()
        elif words and words <= {"crop", "cross"}:
            marks = frozenset(words)
        else:
            fields.error(f"'marks' must be crop, cross, \"crop cross\" or none, not '{value}'", "marks")
    binding = fields.choice("binding", ("saddle-stitch", "perfect-bound")) or defaults.binding
    cover = fields.choice("cover", ("self", "separate")) or ("separate" if binding == "perfect-bound" else "self")
    if cover == "self" and binding == "perfect-bound":
        fields.error("'cover' cannot be self for a perfect-bound issue, whose cover wraps the spine; "
                     "leave the key out, or write separate", "cover")
    return PrintSettings(
        trim_width=trim[0], trim_height=trim[1], bleed=bleed, marks=marks, binding=binding,
        recto=bool(fields.boolean("recto")),
        footnotes=fields.choice("footnotes", ("foot", "end")) or defaults.footnotes,
        standard=fields.choice("standard", ("pdf/x-4", "none")) or defaults.standard,
        output_intent=_output_intent(fields, root), ink_limit=_ink_limit(fields), paper=_paper(fields),
        cover=cover, lines=MappingProxyType(dict(data.key_lines)),
    )


def _output_intent(fields: Fields, root: Path) -> OutputIntent:
    """A built-in condition's name, or the printer's own profile with the name its condition is registered by."""
    value = fields.mapping.get("output_intent")
    line = fields.line("output_intent") if "output_intent" in fields.mapping else None
    if value is None:
        return OutputIntent(line=line)
    if not isinstance(value, LineDict):
        name = fields.text("output_intent")
        if name is not None and name.lower() not in BUILTIN:
            fields.error(f"'output_intent' must be one of {', '.join(BUILTIN)}, or a mapping with the printer's "
                         f"own profile (profile:, condition:), not '{name}'", "output_intent")
        return OutputIntent(builtin=name.lower() if name and name.lower() in BUILTIN else "fogra39", line=line)
    own = Fields(value, fields.path, fields.problems, OUTPUT_INTENT_KEYS, context="print: output_intent: ")
    file, identifier = own.text("profile", required=True), own.text("condition", required=True)
    registry = own.text("registry") or ("" if identifier in (None, "Custom") else ICC_REGISTRY)
    path = None
    if file is not None:
        path, reason = resolve_inside(root, file, root, url=False)
        if reason:
            own.error(f"'profile': {reason}", "profile")
        elif not is_file(path):
            own.error(f"'profile': file not found: {fields.problems.where(path)}", "profile")
            path = None
        else:
            try:
                problem = profile_problem(path.read_bytes())
            except OSError as error:
                problem = f"cannot be read ({error.strerror or error})"
            if problem:
                own.error(f"'profile' {file} {problem}; ask the printer for the ICC profile of the press condition",
                          "profile")
                path = None
    if path is None or identifier is None:
        return OutputIntent(line=line)  # the problems are said; the default keeps the rest of the issue checkable
    return OutputIntent(builtin=None, profile=path, identifier=identifier, registry=registry,
                        condition=own.text("description") or "", line=line)


def _ink_limit(fields: Fields) -> float | None:
    """'ink_limit: 300%' (or 300) -> 300.0; None leaves the output condition's own limit."""
    value = fields.mapping.get("ink_limit")
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*", str(value)) if not isinstance(value, bool) else None
    if match is None or not 100 <= float(match.group(1)) <= 400:
        fields.error(f"'ink_limit' must be a total ink coverage between 100% and 400%, such as 300%, not "
                     f"{describe(value)}", "ink_limit")
        return None
    return float(match.group(1))


def _paper(fields: Fields) -> float | None:
    """'paper: 0.1mm' (the caliper of one leaf) or 'paper: 444 ppi' (pages per inch) -> the caliper in mm."""
    value = fields.text("paper")
    if value is None:
        return None
    pages = re.fullmatch(r"(\d+(?:\.\d+)?)\s*ppi", value.lower())
    caliper, reason = (2 * 25.4 / float(pages.group(1)), None) if pages and float(pages.group(1)) else \
        parse_length(value)
    if reason or caliper is None or not 0.03 <= caliper <= 1.0:
        fields.error(f"'paper' must be the paper's caliper (the thickness of one leaf, between 0.03mm and 1mm, "
                     f"such as 0.1mm) or its pages per inch (such as 444 ppi), not '{value}'", "paper")
        return None
    return caliper


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
            fields = Fields(record, path, problems, CONTRIBUTOR_KEYS, context=f"contributor '{cid}': ")
            record_fields = {key: fields.text(key) for key in CONTRIBUTOR_KEYS if fields.text(key) is not None}
            email = record_fields.get("email")
            if email and not EMAIL.match(email):
                fields.error(f"'email' is not an email address: '{email}'", "email")
                record_fields.pop("email")
            url = record_fields.get("url")
            if url and (problem := web_address_problem(url, "url")):
                fields.error(problem, "url")
                record_fields.pop("url")
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


def load_issue(root: Path, issue_id: str, problems: Problems) -> Issue | None:
    """Read and validate one issue; problems go to `problems`, None if hopeless."""
    magazine = load_magazine(root, problems)
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
    fields = Fields(data, manifest, problems, ISSUE_KEYS)
    volume = fields.integer("volume", required=True)
    number = fields.integer("number", required=True)
    date = fields.date("date", required=True)
    language = fields.language("language") or magazine.language
    smarten = renderer_for(language).smarten
    title, editor, description = fields.text("title"), fields.text("editor"), fields.text("description")
    keywords = fields.text_list("keywords")
    contributors = dict(magazine.contributors)
    if (people := fields.mapping_of("contributors")) is not None:
        contributors = _contributors(people, manifest, problems, contributors)
    cover = _issue_file(fields, "cover", folder, root)
    editors_note = _issue_file(fields, "editors_note", folder, root)
    articles = _article_entries(fields, folder, root)
    for entry in articles:
        if editors_note is not None and entry.path == editors_note:
            problems.error(f"{entry.path.name} is the editor's note (editors_note:), which opens the issue by "
                           "itself; do not list it under articles too", manifest, entry.line)
    if volume is None or number is None or date is None:
        return None
    return Issue(
        id=issue_id, folder=folder, manifest=manifest, magazine=magazine,
        volume=volume, number=number, date=date,
        title=smarten(title) if title else default_title(date),
        editor=editor, language=language, cover=cover, editors_note=editors_note,
        articles=articles, contributors=MappingProxyType(contributors),
        description=smarten(description) if description else None, keywords=keywords,
        featured=tuple(k for k in (people or {}) if k in contributors),
        lines=MappingProxyType(dict(data.key_lines)),
    )


def _issue_file(fields: Fields, key: str, folder: Path, root: Path) -> Path | None:
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
        section = None
        if isinstance(item, LineDict):
            entry = Fields(item, fields.path, fields.problems, ARTICLE_ENTRY_KEYS, context="article: ")
            file, section = entry.text("file", required=True), entry.text("section")
            line = item.line_of("file")
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
        entries.append(ArticleEntry(path=path, section=section, line=line))
    return tuple(entries)
