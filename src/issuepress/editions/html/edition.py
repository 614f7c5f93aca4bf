"""A rendered issue -> the HTML web edition: index, one page per piece, contributors, assets.

Every link is relative and every page sits in one folder, so the edition
works opened from disk or served from any path.
"""

from __future__ import annotations

from ...layouts import Theme
from ...model import RenderedIssue
from .. import Finish, Made, common


def start(rendered: RenderedIssue, theme: Theme, cache=None) -> Finish:
    files = web_files(rendered, theme)
    made = Made(files, f"{len(files)} files")
    return lambda: made


def rehearse(rendered: RenderedIssue, theme: Theme) -> tuple:
    web_files(rendered, theme)
    return ()


def web_files(rendered: RenderedIssue, theme: Theme, site: dict | None = None) -> dict[str, bytes]:
    """The web edition's files, path -> content. (Rendering pages is quick enough not to cache.) `site`: the
    magazine's website around the issue (`issuepress site`), which its pages then link to."""
    issue = rendered.issue
    context = common.context(rendered, theme) | ({"site": site} if site is not None else {})
    base_url = common.web_url(issue)
    files: dict[str, str | bytes] = {}
    files["index.html"] = theme.render(
        "html/index.html", **context, page="index.html",
        json_ld=common.issue_json_ld(rendered, base_url),
    )
    pieces = rendered.pieces
    for index, piece in enumerate(pieces):
        previous = pieces[index - 1] if index > 0 else None
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        files[piece.page] = theme.render(
            "html/article.html", **context, page=piece.page, article=piece,
            body=piece.body, previous=previous, following=following,
            json_ld=common.article_json_ld(rendered, piece, base_url),
        )
    files["contributors.html"] = theme.render(
        "html/contributors.html", **context, page="contributors.html",
        previous=pieces[-1] if pieces else None, json_ld=None,
    )
    css = theme.render("css/screen.css", **context)
    files["css/screen.css"] = css
    fonts = theme.fonts_in(css)
    for font in fonts:
        files[font.href] = font.data
    for licence in theme.licences_for(fonts):
        files[licence.href] = licence.data
    for asset in rendered.assets:
        files[asset.href] = asset.data
    return {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}
