"""An .odt -> its `Facts`, and the same file prepared for pandoc, as docx.py does for Word files.

Besides paragraphs, languages, comments and habits, this reads what pandoc's
OpenDocument reader leaves out: tracked changes (accepted or rejected here,
see odt_changes), the title and subtitle (paragraph styles), pictures' alt
text (svg:desc, else svg:title) and the author (meta.xml).
"""

from __future__ import annotations

from lxml import etree

from . import odt_changes
from .facts import MARKER, QUOTE_STYLES, Comment, Facts, Numbering, clean_tag, letters, script_class, split_authors
from .languages import BARRIER, NEUTRAL, anchor_for, wrap_stretches
from .odt_changes import DC, OFFICE, PARAGRAPHS, TEXT, CannotUndo
from .package import Package, refused

STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
SLOTS = {"latin": ("language", "country"), "asian": ("language-asian", "country-asian"),
         "complex": ("language-complex", "country-complex")}
# Not part of the running text: notes and comments are read on their own, the change list by odt_changes
APART = {f"{TEXT}note", f"{OFFICE}annotation", f"{TEXT}tracked-changes", f"{DRAW}frame"}
NEUTRAL_TAGS = {f"{TEXT}{name}" for name in ("s", "tab", "line-break", "soft-page-break", "bookmark",
                                             "bookmark-start", "bookmark-end", "reference-mark",
                                             "reference-mark-start", "reference-mark-end")} | \
    {f"{OFFICE}annotation-end"}
PLAIN_COLOURS = {"", "transparent", "#000000", "#ffffff", "none"}


class OdtStyles:
    """Named and automatic styles of both families the text uses, with what they inherit."""

    def __init__(self, *roots: etree._Element | None):
        self.by_name: dict[tuple[str, str], etree._Element] = {}
        self.default: etree._Element | None = None
        self.automatic: set[tuple[str, str]] = set()
        for root in roots:
            if root is None:
                continue
            for style in root.iter(f"{STYLE}style"):
                key = (style.get(f"{STYLE}family", ""), style.get(f"{STYLE}name", ""))
                self.by_name.setdefault(key, style)
                if style.getparent().tag == f"{OFFICE}automatic-styles":
                    self.automatic.add(key)
            for default in root.iter(f"{STYLE}default-style"):
                if default.get(f"{STYLE}family") == "paragraph":
                    self.default = default

    def chain(self, family: str, name: str | None) -> list[etree._Element]:
        found, seen = [], set()
        while name and (family, name) in self.by_name and name not in seen:
            seen.add(name)
            style = self.by_name[(family, name)]
            found.append(style)
            name = style.get(f"{STYLE}parent-style-name")
        return found

    def language(self, stack: tuple[tuple[str, str], ...], slot: str) -> str | None:
        language_key, country_key = SLOTS[slot]
        styles = [style for family, name in reversed(stack) for style in self.chain(family, name)]
        for style in styles + ([self.default] if self.default is not None else []):
            properties = style.find(f"{STYLE}text-properties")
            attribute = FO if slot == "latin" else STYLE
            if properties is not None and properties.get(f"{attribute}{language_key}"):
                language = properties.get(f"{attribute}{language_key}")
                country = properties.get(f"{attribute}{country_key}")
                return clean_tag(f"{language}-{country}" if country and country != "none" else language)
        return None

    def role(self, name: str | None) -> str | None:
        """'title', 'subtitle' or 'quote' when the paragraph's style is (or is based on) one of those."""
        names = {(style.get(f"{STYLE}{key}") or "").replace("_20_", " ").lower()
                 for style in self.chain("paragraph", name) for key in ("name", "display-name")}
        return next((role for role in ("title", "subtitle") if role in names),
                    "quote" if names & QUOTE_STYLES else None)

    def marking(self, family: str, name: str | None) -> str | None:
        """'highlighted' or 'coloured' when direct formatting (an automatic style) colours the text."""
        if (family, name) not in self.automatic:
            return None
        properties = self.by_name[(family, name)].find(f"{STYLE}text-properties")
        if properties is None:
            return None
        if (properties.get(f"{FO}background-color") or "").lower() not in PLAIN_COLOURS:
            return "highlighted"
        if (properties.get(f"{FO}color") or "").lower() not in PLAIN_COLOURS:
            return "coloured"
        return None


class OdtReader:
    """One .odt read for the import: `facts` and `prepared` (the bytes to give pandoc)."""

    def __init__(self, package: Package, reject: bool):
        self.package, self.facts = package, Facts()
        content = package.xml("content.xml")
        self.content = content
        self.styles = OdtStyles(content, package.xml("styles.xml"))
        self.text = content.find(f"{OFFICE}body/{OFFICE}text")
        if self.text is None:
            raise refused(package.shown, "is an OpenDocument file with no text body")
        self.numbering = Numbering(self.facts)
        found = odt_changes.regions(self.text)
        places = self._change_places()
        try:
            odt_changes.reject(self.text, found) if reject else odt_changes.accept(self.text)
        except CannotUndo as error:
            raise refused(package.shown, f"has {error} among its tracked changes, which issuepress cannot reject; "
                                         "reject it in LibreOffice (Edit > Track Changes > Manage), save, and "
                                         "import again") from None
        self.note_numbers = self._note_numbers()
        self._read_paragraphs()
        mark_places = {ident: self._where(mark)[0] for ident, mark in places.items()}
        self.facts.changes, self.facts.formatting_changes = odt_changes.describe(found, mark_places)
        self._read_comments()
        self._read_languages()
        self._read_pictures()
        self._read_properties(package.xml("meta.xml"))
        self.prepared = package.rebuilt({"content.xml": etree.tostring(content, xml_declaration=True,
                                                                       encoding="UTF-8")}, ("Pictures/",))

    def _change_places(self) -> dict[str, etree._Element]:
        """Each change's paragraph, read before the marks go: an insertion that starts at the very end of a
        paragraph is new paragraphs, named by the paragraph where it ends."""
        def paragraph(mark: etree._Element) -> etree._Element:
            return next((a for a in mark.iterancestors() if a.tag in PARAGRAPHS), mark.getparent())

        starts, ends = {}, {}
        for mark in odt_changes.marks(self.text):
            (ends if mark.tag == f"{TEXT}change-end" else starts)[mark.get(f"{TEXT}change-id")] = mark
        places = {}
        for ident, mark in starts.items():
            at_end = mark.tag == f"{TEXT}change-start" and not (mark.tail or "").strip() and mark.getnext() is None
            places[ident] = paragraph(ends[ident] if at_end and ident in ends else mark)
        return places

    def _body_paragraphs(self, root: etree._Element):
        for paragraph in root.iter(*PARAGRAPHS):
            # (a text box's paragraphs are text; the empty one LibreOffice puts in a picture is not)
            if not any(a.tag in APART and a.tag != f"{DRAW}frame" or a.tag == f"{DRAW}image"
                       for a in paragraph.iterancestors()):
                yield paragraph

    def _segments(self, element: etree._Element, stack: tuple = ()):
        """(text, style stack) for each piece of the element's running text; notes and comments left out."""
        name = element.get(f"{TEXT}style-name")
        if name:
            stack = stack + (("paragraph" if element.tag in PARAGRAPHS else "text", name),)
        if element.text:
            yield element.text, stack
        for child in element:
            if child.tag == f"{TEXT}s":
                yield " " * int(child.get(f"{TEXT}c", "1") or 1), stack
            elif child.tag == f"{TEXT}tab":
                yield "\t", stack
            elif child.tag == f"{TEXT}line-break":
                yield "\n", stack
            elif child.tag not in APART:
                yield from self._segments(child, stack)
            if child.tail:
                yield child.tail, stack

    def _read_paragraphs(self) -> None:
        for paragraph in self._body_paragraphs(self.text):
            segments = list(self._segments(paragraph))
            text = "".join(piece for piece, _stack in segments)
            pictured = any(True for _ in paragraph.iter(f"{DRAW}image"))
            marked: list[tuple[str, str]] = []
            for piece, stack in segments:
                how = next((h for family, name in reversed(stack) if (h := self.styles.marking(family, name))), None)
                if how and piece.strip():
                    if marked and marked[-1][1] == how and marked[-1][2] is stack:
                        marked[-1] = (marked[-1][0] + piece, how, stack)
                    else:
                        marked.append((piece, how, stack))
            number = self.numbering.count(paragraph, text, pictured, self.styles.role(paragraph.get(
                f"{TEXT}style-name")), [(t.strip(), h) for t, h, _s in marked])
            if number is None or not text.strip():
                continue  # (a picture alone is found by its file name)
            marker = etree.Element(f"{TEXT}a", {f"{XLINK}type": "simple", f"{XLINK}href": f"#ipara-{number}"})
            marker.text, marker.tail, paragraph.text = MARKER, paragraph.text, None
            paragraph.insert(0, marker)

    def _note_numbers(self) -> dict[etree._Element, str]:
        numbers: dict[etree._Element, str] = {}
        counts = {"footnote": 0, "endnote": 0}
        for note in self.text.iter(f"{TEXT}note"):
            kind = note.get(f"{TEXT}note-class", "footnote")
            counts[kind] = counts.get(kind, 0) + 1
            numbers[note] = f"{kind} {counts[kind]}"
        return numbers

    def _where(self, element: etree._Element) -> tuple[str, int | None]:
        for ancestor in (element, *element.iterancestors()):
            if ancestor in self.note_numbers:
                return self.note_numbers[ancestor], None
            if (found := self.numbering.where(ancestor)) is not None:
                return found
        return "the document", None

    def _read_comments(self) -> None:
        for note in list(self.text.iter(f"{OFFICE}annotation")):
            creator = note.find(f"{DC}creator")
            text = " ".join(" ".join("".join(piece for piece, _ in self._segments(p)).split())
                            for p in note.iter(f"{TEXT}p")).strip()
            where, number = self._where(note)
            author = " ".join((creator.text or "").split()) if creator is not None else ""
            self.facts.comments.append(Comment(author or "someone", text, where, number))
        for element in list(self.text.iter(f"{OFFICE}annotation", f"{OFFICE}annotation-end")):
            odt_changes.remove_keeping_tail(element)  # pandoc drops them too; never let one through

    def _read_languages(self) -> None:
        paragraphs = list(self._body_paragraphs(self.text))
        for paragraph in paragraphs:
            for piece, stack in self._segments(paragraph):
                tag = self.styles.language(stack, script_class(piece) or "latin") if script_class(piece) else None
                if tag:
                    self.facts.letters[tag] += letters(piece)
        home = self.facts.language
        for paragraph in self.text.iter(*PARAGRAPHS):
            if any(self._foreign(piece, stack, home) for piece, stack in self._segments(paragraph)):
                self._mark(paragraph, self._stack_of(paragraph), home)

    def _stack_of(self, element: etree._Element) -> tuple:
        stack = []
        for node in [*reversed(list(element.iterancestors())), element]:
            if node.get(f"{TEXT}style-name") and (node.tag in PARAGRAPHS or node.tag == f"{TEXT}span"):
                stack.append(("paragraph" if node.tag in PARAGRAPHS else "text", node.get(f"{TEXT}style-name")))
        return tuple(stack)

    def _language_of(self, piece: str, stack: tuple, home: str | None) -> str | None:
        script = script_class(piece)
        return self.styles.language(stack, script) or home if script else NEUTRAL

    def _foreign(self, piece: str, stack: tuple, home: str | None) -> bool:
        tag = self._language_of(piece, stack, home)
        return bool(tag) and home is not None and tag.split("-")[0].lower() != home.split("-")[0].lower()

    def _mark(self, element: etree._Element, stack: tuple, home: str | None) -> None:
        """Wrap each stretch of another language among the element's content in a link to #ilang-TAG; loose
        text is put in plain spans first, so that every piece is an element."""
        for child in [None, *element]:
            loose = element.text if child is None else child.tail
            if loose:
                span = etree.Element(f"{TEXT}span")
                span.text = loose
                if child is None:
                    element.text = None
                    element.insert(0, span)
                else:
                    child.tail = None
                    child.addnext(span)
        children = list(element)
        languages: list[str | None] = []
        for child in children:
            if child.tag in NEUTRAL_TAGS:
                languages.append(NEUTRAL)
            elif child.tag == f"{TEXT}span":
                inner = stack + ((("text", child.get(f"{TEXT}style-name")),) if child.get(f"{TEXT}style-name")
                                 else ())
                found = {self._language_of(p, s, home) for p, s in self._segments(child, stack)} - {NEUTRAL}
                plain = not any(True for _ in child.iter(*APART, f"{TEXT}a"))
                if plain and len({tag.split("-")[0].lower() for tag in found}) <= 1:
                    languages.append(min(found) if found else NEUTRAL)
                else:
                    self._mark(child, inner, home)
                    languages.append(BARRIER)
            else:
                languages.append(BARRIER)

        def wrap(pieces: list, tag: str) -> None:
            link = etree.Element(f"{TEXT}a", {f"{XLINK}type": "simple", f"{XLINK}href": anchor_for(tag)})
            pieces[0].addprevious(link)
            for piece in pieces:
                link.append(piece)

        wrap_stretches(children, languages, home, wrap)

    def _read_pictures(self) -> None:
        for frame in self.text.iter(f"{DRAW}frame"):
            image = frame.find(f"{DRAW}image")
            if image is None or not image.get(f"{XLINK}href"):
                continue
            alt = next((" ".join((node.text or "").split()) for node in (frame.find(f"{SVG}desc"),
                        frame.find(f"{SVG}title")) if node is not None and (node.text or "").strip()), "")
            self.facts.image_alts.setdefault(image.get(f"{XLINK}href"), alt)

    def _read_properties(self, meta: etree._Element | None) -> None:
        if meta is None:
            return
        title = meta.find(f"{OFFICE}meta/{DC}title")
        author = meta.find(f"{OFFICE}meta/{META}initial-creator")
        if author is None or not (author.text or "").strip():
            author = meta.find(f"{OFFICE}meta/{DC}creator")
        self.facts.title = " ".join((title.text or "").split()) if title is not None else None
        self.facts.authors = split_authors(author.text or "") if author is not None else []
