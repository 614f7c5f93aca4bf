"""The preview's own pages -> HTML: the live-reload script, the problems overlay, the hub and the print preview.

None of this is ever part of an edition: the server adds the script (and,
while the issue has problems, the overlay) to each page as it sends it, so
what it serves is otherwise byte for byte the web edition `build` writes.
"""

from __future__ import annotations

from html import escape

from ...errors import Problem

# Reloads the page when the issue is rebuilt (mode "reload"), or offers to (mode "notify": pages that are
# slow to make, like the print preview, are remade only when asked). It also adds the link to the hub.
LIVE_JS = """\
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script.getAttribute("data-version");
  var mode = script.getAttribute("data-mode");
  var style = "position:fixed;right:12px;bottom:12px;z-index:2147483646;padding:6px 12px;border-radius:16px;" +
    "background:#222;color:#fff;font:14px/1.4 system-ui,sans-serif;text-decoration:none;opacity:.85";
  if (location.pathname.indexOf("/_preview/") !== 0) {
    var link = document.createElement("a");
    link.id = "issuepress-hub";
    link.href = "/_preview/";
    link.textContent = "Preview: PDF, EPUB, print pages";
    link.setAttribute("style", style);
    document.body.appendChild(link);
  }
  function changed() {
    if (mode === "reload") { location.reload(); return; }
    var note = document.getElementById("issuepress-changed");
    if (note) { return; }
    note = document.createElement("p");
    note.id = "issuepress-changed";
    note.setAttribute("role", "status");
    note.setAttribute("style", style.replace("bottom:12px", "bottom:52px").replace("#222", "#8a4b00"));
    note.textContent = "The issue has changed since these pages were made. ";
    var again = document.createElement("button");
    again.textContent = "Make them again";
    again.addEventListener("click", function () { location.reload(); });
    note.appendChild(again);
    document.body.appendChild(note);
  }
  var events = new EventSource("/_preview/events");
  events.onmessage = function (event) {
    if (event.data !== version) { events.close(); changed(); }
  };
})();
"""

PAGE_STYLE = ("body{font:17px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
              "color:#222;background:#fafafa}a{color:#0645ad}li{margin:.4rem 0}.note{color:#555}"
              "img{display:block;max-width:100%;height:auto;box-shadow:0 1px 6px rgba(0,0,0,.3);background:#fff}"
              ".spread{display:flex;justify-content:center;gap:0;margin:0 0 1.5rem}.spread figure{margin:0;"
              "flex:0 1 50%}.spread figure.right:only-child{margin-left:50%}"
              ".spread figure.left:only-child{margin-right:50%}"
              "figcaption{text-align:center;font-size:.8rem;color:#555}")


def live_script(version: int, mode: str = "reload") -> str:
    return f'<script src="/_preview/live.js" data-version="{version}" data-mode="{mode}"></script>'


def overlay(issue_id: str, problems: tuple[Problem, ...], has_page: bool) -> str:
    """The problems as a layer over the page: each `path:line: message`, as the terminal shows them."""
    count = len(problems)
    underneath = ("Underneath is the last version that built." if has_page
                  else "Nothing has built yet, so there is no page to show underneath.")
    lines = "\n".join(escape(str(problem)) for problem in problems)
    return (
        '<div id="issuepress-problems" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;padding:2rem;background:rgba(25,25,25,.94);color:#fff;font:16px/1.5 system-ui,sans-serif"
        '">'
        f'<h1 style="font-size:1.4rem;margin:0 0 .5rem;color:#ff8f8f">{count} problem{"s" * (count != 1)} '
        f"in {escape(issue_id)}</h1>"
        f'<p style="margin:0 0 1rem">{underneath} Fix the files and save: this page updates by itself.</p>'
        '<pre style="white-space:pre-wrap;font:15px/1.6 ui-monospace,monospace;background:#000;padding:1rem;'
        f'margin:0">{lines}</pre></div>'
    )


def inject(page: bytes, snippet: str) -> bytes:
    """The page with `snippet` just before </body> (at the end if a layout has none)."""
    text = page.decode("utf-8", errors="replace")
    at = text.lower().rfind("</body>")
    text = text + snippet if at < 0 else text[:at] + snippet + text[at:]
    return text.encode("utf-8")


def page(title: str, body: str, version: int, mode: str = "reload") -> bytes:
    """A page of the preview itself."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{PAGE_STYLE}</style></head><body>{body}{live_script(version, mode)}</body></html>\n"
            ).encode("utf-8")


def problems_page(issue_id: str, problems: tuple[Problem, ...], version: int) -> bytes:
    return page(f"Problems in {issue_id}", overlay(issue_id, problems, has_page=False), version)


def hub(issue_id: str, title: str, version: int, fresh: dict[str, bool], downloads: dict) -> bytes:
    """The page linking the web edition, the editions built on demand (`downloads`, name -> Edition) and the
    print preview."""
    def status(name: str) -> str:
        return "up to date with your files" if fresh.get(name) else "built when you open it (a few seconds)"

    items = [
        ('/index.html', "Web edition", "rebuilt each time you save a file"),
        *((f"/_preview/edition/{name}", f"{edition.describe[:1].upper()}{edition.describe[1:]} "
           f"({edition.file_name(issue_id)})", status(name)) for name, edition in downloads.items()),
        ("/_preview/print", "Print preview: the print PDF's pages as pictures", status("pdf")),
    ]
    links = "".join(f'<li><a href="{href}">{escape(label)}</a> <span class="note">{escape(note)}</span></li>'
                    for href, label, note in items)
    body = (f"<h1>Preview of {escape(issue_id)}: {escape(title)}</h1><ul>{links}</ul>"
            f'<p class="note">These are made in memory for the preview; <code>issuepress build {escape(issue_id)}'
            f"</code> writes the editions into build/{escape(issue_id)}/.</p>")
    return page(f"Preview of {issue_id}", body, version)


def print_preview(issue_id: str, pages: int, version: int) -> bytes:
    """The print PDF's pages as a printer's proof: the cover alone, then facing pages, as the issue opens."""
    def figure(number: int) -> str:
        side = "right" if number % 2 else "left"
        return (f'<figure class="{side}"><img src="/_preview/print/page-{number}.png?v={version}" '
                f'alt="Page {number}" loading="lazy"><figcaption>{number}</figcaption></figure>')

    spreads = [[1]] + [[n, n + 1] if n + 1 <= pages else [n] for n in range(2, pages + 1, 2)]
    body = "".join(f'<div class="spread">{"".join(figure(n) for n in spread)}</div>' for spread in spreads)
    heading = (f'<h1>Print preview of {escape(issue_id)}</h1><p class="note">{pages} pages of the print PDF, with '
               'bleed and marks, as facing pages. <a href="/_preview/">Back to the preview</a></p>')
    return page(f"Print preview of {issue_id}", heading + body, version, mode="notify")


def not_found(path: str, version: int) -> bytes:
    body = (f"<h1>Not in this issue</h1><p>There is no page {escape(path)} in the web edition. "
            '<a href="/index.html">Contents</a> · <a href="/_preview/">Preview</a></p>')
    return page("Not found", body, version)
