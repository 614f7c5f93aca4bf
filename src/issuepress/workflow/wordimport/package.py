"""A writer's file -> its parts: a .docx or an .odt is a zip of XML parts and pictures, checked before use.

Anything that is not one of the two (an old .doc, a password-protected file,
an RTF or Pages file, a broken download) is refused here with a message that
says what it is and how to save it as something issuepress reads, so no
later step meets a file it cannot parse.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ...errors import IssueError, Problem

ODT_TYPE = "application/vnd.oasis.opendocument.text"
MAX_TOTAL = 1 << 30  # bytes unpacked: a 10,000-word file with 20 photographs is about 20 MB
MAX_RATIO = 200  # unpacked/packed for one part: XML compresses about 10:1, a zip bomb far more
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# A safe parser: no network, no entities expanded from outside the file, huge text allowed (long documents).
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


@dataclass
class Package:
    """The parts of one file, by name, read once."""

    path: Path
    shown: str  # the path as the messages give it
    kind: str  # "docx" or "odt"
    parts: dict[str, bytes]
    main: str  # the part holding the text: word/document.xml (or where _rels/.rels says), content.xml

    def xml(self, name: str) -> etree._Element | None:
        """A part parsed as XML, or None if the file has no such part."""
        data = self.parts.get(name)
        if data is None:
            return None
        try:
            return etree.fromstring(data, XML_PARSER)
        except etree.XMLSyntaxError as error:
            raise IssueError([Problem(f"is damaged: its part {name} is not well-formed XML ({error.msg}); open "
                                      "it in a word processor and save it again", self.shown)]) from None

    def rebuilt(self, replaced: dict[str, bytes], empty_prefixes: tuple[str, ...]) -> bytes:
        """The zip again with some parts replaced, and the pictures emptied: a converter that only reads the
        text needs to know a picture is there, not its bytes (issuepress copies those from this package)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            if "mimetype" in self.parts:  # ODF: the first entry, stored
                archive.writestr("mimetype", self.parts["mimetype"])
            for name, data in self.parts.items():
                if name == "mimetype":
                    continue
                if name.startswith(empty_prefixes):
                    data = b""
                archive.writestr(name, replaced.get(name, data))
        return buffer.getvalue()


def refused(shown: str, message: str) -> IssueError:
    return IssueError([Problem(message, shown)])


def open_package(path: Path, shown: str) -> Package:
    """Read the file; IssueError (naming it as `shown`) if it is not a .docx or .odt that can be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise refused(shown, f"cannot be read: {error.strerror}") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refused(shown, _what_it_is(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            _check_sizes(infos, shown)
            parts = {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as error:
        raise refused(shown, f"is damaged and cannot be unpacked ({error}); open it in a word processor and "
                             "save it again") from None
    mimetype = parts.get("mimetype", b"").strip()
    if mimetype.startswith(b"application/vnd.oasis.opendocument") and mimetype != ODT_TYPE.encode():
        kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1]
        raise refused(shown, f"is an OpenDocument {kind} file, not a text document; import a writer's .odt or "
                             ".docx")
    if mimetype == ODT_TYPE.encode() or ("content.xml" in parts and "word/document.xml" not in parts):
        if "content.xml" not in parts:
            raise refused(shown, "is an OpenDocument file without its text (content.xml); save it again")
        return Package(path, shown, "odt", parts, "content.xml")
    main = _main_document(parts)
    if main is None:
        raise refused(shown, "is a zip file but not a Word document (.docx) or an OpenDocument text (.odt)")
    return Package(path, shown, "docx", parts, main)


def _main_document(parts: dict[str, bytes]) -> str | None:
    """The part _rels/.rels names as the document (word/document.xml in every file seen so far)."""
    rels = parts.get("_rels/.rels")
    if rels is not None:
        try:
            for relation in etree.fromstring(rels, XML_PARSER).iter(f"{RELATIONSHIPS}Relationship"):
                if relation.get("Type") == MAIN_DOCUMENT:
                    target = relation.get("Target", "").lstrip("/")
                    if target in parts:
                        return target
        except etree.XMLSyntaxError:
            pass
    return "word/document.xml" if "word/document.xml" in parts else None


def _check_sizes(infos: list[zipfile.ZipInfo], shown: str) -> None:
    total = sum(info.file_size for info in infos)
    suspicious = [info.filename for info in infos
                  if info.file_size > 50_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1)]
    if total > MAX_TOTAL or suspicious:
        raise refused(shown, f"unpacks to {total / 1e6:.0f} MB, far more than a document holds; it is not "
                             "imported (save it again from the word processor, with pictures at print size)")


def _what_it_is(data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE compound file: Word 97-2003, or any password-protected file
        return ("is an old Word document (.doc) or a password-protected file; open it in Word or LibreOffice, "
                "remove any password and save it as .docx or .odt")
    if data.lstrip().startswith(b"{\\rtf"):
        return "is an RTF file; open it in a word processor and save it as .docx or .odt"
    if data.lstrip()[:100].lower().startswith((b"<?xml", b"<office:document")):
        return "is a flat XML document (.fodt or .xml); open it in LibreOffice and save it as .odt or .docx"
    if not data:
        return "is empty (0 bytes)"
    if data.startswith(b"PK"):
        return "is damaged (a zip file cut short, or broken in a download); ask the writer to send it again"
    return "is not a Word document (.docx) or an OpenDocument text (.odt)"
