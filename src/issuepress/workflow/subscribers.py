"""A subscriber list (CSV) and a built issue -> one personalised EPUB (and PDF) per subscriber, and a manifest.

The issue is built once. Each EPUB copy differs from it in two entries only:
the imprint, which says who the copy was prepared for, and the package
document, which carries the copy's own identifier (an opaque UUID; the
e-mail address goes in only when asked). Following the EPUB 3.3 privacy
advice on watermarks, nothing else about the subscriber is written into the
file; `manifest.csv` beside the copies maps each identifier back to a
subscriber, for tracing a shared copy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree

from ..editions.faces import ADD_A_FONT
from ..errors import IssueError, Problem, shown_path
from ..layouts import Theme
from ..load.fields import EMAIL
from ..model import RenderedIssue
from ..outputs import write_file

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["id", "file", "sha256", "copy_identifier", "edition"]
# Names Windows keeps for devices, with any extension: copies are often sent from a Windows computer
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                              *(f"lpt{n}" for n in range(1, 10))})
EPUB_NAMESPACES = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "dc": "http://purl.org/dc/elements/1.1/",
                   "x": "http://www.w3.org/1999/xhtml"}
SUBSCRIBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Subscriber:
    id: str
    name: str
    email: str | None
    line: int
    kindle: str | None = None  # a Send-to-Kindle address, from an optional `kindle` column


# Format characters names may hold: the joiners of Arabic, Indic and emoji spellings
JOINERS = {"\u200c", "\u200d"}


def read_subscribers(path: Path, root: Path, strict: bool,
                     without_glyphs: Callable[[list[str]], set[str]] | None = None
                     ) -> tuple[list[Subscriber], list[Problem]]:
    """The valid rows, and a problem per bad row (errors when `strict`, else warnings: the row is skipped).
    `without_glyphs(names)`, when copies are stamped, gives the characters no font can print."""
    shown = shown_path(path, root)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise IssueError(f"cannot read the subscriber list: {error.strerror}", shown) from None
    except UnicodeDecodeError:
        raise IssueError("the subscriber list is not UTF-8 text; export it from the spreadsheet as "
                         "CSV UTF-8", shown) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(rows, [])]
    missing = [column for column in ("id", "name", "email") if column not in header]
    if missing:
        raise IssueError(f"the first line must name the columns id,name,email (missing: {', '.join(missing)})",
                         shown, 1)
    column = {name: header.index(name) for name in ("id", "name", "email", "kindle") if name in header}
    subscribers: list[Subscriber] = []
    problems: list[Problem] = []
    seen: dict[str, tuple[int, str]] = {}  # lower-cased id -> (line, id as written)

    def bad(message: str, line: int) -> None:
        problems.append(Problem(message + ("" if strict else "; row skipped"), shown, line, warning=not strict))

    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * len(header)
        sid, name, email = (cells[column[key]] for key in ("id", "name", "email"))
        kindle = cells[column["kindle"]] if "kindle" in column else ""
        if not sid:
            bad("missing subscriber id", line)
        elif not SUBSCRIBER_ID.match(sid):
            bad(f"subscriber id '{sid}' may only hold letters, digits, '.', '_' and '-' (it names a file)", line)
        elif sid.split(".")[0].lower() in WINDOWS_RESERVED:
            bad(f"subscriber id '{sid}' names a device on Windows, where a file {sid}.epub cannot be made; "
                "choose another", line)
        elif sid.lower() in seen:  # the ids name files: s1.epub and S1.epub are one file on Mac and Windows
            used = seen[sid.lower()]
            bad(f"subscriber id '{sid}' is already used on line {used[0]}"
                + (f" (as '{used[1]}': copies' file names ignore case on Mac and Windows)" if used[1] != sid else ""),
                line)
        elif not name:
            bad(f"subscriber '{sid}' has no name", line)
        elif any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in JOINERS for ch in name):
            # a control character breaks the EPUB's XML; a bidi override would turn the copy's stamp around
            bad(f"the name of subscriber '{sid}' holds an invisible control character (such as a bidi override); "
                "retype it", line)
        elif email and not EMAIL.match(email):
            bad(f"'{email}' is not an email address", line)
        elif kindle and not EMAIL.match(kindle):
            bad(f"'{kindle}' in the kindle column is not an email address (a Send-to-Kindle address looks like "
                "name@kindle.com)", line)
        else:
            seen[sid.lower()] = line, sid
            subscribers.append(Subscriber(sid, name, email or None, line, kindle or None))
    unprintable = without_glyphs([person.name for person in subscribers]) if without_glyphs and subscribers else set()
    for person in [person for person in subscribers if unprintable & set(person.name)]:
        characters = ", ".join(f"U+{ord(ch):04X} {ch}" for ch in sorted(unprintable & set(person.name)))
        bad(f"the name of subscriber '{person.id}' has characters no font of the theme has ({characters}): a "
            f"stamped PDF would show empty boxes; {ADD_A_FONT}", person.line)
        subscribers.remove(person)
        del seen[person.id.lower()]  # a later row with this id is not a repeat of a skipped one
    if strict and problems:
        raise IssueError(problems)
    return subscribers, problems


def glyph_checker(rendered: RenderedIssue, theme: Theme,
                  formats: list[str]) -> Callable[[list[str]], set[str]] | None:
    """How to find the characters of names that a PDF copy's stamp cannot print; None without PDF copies."""
    if "pdf" not in formats:
        return None
    from ..editions.pdf.stamp import characters_without_glyphs

    return lambda names: characters_without_glyphs(names, rendered, theme)


@dataclass(frozen=True)
class Copy:
    subscriber: Subscriber
    file: str
    sha256: str
    copy_identifier: str


def copy_identifier(rendered: RenderedIssue, subscriber: Subscriber) -> str:
    """Opaque but stable: the same subscriber gets the same identifier for this issue on every run."""
    from ..editions.common import issue_identifier

    return f"urn:uuid:{uuid.uuid5(uuid.UUID(issue_identifier(rendered)[9:]), 'subscriber:' + subscriber.id)}"


class CopyRun:
    """Makes the copies into one folder, keeping manifest.csv current so an interrupted run can resume."""

    def __init__(self, out: Path, editions: dict[str, str]):
        """`editions`: file extension -> digest of the edition the copies of that kind are made from."""
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.manifest = out / MANIFEST
        kept, self.done = current_copies(out, editions)
        # Rewrite the manifest with the rows that still hold, then append as copies are made.
        write_file(self.manifest, _csv_text([MANIFEST_COLUMNS] + [[r.get(c, "") for c in MANIFEST_COLUMNS]
                                                                   for r in kept]))
        self.stream = self.manifest.open("a", encoding="utf-8", newline="")

    def is_done(self, file: str) -> bool:
        return file in self.done

    def record(self, copy: Copy, data: bytes, edition: str) -> None:
        # No fsync per copy: an interruption never leaves half a file (temp name, then rename), and after
        # a power cut the next run checks every listed copy's SHA-256 and remakes any that did not survive.
        write_file(self.out / copy.file, data, durable=False)
        csv.writer(self.stream).writerow([copy.subscriber.id, copy.file, copy.sha256, copy.copy_identifier, edition])
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()


def current_copies(out: Path, editions: dict[str, str]) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """The rows of `out`'s manifest that still hold, and of those the copies (file -> row) made from the
    editions given (extension -> digest) and still intact on disk; rows of other formats are kept as they are."""
    kept: list[dict[str, str]] = []
    done: dict[str, dict[str, str]] = {}
    manifest = out / MANIFEST
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                kind = Path(row.get("file") or "x").suffix.lstrip(".")
                if kind not in editions:
                    kept.append(row)  # copies of another format, not made in this run
                elif row.get("edition") == editions[kind] and _intact(out / row["file"], row):
                    kept.append(row)
                    done[row["file"]] = row
    return kept, done


def _intact(path: Path, row: dict[str, str]) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == row.get("sha256")
    except OSError:
        return False


def _csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


@dataclass
class Summary:
    written: int = 0
    skipped: int = 0
    copying_seconds: float = 0.0  # making and writing copies, after the issue itself was built

    @property
    def rate(self) -> float:
        return self.written / self.copying_seconds if self.copying_seconds else 0.0


def make_copies(rendered: RenderedIssue, theme: Theme, subscribers: list[Subscriber], out: Path,
                formats: list[str], include_email: bool,
                progress: Callable[[int, int], None] = lambda done, total: None) -> Summary:
    summary = Summary()
    total = len(subscribers) * len(formats)
    labels = [copy_label(subscriber, include_email) for subscriber in subscribers]
    makers = [copy_maker(rendered, theme, name, labels) for name in formats]
    run = CopyRun(out, {extension: digest for extension, digest, _ in makers})
    started = time.perf_counter()
    try:
        for extension, digest, make in makers:
            for subscriber in subscribers:
                file = f"{subscriber.id}.{extension}"
                if run.is_done(file):
                    summary.skipped += 1
                else:
                    identifier = copy_identifier(rendered, subscriber)
                    data, sha = make(copy_label(subscriber, include_email), identifier)
                    run.record(Copy(subscriber, file, sha, identifier), data, digest)
                    summary.written += 1
                progress(summary.written + summary.skipped, total)
    finally:
        run.close()
        summary.copying_seconds = time.perf_counter() - started
    return summary


def copy_label(subscriber: Subscriber, include_email: bool) -> str:
    """Whom a copy says it was prepared for: the name, and the address only when asked."""
    return f"{subscriber.name} <{subscriber.email}>" if include_email and subscriber.email else subscriber.name


def copy_maker(rendered: RenderedIssue, theme: Theme, kind: str, labels: list[str]):
    """(file extension, digest of the edition copies are made from, make(label, identifier) -> (bytes, sha256))
    for `kind` epub or pdf: the issue's edition made once (its fonts keeping the characters of every one of
    `labels`, the names the copies will carry), each copy made from it."""
    return _epub_maker(rendered, theme, "".join(labels)) if kind == "epub" else _pdf_maker(rendered, theme)


def _epub_maker(rendered: RenderedIssue, theme: Theme, names: str):
    from ..editions.epub.container import CopyTemplate
    from ..editions.epub.edition import IMPRINT, PACKAGE, EpubEdition, copy_package

    edition = EpubEdition(rendered, theme, extra_text=names)
    base = edition.package(pages=_print_pages(rendered, theme))
    template = CopyTemplate(base, (PACKAGE, IMPRINT))
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        package = archive.read(PACKAGE)

    def make(label: str, identifier: str) -> tuple[bytes, str]:
        return template.copy({PACKAGE: copy_package(package, identifier), IMPRINT: edition.imprint(label, identifier)})

    return "epub", hashlib.sha256(base).hexdigest(), make


def _print_pages(rendered: RenderedIssue, theme: Theme):
    """The print edition's pages, for the copies' page list: from the build cache (a build of the issue left the
    print layout there), else laid out. Copies are made without them only where the print layout fails, as the
    issue's own EPUB would be; the cache is read, never written, by making copies."""
    from ..cache import Cache
    from ..editions import folios

    try:
        return folios.pages_for(rendered, theme, Cache(rendered.issue.magazine.root / "build" / ".cache"))
    except IssueError:
        return None


def _pdf_maker(rendered: RenderedIssue, theme: Theme):
    from ..cache import MemoryCache
    from ..editions.pdf.document import render_pdf
    from ..editions.pdf.stamp import stamp

    base, _report = render_pdf(rendered, theme, MemoryCache(), screen=True)

    def make(label: str, identifier: str) -> tuple[bytes, str]:
        data = stamp(base, f"This copy was prepared for {label} \u00b7 {identifier}", rendered, theme)
        return data, hashlib.sha256(data).hexdigest()

    return "pdf", hashlib.sha256(base).hexdigest(), make


def trace(epub: Path, manifest: Path | None) -> tuple[str | None, list[str]]:
    """(the copy identifier or None, lines saying what is known about the copy)."""
    try:
        with zipfile.ZipFile(epub) as archive:
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            package_path = container.xpath("//c:rootfile/@full-path", namespaces=EPUB_NAMESPACES)[0]
            package = etree.fromstring(archive.read(package_path))
            imprint = next((etree.fromstring(archive.read(n)) for n in archive.namelist()
                            if n.endswith("imprint.xhtml")), None)
    except (OSError, zipfile.BadZipFile, KeyError, IndexError, etree.XMLSyntaxError):
        raise IssueError("is not an EPUB that can be read", str(epub)) from None
    found = package.xpath("//dc:identifier[@id='copy-identifier']/text()", namespaces=EPUB_NAMESPACES)
    if not found:
        return None, [f"{epub}: not a personalised copy (it has no copy identifier)"]
    identifier = found[0].strip()
    lines = [f"copy identifier: {identifier}"]
    prepared = imprint.xpath("//x:p[@class='prepared-for']", namespaces=EPUB_NAMESPACES) if imprint is not None else []
    if prepared:
        said = " ".join("".join(prepared[0].itertext()).split())  # the name sits in a <bdi>, apart from the words
        lines.append(f"imprint says: prepared for {said.removeprefix('This copy was prepared for ').rstrip('.')}")
    manifest = manifest or epub.parent / MANIFEST
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as stream:
            rows = [row for row in csv.DictReader(stream) if row.get("copy_identifier") == identifier]
        lines.append(f"subscriber: {rows[0]['id']} (from {manifest})" if rows else
                     f"not listed in {manifest}")
    return identifier, lines
