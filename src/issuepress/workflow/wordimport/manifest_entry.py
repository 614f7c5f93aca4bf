"""issue.yaml's text and a new article -> the same text with the article added at the end of `articles:`.

The manifest is the editor's file, with their comments, order and spacing,
so the entry is inserted as text, in the style of the entries already
there (`- articles/x.md` or `- file: ... / section: ...`, block or flow),
and nothing else changes. YAML's own parser says where the list ends; the
result is parsed again and compared with the old manifest before anything
is written, so a manifest this code misreads is refused, not damaged.
"""

from __future__ import annotations

import yaml

from ...errors import IssueError, Problem
from .render import yaml_scalar


def listed(data: dict | None, file: str) -> dict | str | None:
    """The manifest's entry for `file`, if it lists it."""
    for item in (data or {}).get("articles") or []:
        entry = item.get("file") if isinstance(item, dict) else item
        if isinstance(entry, str) and entry.strip().removeprefix("./") == file:
            return item
    return None


def _entry_lines(file: str, section: str | None, dash_column: int, mapping_style: bool) -> list[str]:
    pad = " " * dash_column
    if section is None and not mapping_style:
        return [f"{pad}- {file}"]
    lines = [f"{pad}- file: {file}"]
    if section is not None:
        lines.append(f"{pad}  section: {yaml_scalar(section)}")
    return lines


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based) holding a value of the node: a block mapping's end mark lies past comments."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark.line - (node.end_mark.column == 0 and node.end_mark.line > node.start_mark.line)
    children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) \
        else node.value
    return max((_last_line(child) for child in children), default=node.start_mark.line)


def add_entry(text: str, file: str, section: str | None, shown: str) -> str:
    """`text` with the entry added; IssueError (naming the manifest) if it cannot be added safely."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise IssueError([Problem("is not a mapping of keys; fix it (issuepress check) before importing", shown)])
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    pairs = {key.value: (key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    if "articles" not in pairs:
        new = "\n".join([*lines, "articles:", *_entry_lines(file, section, 2, section is not None)]) + "\n"
    else:
        key, value = pairs["articles"]
        if isinstance(value, yaml.SequenceNode) and value.flow_style:
            new = _add_to_flow(text, value, file, section)
        elif isinstance(value, yaml.SequenceNode) and value.value:
            last = value.value[-1]
            mapping_style = isinstance(last, yaml.MappingNode)
            after = _last_line(value)
            entry = _entry_lines(file, section, value.start_mark.column, mapping_style)
            new = "\n".join([*lines[:after + 1], *entry, *lines[after + 1:]]) + "\n"
        elif isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null") and \
                value.start_mark.line == key.start_mark.line:
            new = _add_to_empty(lines, key, value, file, section)
        else:
            raise IssueError([Problem(f"its 'articles' is written in a way the import cannot add to; add "
                                      f"`- {file}` to it yourself", shown, key.start_mark.line + 1)])
    _check(text, new, file, section, shown)
    return new


def _add_to_flow(text: str, value: yaml.SequenceNode, file: str, section: str | None) -> str:
    closing = value.end_mark.index - 1  # the ']'
    entry = f"{{file: {file}, section: {yaml_scalar(section)}}}" if section is not None else file
    return text[:closing].rstrip() + (", " if value.value else "") + entry + text[closing:]


def _add_to_empty(lines: list[str], key: yaml.Node, value: yaml.ScalarNode, file: str, section: str | None) -> str:
    """`articles:` with nothing under it but comments (the template `issuepress new` writes): the entry goes
    after the comments, at their indentation."""
    at = key.start_mark.line
    head = lines[at].split("#", 1)[0]
    if value.value:  # articles: ~
        lines[at] = head.rstrip().removesuffix(value.value).rstrip() + lines[at][len(head.rstrip()):]
    after, indent = at, 2
    while after + 1 < len(lines) and lines[after + 1].startswith((" ", "\t")) and \
            lines[after + 1].lstrip().startswith("#"):
        after += 1
        indent = len(lines[after]) - len(lines[after].lstrip())
    entry = _entry_lines(file, section, indent, section is not None)
    return "\n".join([*lines[:after + 1], *entry, *lines[after + 1:]]) + "\n"


def _check(old: str, new: str, file: str, section: str | None, shown: str) -> None:
    """The new manifest must read as the old one with one more article, and nothing else changed."""
    try:
        before, after = yaml.safe_load(old) or {}, yaml.safe_load(new) or {}
    except yaml.YAMLError:
        after = None
    expected = {"file": file, "section": section} if section is not None else file
    entries = (after or {}).get("articles") or []
    last = entries[-1] if entries else None
    if isinstance(last, dict) and section is None and set(last) == {"file"}:
        last = last["file"]
    same_rest = after is not None and {k: v for k, v in before.items() if k != "articles"} == \
        {k: v for k, v in after.items() if k != "articles"}
    if not same_rest or last != expected or list(entries[:-1]) != list(before.get("articles") or []):
        raise IssueError([Problem(f"the import could not add {file} to its articles list without changing "
                                  f"something else; add `- {file}` to it yourself", shown)])
