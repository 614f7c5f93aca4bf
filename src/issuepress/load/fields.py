"""One YAML mapping -> typed values, each problem recorded with its file and line.

The manifest, magazine settings, contributor records and article front
matter all read their keys through `Fields`, so every one of them reports
unknown keys (with the nearest known key), wrong types and missing keys the
same way.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import Problems
from .keys import Key, Keys
from .yamlsource import LineDict, LineList

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
WEB_ADDRESS = re.compile(r"(?i)^https?://[^/\s?#]")
# What a web address cannot hold as it is (RFC 3986): the editions would carry an invalid link
NOT_IN_WEB_ADDRESS = re.compile(r"""[\s<>"`{}|\\^]""")


def web_address_problem(url: str, key: str, site: bool = False) -> str | None:
    """Why `url` cannot be used as a web address, or None. `site`: the magazine's own, to which each
    issue's folder is added, so it can have no ?query or #fragment."""
    if not WEB_ADDRESS.match(url):
        return f"'{key}' must start with http:// or https://, not '{url}'"
    bad = NOT_IN_WEB_ADDRESS.search(url)
    if bad:
        character = bad.group()
        if character.isspace():
            fix = "write a space as %20" if character == " " else "remove it"
            return f"'{key}' cannot hold a space or a line break: '{url}'; {fix}"
        return f"'{key}' cannot hold '{character}' as it is: '{url}'; write it as %{ord(character):02X}"
    after_host = re.sub(r"^[^:]+://[^/?#]*", "", url)  # an IPv6 host is written in brackets
    bracket = re.search(r"[\[\]]", after_host)
    if bracket:
        return (f"'{key}' cannot hold '{bracket.group()}' after its host: '{url}'; write it as "
                f"%{ord(bracket.group()):02X}")
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        return f"'{key}' has a '%' that starts no %XX code: '{url}'; write a percent sign as %25"
    if site and ("?" in url or "#" in url):
        return (f"'{key}' is the magazine's site, to which each issue's folder is added, so it cannot have a "
                f"?query or #fragment: '{url}'")
    return None

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false",
               LineDict: "a mapping of keys", LineList: "a list"}


def suggest(word: str, known: Iterable[str]) -> str:
    """' did you mean ...?' for a misspelt key, or the list of known keys."""
    known = sorted(known)
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; known keys: {', '.join(known)}"


def describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (LineDict, dict)):
        return "a mapping"
    if isinstance(value, (LineList, list)):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


class Fields:
    """Typed, line-aware access to one mapping of a YAML file."""

    def __init__(self, mapping: LineDict, path: Path, problems: Problems, known: Iterable[str], context: str = "",
                 foreign: str | None = None):
        """`foreign`: where the mapping may hold keys written for another system (an article's front matter from
        Jekyll, say): such a key is left out with a warning that says so, unless it is close to a known key,
        which is taken for a slip and is an error with its suggestion."""
        self.mapping = mapping
        self.path = path
        self.problems = problems
        self.context = context  # e.g. "in print: " to say which nested mapping
        known = set(known)
        for key in mapping:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.8)
            if foreign and not close:
                problems.warn(f"{context}'{key}' is not a key issuepress reads in {foreign}; it is left out of every "
                              "edition", path, mapping.line_of(key))
            else:
                self.error(f"unknown key '{key}'{suggest(str(key), known)}", key)

    def read(self, keys: Keys, readers: dict[str, Callable[["Fields", Key], Any]],
             check_required: bool = True) -> dict[str, Any]:
        """Every declared key that is set and valid, by the model's field name; `readers` read the kinds of
        value that are not one of the methods below (a trim size, the articles list...). Without
        `check_required`, a required key may be missing (a record merged over another that has it)."""
        values = {}
        for key in keys:
            required = key.required and check_required
            if key.kind in readers:
                value = readers[key.kind](self, key) if key.name in self.mapping or required else None
            elif key.kind == "choice":
                value = self.choice(key.name, key.choices)
            elif key.kind in ("text", "integer", "date"):
                value = getattr(self, key.kind)(key.name, required=required)
            elif key.kind == "list":
                value = self.text_list(key.name) or None
            else:
                value = getattr(self, key.kind)(key.name)
            if value is not None:
                values[key.field] = value
        return values

    def aliased(self, aliases: dict[str, str]) -> None:
        """Keys that other systems use for one of ours (`abstract` for `subtitle`) read as ours, where the mapping
        does not give ours itself; otherwise left out with a warning."""
        for alias, key in aliases.items():
            if alias not in self.mapping:
                continue
            if key in self.mapping:
                self.problems.warn(f"{self.context}'{alias}' is left out: '{key}' says it already", self.path,
                                   self.mapping.line_of(alias))
                continue
            self.mapping[key] = self.mapping[alias]
            self.mapping.key_lines[key] = self.mapping.line_of(alias)

    def line(self, key: str) -> int:
        return self.mapping.line_of(key)

    def error(self, message: str, key: str | None = None) -> None:
        line = self.mapping.line_of(key) if key is not None else self.mapping.line
        self.problems.error(f"{self.context}{message}", self.path, line)

    def _get(self, key: str, kind: type, required: bool) -> Any:
        if key not in self.mapping or self.mapping[key] is None:
            if required:
                where = "is empty" if key in self.mapping else "is missing"
                self.error(f"required key '{key}' {where}", key if key in self.mapping else None)
            return None
        value = self.mapping[key]
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # `title: 1984` is text to an editor
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            hint = ""
            if kind is str and isinstance(value, bool):
                hint = " (YAML reads a bare yes, no, on, off, true or false as true/false; put the value in quotes)"
            self.error(f"'{key}' must be {_TYPE_NAMES[kind]}, not {describe(value)}{hint}", key)
            return None
        return value

    def text(self, key: str, required: bool = False) -> str | None:
        value = self._get(key, str, required)
        if value is not None and not value.strip():
            if required:
                self.error(f"required key '{key}' is empty", key)
            return None
        return value.strip() if value is not None else None

    def integer(self, key: str, required: bool = False, minimum: int = 1) -> int | None:
        value = self._get(key, int, required)
        if value is not None and value < minimum:
            self.error(f"'{key}' must be {minimum} or more, not {value}", key)
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        return self._get(key, bool, False)

    def mapping_of(self, key: str, required: bool = False) -> LineDict | None:
        return self._get(key, LineDict, required)

    def sequence(self, key: str, required: bool = False) -> LineList | None:
        return self._get(key, LineList, required)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self._get(key, str, required)
        if value is None:
            return None
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError:
            self.error(f"'{key}' must be a real date written YYYY-MM-DD, not '{value}'", key)
            return None
        if date.year < 1000:  # a slip of the keyboard; and EPUB dates have four-digit years
            self.error(f"'{key}' {value.strip()} is before the year 1000; check the year", key)
            return None
        return date

    def language(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not LANGUAGE_TAG.match(value):
            self.error(f"'{key}' must be a language tag such as en, ur or pt-BR, not '{value}'", key)
            return None
        return value

    def choice(self, key: str, choices: Iterable[str]) -> str | None:
        value = self.text(key)
        choices = list(choices)
        if value is not None and value not in choices:
            self.error(f"'{key}' must be one of {', '.join(choices)}, not '{value}'", key)
            return None
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of texts; a single text is accepted as a list of one."""
        value = self.mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,) if value.strip() else ()
        if not isinstance(value, LineList):
            self.error(f"'{key}' must be a list, not {describe(value)}", key)
            return ()
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
                self.problems.error(f"{self.context}each entry of '{key}' must be text, not {describe(item)}",
                                    self.path, value.line_of(index))
            else:
                items.append(str(item).strip())
        return tuple(items)
