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

from .errors import Problems
from .fields import EMAIL, Fields, describe, web_address_problem
from .markdown import renderer_for
from .model import ArticleEntry, Contributor, DeliverySettings, Issue, Magazine, PrintSettings
from .printsizes import parse_length, parse_trim
from .sources import is_file, read_text, resolve_inside
from .yamlsource import LineDict, parse_yaml

MAGAZINE_KEYS = {"title", "publisher", "issn", "language", "url", "numbering", "print", "delivery"}
PRINT_KEYS = {"trim", "bleed", "marks", "binding", "recto", "footnotes"}
DELIVERY_KEYS = {"host", "port", "security", "user", "from", "reply_to", "password_env", "unsubscribe"}
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
    delivery_data = fields.mapping_of("delivery")
    return Magazine(
        root=root,
        title=fields.text("title") or "Untitled Magazine",
        publisher=fields.text("publisher"),
        issn=issn.upper() if issn else None,
        language=fields.language("language") or "en",
        url=(url.rstrip("/") + "/") if url else None,
        numbering=fields.choice("numbering", NUMBERING) or NUMBERING[0],
        print=_print_settings(print_data, path, problems) if print_data is not None else PrintSettings(),
        delivery=_delivery_settings(delivery_data, path, problems, fields.line("delivery"))
        if delivery_data is not None else DeliverySettings(),
        contributors=contributors,
    )


def _print_settings(data: LineDict, path: Path, problems: Problems) -> PrintSettings:
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
    return PrintSettings(
        trim_width=trim[0], trim_height=trim[1], bleed=bleed, marks=marks,
        binding=fields.choice("binding", ("saddle-stitch", "perfect-bound")) or defaults.binding,
        recto=bool(fields.boolean("recto")),
        footnotes=fields.choice("footnotes", ("foot", "end")) or defaults.footnotes,
    )


def _delivery_settings(data: LineDict, path: Path, problems: Problems, line: int) -> DeliverySettings:
    if "password" in data:  # said before Fields calls it an unknown key: the point is where a password goes
        problems.error("a password is never kept in a file of the magazine folder; remove it and put it in the "
                       "environment variable named by 'password_env' (default ISSUEPRESS_SMTP_PASSWORD)",
                       path, data.line_of("password"))
    fields = Fields(data, path, problems, DELIVERY_KEYS | {"password"}, context="delivery: ")
    port = fields.integer("port")
    if port is not None and port > 65535:
        fields.error(f"'port' must be at most 65535, not {port}", "port")
        port = None
    addresses = {}
    for key in ("from", "reply_to"):
        value = fields.text(key)
        if value is not None and not EMAIL.match(parseaddr(value)[1]):
            fields.error(f"'{key}' must be an e-mail address, or a name and one: Name <name@example.org>", key)
            value = None
        addresses[key] = value
    unsubscribe = fields.text("unsubscribe")
    if unsubscribe is not None:
        filled = unsubscribe.replace("{id}", "x").replace("{email}", "x")
        problem = web_address_problem(filled, "unsubscribe")
        if problem or not filled.lower().startswith("https://"):
            fields.error(problem or f"'unsubscribe' must be an https:// address (RFC 8058), not '{unsubscribe}'",
                         "unsubscribe")
            unsubscribe = None
    variable = fields.text("password_env")
    if variable is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        fields.error(f"'password_env' is the name of an environment variable (such as SMTP_PASSWORD), not "
                     "something else; never the password itself", "password_env")
        variable = None
    return DeliverySettings(
        host=fields.text("host"), port=port, security=fields.choice("security", ("starttls", "tls", "none"))
        or "starttls", user=fields.text("user"), sender=addresses["from"], reply_to=addresses["reply_to"],
        password_env=variable or DeliverySettings.password_env, unsubscribe=unsubscribe, line=line)


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
