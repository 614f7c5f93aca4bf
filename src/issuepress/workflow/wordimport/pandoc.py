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
from collections.abc import Iterator
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


def write_markdown(tree: dict, shown: str) -> str:
    text = _run(["--from", "json", "--to", MARKDOWN, "--wrap=none"], json.dumps(tree).encode("utf-8"), shown)
    return text.decode("utf-8")


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


def _lists(value, types: set[str]) -> Iterator[list]:
    """Every list of elements of `types` inside `value`, outermost first, in reading order."""
    if isinstance(value, list):
        if value and all(isinstance(item, dict) and item.get("t") in types for item in value):
            yield value
        for item in value:
            yield from _lists(item, types)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("c", "blocks", "meta") or isinstance(item, (list, dict)):
                yield from _lists(item, types)


def inline_lists(value) -> Iterator[list]:
    return _lists(value, INLINE_TYPES)


def block_lists(value) -> Iterator[list]:
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
