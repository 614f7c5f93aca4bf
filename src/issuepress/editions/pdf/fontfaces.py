"""A stylesheet's @font-face rules -> a WeasyPrint font configuration in which their families are the theme's
fonts, never an installed font of the same name.

WeasyPrint adds @font-face fonts to the machine's fonts without hiding installed fonts of the same family, and
fontconfig then often picks the installed one. On a machine with Debian's fonts-sil-charis, the theme's Charis
SIL was silently replaced by it: a PDF depended on the machine that built it, and a font file a publisher
changed or subset was not used at all. CSS says a @font-face family hides installed fonts of that name, so
each configuration is loaded from a small fontconfig file that includes the usual one and rejects installed
fonts of the stylesheet's families; WeasyPrint's own copies of the @font-face fonts stay accepted.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Callable
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, SubElement, tostring

# FONTCONFIG_FILE is read from the environment while a configuration loads, and the environment is the
# whole process's: two threads must not load theirs at once.
_LOADING = threading.Lock()


def font_configuration(css: str, url: str, read: Callable[[str], str | None]):
    """A FontConfiguration for the stylesheet `css` found at `url`; `read(url)` gives an @import's text."""
    from .loader import weasyprint

    FontConfiguration = weasyprint.text.fonts.FontConfiguration

    families = font_face_families(css, url, read)
    usual = os.environ.get("FONTCONFIG_FILE") or "fonts.conf"
    if not families or (os.path.isabs(usual) and not os.path.isfile(usual)):
        # Nothing to hide; or a FONTCONFIG_FILE that is not there, for which fontconfig falls back to its
        # built-in fonts where an include of it would leave none at all.
        return FontConfiguration()
    with _LOADING, tempfile.NamedTemporaryFile(prefix="issuepress-fonts-", suffix=".conf") as conf:
        conf.write(_hiding(usual, families))
        conf.flush()
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = conf.name
        try:
            return FontConfiguration()  # fontconfig reads the file now, and not again
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


def font_face_families(css: str, url: str, read: Callable[[str], str | None],
                       seen: frozenset = frozenset()) -> list[str]:
    """The families the stylesheet's @font-face rules (and those of the sheets it imports) define, once each.

    A rule whose `src` asks for `local()` fonts first is no exception: a family defined by the theme is laid
    out in the theme's file on every machine (and issuepress refuses fonts from the computer anyway)."""
    import tinycss2

    families: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule":
            continue
        if rule.lower_at_keyword == "import":
            imported = _imported_url(rule.prelude, url)
            if imported and imported not in seen:
                families += font_face_families(read(imported) or "", imported, read, seen | {url})
        elif rule.lower_at_keyword == "font-face" and rule.content is not None:
            for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                              skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name == "font-family":
                    family = _family(declaration.value)
                    if family:
                        families.append(family)
    return list(dict.fromkeys(families))


def _imported_url(prelude, url: str) -> str | None:
    """`@import "a.css"`, `@import url(a.css)` or `@import url("a.css")` -> the sheet's address."""
    for token in prelude:
        if token.type in ("url", "string"):
            return urljoin(url, token.value)
        if token.type == "function" and token.lower_name == "url":
            strings = [t.value for t in token.arguments if t.type == "string"]
            return urljoin(url, strings[0]) if strings else None
    return None


def _family(value) -> str | None:
    """`"Charis SIL"` or `Charis SIL` (idents) -> 'Charis SIL'; anything else is not a family WeasyPrint uses."""
    tokens = [token for token in value if token.type not in ("whitespace", "comment")]
    if len(tokens) == 1 and tokens[0].type == "string":
        return tokens[0].value
    if tokens and all(token.type == "ident" for token in tokens):
        return " ".join(token.value for token in tokens)
    return None


def _hiding(usual: str, families: list[str]) -> bytes:
    root = Element("fontconfig")
    # A relative name is found where fontconfig finds its own configuration (FONTCONFIG_PATH, else /etc/fonts).
    SubElement(root, "include").text = usual
    # Rejected fonts are dropped from the machine's fonts only: since fontconfig 2.13 (2018), fonts a program
    # adds itself, as WeasyPrint adds its copies of the @font-face fonts, are not subject to these rules.
    reject = SubElement(SubElement(root, "selectfont"), "rejectfont")
    for family in families:
        SubElement(SubElement(SubElement(reject, "pattern"), "patelt", name="family"), "string").text = family
    return b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n' + tostring(root)
