"""YAML text -> plain dicts and lists that remember the line of every key and item.

Validation messages need `path:line`, so mappings come back as `LineDict`
(with `key_lines`) and sequences as `LineList` (with `item_lines`). Dates stay
strings so that an impossible date is reported by the validator with its line,
instead of PyYAML raising from deep inside the parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import Problems


class LineDict(dict):
    """A mapping that knows the line of itself, of each key and of each value."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the line of itself and of each item."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records lines, keeps dates as text and spots duplicate keys."""

    def __init__(self, stream: str, line_offset: int):
        super().__init__(stream)
        self.line_offset = line_offset
        self.duplicates: list[tuple[Any, int]] = []

    def node_line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.line_offset


# Without the timestamp resolver, `date: 2024-02-30` stays the string the
# editor typed and the validator can say which line holds the impossible date.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = loader.node_line(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            key = str(key)
        if key in mapping:
            loader.duplicates.append((key, loader.node_line(key_node)))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = loader.node_line(key_node)
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList()
    sequence.line = loader.node_line(node)
    for item_node in node.value:
        sequence.append(loader.construct_object(item_node, deep=True))
        sequence.item_lines.append(loader.node_line(item_node))
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# PyYAML's wording, and what an editor should do about it.
_HINTS = (
    ("expected <block end>", "the indentation is inconsistent; line items up under their key"),
    ("found character '\\t'", "a tab is where YAML takes only spaces (to indent, or after a ':'); use spaces"),
    ("mapping values are not allowed", "a value contains ': '; put the value in quotes"),
    ("end of stream", "a quote or bracket is never closed"),
    ("could not find expected ':'", "a line is missing its ':' or a quote is never closed"),
    ("found undefined alias", "'*' starts a YAML alias; put the value in quotes"),
    ("found character '@'", "a value cannot start with '@' or '`'; put the value in quotes"),
)


def _explain(error: yaml.MarkedYAMLError) -> str:
    reason = error.problem or error.context or "the file cannot be read"
    for pattern, hint in _HINTS:
        if pattern in reason:
            return f"{hint} ({reason})"
    return reason


def _error_line(error: yaml.MarkedYAMLError, line_offset: int) -> int | None:
    # An unclosed quote is only noticed at the end of the file; the line where it opened helps more.
    mark = error.problem_mark or error.context_mark
    if error.context_mark and "end of stream" in (error.problem or ""):
        mark = error.context_mark
    return mark.line + 1 + line_offset if mark else None


def parse_yaml(text: str, path: Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse YAML text; on a syntax error, record it with its line and return None."""
    try:
        loader = _LineLoader(text, line_offset)  # the reader rejects control characters right here
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1 + line_offset
        problems.error(f"contains a control character (code {error.character:#x}) that YAML does not allow; "
                       "delete it", path, line)
        return None
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        problems.error(f"YAML syntax error: {_explain(error)}", path, _error_line(error, line_offset))
        return None
    except yaml.YAMLError as error:
        problems.error(f"YAML syntax error: {error}", path)
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        problems.error(f"key '{key}' appears twice; keep only one", path, line)
    return data
