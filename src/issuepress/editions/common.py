"""A rendered issue -> the template context and metadata every edition shares."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from typing import Any

from ..content.pieces import text_direction
from ..model import Article, RenderedIssue
from . import faces

CODE = re.compile(r"<(?:code|kbd|samp|pre)\b")  # in a title's or a bio's inline HTML: set in the monospace face
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def context(rendered: RenderedIssue, theme=None) -> dict[str, Any]:
    """What every layout may use. With the `theme`, the optional faces are those it would set text in (see
    faces.needed)."""
    issue = rendered.issue
    return {
        "rendered": rendered,
        "issue": issue,
        "magazine": issue.magazine,
        "issue_direction": text_direction(issue.language),
        "web_url": web_url(issue),
        "sections": rendered.sections,
        "pieces": rendered.pieces,
        "contributors": rendered.contributors,
        "bios": {person.id for person in rendered.contributors},
        "written_by": written_by(rendered),
        "names": names,
        # Which of the theme's optional faces the issue needs: layouts declare (and editions embed) only those
        "arabic_script": any(ARABIC_SCRIPT.search(text) for text in _all_text(rendered)),
        "faces": faces.needed(set("".join(_all_text(rendered))), theme),
        "unicode_ranges": faces.UNICODE_RANGES,
        "code": any(piece.has_code for piece in rendered.pieces) or any(CODE.search(html or "") for html in [
            *(html for piece in rendered.pieces for html in (piece.title_html, piece.subtitle_html)),
            *(person.bio_html for person in rendered.contributors)]),
    }


def _all_text(rendered: RenderedIssue):
    """Every text of the issue an edition may set: titles, names and bios as well as the bodies."""
    yield rendered.issue.magazine.title
    yield rendered.issue.title
    for piece in rendered.pieces:
        yield from (piece.title, piece.subtitle or "", piece.section or "", "".join(c for c, _l in piece.characters))
        yield from (author.name for author in piece.authors)
    for person in rendered.contributors:
        yield from (person.name, person.bio or "")


def issue_identifier(rendered: RenderedIssue) -> str:
    """A UUID URN that stays the same for the same issue of the same publication, build after build."""
    issue, magazine = rendered.issue, rendered.issue.magazine
    publication = f"issn:{magazine.issn}" if magazine.issn else f"title:{magazine.title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'issuepress:{publication}:{issue.volume}:{issue.number}')}"


def print_identifier(rendered: RenderedIssue) -> str:
    """The print edition's identifier (the DocumentID of its XMP, press/pdfx.py): the EPUB names it as the source
    of its page numbers."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'issuepress:{issue_identifier(rendered)}')}"


def build_timestamp(issue) -> dt.datetime:
    """The moment recorded in the editions: SOURCE_DATE_EPOCH if set, else the issue's date at midnight UTC.

    Never the wall clock, so that building the same issue twice gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime(issue.date.year, issue.date.month, issue.date.day, tzinfo=dt.timezone.utc)


def written_by(rendered: RenderedIssue) -> dict[str, list[Article]]:
    """Contributor id -> the pieces of this issue they wrote."""
    result: dict[str, list[Article]] = {}
    for piece in rendered.pieces:
        for author in piece.authors:
            result.setdefault(author.id, []).append(piece)
    return result


def names(people) -> str:
    """'A', 'A and B', 'A, B and C'."""
    people = [p.name for p in people]
    if len(people) <= 1:
        return "".join(people)
    return ", ".join(people[:-1]) + " and " + people[-1]


def periodical(magazine) -> dict[str, Any]:
    """schema.org: the publication itself (the web edition's pages and the website's)."""
    node: dict[str, Any] = {"@type": "Periodical", "name": magazine.title}
    if magazine.issn:
        node["issn"] = magazine.issn
    if magazine.publisher:
        node["publisher"] = {"@type": "Organization", "name": magazine.publisher}
    if magazine.url:
        node["url"] = magazine.url
    return node


def _periodical(rendered: RenderedIssue) -> dict[str, Any]:
    issue, magazine = rendered.issue, rendered.issue.magazine
    periodical_node = periodical(magazine)
    return {
        "@type": "PublicationIssue",
        "issueNumber": str(issue.number),
        "name": issue.title,
        "datePublished": issue.date.isoformat(),
        "isPartOf": {"@type": "PublicationVolume", "volumeNumber": str(issue.volume), "isPartOf": periodical_node},
    }


def web_url(issue) -> str | None:
    """Where this issue's web edition is published: one folder per issue under the magazine's url, so that
    issues never claim each other's canonical addresses."""
    return f"{issue.magazine.url}{issue.id}/" if issue.magazine.url else None


def _url(base_url: str | None, page: str) -> str:
    return f"{base_url}{page}" if base_url else page


def issue_json_ld(rendered: RenderedIssue, base_url: str | None,
                  printed: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """`printed`: each piece's first and last page in the print edition, where known."""
    issue = rendered.issue
    data = {"@context": "https://schema.org", **_periodical(rendered)}
    if issue.editor:
        data["editor"] = {"@type": "Person", "name": issue.editor}
    if issue.description:
        data["description"] = issue.description
    data["hasPart"] = [
        {"@type": "Article", "headline": piece.title, "url": _url(base_url, piece.page),
         **_pagination((printed or {}).get(piece.slug))} for piece in rendered.pieces
    ]
    return data


def article_json_ld(rendered: RenderedIssue, article: Article, base_url: str | None,
                    printed: tuple[int, int] | None = None) -> dict[str, Any]:
    """`printed`: the article's first and last page in the print edition, where known."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "inLanguage": article.language,
        "datePublished": rendered.issue.date.isoformat(),
        "wordCount": article.words,
        "author": [{"@type": "Person", "name": a.name, "url": _url(base_url, f"contributors.html#{a.id}")}
                   for a in article.authors],
        "isPartOf": _periodical(rendered),
        "url": _url(base_url, article.page),
        **_pagination(printed),
    }
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    if article.section:
        data["articleSection"] = article.section
    if article.keywords:
        data["keywords"] = list(article.keywords)
    return data


def _pagination(printed: tuple[int, int] | None) -> dict[str, Any]:
    """schema.org's pages of a print edition: pageStart, pageEnd and the range as text."""
    if printed is None:
        return {}
    first, last = printed
    return {"pageStart": first, "pageEnd": last, "pagination": f"{first}-{last}" if last != first else str(first)}
