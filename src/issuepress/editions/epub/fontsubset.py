"""The EPUB's fonts and the text it sets -> each OFL font cut down to the glyphs that text (and names) can use.

A whole Charis SIL is four files of 750 KB; an issue sets a few hundred
characters. The EPUB carries, for every font whose licence beside it is the
SIL Open Font License, only the glyphs of the issue's own characters plus
every Latin letter and common punctuation (so a subscriber's name on a
personalised copy, a hyphen a reading system adds, or a capital CSS makes
still find their glyph), with all OpenType features kept.

The OFL FAQ (1.11, 1.12) lets a document embed a subset of a font. An EPUB's
fonts, however, are files in a zip that anyone can take out (FAQ 1.15), and a
subset is a Modified Version, which may not be called by a Reserved Font Name
(OFL condition 3; FAQ 2.6). So a subset of a font whose licence reserves names
("Charis" and "SIL" for Charis SIL) is renamed in every naming record a user
would see, to "Subset" and a digest of what it holds; its copyright,
licence and trademark records stay, and its licence travels in the EPUB.
A font whose licence is missing or not the OFL is embedded whole, as it is.
"""

from __future__ import annotations

import hashlib
import io
import re

import uharfbuzz
from fontTools.ttLib import TTFont

from ...cache import key as cache_key
from ...model import Asset
from ..faces import characters_of

# Characters every subset keeps beyond the issue's own: Latin letters (names on copies), punctuation, currency
ALWAYS = frozenset(chr(code) for start, end in (
    (0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x2027), (0x2030, 0x203A), (0x20AC, 0x20AC), (0x2122, 0x2122),
    (0x2212, 0x2212)) for code in range(start, end + 1))
# 'with Reserved Font Names "Charis" and "SIL"' after a copyright line (not the licence's own "Reserved Font Name")
RESERVED = re.compile(r'Reserved\s+Font\s+Names?\s+("[^"]+"(?:\s*(?:,|and|,\s*and)\s*"[^"]+")*)', re.I)
# Naming records a user sees as the font's name (family, full name, unique id, PostScript name, ...)
NAME_RECORDS = (1, 3, 4, 6, 16, 17, 18, 20, 21, 22)


def reserved_names(licence: str) -> list[str]:
    """The Reserved Font Names a licence declares: 'with Reserved Font Names "Charis" and "SIL"'."""
    return [name for found in RESERVED.findall(licence) for name in re.findall(r'"([^"]+)"', found)]


def subset_fonts(fonts: list[Asset], text: str, licences: dict[str, str], store=None,
                 ranges: dict[str, list[tuple[int, int]]] | None = None) -> list[Asset]:
    """`fonts` with each one the OFL covers (`licences`: font file name -> its licence text) cut to `text`'s
    characters and ALWAYS, within the `unicode-range` the stylesheet gives it (`ranges`: font file name -> its
    ranges, for the faces that set only some characters); `store` keeps the results between builds."""
    wanted = set(text) | ALWAYS
    result = []
    for font in fonts:
        licence = licences.get(font.source.name, "")
        if "SIL OPEN FONT LICENSE" not in licence.upper():
            result.append(font)
            continue
        reserved = reserved_names(licence)
        # Only what the font can set counts: a copy whose names add no letter of this font gets the same file.
        limits = (ranges or {}).get(font.source.name)
        characters = "".join(sorted(ch for ch in wanted if ord(ch) in characters_of(font) and (
            limits is None or any(start <= ord(ch) <= end for start, end in limits))))
        key = cache_key("font-subset", font.digest, characters, "\0".join(reserved))
        data = store.get("font-subset", key) if store else None
        if data is None:
            # The new name depends only on the font and the characters: the same issue gets the same bytes.
            tag = hashlib.sha256(f"{font.digest}:{characters}".encode()).hexdigest()[:8].upper()
            try:
                data = _subset(font.data, characters, reserved, tag)
            except Exception:  # a font HarfBuzz or fontTools cannot rewrite travels whole, as the licence allows
                data = font.data
            if store:
                store.put("font-subset", key, data)
        result.append(Asset(font.href, data, font.media_type, font.source))
    return result


def _subset(data: bytes, characters: str, reserved: list[str], tag: str) -> bytes:
    """The font cut to `characters` by HarfBuzz's subsetter (fontTools' takes half a second a face, HarfBuzz's a
    few milliseconds, for the same glyphs, features and tables): every OpenType feature and script kept
    (ligatures, small capitals, old-style figures, kerning), every naming record (copyright, licence and its URL),
    an outline for .notdef; tables HarfBuzz does not know (Graphite's, which no EPUB reader uses) left out."""
    wanted = uharfbuzz.SubsetInput()
    wanted.sets(uharfbuzz.SubsetInputSets.UNICODE).update(ord(character) for character in characters)
    for every in (uharfbuzz.SubsetInputSets.LAYOUT_FEATURE_TAG, uharfbuzz.SubsetInputSets.LAYOUT_SCRIPT_TAG,
                  uharfbuzz.SubsetInputSets.NAME_ID, uharfbuzz.SubsetInputSets.NAME_LANG_ID):
        kept = wanted.sets(every)
        kept.clear()
        kept.invert()  # the empty set turned inside out: all of them
    wanted.flags = wanted.flags | uharfbuzz.SubsetFlags.NOTDEF_OUTLINE
    cut = uharfbuzz.subset(uharfbuzz.Face(data), wanted)
    if cut is None:
        raise ValueError("HarfBuzz could not cut the font")
    if not reserved:
        return cut.blob.data
    # Only the naming table is read and written again: the other tables are copied as HarfBuzz wrote them
    font = TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False)  # the original's date: the same bytes every build
    _rename(font, reserved, f"Subset {tag}")
    out = io.BytesIO()
    font.save(out, reorderTables=False)  # as HarfBuzz ordered them: reordering writes the whole font twice
    return out.getvalue()


def _rename(font: TTFont, reserved: list[str], family: str) -> None:
    """Give the subset a family name of its own in every record that names it, keeping its style."""
    names = font["name"]
    style = names.getDebugName(17) or names.getDebugName(2) or "Regular"
    postscript = f"{family.replace(' ', '')}-{style.replace(' ', '')}"
    new = {1: family, 16: family, 21: family, 4: f"{family} {style}", 18: f"{family} {style}",
           3: f"{postscript};{hashlib.sha256(family.encode()).hexdigest()[:8]}", 6: postscript, 20: postscript,
           22: family}
    for record in names.names:
        if record.nameID in new:
            record.string = new[record.nameID]
    if "CFF " in font:  # PostScript-flavoured OpenType keeps its names in the CFF table too
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{family} {style}", family
    still = [r.nameID for r in names.names if r.nameID in NAME_RECORDS
             and any(word.lower() in r.toUnicode().lower() for word in reserved)]
    assert not still, f"reserved font name left in name records {still}"
