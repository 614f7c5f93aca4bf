"""Code blocks -> HTML: highlighted by Pygments where the language is named, marked as output or an error where
the author says so, set left to right in every article.

The language comes from the fence's info string (```python) or a class the author gave it (`{: .language-r}`
after the block, `{.python}`). "output", "error" and "warning" name what a program printed, not a language.
Tokens get Pygments' short class names (`k`, `s`, `c`...), whose look is the theme's (css/code.css): a palette
that reads in black and white, on an e-ink reader and in print.
"""

from __future__ import annotations

import html

from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

PRINTED = frozenset({"output", "error", "warning", "console-output"})  # what a program printed, not a language
FORMATTER = HtmlFormatter(nowrap=True)


def render_fence(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    words = token.info.split()
    classes = [c for c in (token.attrGet("class") or "").split() if c]
    language = (words[0] if words else "").strip("{}.").lower()
    for name in classes:  # `{: .language-r}`, `{.python}`
        if name.startswith("language-") and not language:
            language = name.removeprefix("language-")
    if language in PRINTED:
        classes.append(language)
        language = ""
    token.attrs.pop("class", None)
    return code_block(token.content, language, classes, self.renderAttrs(token))


def render_code_block(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    return code_block(token.content, "", [], self.renderAttrs(token))


def code_block(text: str, language: str, classes: list[str], attributes: str = "") -> str:
    """<pre class="code ..."><code>...</code></pre>, its tokens highlighted when the language is one Pygments knows."""
    body = html.escape(text, quote=False)
    if language:
        try:
            lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = highlight(text, lexer, FORMATTER)
        classes = [f"language-{language}", *[c for c in classes if c != f"language-{language}"]]
    names = " ".join(dict.fromkeys(["code", *classes]))
    return f'<pre class="{html.escape(names, quote=True)}" dir="ltr"{attributes}><code>{body}</code></pre>\n'
