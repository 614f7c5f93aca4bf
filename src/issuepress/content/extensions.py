"""Markdown as technical authors write it -> markdown-it rules: pandoc's fenced divs, kramdown's attribute lists,
attributes after images and links, definition lists, sub- and superscripts, dollar math.

Most come from mdit-py-plugins. Two are written here because no plugin reads them as the lessons that use them
mean them: pandoc's fenced divs (`::: callout` ... `:::`), which nest by matching each closing fence with the
innermost open div, as pandoc does (markdown-it-container needs longer fences outside), and kramdown's block
attribute lists (`{: .challenge}` on the line after a block: to that block, and, as a lazy continuation of a
quotation, to the quotations around it, as kramdown reads it).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

FENCE = re.compile(r"^(:{3,})\s*(.*?)\s*$")
IAL = re.compile(r"^\{:\s*([^}]*)\}\s*$")  # kramdown's block attribute list, alone on its line
ATTRIBUTE = re.compile(r"""([.#])([\w-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
# Quotations the lessons mark as boxes ("> ## Challenge ... {: .challenge}"): a <div>, not a quotation
BOXES = frozenset({"callout", "challenge", "solution", "objectives", "questions", "keypoints", "prereq",
                   "discussion", "testimonial", "checklist", "spoiler", "caution", "instructor", "hint",
                   "note", "warning", "tip", "important", "exercise", "example"})


def use(md: MarkdownIt) -> None:
    """Every extension, in the order their rules must run."""
    md.block.ruler.before("fence", "fenced_div", fenced_div, {"alt": ["paragraph", "reference", "blockquote",
                                                                       "list"]})
    md.add_render_rule("fenced_div_open", _render_div)
    md.add_render_rule("fenced_div_close", lambda self, tokens, idx, options, env: "</div>\n")
    md.use(attrs_plugin, after=("image", "code_inline", "link_close"))
    md.use(attrs_block_plugin)
    # before the attrs plugin's block rule, which would take `{% include links.md %}` for attributes and drop it
    md.block.ruler.before("attr", "liquid_tag", liquid_tag)
    md.use(deflist_plugin)
    md.use(sub_plugin)
    md.use(superscript_plugin)
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
    md.core.ruler.after("block", "issuepress_attribute_lists", attribute_lists)
    md.core.ruler.after("issuepress_attribute_lists", "issuepress_leftover_syntax", leftover_syntax)
    md.core.ruler.after("inline", "issuepress_trailing_attributes", trailing_attributes)


def fenced_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`::: name` (or `::: {.name #id}`) opens a div, a line of three or more colons alone closes the innermost."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = FENCE.match(state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]])
    if opening is None or not opening.group(2):
        return False
    if silent:
        return True
    depth, line = 0, start
    while True:
        line += 1
        if line >= end:
            break  # never closed: the div runs to the end of its container, as pandoc reads it
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        if state.sCount[line] < state.blkIndent and text:
            break
        fence = FENCE.match(text) if state.sCount[line] - state.blkIndent < 4 else None
        if fence and fence.group(2):
            depth += 1
        elif fence and depth:
            depth -= 1
        elif fence:
            break
    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "container", line
    token = state.push("fenced_div_open", "div", 1)
    token.markup, token.info, token.block, token.map = opening.group(1), opening.group(2), True, [start, line]
    for name, value in div_attributes(opening.group(2)):
        token.attrJoin(name, value) if name == "class" else token.attrSet(name, value)
    state.md.block.tokenize(state, start + 1, line)
    token = state.push("fenced_div_close", "div", -1)
    token.markup, token.block = opening.group(1), True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = min(line + 1, end)
    return True


def div_attributes(info: str) -> list[tuple[str, str]]:
    """`callout` or `{.callout #id title="A"}` -> [("class", "callout"), ("id", "id"), ("title", "A")]."""
    info = info.strip()
    if not info.startswith("{"):
        return [("class", word) for word in info.split()[:1]]
    return list(parse_attributes(info.strip("{}")))


def parse_attributes(text: str):
    for found in ATTRIBUTE.finditer(text):
        kind, name, key = found.group(1), found.group(2), found.group(3)
        if kind == ".":
            yield "class", name
        elif kind == "#":
            yield "id", name
        elif key:
            yield key, next(group for group in found.groups()[3:] if group is not None)


# The words a box without a heading of its own is introduced by (the lessons' objectives, key points...)
LABELS = {"objectives": "Objectives", "questions": "Questions", "keypoints": "Key points",
          "prereq": "Prerequisites", "instructor": "Instructor note", "solution": "Solution",
          "discussion": "Discussion", "checklist": "Checklist", "spoiler": "Spoiler", "caution": "Caution",
          "warning": "Warning", "note": "Note", "tip": "Tip", "important": "Important", "hint": "Hint",
          "exercise": "Exercise", "example": "Example", "testimonial": "Testimonial", "challenge": "Challenge",
          "callout": "Note"}


def _render_div(self, tokens: list[Token], idx: int, options, env) -> str:
    opening = f"<div{self.renderAttrs(tokens[idx])}>\n"
    following = tokens[idx + 1] if idx + 1 < len(tokens) else None
    label = next((LABELS[name] for name in (tokens[idx].attrGet("class") or "").split() if name in LABELS), None)
    if label is None or (following is not None and following.type == "heading_open"):
        return opening
    english = "" if env.get("language", "en").split("-")[0] == "en" else ' lang="en" dir="ltr"'
    return f'{opening}<p class="box-label"{english}>{label}</p>\n'



def attribute_lists(state: StateCore) -> None:
    """Kramdown's attribute lists (`{: .output}`), each on a line after the block it is for. Markdown reads such a
    line as part of a paragraph (alone, before the text after it, or as a lazy continuation of the one before);
    kramdown reads it as ending the blocks whose `>` it does not repeat. So a list on a line with as many `>` as
    its paragraph's quotation depth is for the block before it, or (after text) for that paragraph; with fewer,
    for the quotation the line leaves. A quotation given a box's class (challenge, callout...) becomes that box."""
    tokens, lines = state.tokens, state.src.split("\n")
    _table_row_lists(tokens)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "inline" or not index or tokens[index - 1].type != "paragraph_open" or token.map is None:
            index += 1
            continue
        content = token.content.split("\n")
        lead = 0
        while lead < len(content) and IAL.match(content[lead]):
            lead += 1
        trail = len(content)
        while trail > lead and IAL.match(content[trail - 1]):
            trail -= 1
        if lead == 0 and trail == len(content):
            index += 1
            continue
        opening = index - 1
        quotes = _quotations_around(tokens, opening)
        for offset in [*range(lead), *range(trail, len(content))]:
            source = lines[token.map[0] + offset] if token.map[0] + offset < len(lines) else ""
            leaves = len(quotes) - min(len(quotes), re.match(r"^[ >]*", source).group(0).count(">"))
            target = quotes[len(quotes) - leaves] if leaves else (
                _block_before(tokens, opening) if offset < lead else opening)
            if target is None:
                state.env.setdefault("unplaced_attributes", []).append((content[offset], token.map[0] + offset))
            else:
                _give(tokens, target, IAL.match(content[offset]).group(1))
        if lead == len(content):
            del tokens[opening:opening + 3]
            index = opening
            continue
        token.content = "\n".join(content[lead:trail])
        for moved in (tokens[opening], token):  # the paragraph now starts after the lists it began with
            moved.map = [moved.map[0] + lead, moved.map[1]]
        index += 1


def _table_row_lists(tokens: list[Token]) -> None:
    """A list on the line right after a table, which a GFM table takes for one more row (a row needs no pipe):
    the row goes, and the list is the table's."""
    index = 0
    while index < len(tokens):
        if tokens[index].type != "tr_open":
            index += 1
            continue
        closing = _closing(tokens, index)
        cells = [token.content.strip() for token in tokens[index:closing] if token.type == "inline"]
        found = IAL.match(cells[0]) if cells and not any(cells[1:]) else None
        table = next((before for before in range(index, -1, -1) if tokens[before].type == "table_open"), None)
        if found is None or table is None:
            index = closing + 1
            continue
        del tokens[index:closing + 1]
        _give(tokens, table, found.group(1))
        if tokens[index - 1].type == "tbody_open" and tokens[index].type == "tbody_close":
            del tokens[index - 1:index + 1]  # the list was the only row of the body


def _quotations_around(tokens: list[Token], index: int) -> list[int]:
    """The openings of the quotations that hold tokens[index], outermost first."""
    found, level = [], tokens[index].level
    for before in range(index - 1, -1, -1):
        if tokens[before].level < level and tokens[before].nesting == 1:
            level = tokens[before].level
            if tokens[before].type == "blockquote_open":
                found.append(before)
    return found[::-1]


def _block_before(tokens: list[Token], index: int) -> int | None:
    """The opening (or only) token of the block just before tokens[index], at the same level, if any."""
    level = tokens[index].level
    for before in range(index - 1, -1, -1):
        token = tokens[before]
        if token.level < level:
            return None  # the paragraph is the first thing in its container
        if token.level == level and token.nesting in (0, 1) and token.block:
            return before
    return None


def _give(tokens: list[Token], index: int, attributes: str) -> None:
    token = tokens[index]
    for name, value in parse_attributes(attributes):
        if name == "class":
            token.attrJoin("class", value)
        else:
            token.attrSet(name, value)
    classes = set((token.attrGet("class") or "").split())
    if token.type == "blockquote_open" and classes & BOXES:
        closing = _closing(tokens, index)
        token.type, token.tag = "fenced_div_open", "div"
        tokens[closing].type, tokens[closing].tag = "fenced_div_close", "div"


def _closing(tokens: list[Token], index: int) -> int:
    depth = 0
    for after in range(index, len(tokens)):
        depth += tokens[after].nesting
        if depth == 0:
            return after
    return len(tokens) - 1


FENCE_ALONE = re.compile(r"^:{3,}\s*(\S*)\s*$")
ATTRIBUTES_ALONE = re.compile(r"^\{[:.#]?[^}]*\}\s*$")
LIQUID_ALONE = re.compile(r"^\s*\{%.*%\}\s*$")  # a Jekyll template tag: `{% include links.md %}` ends many lessons
TRAILING_ATTRIBUTES = re.compile(r"^\{((?:\s*(?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+)))+)\s*\}")


def liquid_tag(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line that is only a Jekyll template tag: left out, and said at its line (`env["leftovers"]`)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
    if not LIQUID_ALONE.match(line):
        return False
    if not silent:
        state.env.setdefault("liquid", []).append((line, start))
        state.line = start + 1
    return True


def leftover_syntax(state: StateCore) -> None:
    """Lines of extension syntax nothing took (a ::: that closes no div, an attribute list with no block to go
    to) leave their paragraph, and are said at their line (`env["leftovers"]`): never printed as written."""
    said = state.env.setdefault("leftovers", [])
    said.extend(state.env.pop("unplaced_attributes", []))
    said.extend(state.env.pop("liquid", []))
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or token.map is None or not index or tokens[index - 1].type != "paragraph_open":
            continue
        lines = token.content.split("\n")
        kept = [line for line in lines
                if not (FENCE_ALONE.match(line) or ATTRIBUTES_ALONE.match(line) or LIQUID_ALONE.match(line))]
        if len(kept) != len(lines):
            said.extend((line, token.map[0] + offset) for offset, line in enumerate(lines) if line not in kept)
            token.content = "\n".join(kept)


def trailing_attributes(state: StateCore) -> None:
    """`{alt='...'}` after an image, with single quotes (pandoc's way too), which the attrs plugin leaves as text:
    the attributes go to the image, and the text goes."""
    for token in state.tokens:
        children = token.children or []
        for index in range(1, len(children)):
            before, text = children[index - 1], children[index]
            if before.type not in ("image", "link_close", "code_inline") or text.type != "text":
                continue
            found = TRAILING_ATTRIBUTES.match(text.content)
            if found is None:
                continue
            target = before if before.type != "link_close" else _link_open(children, index - 1)
            for name, value in parse_attributes(found.group(1)):
                value = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value)  # Markdown's backslash escapes
                target.attrJoin("class", value) if name == "class" else target.attrSet(name, value)
            text.content = text.content[found.end():]


def _link_open(children: list[Token], index: int) -> Token:
    depth = 0
    for before in range(index, -1, -1):
        depth += {"link_close": 1, "link_open": -1}.get(children[before].type, 0)
        if depth == 0:
            return children[before]
    return children[index]
