"""TeX formulas in Markdown ($...$, $$...$$) -> MathML in the article's tree, with the TeX as its text alternative.

markdown-it (dollarmath) finds the formulas; they are written as placeholders holding their TeX, which pass the
sanitizer as text, and become MathML here, once the tree is parsed: MathML is made by latex2mathml, never by the
author's raw HTML (the sanitizer drops <math> written by hand). The web edition and the EPUB set the MathML; the
PDFs draw it (editions/pdf/formulas.py). A formula latex2mathml cannot read stays as its TeX, set as code, with a
warning at its line; one that uses a command latex2mathml does not know is set with that command as written, also
with a warning: nothing is left out without a word.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from lxml import etree
from lxml import html as lxml_html

PLACEHOLDER = "math-tex"  # the class of a formula not yet made MathML
BLOCK_CLASS = "math-block"  # the <div> around a displayed formula, which keeps its line
# markdown-it's tokens -> (the placeholder's element, MathML's display)
MATHML = "http://www.w3.org/1998/Math/MathML"
UNSAFE_ATTRIBUTES = frozenset({"href", "src", "style", "xmlns"})
# latex2mathml's exceptions say their kind, with no message
REASONS = {
    "NoAvailableTokensError": "a command is missing its argument, or a { is not closed",
    "NumeratorNotFoundError": "a fraction has no numerator",
    "DenominatorNotFoundError": "a fraction has no denominator",
    "ExtraLeftOrMissingRightError": "a \\left has no \\right", "MissingEndError": "a \\begin has no \\end",
    "MissingSuperScriptOrSubscriptError": "a ^ or _ has nothing after it",
    "DoubleSubscriptsError": "two subscripts in a row; group them with { }",
    "DoubleSuperscriptsError": "two superscripts in a row; group them with { }",
    "InvalidAlignmentError": "an alignment it does not know", "InvalidWidthError": "a width it cannot read",
    "LimitsMustFollowMathOperatorError": "\\limits that follows no operator",
}
KINDS = {"math_inline": ("span", "inline"), "math_inline_double": ("span", "block"), "math_block": ("div", "block")}


def render_placeholder(self, tokens, idx, options, env) -> str:
    """A formula's token -> an element holding its TeX, with the line it is written on."""
    token = tokens[idx]
    tag, display = KINDS[token.type]
    line = token.attrGet("data-line")  # a block's (content/rules.source_lines); an inline formula's, from its map
    if line is None and token.map is not None:
        line = token.map[0] + 1 + env.get("line_offset", 0)
    where = f' data-line="{line}"' if line is not None else ""
    end = "\n" if tag == "div" else ""
    return (f'<{tag} class="{PLACEHOLDER} math-{display}"{where}>{html.escape(token.content.strip(), quote=False)}'
            f"</{tag}>{end}")


def to_mathml(tree: etree._Element, line_of: Callable[[etree._Element], int | None],
              warn: Callable[[int | None, str], None]) -> None:
    """Each placeholder in the tree -> MathML (`<math alttext="TeX">`), or its TeX as code where it cannot be."""
    placeholders = tree.xpath(f".//*[contains(concat(' ', @class, ' '), ' {PLACEHOLDER} ')]")
    if placeholders:
        import latex2mathml.converter  # a twentieth of a second to load: only for an article with formulas
    for placeholder in placeholders:
        tex = placeholder.text_content()
        display = "block" if "math-block" in placeholder.get("class", "").split() else "inline"
        line = line_of(placeholder)
        try:
            math = _mathml_element(latex2mathml.converter.convert(tex, display=display))
        except Exception as problem:  # latex2mathml raises many kinds for TeX it cannot read
            reason = REASONS.get(type(problem).__name__) or str(problem).strip() or "latex2mathml cannot read it"
            warn(line, f"the formula '{_short(tex)}' cannot be read as TeX ({reason}); it is set as its TeX source")
            _as_source(placeholder, tex)
            continue
        unknown = sorted({text for text in math.xpath(".//mi/text() | .//mo/text()") if text.startswith("\\")})
        if unknown:
            warn(line, f"the formula '{_short(tex)}' uses {', '.join(unknown)}, which issuepress cannot typeset; "
                       "it is shown as written")
        math.set("alttext", tex)
        _replace(placeholder, math, display)


def _mathml_element(mathml: str) -> etree._Element:
    """latex2mathml's XML -> the same MathML as elements of the HTML tree, with no links (TeX's \\href) and no
    attribute from another namespace: what the sanitizer would have left of it, had an author written it."""
    root = etree.fromstring(mathml)
    for element in root.iter(etree.Element):
        element.tag = etree.QName(element).localname
        for name in list(element.attrib):
            if name.startswith("{") or name.lower() in UNSAFE_ATTRIBUTES or name.lower().startswith("on"):
                del element.attrib[name]
    etree.cleanup_namespaces(root)
    # written as HTML (<mo></mo>, not <mo/>, which an HTML parser reads as an element left open), read as HTML
    math = lxml_html.fragment_fromstring(etree.tostring(root, method="html", encoding="unicode"))
    math.set("xmlns", MATHML)
    return math


def _replace(placeholder: etree._Element, math: etree._Element, display: str) -> None:
    if placeholder.tag == "div":  # a displayed formula of its own: the <div> stays, keeping the block's line
        placeholder.text = None
        for child in list(placeholder):
            placeholder.remove(child)
        placeholder.set("class", BLOCK_CLASS)
        placeholder.set("tabindex", "0")  # a formula wider than the screen scrolls: a keyboard must reach it
        placeholder.append(math)
        return
    math.tail = placeholder.tail
    placeholder.getparent().replace(placeholder, math)


def _as_source(placeholder: etree._Element, tex: str) -> None:
    source = lxml_html.Element("pre" if placeholder.tag == "div" else "code", {"class": "math-source"})
    source.text = tex
    if placeholder.get("data-line"):
        source.set("data-line", placeholder.get("data-line"))
    source.tail = placeholder.tail
    placeholder.getparent().replace(placeholder, source)


def _short(tex: str) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= 50 else tex[:49] + "\u2026"
