"""One writer's file -> the article to write: Markdown with front matter, its pictures, and what the import says.

The steps, in order: read the file and what its XML says (docx.py, odt.py);
refuse it while it has unsettled tracked changes or an author who is not a
contributor; let pandoc read it; then number the paragraphs, mark languages,
undo the writer's habits, take the title out, save the pictures and write
the Markdown (render.py). Problems are collected and raised together;
everything else is a warning at its line in the new file.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ...content.names import slugify
from ...errors import IssueError, Problem
from ...model import Contributor
from ...terminal import counted
from . import habits
from .body import (
    Article,
    Finding,
    keep_lookalikes,
    language_of_article,
    mark_languages,
    number_paragraphs,
    settle_links,
    take_title,
    tight_lists,
    trim_spaces,
    wrap_quotations,
)
from .docx import DocxReader
from .facts import Facts, normal_name
from .odt import OdtReader
from .package import open_package
from .pandoc import node, plain_text, read_tree
from .pictures import Picture, take_pictures, unfold_figures
from .render import render
from .tables import equations_as_code, simple_tables

SLUG_WORDS = 6


@dataclass(frozen=True)
class Destination:
    """The issue the articles go to: what the conversion needs of it."""

    language: str
    contributors: Mapping[str, Contributor]
    has_registry: bool  # whether contributors.yaml exists (for the hint)


@dataclass(frozen=True)
class Options:
    accept: bool = False
    reject: bool = False
    authors: tuple[str, ...] = ()  # contributor ids given with --author
    slug: str | None = None  # --as


@dataclass
class Converted:
    source: Path
    shown: str
    slug: str
    title: str
    text: str
    pictures: list[Picture]
    warnings: list[tuple[int | None, str]] = field(default_factory=list)  # (line in the new file, message)


def convert(path: Path, shown: str, destination: Destination, options: Options) -> Converted:
    package = open_package(path, shown)
    reader = (DocxReader if package.kind == "docx" else OdtReader)(package, options.reject)
    facts = reader.facts
    problems = _unsettled(facts, shown) if not (options.accept or options.reject) else []
    authors = _authors(facts, destination, options, shown, problems)
    if problems:
        raise IssueError(problems)
    tree = read_tree(reader.prepared, package.kind, options.reject, shown)
    blocks = number_paragraphs(tree)
    if not tree["blocks"] and not blocks:
        linked = ", ".join(target for _number, _where, target in facts.linked_pictures)
        raise IssueError([Problem("has no text to import" + (f", only pictures linked to files on the writer's "
                                                            f"computer ({linked})" if linked else ""), shown)])
    article = Article(tree)
    language, front_language = language_of_article(facts, destination.language)
    _shape(article, facts, blocks, language, path)
    title = plain_text(article.title)
    slug = options.slug or "-".join(slugify(title).split("-")[:SLUG_WORDS]) or slugify(path.stem) or "article"
    pictures = take_pictures(article, package, facts, slug)
    _notes_on_what_is_not_text(article, facts, blocks)
    front = [f"# Imported from {path.name} by issuepress import", f"authors: [{', '.join(authors)}]"]
    if front_language:
        front.append(f"language: {front_language}")
    text, findings = render(article, front, shown)
    return Converted(path, shown, slug, title, text, pictures, [(line, f.message) for line, f in findings])


def _shape(article: Article, facts: Facts, blocks: dict[int, dict], language: str, path: Path) -> None:
    """pandoc's tree -> the article's: languages, the writer's habits, the title, Markdown's conventions."""
    tree = article.tree
    mark_languages(tree, language)
    habits.bold_headings(article, facts)  # (before the title: a bold first line may be it)
    take_title(article, tree, facts, blocks)
    if not plain_text(article.title):
        article.title = [node("Str", re.sub(r"[_\s]+", " ", path.stem).strip())]
        article.note("the file has no title (no paragraph styled Title, no opening heading, no Title property): "
                     "its name is the title for now; change `title:` above")
    wrap_quotations(tree, facts)
    habits.indents(article, facts)
    habits.line_breaks(article, facts)
    habits.marked_text(article, facts, blocks)
    habits.spacing(article, facts, blocks)
    habits.straight_quotes(article, language)
    unfold_figures(tree)
    simple_tables(article, facts)
    equations_as_code(article)
    settle_links(tree)
    tight_lists(tree)
    trim_spaces(tree)
    keep_lookalikes([tree, node("Para", article.title), node("Para", article.subtitle)])


def _notes_on_what_is_not_text(article: Article, facts: Facts, blocks: dict[int, dict]) -> None:
    """Comments, pictures only linked, changes of formatting: said, never imported."""
    for comment in facts.comments:
        article.findings.append(Finding(f"comment by {comment.author} on {comment.where}: \u201c{comment.text}\u201d "
                                        "(comments are not imported)", blocks.get(comment.paragraph)))
    for number, where, target in facts.linked_pictures:
        article.findings.append(Finding(f"a picture in {where} is only linked to a file on the writer's computer "
                                        f"({target}), not in the document; it is left out: ask for the picture "
                                        "itself, put it in images/ and add it here", blocks.get(number)))
    if facts.formatting_changes:
        article.note(f"{facts.formatting_changes} tracked changes of formatting are taken as they are (the "
                     "editions set the type themselves)")


def _unsettled(facts: Facts, shown: str) -> list[Problem]:
    """Problems naming every paragraph with tracked changes, and what to do about them."""
    if not facts.changes:
        return []
    places: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, set[str]] = defaultdict(set)
    for change in facts.changes:
        places[change.where][change.kind] += 1
        people[change.where].add(change.author)
    totals = Counter(change.kind for change in facts.changes)
    kinds = ", ".join(counted(number, kind) for kind, number in totals.items())
    problems = [Problem(f"has {counted(len(facts.changes), 'tracked change')} not yet accepted or rejected "
                        f"({kinds}), in {counted(len(places), 'place')}; accept or reject them in Word (Review > "
                        "Accept > Accept All Changes) or LibreOffice (Edit > Track Changes > Manage), save and "
                        "import again, or import with --accept-changes (the text as changed) or "
                        "--reject-changes (the text as it was)", shown)]
    for where, counts in places.items():
        what = " and ".join(counted(number, kind) for kind, number in counts.items())
        problems.append(Problem(f"{where}: {what} by {', '.join(sorted(people[where]))}", shown))
    return problems


def _authors(facts: Facts, destination: Destination, options: Options, shown: str,
             problems: list[Problem]) -> list[str]:
    """Contributor ids for the byline: --author, else the document's author property matched by name."""
    people = destination.contributors
    if options.authors:
        for ident in options.authors:
            if ident not in people:
                close = difflib.get_close_matches(ident, list(people), n=1)
                hint = f"; did you mean {close[0]}?" if close else "; the ids are the keys of contributors.yaml"
                problems.append(Problem(f"--author {ident} is not a contributor{hint}", shown))
        return list(dict.fromkeys(options.authors))
    if not facts.authors:
        problems.append(Problem("names no author (its Author property is empty); pass --author with the "
                                "contributor's id (a key of contributors.yaml)", shown))
        return []
    by_name = {normal_name(person.name): ident for ident, person in people.items()}
    found = []
    for name in facts.authors:
        ident = by_name.get(normal_name(name)) or (slugify(name) if slugify(name) in people else None)
        if ident:
            found.append(ident)
            continue
        close = difflib.get_close_matches(normal_name(name), list(by_name), n=1, cutoff=0.75)
        hint = f" (is it {people[by_name[close[0]]].name}, {by_name[close[0]]}?)" if close else ""
        where = "contributors.yaml" if destination.has_registry else "a new contributors.yaml"
        problems.append(Problem(
            f"its author {name!r} (the document's Author property) is not a contributor{hint}; add them to "
            f"{where} as `{slugify(name) or 'their-id'}:` with `name: {name}` and a `bio:`, or pass --author with "
            "the id of the contributor who wrote it", shown))
    return list(dict.fromkeys(found))
