"""The pictures in an article's tree -> files for the issue's images/ folder, with alt text and captions.

Each picture becomes `images/SLUG-N.EXT` (N in reading order, a picture used
twice is saved once), linked from the article as `../images/SLUG-N.EXT`.
Its alt text is what the writer gave Word ("Alt Text", a picture's
description) or LibreOffice (its description, else its text alternative); a
caption becomes the image title, which issuepress prints as the figure's
caption. A picture the editions cannot show (a Windows metafile, a picture
linked from the writer's disk) is left out with a warning at the place where
it stood, and a TIFF or BMP is saved as PNG.
"""

from __future__ import annotations

import io
import posixpath
import warnings
from dataclasses import dataclass

from PIL import Image

from .body import Article, Finding
from .facts import Facts
from .package import Package
from .pandoc import block_lists, inline_lists, inlines_of, node, plain_text

KEPT = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
CONVERTED = {"TIFF", "BMP"}  # saved as PNG


@dataclass
class Picture:
    name: str  # the file's name in images/
    data: bytes


def _part(package: Package, source: str) -> str | None:
    candidates = [source, posixpath.normpath(posixpath.join(posixpath.dirname(package.main), source))]
    return next((name for name in candidates if name in package.parts), None)


def _readable(data: bytes) -> tuple[str | None, bytes]:
    """(extension, bytes) of a picture the editions can show, converted if it must be; (None, b"") if not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                if kind in KEPT:
                    return KEPT[kind], data
                if kind in CONVERTED:
                    converted = io.BytesIO()
                    image.convert("RGBA" if "A" in image.getbands() else "RGB").save(converted, "PNG")
                    return ".png", converted.getvalue()
    except Exception:  # noqa: BLE001 - a damaged picture can make Pillow raise anything (ZeroDivisionError...)
        pass
    return None, b""


def unfold_figures(tree: dict) -> None:
    """pandoc's figure (a picture with a caption paragraph) -> a paragraph holding the picture, whose title is
    the caption: issuepress makes the figure and caption from that."""
    for block_list in list(block_lists(tree)):
        for index, block in enumerate(block_list):
            if block["t"] != "Figure":
                continue
            caption = plain_text(block["c"][1][1])
            content = block["c"][2]
            for inlines in inline_lists(content):
                for element in inlines:
                    if element["t"] == "Image" and caption:
                        element["c"][0][2].append(["caption", caption])
            unfolded = [node("Para", item["c"]) if item["t"] == "Plain" else item for item in content]
            block_list[index:index + 1] = unfolded or [node("Para", [])]


def take_pictures(article: Article, package: Package, facts: Facts, slug: str) -> list[Picture]:
    """Rewrite every picture of the tree; returns the files to save. Warnings go to `article`."""
    pictures: dict[str, Picture] = {}
    for block_list in block_lists(article.tree):
        for block in block_list:
            for inlines in inline_lists(inlines_of(block), notes=False) if inlines_of(block) else ():
                for index, element in enumerate(inlines):
                    if element["t"] == "Image":
                        inlines[index] = _picture(article, package, facts, slug, element, block, pictures)
    return list(pictures.values())


def _picture(article: Article, package: Package, facts: Facts, slug: str, image: dict, block: dict,
             pictures: dict[str, Picture]) -> dict:
    attributes, alt_inlines, (source, title) = image["c"]
    caption = dict(attributes[2]).get("caption", "")
    # Word's description, else its title (where LibreOffice puts a picture's text alternative); an .odt's
    # come from the XML (pandoc gives the title, lower-cased)
    alt = plain_text(alt_inlines) or facts.image_alts.get(source, "") or (title if package.kind == "docx" else "")
    number = len(pictures) + 1
    part = _part(package, source)
    if part is None:
        article.findings.append(Finding(f"picture {number} ({alt or 'no alt text'}) is linked to a file outside "
                                        f"the document ({source}); it is left out: insert the picture itself in "
                                        "the document (or put the file in images/ and link it here)", block))
        return node("RawInline", ["html", f"<!-- picture left out: {_comment(source)} -->"])
    if part in pictures:
        name = pictures[part].name
    else:
        extension, data = _readable(package.parts[part])
        if extension is None:
            kind = _unusable(package.parts[part])
            article.findings.append(Finding(f"picture {number} ({alt or 'no alt text'}) is {kind}, which no "
                                            "edition can show; it is left out: ask the writer for a PNG or JPEG "
                                            "and put it here", block))
            return node("RawInline", ["html", f"<!-- picture left out: {_comment(part)} ({kind}) -->"])
        name = f"{slug}-{number}{extension}"
        pictures[part] = Picture(name, data)
    if not alt:
        article.findings.append(Finding(f"picture {name} has no alt text in the writer's file; describe it in "
                                        "the [brackets] for readers who cannot see it", block))
    return node("Image", [["", [], []], [node("Str", alt)] if alt else [], [f"../images/{name}", caption]])


def _unusable(data: bytes) -> str:
    """What a picture the editions cannot show is, for the message."""
    if data[40:44] == b" EMF":
        return "a Windows metafile (EMF)"
    if data[:4] in (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00"):
        return "a Windows metafile (WMF)"
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or data[:2] == b"\x1f\x8b":
        return "an SVG drawing"
    return "not a picture that can be read (damaged, or of a kind issuepress does not take)"


def _comment(text: str) -> str:
    return text.replace("--", "- -")
