"""A key's value as written in magazine.yaml -> its typed value, or a problem at its line: the kinds of value
beyond text, numbers and choices (a trim size, a bleed, an ISSN, an output intent...), and the nested mappings
(print:, delivery:) read by their own declared keys. `READERS` is what `Fields.read` looks kinds up in.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from types import MappingProxyType

from ..editions.pdf.press.conditions import BUILTIN, ICC_REGISTRY, profile_problem
from ..model import DeliverySettings, OutputIntent, PrintSettings
from .fields import EMAIL, Fields, describe, web_address_problem
from .keys import DELIVERY, OUTPUT_INTENT, PRINT, Key
from .printsizes import parse_length, parse_trim
from .sources import is_file, resolve_inside
from .yamlsource import LineDict


def issn_is_valid(issn: str) -> bool:
    """ISSN check digit (ISO 3297): weights 8..2, mod 11, 10 written as X."""
    match = re.fullmatch(r"(\d{4})-?(\d{3})([\dX])", issn.upper())
    if not match:
        return False
    digits = match.group(1) + match.group(2)
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return match.group(3) == ("X" if check == 10 else str(check))


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
    settings = Fields(data, fields.path, fields.problems, PRINT.names, context="print: ")
    values = settings.read(PRINT, READERS)
    binding = values.get("binding", PRINT["binding"].default)
    if binding == "perfect-bound" and values.get("cover") == "self":
        settings.error("'cover' cannot be self for a perfect-bound issue, whose cover wraps the spine; leave the key "
                       "out, or write separate", "cover")
    if binding == "perfect-bound":
        values["cover"] = "separate"
    return PrintSettings(**values, lines=MappingProxyType(dict(data.key_lines)))


def _output_intent(fields: Fields, key: Key) -> OutputIntent | None:
    """A built-in condition's name, or the printer's own profile with the name its condition is registered by."""
    value, line = fields.mapping.get(key.name), fields.line(key.name)
    if value is None:
        return None
    if not isinstance(value, LineDict):
        name = (fields.text(key.name) or "").lower()
        if name not in BUILTIN:
            fields.error(f"'{key.name}' must be one of {', '.join(BUILTIN)}, or a mapping with the printer's own "
                         f"profile (profile:, condition:), not '{fields.text(key.name)}'", key.name)
        return OutputIntent(builtin=name if name in BUILTIN else "fogra39", line=line)
    root = fields.path.parent  # magazine.yaml's folder: the magazine's
    own = Fields(value, fields.path, fields.problems, OUTPUT_INTENT.names, context=f"print: {key.name}: ")
    values = own.read(OUTPUT_INTENT, {"path": lambda own, key: _profile(own, key, root)})
    if "profile" not in values or "identifier" not in values:
        return OutputIntent(line=line)  # the problems are said; the default keeps the rest of the issue checkable
    values.setdefault("registry", "" if values["identifier"] == "Custom" else ICC_REGISTRY)
    return OutputIntent(builtin=None, line=line, **values)


def _profile(fields: Fields, key: Key, root: Path) -> Path | None:
    file = fields.text(key.name, required=True)
    if file is None:
        return None
    path, reason = resolve_inside(root, file, root, url=False)
    if reason or not is_file(path):
        fields.error(f"'{key.name}': {reason or f'file not found: {fields.problems.where(path)}'}", key.name)
        return None
    try:
        problem = profile_problem(path.read_bytes())
    except OSError as error:
        problem = f"cannot be read ({error.strerror or error})"
    if problem:
        fields.error(f"'{key.name}' {file} {problem}; ask the printer for the ICC profile of the press condition",
                     key.name)
        return None
    return path


def _ink_limit(fields: Fields, key: Key) -> float | None:
    """'ink_limit: 300%' (or 300) -> 300.0; None leaves the output condition's own limit."""
    value = fields.mapping.get(key.name)
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*", str(value)) if not isinstance(value, bool) else None
    if match is None or not 100 <= float(match.group(1)) <= 400:
        fields.error(f"'{key.name}' must be a total ink coverage between 100% and 400%, such as 300%, not "
                     f"{describe(value)}", key.name)
        return None
    return float(match.group(1))


def _paper(fields: Fields, key: Key) -> float | None:
    """'paper: 0.1mm' (the caliper of one leaf) or 'paper: 444 ppi' (pages per inch) -> the caliper in mm."""
    value = fields.text(key.name)
    if value is None:
        return None
    pages = re.fullmatch(r"(\d+(?:\.\d+)?)\s*ppi", value.lower())
    caliper, reason = (2 * 25.4 / float(pages.group(1)), None) if pages and float(pages.group(1)) else \
        parse_length(value)
    if reason or caliper is None or not 0.03 <= caliper <= 1.0:
        fields.error(f"'{key.name}' must be the paper's caliper (the thickness of one leaf, between 0.03mm and 1mm, "
                     f"such as 0.1mm) or its pages per inch (such as 444 ppi), not '{value}'", key.name)
        return None
    return caliper


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
# issue's paths, articles and contributors need the folder, and are read in `load_issue`.
READERS = {"issn": _issn, "site_url": _site_url, "url": _web_address, "print": _print_settings, "trim": _trim,
           "bleed": _bleed, "marks": _marks, "email": _email, "delivery": _delivery_settings, "port": _port,
           "address": _address, "unsubscribe": _unsubscribe, "variable": _variable,
           "output_intent": _output_intent, "ink_limit": _ink_limit, "paper": _paper, "photo": _photo}
