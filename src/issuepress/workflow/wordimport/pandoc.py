"""A prepared .docx or .odt -> pandoc's document tree (JSON), and a tree -> Markdown; with helpers for the tree.

pandoc is the converter (pypandoc-binary ships its binary): it reads Word's
and LibreOffice's styles, lists, tables, notes, links and pictures, accepts
or rejects Word's tracked changes, and writes GitHub-flavoured Markdown,
which is what issuepress reads (CommonMark, pipe tables, `[^1]` notes,
strikethrough), with raw HTML only for what Markdown lacks (`<span lang>`).
Every run has a time limit, and a file pandoc cannot read is a problem
named after the file, not a traceback.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from ...errors import IssueError, Problem

TIMEOUT = 120  # seconds; a 10,000-word file takes well under one
INLINE_TYPES = {"Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Underline", "Strikeout", "Superscript",
                "Subscript", "SmallCaps", "Quoted", "Cite", "Code", "Math", "RawInline", "Link", "Image", "Note",
                "Span"}
BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList", "BulletList",
               "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}
# gfm, with every extension issuepress's Markdown reads and none it does not
MARKDOWN = "gfm-yaml_metadata_block"


@lru_cache(maxsize=1)
def pandoc_binary() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as error:
        raise IssueError(f"pandoc, which reads Word and LibreOffice files, is missing ({error}); reinstall "
                         "issuepress (it comes with the pypandoc-binary package)") from None


def _run(arguments: list[str], data: bytes, shown: str) -> bytes:
    try:
        result = subprocess.run([pandoc_binary(), *arguments], input=data, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise IssueError([Problem(f"could not be converted in {TIMEOUT} seconds; is it a very large file? Save "
                                  "it again from the word processor, or split it", shown)]) from None
    if result.returncode != 0:
        message = " ".join(result.stderr.decode("utf-8", "replace").split())[:300]
        raise IssueError([Problem(f"cannot be read as a document ({message}); open it in a word processor and "
                                  "save it again", shown)])
    return result.stdout


def read_tree(prepared: bytes, kind: str, reject: bool, shown: str) -> dict:
    """pandoc's tree of the prepared file. Word's tracked changes are accepted (or rejected) by pandoc;
    an .odt arrives with them already settled."""
    arguments = ["--from", kind, "--to", "json"]
    if kind == "docx":
        arguments.append(f"--track-changes={'reject' if reject else 'accept'}")
    return json.loads(_run(arguments, prepared, shown))


def write_markdown(trees: list[str], shown: str) -> list[str]:
    """Each tree (as JSON) written as Markdown, the runs side by side."""
    arguments = ["--from", "json", "--to", MARKDOWN, "--wrap=none"]
    with ThreadPoolExecutor(max_workers=len(trees)) as pool:
        written = list(pool.map(lambda tree: _run(arguments, tree.encode("utf-8"), shown), trees))
    return [text.decode("utf-8") for text in written]


# -- the tree ------------------------------------------------------------------------------------------------


def node(kind: str, content=None) -> dict:
    return {"t": kind} if content is None else {"t": kind, "c": content}


def attributes(element: dict) -> list | None:
    """The [id, classes, key-values] of a Span, Div, Link, Image, Header, Figure or Table."""
    kind, content = element["t"], element.get("c")
    if kind in ("Span", "Div", "Link", "Image", "Figure", "Table", "CodeBlock", "Code"):
        return content[0]
    if kind == "Header":
        return content[1]
    return None


LEAVES = {"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline", "RawBlock", "CodeBlock",
          "HorizontalRule"}  # nothing inside them holds elements


def _lists(value, types: set[str], notes: bool = True) -> list[list]:
    """Every list of elements of `types` inside `value`, outermost first, in reading order (a list made before
    the caller changes the tree: lists the caller adds are not in it)."""
    found: list[list] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is list:
            # pandoc's lists hold one kind of thing: elements, or attributes, cells, rows...
            if item and type(item[0]) is dict and item[0].get("t") in types:
                found.append(item)
            stack.extend([child for child in reversed(item) if type(child) is list or
                          (type(child) is dict and child.get("t") not in LEAVES)])
        elif type(item) is dict:
            kind = item.get("t")
            if kind == "Note" and not notes:
                continue
            if kind is None and "blocks" not in item:  # meta: a mapping of names to values
                stack.extend(reversed(list(item.values())))
                continue
            for key in ("c", "meta", "blocks"):
                if type(item.get(key)) in (list, dict):
                    stack.append(item[key])
    return found


def inline_lists(value, notes: bool = True) -> list[list]:
    """Every list of inlines in `value`; without `notes`, not those inside a note (a block of its own)."""
    return _lists(value, INLINE_TYPES, notes)


def block_lists(value) -> list[list]:
    return _lists(value, BLOCK_TYPES)


def inlines_of(block: dict) -> list | None:
    """The inline content of a paragraph-like block, or None."""
    if block["t"] in ("Para", "Plain"):
        return block["c"]
    if block["t"] == "Header":
        return block["c"][2]
    return None


def plain_text(value) -> str:
    """The words of a piece of the tree, as a reader sees them (notes left out)."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, list):
            for element in item:
                walk(element)
        elif isinstance(item, dict):
            kind = item.get("t")
            if kind == "Str":
                parts.append(item["c"])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind in ("Code", "Math", "RawInline"):
                parts.append(item["c"][1])
            elif kind == "Note":
                return
            elif kind in ("Link", "Image"):
                walk(item["c"][1])
            elif kind == "Span":
                walk(item["c"][1])
            elif "c" in item:
                walk(item["c"])

    walk(value)
    return " ".join("".join(parts).split())
