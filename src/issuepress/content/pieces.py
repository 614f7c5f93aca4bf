"""Article and editor's-note Markdown files (with YAML front matter) -> rendered `Article`s; bios -> HTML.

Reads each file once, validates its front matter, renders the Markdown,
resolves every image and local link against the magazine folder, makes the
ids written in raw HTML unique on the page, and runs the result through the
sanitizer. Problems are collected, never raised one by one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from markdown_it.token import Token

from ..cache import Cache
from ..cache import key as cache_key
from ..errors import Problems
from ..load.fields import Fields
from ..load.keys import FRONT_MATTER, FRONT_MATTER_ALIASES, article_cache_parts
from ..load.sources import read_text
from ..load.yamlsource import LineDict, parse_yaml
from ..model import Article, Contributor, Heading, Issue
from . import formulas, rawhtml, sanitize, tree
from .markdown import MAX_NESTING, nested_too_deep, renderer_for
from .names import THEME_IDS, slugify, unique
from .resolve import AssetRegistry, Piece

RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "pnb", "ps", "sd", "ug", "ur", "yi"}
RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"}
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")  # left as text by the parser: a footnote call without its note
# Page names the editions use themselves, and the PDF's part names; an article file with one of these names
# (or one a bio's anchor would take, contributor-*) gets a suffix.
RESERVED_SLUGS = {"index", "contributors", "cover", "title", "imprint", "nav", "toc", "editors-note", "licences",
                  "contents", "back", "notes", "back-cover", "furniture"}


def text_direction(language: str) -> str:
    """'rtl' or 'ltr' for a BCP 47 tag; a script subtag (ur-Latn, az-Arab) decides over the language."""
    parts = language.lower().split("-")
    scripts = [part for part in parts[1:] if len(part) == 4 and part.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, number of lines before the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 1
    return "", text, 0  # an opening fence that never closes: reported by the caller


def render_issue_pieces(issue: Issue, problems: Problems, cache: Cache
                        ) -> tuple[Article | None, tuple[Article, ...], AssetRegistry]:
    """Render the editor's note and every article of the issue, collecting problems."""
    registry = AssetRegistry(problems)
    slugs: dict[Path, str] = {}
    for entry in issue.articles:
        slug = slugify(entry.path.stem) or "article"
        slug = f"{slug}-article" if slug in RESERVED_SLUGS or slug.startswith("contributor-") else slug
        slugs[entry.path] = unique(slug, set(slugs.values()))
    pages = {path: f"{slug}.html" for path, slug in slugs.items()}
    if issue.editors_note:  # an article may link to the editor's note as to any other piece
        pages[issue.editors_note] = "editors-note.html"
    note = None
    if issue.editors_note:
        note = render_piece(issue.editors_note, "editors-note", "editors-note", None, issue, registry, pages, problems,
                            cache)
    articles = []
    for entry in issue.articles:
        article = render_piece(entry.path, slugs[entry.path], "article", entry.section, issue, registry, pages,
                               problems, cache)
        if article is not None:
            articles.append(article)
    pieces = _without_broken_anchors([piece for piece in (note, *articles) if piece is not None], problems)
    if note is not None:
        note, pieces = pieces[0], pieces[1:]
    return note, tuple(pieces), registry


def _without_broken_anchors(pieces: list[Article], problems: Problems) -> list[Article]:
    """Links to a place in an article ('#notes', 'other.md#later') that is not there lose their link (the
    text stays), with a warning: reading apps and the HTML checker count such a link as an error. Checked
    once every piece is rendered, since a link may point into a later one."""
    ids = {piece.page: set(piece.ids) | THEME_IDS for piece in pieces}
    checked = []
    for piece in pieces:
        lines, changed = dict(piece.link_lines), False
        parsed = tree.tree_of(piece.markup)
        for link in parsed.iter("a"):
            href = link.get("href") or ""
            page, hash_, fragment = href.partition("#")
            if not hash_ or ":" in page:  # no place in a page, or a page on the web
                continue
            # markdown-it percent-encodes a link's target ('#caf%C3%A9'); ids are as written ('café')
            target, fragment = page or piece.page, unquote(fragment)
            if not fragment or target not in ids or fragment in ids[target]:
                continue
            where = "this article" if target == piece.page else target.removesuffix(".html")
            problems.warn(f"link removed (the text stays): there is no '#{fragment}' in {where}", piece.source,
                          lines.get(href))
            del link.attrib["href"]
            changed = True
        checked.append(replace(piece, **_from_tree(parsed)) if changed else piece)
    return checked


def render_piece(path: Path, slug: str, kind: str, section: str | None, issue: Issue, registry: AssetRegistry,
                 pages: dict[Path, str], problems: Problems, cache: Cache) -> Article | None:
    """One file -> Article, from the cache when this text was rendered before in the same surroundings."""
    text = read_text(path, problems)
    if text is None:
        return None
    digest = cache_key("article", path, slug, kind, section, article_cache_parts(issue), sorted(pages.items()), text)
    cached = cache.get_object("article", digest)
    if cached is not None:
        article, sources, warnings = cached
        assets = [registry.image(source, None, path, Problems(issue.magazine.root)) for source in sources]
        # A hit needs every image still loadable under the same href; otherwise render again and report.
        if all(asset is not None for asset in assets) and [a.href for a in assets] == [a.href for a in article.assets]:
            problems.warnings.extend(warnings)
            return replace(article, assets=tuple(assets))
    found = Problems(issue.magazine.root)
    piece = Piece(path, issue, registry, pages, found)
    article = _render_piece(text, slug, kind, section, piece)
    problems.errors.extend(found.errors)
    problems.warnings.extend(found.warnings)
    # Not cached with problems, nor while an image it names is missing: adding the file must show it.
    if article is not None and not found.errors and not piece.missing:
        stored = replace(article, assets=tuple(replace(a, data=b"") for a in article.assets))
        cache.put_object("article", digest, (stored, [a.source for a in article.assets], found.warnings))
    return article


def _render_piece(text: str, slug: str, kind: str, section: str | None, piece: "Piece") -> Article | None:
    path, issue, problems = piece.path, piece.issue, piece.problems
    front, body, offset = split_front_matter(text)
    meta = LineDict()
    if front is None and kind == "article":
        problems.error("has no front matter; start the file with a --- block holding at least 'title:'", path, 1)
        return None
    if front == "" and offset == 0:
        problems.error("front matter starts with --- but never ends; close it with a --- line", path, 1)
        return None
    if front and front.strip():
        parsed = parse_yaml(front, path, problems, line_offset=1)
        if parsed is None:
            return None
        if not isinstance(parsed, LineDict):
            problems.error("front matter must be a mapping of keys (title: ...)", path, 2)
            return None
        meta = parsed
    meta.line = meta.line or 1
    fields = Fields(meta, path, problems, FRONT_MATTER.names | set(FRONT_MATTER_ALIASES),
                    foreign="an article's front matter")
    fields.aliased(FRONT_MATTER_ALIASES)
    title = fields.text("title", required=kind == "article") or ("Editor\u2019s note" if kind != "article" else None)
    language = fields.language("language") or issue.language
    authors = _authors(fields, issue, kind)
    piece.line_offset = offset
    body_tree, headings, words = _render_body(body, language, piece)
    if title is None:
        return None
    renderer = renderer_for(language)
    subtitle = fields.text("subtitle")
    for key, value in (("title", title), ("subtitle", subtitle)):
        # (a tag in a code span, `<div>`, is meant as text)
        tag = rawhtml.RAW_TAG.search(re.sub(r"(`+).*?\1", "", value or "")) if key in meta else None
        if tag:  # in the body such a tag would be HTML; a title is set where only text may go
            piece.problems.warn(f"the {key} shows the tag {tag.group(0)} as it is written: HTML is text in a "
                                f"{key}; use *emphasis* or **strong** instead", path, fields.line(key))
    return Article(
        slug=slug, kind=kind, title=renderer.smarten(title), subtitle=renderer.smarten(subtitle) if subtitle else None,
        keywords=fields.text_list("keywords"),
        title_html=renderer.inline(title, links=False),
        subtitle_html=renderer.inline(subtitle, links=False) if subtitle else None,
        authors=authors,
        section=section or fields.text("section"), language=language, direction=text_direction(language),
        headings=headings, assets=tuple(piece.assets), source=path, words=words,
        image_lines=tuple(piece.image_lines.items()), link_lines=tuple(piece.link_lines.items()),
        image_names=tuple({href: src for src, href in reversed(piece.image_hrefs.items())}.items()),
        **_from_tree(body_tree),
    )


def _from_tree(parsed: etree._Element) -> dict:
    """The Article's HTML and facts, from its tree; the tree is kept for the editions of this process."""
    markup = tree.serialize(parsed)
    tree.remember(markup, parsed)
    return {"body": tree.web_body(parsed), "markup": markup, **tree.facts(parsed).__dict__}


def _authors(fields: Fields, issue: Issue, kind: str) -> tuple[Contributor, ...]:
    ids = fields.text_list("authors")
    if not ids and kind == "editors-note" and issue.editor:
        registered = [c for c in issue.contributors.values() if c.name == issue.editor]
        return (registered[0] if registered else Contributor(id=slugify(issue.editor) or "editor", name=issue.editor),)
    authors = []
    for cid in ids:
        if cid in issue.contributors and issue.contributors[cid] in authors:
            fields.problems.warn(f"author '{cid}' is listed twice; the byline names them once", fields.path,
                                 fields.line("authors"))
        elif cid in issue.contributors:
            authors.append(issue.contributors[cid])
        else:
            hint = ""
            close = [k for k in issue.contributors if k.lower() == cid.lower() or slugify(k) == slugify(cid)]
            if close:
                hint = f"; did you mean '{close[0]}'?"
            elif issue.contributors or (issue.magazine.root / "contributors.yaml").exists():
                # (a contributors.yaml that could not be read has its own problem said)
                hint = "; add it to contributors.yaml or the issue's contributors"
            else:
                hint = "; there is no contributors.yaml and the issue lists no contributors"
            fields.error(f"unknown author id '{cid}'{hint}", "authors")
    return tuple(authors)


def _render_body(body: str, language: str, piece: Piece) -> tuple[etree._Element, tuple[Heading, ...], int]:
    renderer = renderer_for(language)
    env: dict = {"line_offset": piece.line_offset, "language": language}
    tokens = renderer.parse(body, env)
    for text, line in env.get("leftovers", ()):
        if text.lstrip().startswith("{%"):
            piece.problems.warn(f"'{text.strip()[:60]}' is a Jekyll (Liquid) template tag, which issuepress does "
                                "not run; it is left out: write what it would bring in as Markdown",
                                piece.path, line + 1 + piece.line_offset)
            continue
        piece.problems.warn(f"'{text.strip()[:60]}' is Markdown extension syntax issuepress does not read here "
                            "(a ::: that closes no fenced div, an attribute list with no block before it); it is "
                            "left out", piece.path, line + 1 + piece.line_offset)
    deepest = nested_too_deep(tokens)
    if deepest is not None:
        piece.problems.error(f"lists or quotations are nested too deep here ({MAX_NESTING // 2 - 1} levels of list "
                             "or more), and the rest of the article would be lost; nest them less deeply",
                             piece.path, _line_of(deepest, piece.line_offset))
    words = 0
    tags: list[tuple[str, bool, int, Token]] = []  # raw HTML tags in reading order: (name, opens, line, token)
    raw: list[tuple[Token, int]] = []
    renamed_headings = {slugify(text): ident for _level, ident, text in reversed(env.get("headings", []))
                        if slugify(text) in THEME_IDS and ident != slugify(text)}
    for token in _walk(tokens):
        line = _line_of(token, piece.line_offset)
        if token.type == "text":
            words += len(token.content.split())
            for label in UNDEFINED_NOTE.findall(token.content):
                if f"\\[^{label}]" in body:  # escaped: meant as it is written
                    continue
                piece.problems.warn(f"[^{label}] cites a footnote that is not written ([^{label}]: its text); "
                                    "it prints as it is", piece.path, line)
        elif token.type == "image":
            src = token.attrGet("src") or ""
            href = piece.use_image(src, line, raw=False)
            if href:
                token.attrSet("src", href)
            if not token.content.strip() and not str(token.attrGet("alt") or "").strip():
                piece.problems.warn("image has no alt text; describe it in the [brackets] for readers who "
                                    "cannot see it", piece.path, line)
        elif token.type == "link_open":
            href = token.attrGet("href") or ""
            # '#main' next to '## Main': the writer means the heading, which had to give up that id to the layouts
            href = f"#{renamed_headings[href[1:]]}" if href[1:] in renamed_headings else href
            target = piece.link_target(href, line)
            if target is None:
                token.attrs.pop("href", None)
            else:
                token.attrSet("href", target)
        elif token.type in ("html_block", "html_inline"):
            if token.type == "html_block":
                rawhtml.check_swallowing(token, line, piece)
            markup = rawhtml.HTML_COMMENT.sub("", token.content)  # a tag inside a comment is no tag
            tags += [(m[2].lower(), not (m[1] or m[3]), line, token) for m in rawhtml.RAW_TAG.finditer(markup)]
            raw.append((token, line))
    for label, number in env.get("footnotes", {}).get("refs", {}).items():
        if number == -1:  # written, never cited
            written = re.search(rf"(?m)^ {{0,3}}\[\^{re.escape(label[1:])}\]:", body)
            piece.problems.warn(f"footnote [^{label[1:]}] is never cited in the text, so no edition has it",
                                piece.path, body.count("\n", 0, written.start()) + 1 + piece.line_offset if written
                                else None)
    rawhtml.check_unclosed(tags, piece)
    raw = [(token, line) for token, line in raw if token.type != "text"]  # not made text by _check_unclosed
    for token, line in raw:
        rawhtml.check_raw_html(token, line, piece)
    rawhtml.unique_raw_ids(raw, set(THEME_IDS) | {ident for _level, ident, _text in env.get("headings", [])}, piece)
    for token, line in raw:  # each raw tag carries its line, as the Markdown's blocks do (rules.source_lines)
        token.content = rawhtml.with_source_lines(token.content, line)
    page_html = renderer.render(tokens, env)
    known_images = set(piece.image_hrefs.values())

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img":
            return value if value in known_images else piece.image_hrefs.get(value)
        # A raw tag's href as markdown-it writes a Markdown link's: '\\' and spaces %-encoded, as a URL must be
        return piece.link_target(renderer.md.normalizeLink(value), None)

    # A heading with no words has no entry in the contents (a link with no words is an error), but keeps its id.
    headings = tuple(Heading(level, ident, text) for level, ident, text in env.get("headings", []) if text.strip())
    parsed = tree.parse(sanitize.clean(page_html, rewrite))  # the one time the article's HTML is parsed
    say = lambda line, message: piece.problems.warn(message, piece.path, line)  # noqa: E731
    tree.repair(parsed, say)
    formulas.to_mathml(parsed, tree.line_of, say)
    tree.scrollable_tables(parsed)
    tree.author_sizes(parsed, say)
    return parsed, headings, words


def _walk(tokens: list[Token]):
    """Every token, with inline children right after their parent. A child knows its own line: its
    paragraph's first line, plus the line breaks before it (a paragraph's lines are the file's lines)."""
    for token in tokens:
        yield token
        line = token.map[0] if token.map is not None else None
        for child in token.children or []:
            if child.map is None and line is not None:
                child.map = [line, line + 1]
            yield child
            if line is not None and child.type in ("softbreak", "hardbreak"):
                line += 1
            elif line is not None and child.type == "html_inline":
                line += child.content.count("\n")
            elif line is not None and child.type == "image":  # its alt text may run over a line
                line += sum(grand.type in ("softbreak", "hardbreak") for grand in child.children or [])


def _line_of(token: Token, offset: int) -> int:
    return (token.map[0] + 1 + offset) if token.map else offset + 1


def render_bios(people: tuple[Contributor, ...], language: str) -> tuple[Contributor, ...]:
    """The bios an issue prints, rendered: a bio is one paragraph of Markdown."""
    inline = renderer_for(language).inline
    return tuple(replace(person, bio_html=inline(person.bio)) if person.bio else person for person in people)
