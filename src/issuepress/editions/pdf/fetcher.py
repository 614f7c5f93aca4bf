"""WeasyPrint's requests for stylesheets, fonts and images -> the issue's own files, from memory; nothing else.

Every edition laid out by WeasyPrint fetches through `MemoryFetcher`: a URL
outside the issue (a file on disk, the network, `file:///etc/passwd` in an
article) is refused and recorded, never read.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import unquote, urlsplit

from ...model import Asset
from .loader import weasyprint
from .types import BASE_URL

URLFetcher, URLFetcherResponse = weasyprint.urls.URLFetcher, weasyprint.urls.URLFetcherResponse


class MemoryFetcher(URLFetcher):
    """Answers WeasyPrint's requests from the issue's own files; refuses everything else."""

    def __init__(self, files: dict[str, Asset | bytes]):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.files = files
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:image/"):  # an image an SVG drawing holds as data (load/svg.py kept only those)
            with urllib.request.urlopen(url) as response:  # a data: URL is decoded, nothing is fetched
                return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers.get_content_type()})
        if not url.startswith(BASE_URL):
            self.refused.append(url)
            raise ValueError(f"issuepress does not fetch {url}")
        path = unquote(urlsplit(url).path.lstrip("/"))
        found = self.files.get(path)
        if found is None:
            self.refused.append(url)
            raise ValueError(f"not part of this issue: {path}")
        if isinstance(found, Asset):
            return URLFetcherResponse(url, found.data, {"Content-Type": found.media_type})
        return URLFetcherResponse(url, found, {"Content-Type": "text/css; charset=utf-8"})
