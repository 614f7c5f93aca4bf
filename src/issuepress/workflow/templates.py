"""The declared keys -> the YAML files `init` and `new` write: every key shown, with its doc as a comment.

The comments come from `load/keys.py`, so a new key appears in every new magazine's and issue's files
with the words the README uses for it.
"""

from __future__ import annotations

import json

from ..load.keys import CONTRIBUTOR, ISSUE, MAGAZINE, PRINT, template

SET_IN_A_NEW_MAGAZINE = ("trim", "bleed", "marks", "binding", "recto", "footnotes", "standard", "output_intent")


def magazine_yaml(title: str) -> str:
    """A new magazine's settings: its title, the language and numbering, and the print edition's settings
    at their defaults; the other keys commented out with an example."""
    lines = ["# Publication-wide settings for every issue in this folder. Every key is optional:",
             "# a key left commented out takes its default; remove the # to set it."]
    # The settings every magazine decides at once are set, at their defaults; the rest are shown commented out
    print_settings = {key.name: key.example for key in PRINT if key.name in SET_IN_A_NEW_MAGAZINE}
    lines += template(MAGAZINE, {"title": json.dumps(title, ensure_ascii=False), "language": "en",
                                 "numbering": "continuous", "print": print_settings})
    return "\n".join(lines) + "\n"


def contributors_yaml() -> str:
    """The starter registry: two contributors of the example issue, with every key of a record explained."""
    lines = ["# The contributor registry: id -> a record. Articles name their authors by id",
             "# (`authors: [ada-example]`); an issue may override a record for that issue under",
             "# `contributors:` in its issue.yaml.",
             "ada-example:"]
    lines += template(CONTRIBUTOR, {"name": "Ada Example",
                                    "bio": ["Ada Example is the editor of this magazine, for now only in its "
                                            "example issue.", "Replace her with your own editor, or delete her."]},
                      {"email": "ada@example.org", "url": "https://example.org/ada"}, indent="  ")
    lines[lines.index(next(line for line in lines if line.startswith("  bio:")))] = (
        "  bio: >-".ljust(34) + "  # " + CONTRIBUTOR["bio"].doc)
    lines += ["sam-placeholder:", "  name: Sam Placeholder",
              "  bio: Sam Placeholder writes the example articles that `issuepress init` makes."]
    return "\n".join(lines) + "\n"


def example_issue_yaml() -> str:
    """The example issue `init` makes, showing every key of an issue manifest."""
    lines = ["# An example issue that shows every key of an issue manifest. Build it with",
             "# `issuepress build example`, preview it with `issuepress serve example`, and",
             "# delete this folder once your own issues are under way."]
    lines += template(ISSUE, {
        "volume": "1", "number": "1", "date": "2024-12-01", "title": "Example issue", "editor": "Ada Example",
        "language": "en", "editors_note": "editors-note.md",
        "description": ["A short example issue that shows how an issuepress magazine is put together."],
        "keywords": "[example, issuepress]",
        "articles": ["- file: articles/welcome.md", "  section: Getting started",
                     "- file: articles/house-style.md", "  section: House style",
                     "# - articles/another.md           # an entry can also be just a path"],
        "contributors": ["sam-placeholder:", "  name: Sam Placeholder",
                         "  bio: Sam Placeholder writes the example articles that `issuepress init` makes, and is "
                         "glad to be replaced."]})
    at = lines.index(next(line for line in lines if line.startswith("description:")))
    lines[at] = "description: >-".ljust(34) + "  # " + ISSUE["description"].doc
    return "\n".join(lines) + "\n"


def new_issue_yaml(header: str, values: dict[str, str], examples: dict[str, str], under_articles: list[str]) -> str:
    """The manifest `new` writes: `values` set, every other key commented out (with `examples` where the
    issue suggests one), and `under_articles` as the commented lines of the reading order."""
    lines = [header] + template(ISSUE, {**values, "articles": under_articles}, examples)
    return "\n".join(lines) + "\n"
