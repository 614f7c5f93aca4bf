"""An article's tree, title and front matter -> the Markdown file's text, and the line of each finding in it.

pandoc writes the Markdown twice, at the same time: once as it is saved,
and once with a marker at the end of each block a finding is about, to
learn that block's line. (One write with the markers taken out afterwards
would leave a pipe table's columns out of line.) Title and subtitle are written in the same
run, as paragraphs ahead of the text, so their emphasis is Markdown too.
"""

from __future__ import annotations

import json
import re

import yaml

from .body import NUMBER, Article, Finding, strip_private_keys
from .pandoc import block_lists, inlines_of, node, write_markdown

SEPARATOR = "\ue003"
LINE_MARK = re.compile("\ue001(\\d+)\ue002")


def yaml_scalar(value: str) -> str:
    """A value written so that YAML reads it back as this text (quoted where it must be)."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _first_with_text(block: dict) -> dict | None:
    if inlines_of(block) is not None:
        return block
    for block_list in block_lists(block.get("c")):
        for inner in block_list:
            if inlines_of(inner) is not None:
                return inner
    return None


def _document(article: Article, tree: dict) -> dict:
    blocks = [node("Para", article.title), node("Plain", [node("Str", SEPARATOR)]),
              node("Para", article.subtitle), node("Plain", [node("Str", SEPARATOR)]), *tree["blocks"]]
    return {**tree, "meta": {}, "blocks": blocks}


def _split(markdown: str) -> tuple[str, str, str]:
    parts = re.split(rf"(?m)^{SEPARATOR}$", markdown, maxsplit=2)
    title, subtitle, body = (part.strip("\n") for part in parts)
    return " ".join(title.split()), " ".join(subtitle.split()), body


def render(article: Article, front: list[str], shown: str) -> tuple[str, list[tuple[int | None, Finding]]]:
    """The file's text (front matter then body), and each finding with its line (None: the whole file)."""
    placed = {id(block) for block_list in block_lists(article.tree) for block in block_list}
    numbered = {}  # a paragraph's number -> its block now (a finding may name a block since replaced)
    for block_list in block_lists(article.tree):
        for block in block_list:
            numbered.setdefault(block.get(NUMBER), block)
    strip_private_keys(article.tree)
    clean = json.dumps(_document(article, article.tree))
    marks = []
    for index, finding in enumerate(article.findings):
        block = finding.block
        if block is not None and id(block) not in placed:
            block = numbered.get(block.get(NUMBER))
        target = _first_with_text(block) if block is not None else None
        if target is not None:
            marks.append((inlines_of(target), node("Str", f"\ue001{index}\ue002")))
            marks[-1][0].append(marks[-1][1])
    marked = json.dumps(_document(article, article.tree))
    for inlines, mark in marks:
        inlines.remove(mark)
    (title, subtitle, body), (_title, _subtitle, marked_body) = (_split(text) for text in write_markdown(
        [clean, marked], shown))
    comments = [line for line in front if line.startswith("#")]
    lines = ["---", *comments, f"title: {yaml_scalar(title)}"]
    if subtitle:
        lines.append(f"subtitle: {yaml_scalar(subtitle)}")
    lines += [*(line for line in front if not line.startswith("#")), "---", "", ""]
    offset = len(lines) - 1  # the body starts on the last of these lines
    found_lines: dict[int, int] = {}
    for number, line in enumerate(marked_body.split("\n")):
        for mark in LINE_MARK.findall(line):
            found_lines[int(mark)] = offset + number + 1
    text = "\n".join(lines) + body.strip("\n") + "\n"
    return text, [(found_lines.get(index), finding) for index, finding in enumerate(article.findings)]
