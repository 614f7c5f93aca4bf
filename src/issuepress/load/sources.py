"""Paths named in a magazine's files -> checked text, images and bytes from inside the magazine folder.

Every file issuepress reads on behalf of the content goes through here, so a
manifest or article can never make it read outside the magazine folder, and
every unreadable file becomes a `path:line:` problem instead of a traceback.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from ..errors import Problems
from ..model import Asset
from .svg import clean_svg, looks_like_svg

MAX_PIXELS = 60_000_000  # a 300 ppi image 66 cm wide: bigger than any magazine spread
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "GIF": (".gif",), "WEBP": (".webp",)}
ORIENTATION = 0x0112  # the EXIF tag
TURNED_SIDEWAYS = {5, 6, 7, 8}  # orientations that swap width and height


def resolve_inside(base: Path, reference: str, root: Path, url: bool = True) -> tuple[Path | None, str | None]:
    """Resolve `reference` against `base`; refuse anything outside `root`.

    Returns (path, None) or (None, reason). Remote URLs and `file:` URLs are
    refused here so that no caller can fetch or read them by accident.
    """
    # A link in Markdown is a URL ('my%20file.png', 'notes.md#top'); a path in the manifest is a file name,
    # where '?', '#' and '%' are characters like any other.
    parts = urlsplit(reference if url else quote(reference, safe="/:"))
    if parts.scheme and len(parts.scheme) > 1:  # one letter is a Windows drive
        if parts.scheme in ("http", "https"):
            return None, (f"'{reference}' is on the web; issuepress does not download during a build. "
                          "Save the file in the issue's images/ folder and link to it")
        return None, (f"'{reference[:80]}' is a '{parts.scheme}:' address, not a file; name a file inside the "
                      "magazine folder")
    if url and parts.netloc:  # '//example.org/x': a web address without its https:
        return None, (f"'{reference}' is a web address without its https:; a link to the web needs the full "
                      "address, an image must be a file inside the magazine folder")
    relative = unquote(parts.path)
    if not relative and "#" in reference:
        return None, f"'{reference[:80]}' names no file, only a place in a page; write the file's path"
    if not relative:
        return None, "names no file; write the file's path"
    candidate = Path(relative)
    if candidate.is_absolute():
        return None, f"'{reference}' is an absolute path; use a path relative to the file that names it"
    try:
        resolved = (base / candidate).resolve()
    except RuntimeError:  # Python before 3.13 says a symlink loop this way
        return None, f"'{reference[:80]}' is a symbolic link that leads back to itself"
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system, a symlink loop
        return None, f"'{reference[:80]}' is not a usable file name"
    if not resolved.is_relative_to(root.resolve()):
        return None, f"'{reference}' leads outside the magazine folder; files must stay inside it"
    return resolved, None


def is_file(path: Path) -> bool:
    """Path.is_file() that answers False, not OSError, for names the file system cannot hold."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


# C0 controls but tab and line ends, DEL, and the C1 controls
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_text(path: Path, problems: Problems) -> str | None:
    """The file's text as UTF-8, or None after recording why it cannot be read."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    if b"\x00" in data[:8192]:
        problems.error("is not a text file (it contains binary data); save it as UTF-8 Markdown", path)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_no = data[: error.start].count(b"\n") + 1
        problems.error("is not UTF-8 text (byte 0x%02x); re-save the file as UTF-8" % data[error.start],
                       path, line_no)
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:  # XML (the EPUB) forbids them, HTML too; the print PDF would show an empty box
        problems.error(f"contains a control character (U+{ord(control.group()):04X}), which the editions cannot "
                       "show; delete it (most editors do not show it)", path, text.count("\n", 0, control.start()) + 1)
        return None
    return text


def read_bytes(path: Path, problems: Problems, line: int | None = None, cited_in: Path | None = None) -> bytes | None:
    """The file's bytes, or None after recording (against the citing file) why not."""
    where = cited_in or path
    shown = problems.where(path)
    if not is_file(path):
        problems.error(f"not a file: {shown}" if _is_dir(path) else f"file not found: {shown}", where, line)
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        problems.error(f"cannot read {shown}: {error.strerror}", where, line)
        return None


def load_image(path: Path, href_for: Callable[[str], str], problems: Problems, line: int | None,
               cited_in: Path) -> Asset | None:
    """An image file -> Asset with its pixel size as shown (turned as its EXIF orientation says), or None
    after recording why it is unusable. `href_for(extension)`: its href, given the extension its format
    takes (a JPEG file named .png is a .jpg in the editions, or EPUBCheck warns)."""
    data = read_bytes(path, problems, line, cited_in)
    if data is None:
        return None
    shown = problems.where(path)
    if not data:
        problems.error(f"image {shown} is empty (0 bytes); export it again", cited_in, line)
        return None
    if path.suffix.lower() == ".svg" or looks_like_svg(data):
        drawing = clean_svg(data, shown, problems, cited_in, line)
        if drawing is None:
            return None
        data, width, height = drawing
        return Asset(href=href_for(".svg"), data=data, media_type="image/svg+xml", source=path,
                     width=round(width), height=round(height))
    size = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:  # Pillow refuses the very largest here
                kind, size, dpi = image.format, image.size, _dpi(image.info.get("dpi"))
                if size[0] * size[1] > MAX_PIXELS:
                    raise Image.DecompressionBombError
                image.load()  # decodes every pixel: a truncated file fails here
                if image.getexif().get(ORIENTATION, 1) in TURNED_SIDEWAYS:  # a phone held upright
                    size = size[1], size[0]
    except Image.DecompressionBombError:
        # Every edition and layout process would decode it whole: gigabytes, for pixels no page can show.
        pixels = f"{size[0]} x {size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels)" if size else "huge"
        problems.error(f"image {shown} is {pixels}, more than issuepress takes ({MAX_PIXELS / 1e6:.0f} megapixels); "
                       "a full A3 page at 300 ppi needs 17: scale it down", cited_in, line)
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if path.suffix.lower() == ".svgz":
            reason = "is a compressed SVG drawing; save it as a plain .svg"
        elif isinstance(error, UnidentifiedImageError):
            reason = "is not an image"
        else:
            reason = f"cannot be decoded ({error})"
        problems.error(f"image {shown} {reason}; use a JPEG, PNG, GIF or WebP file", cited_in, line)
        return None
    if kind not in IMAGE_TYPES:
        problems.error(f"image {shown} is {kind}; use a JPEG, PNG, GIF or WebP file", cited_in, line)
        return None
    extensions = EXTENSIONS[kind]
    href = href_for(path.suffix.lower() if path.suffix.lower() in extensions else extensions[0])
    return Asset(href=href, data=data, media_type=IMAGE_TYPES[kind], source=path, width=size[0], height=size[1],
                 dpi=dpi)


def _dpi(found) -> float:
    """Pillow's (x, y) dots per inch -> the horizontal figure (PNG stores dots per metre: 299.9994 is 300)."""
    try:
        return round(float(found[0]), 1) if found and float(found[0]) > 0 else 0.0
    except (TypeError, ValueError, IndexError):
        return 0.0
