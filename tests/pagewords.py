"""Where printed pages begin, read as a reader would: the first words of each page of the print PDF (poppler's
pdftotext, without the running head and folio), and the words at each page-break marker of the EPUB."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from lxml import etree
from pypdf import PdfReader

XHTML = "{http://www.w3.org/1999/xhtml}"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def word(text: str) -> str:
    """A word as compared: its letters and digits, case folded, ligatures spelt out."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(character for character in text if character.isalnum())


def pdf_body_words(pdf: Path, top_mm: float, bottom_mm: float) -> list[list[str]]:
    """Each page's words in reading order, leaving out what lies in the top and bottom margins (running heads,
    folios), measured from the trim: `top_mm` and `bottom_mm` are the margins."""
    reader = PdfReader(str(pdf))
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True, timeout=300).stdout
    pages = list(ElementTree.fromstring(layout).iter(f"{XHTML}page"))
    found = []
    for page, pdf_page in zip(pages, reader.pages):
        media, trim = pdf_page.mediabox, pdf_page.trimbox
        top = float(media.top) - float(trim.top) + top_mm * 72 / 25.4  # from the media's top edge, in points
        bottom = float(media.top) - float(trim.bottom) - bottom_mm * 72 / 25.4
        words = []
        for line in page.iter(f"{XHTML}line"):
            for item in line.iter(f"{XHTML}word"):
                if float(item.get("yMax")) > top - 1 and float(item.get("yMin")) < bottom + 1 and item.text:
                    words.append(item.text)
        found.append(words)
    return found


def epub_marks(epub: Path) -> dict[str, tuple[str, str, str]]:
    """Every page-break marker of the EPUB by its folio: (document, the word before it, the words after it)."""
    marks = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            for marker in root.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
                before = "".join(marker.xpath("preceding::text()[not(ancestor::x:head)]", namespaces=NS))
                after = "".join(marker.xpath("following::text()", namespaces=NS))
                marks[marker.get("aria-label")] = (name, _last(before), " ".join(after.split()[:3]))
    return marks


def _last(text: str) -> str:
    words = text.split()
    return words[-1] if words else ""


def hyphenated(text: str) -> bool:
    return bool(re.search(r"[-\u2010\u00ad]$", text))
