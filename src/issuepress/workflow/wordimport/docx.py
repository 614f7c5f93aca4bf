"""A .docx -> its `Facts`, and the same file prepared for pandoc (paragraphs tagged, languages marked).

pandoc reads the text, styles, lists, tables, notes, links and pictures.
What it does not carry is read here from the XML: the paragraphs as an
editor counts them, tracked changes and comments with their authors and
places, the language of every run (through the styles it inherits from),
and the writer's habits (colour, highlighting, indents, double spaces). Each
counted paragraph gets a marker link at its start, and each stretch of
another language a link to `#ilang-TAG`, which the conversion turns back
into paragraph numbers and `lang` spans. Pictures that LibreOffice wraps in
`mc:AlternateContent` are unwrapped so that pandoc reads their alt text.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from .facts import (
    MARKER,
    QUOTE_STYLES,
    Change,
    Comment,
    Facts,
    Numbering,
    clean_tag,
    letters,
    script_class,
    split_authors,
)
from .languages import BARRIER, NEUTRAL, anchor_for, wrap_stretches
from .package import RELATIONSHIPS, Package

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
PICTURE = "{http://schemas.openxmlformats.org/drawingml/2006/picture}pic"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
VML = "{urn:schemas-microsoft-com:vml}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
DC = "{http://purl.org/dc/elements/1.1/}"
SLOTS = {"latin": "val", "asian": "eastAsia", "complex": "bidi"}  # Word's three language slots of a run
CHANGES = {f"{W}ins": "insertion", f"{W}del": "deletion", f"{W}moveFrom": "move"}  # moveTo: the move's other end
FORMAT_CHANGES = tuple(f"{W}{name}" for name in ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
                                                 "trPrChange", "tcPrChange", "numberingChange", "tblGridChange"))
NEUTRAL_TAGS = {f"{W}{name}" for name in ("bookmarkStart", "bookmarkEnd", "proofErr", "commentRangeStart",
                                          "commentRangeEnd", "permStart", "permEnd")}
NESTED = {f"{W}{name}" for name in ("smartTag", "customXml", "sdt", "sdtContent")}
NOT_TEXT_RUNS = tuple(f"{W}{name}" for name in ("fldChar", "instrText", "footnoteReference", "endnoteReference",
                                                 "drawing", "pict", "object"))
PLAIN_COLOURS = {"", "auto", "000000", "ffffff", "none"}
UNTAGGED, UNMARKABLE = "*", "#"  # a run with no language (it reads as the document's), one that cannot be wrapped


class Styles:
    """styles.xml: each style's name, what it is based on, and the languages it sets."""

    def __init__(self, root: etree._Element | None):
        self.by_id: dict[str, etree._Element] = {}
        self.defaults: dict[str, str] = {}
        self.default_paragraph: str | None = None
        if root is None:
            return
        for style in root.iter(f"{W}style"):
            self.by_id[style.get(f"{W}styleId", "")] = style
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true", "on"):
                self.default_paragraph = style.get(f"{W}styleId")
        language = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        if language is not None:
            self.defaults = {slot: language.get(f"{W}{slot}", "") for slot in SLOTS.values()}

    def chain(self, style_id: str | None) -> list[etree._Element]:
        """The style and those it is based on, nearest first."""
        found, seen = [], set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            found.append(style)
            based = style.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return found

    def language(self, run_style: str | None, paragraph_style: str | None, slot: str) -> str | None:
        for style in self.chain(run_style) + self.chain(paragraph_style or self.default_paragraph):
            language = style.find(f"{W}rPr/{W}lang")
            if language is not None and language.get(f"{W}{slot}"):
                return language.get(f"{W}{slot}")
        return self.defaults.get(slot) or None

    def role(self, style_id: str | None) -> str | None:
        names = [(style.find(f"{W}name").get(f"{W}val", "") if style.find(f"{W}name") is not None else "").lower()
                 for style in self.chain(style_id)] or [(style_id or "").lower()]  # (a style the file lacks)
        if names and names[0] in ("title", "subtitle"):
            return names[0]
        return "quote" if any(name in QUOTE_STYLES for name in names) else None


def _val(element: etree._Element | None, attribute: str = "val") -> str | None:
    return element.get(f"{W}{attribute}") if element is not None else None


def _relations(package: Package) -> tuple[dict[str, str], dict[str, str]]:
    """The document's related parts by kind ('footnotes', 'endnotes', 'comments') -> part name, and its
    links to files outside it by relationship id -> target."""
    folder = posixpath.dirname(package.main)
    rels = package.xml(posixpath.join(folder, "_rels", posixpath.basename(package.main) + ".rels"))
    found, outside = {}, {}
    for relation in rels.iter(f"{RELATIONSHIPS}Relationship") if rels is not None else ():
        kind = relation.get("Type", "").rsplit("/", 1)[-1]
        if relation.get("TargetMode") == "External":
            outside[relation.get("Id", "")] = relation.get("Target", "")
        else:
            found[kind] = posixpath.normpath(posixpath.join(folder, relation.get("Target", "")))
    return found, outside


class DocxReader:
    """One .docx read for the import: `facts` and `prepared` (the bytes to give pandoc)."""

    def __init__(self, package: Package, reject: bool):
        self.package, self.reject = package, reject
        self.styles = Styles(package.xml("word/styles.xml"))
        self.facts = Facts()
        self.document = package.xml(package.main)
        relations, self.links = _relations(package)
        self.notes = {kind: package.xml(relations.get(f"{kind}s", f"word/{kind}s.xml"))
                      for kind in ("footnote", "endnote")}
        self.numbering = Numbering(self.facts)
        self.note_numbers = self._note_numbers()
        self._unwrap_pictures()
        self._read_paragraphs()
        self._read_languages()
        self._read_changes()
        self._read_comments(package.xml(relations.get("comments", "word/comments.xml")))
        self._read_properties()
        replaced = {package.main: etree.tostring(self.document, xml_declaration=True, encoding="UTF-8",
                                                 standalone=True)}
        for kind, root in self.notes.items():
            if root is not None:
                replaced[relations.get(f"{kind}s", f"word/{kind}s.xml")] = etree.tostring(
                    root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.prepared = package.rebuilt(replaced, ("word/media/",))

    # -- what a run and a paragraph read as --------------------------------------------------------------

    def _hidden(self, element: etree._Element) -> bool:
        """Inside a change that the chosen way of reading drops (deletions, or with reject, insertions)."""
        dropped = (f"{W}ins", f"{W}moveTo") if self.reject else (f"{W}del", f"{W}moveFrom")
        return any(ancestor.tag in dropped for ancestor in element.iterancestors())

    def _text(self, element: etree._Element) -> str:
        """What a paragraph or run reads as: not a text box's paragraphs inside it (they count on their own)."""
        home = element if element.tag == f"{W}p" else next(element.iterancestors(f"{W}p"), None)
        parts = []
        for node in element.iter(f"{W}t", f"{W}delText", f"{W}tab", f"{W}br", f"{W}noBreakHyphen"):
            if node.getparent().tag != f"{W}r" or (node.tag == f"{W}delText" and not self.reject):
                continue  # (a w:tab outside a run is a tab stop)
            if self._hidden(node) or next(node.iterancestors(f"{W}p"), None) is not home:
                continue
            parts.append({f"{W}tab": "\t", f"{W}br": "\n", f"{W}noBreakHyphen": "-"}.get(node.tag, node.text or ""))
        return "".join(parts)

    def _language(self, run: etree._Element, paragraph_style: str | None, text: str) -> str | None:
        properties = run.find(f"{W}rPr")
        script = script_class(text) or "latin"
        if properties is not None and properties.find(f"{W}cs") is not None:
            script = "complex"
        slot = SLOTS[script]
        direct = properties.find(f"{W}lang") if properties is not None else None
        tag = _val(direct, slot) or self.styles.language(_val(properties.find(f"{W}rStyle")) if properties is not None
                                                         else None, paragraph_style, slot)
        return clean_tag(tag)

    @staticmethod
    def _paragraph_style(paragraph: etree._Element) -> str | None:
        return _val(paragraph.find(f"{W}pPr/{W}pStyle"))

    # -- paragraphs ---------------------------------------------------------------------------------------

    def _unwrap_pictures(self) -> None:
        """LibreOffice writes a picture as mc:AlternateContent (a drawing, and VML for old readers); pandoc takes
        the VML, which has no alt text. A choice that is just a picture is as good as Word's own markup."""
        for alternate in list(self.document.iter(f"{MC}AlternateContent")):
            choice = alternate.find(f"{MC}Choice")
            if choice is None or next(choice.iter(PICTURE), None) is None or len(choice) != 1:
                continue
            alternate.addprevious(choice[0])
            alternate.getparent().remove(alternate)

    def _read_paragraphs(self) -> None:
        body = self.document.find(f"{W}body")
        for paragraph in body.iter(f"{W}p") if body is not None else ():
            if any(ancestor.tag == f"{MC}Fallback" for ancestor in paragraph.iterancestors()):
                continue  # a text box's copy for older readers: its paragraphs are counted once, in the choice
            pictured = any(True for _ in paragraph.iter(f"{W}drawing", f"{W}pict", f"{W}object"))
            changed = any(True for _ in paragraph.iter(*CHANGES, f"{W}moveTo"))  # empty once changes are settled
            number = self.numbering.count(paragraph, self._text(paragraph), pictured,
                                          self.styles.role(self._paragraph_style(paragraph)), self._marked(paragraph),
                                          spacing=not changed)
            self._linked_pictures(paragraph, number)
            if number is None or not self.facts.paragraphs[number].text.strip():
                continue  # (a marker beside a picture alone would keep pandoc from seeing its caption)
            marker = etree.Element(f"{W}hyperlink", {f"{W}anchor": f"ipara-{number}"})
            etree.SubElement(etree.SubElement(marker, f"{W}r"), f"{W}t").text = MARKER
            paragraph.insert(1 if len(paragraph) and paragraph[0].tag == f"{W}pPr" else 0, marker)

    def _linked_pictures(self, paragraph: etree._Element, number: int | None) -> None:
        """Pictures the file only links to (a path on the writer's computer): pandoc leaves them out unsaid."""
        for blip in paragraph.iter(f"{A}blip", f"{VML}imagedata"):
            target = self.links.get(blip.get(f"{R}link") or blip.get(f"{R}id") or "")
            if target is not None and not blip.get(f"{R}embed"):
                where = self.facts.paragraphs[number].where if number else "a paragraph of its own"
                self.facts.linked_pictures.append((number, where, target))

    def _marked(self, paragraph: etree._Element) -> list[tuple[str, str]]:
        """Stretches of text the writer coloured or highlighted (direct formatting, not a style's colour)."""
        marked: list[tuple[str, str]] = []
        last = None
        for run in paragraph.iter(f"{W}r"):
            if self._hidden(run) or any(a.tag == f"{W}hyperlink" for a in run.iterancestors()):
                continue
            properties = run.find(f"{W}rPr")
            how = None
            if properties is not None:
                highlight = _val(properties.find(f"{W}highlight"))
                shading = _val(properties.find(f"{W}shd"), "fill")
                colour = _val(properties.find(f"{W}color"))
                if (highlight or "none") != "none" or (shading or "").lower() not in PLAIN_COLOURS:
                    how = "highlighted"
                elif (colour or "").lower() not in PLAIN_COLOURS:
                    how = "coloured"
            text = self._text(run)
            if how and text.strip():
                if last is not None and marked and marked[-1][1] == how and run.getprevious() is last:
                    marked[-1] = (marked[-1][0] + text, how)
                else:
                    marked.append((text, how))
            last = run
        return [(text.strip(), how) for text, how in marked]

    # -- languages ----------------------------------------------------------------------------------------

    def _runs(self, root: etree._Element):
        """(run, paragraph style, visible text) for every run with text, fields' codes and results left out."""
        for paragraph in root.iter(f"{W}p"):
            style, depth = self._paragraph_style(paragraph), 0
            for run in paragraph.iter(f"{W}r"):
                for mark in run.iter(f"{W}fldChar"):
                    depth += {"begin": 1, "end": -1}.get(mark.get(f"{W}fldCharType"), 0)
                if depth > 0 or any(True for _ in run.iter(*NOT_TEXT_RUNS)) or self._hidden(run):
                    yield run, style, None
                    continue
                yield run, style, self._text(run)

    def _read_languages(self) -> None:
        body = self.document.find(f"{W}body")
        items: dict[etree._Element, str] = {}  # run -> its tag, NEUTRAL, UNTAGGED or UNMARKABLE
        for root, counted in ((body, True), *((note, False) for note in self.notes.values())):
            if root is None:
                continue
            for run, style, text in self._runs(root):
                if text is None:
                    items[run] = UNMARKABLE
                elif not any(character.isalpha() for character in text):
                    items[run] = NEUTRAL
                else:
                    tag = self._language(run, style, text)
                    items[run] = tag or UNTAGGED
                    if counted and tag:
                        self.facts.letters[tag] += letters(text)
        home = self.facts.language
        for root in (body, *self.notes.values()):
            for paragraph in root.iter(f"{W}p") if root is not None else ():
                self._mark(paragraph, items, home)

    def _mark(self, container: etree._Element, items: dict[etree._Element, str], home: str | None) -> None:
        """Wrap each stretch of another language among the container's children in a link to #ilang-TAG."""
        dropped = (f"{W}ins", f"{W}moveTo") if self.reject else (f"{W}del", f"{W}moveFrom")
        children = list(container)
        languages: list[str | None] = []
        for child in children:
            if child.tag == f"{W}r":
                found = items.get(child, UNMARKABLE)
                languages.append(BARRIER if found == UNMARKABLE else home if found == UNTAGGED else found)
            elif child.tag in NEUTRAL_TAGS:
                languages.append(NEUTRAL)
            else:  # a link or a field cannot hold another link; inside a change or a control, mark its own runs
                if child.tag in NESTED or (child.tag in (*CHANGES, f"{W}moveTo") and child.tag not in dropped):
                    self._mark(child, items, home)
                languages.append(BARRIER)

        def wrap(pieces: list, tag: str) -> None:
            link = etree.Element(f"{W}hyperlink", {f"{W}anchor": anchor_for(tag)[1:]})
            pieces[0].addprevious(link)
            for piece in pieces:
                link.append(piece)

        wrap_stretches(children, languages, home, wrap)

    # -- changes, comments, properties ----------------------------------------------------------------------

    def _note_numbers(self) -> dict[tuple[str, str], int]:
        """(kind, id) -> the number a reader sees: notes are numbered in the order the text cites them."""
        numbers: dict[tuple[str, str], int] = {}
        for kind in ("footnote", "endnote"):
            for reference in self.document.iter(f"{W}{kind}Reference"):
                numbers.setdefault((kind, reference.get(f"{W}id", "")), len([k for k in numbers if k[0] == kind]) + 1)
        return numbers

    def _where(self, element: etree._Element) -> tuple[str, int | None]:
        for ancestor in element.iterancestors():
            if (found := self.numbering.where(ancestor)) is not None:
                return found
            if ancestor.tag in (f"{W}footnote", f"{W}endnote"):
                kind = ancestor.tag.removeprefix(W)
                return f"{kind} {self.note_numbers.get((kind, ancestor.get(f'{W}id', '')), '?')}", None
        return "the document", None

    def _read_changes(self) -> None:
        previous: tuple | None = None
        marks: list[tuple] = []  # changes of a paragraph mark (a break put in or taken out), and the next paragraph
        content: set[tuple[etree._Element, str, str]] = set()
        for root in (self.document, *self.notes.values()):
            if root is None:
                continue
            self.facts.formatting_changes += sum(1 for _ in root.iter(*FORMAT_CHANGES))
            paragraphs = list(root.iter(f"{W}p"))
            following = dict(zip(paragraphs, paragraphs[1:], strict=False))
            for element in root.iter(*CHANGES):
                kind, author = CHANGES[element.tag], element.get(f"{W}author", "someone")
                paragraph = next((a for a in element.iterancestors(f"{W}p")), None)
                if element.getparent().tag == f"{W}rPr":
                    marks.append((paragraph, kind, author, following.get(paragraph)))
                    continue
                content.add((paragraph, kind, author))
                where, _number = self._where(element)
                before = element.getprevious()
                while before is not None and before.tag in NEUTRAL_TAGS:
                    before = before.getprevious()
                if previous and previous[0] == (where, kind, author) and previous[1] is before:
                    previous = ((where, kind, author), element)  # Word splits a change at each change of format
                    continue
                previous = ((where, kind, author), element)
                self.facts.changes.append(Change(kind, author, where))
        # A paragraph typed in (or deleted) is its text and its paragraph mark: one change, as Word shows it
        for paragraph, kind, author, after in marks:
            if (paragraph, kind, author) not in content and (after, kind, author) not in content:
                self.facts.changes.append(Change(kind, author, self._where(paragraph[0] if len(paragraph) else
                                                                           paragraph)[0]))

    def _read_comments(self, comments: etree._Element | None) -> None:
        anchors = {}
        for root in (self.document, *self.notes.values()):
            for mark in root.iter(f"{W}commentRangeStart", f"{W}commentReference") if root is not None else ():
                anchors.setdefault(mark.get(f"{W}id"), mark)
        for comment in comments.iter(f"{W}comment") if comments is not None else ():
            text = " ".join("".join(t.text or "" for t in paragraph.iter(f"{W}t")).strip()
                            for paragraph in comment.iter(f"{W}p")).strip()
            anchor = anchors.get(comment.get(f"{W}id"))
            where, number = self._where(anchor) if anchor is not None else ("the document", None)
            self.facts.comments.append(Comment(comment.get(f"{W}author") or "someone", " ".join(text.split()),
                                               where, number))

    def _read_properties(self) -> None:
        core = self.package.xml("docProps/core.xml")
        if core is None:
            return
        title, creator = core.find(f"{DC}title"), core.find(f"{DC}creator")
        self.facts.title = " ".join((title.text or "").split()) if title is not None else None
        self.facts.authors = split_authors(creator.text or "") if creator is not None else []
