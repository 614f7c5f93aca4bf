"""Layout and font folders (the magazine's own over the built-in theme) -> a Jinja2 theme and font assets.

The whole theme is read into memory when the issue is loaded: templates,
stylesheets and font files. Editions render from that and never touch the
disk, and the theme's digest says when a cached edition is out of date. The
compiled templates are kept in the build cache, so a new process need not
compile them again.
"""

from __future__ import annotations

import hashlib
import io
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from xml.etree import ElementTree

import jinja2
from fontTools.ttLib import TTFont
from markupsafe import Markup

from .cache import key as cache_key
from .dates import default_title, long_date
from .errors import IssueError, Problem, Problems
from .model import Asset

FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
              ".ttc": "font/collection"}  # a collection of fonts (Debian's Noto Serif CJK: one per region)
FONT_URL = re.compile(r"""url\(\s*['"]?(?:\.\./)?fonts/([^'")]+)['"]?\s*\)""")


def builtin_theme_dir() -> Path:
    """The default theme inside the installed package (or, in a source checkout, the repository root)."""
    packaged = Path(__file__).parent / "theme"
    if (packaged / "layouts").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "layouts").is_dir() and (checkout / "fonts").is_dir():
        return checkout
    raise RuntimeError("issuepress is installed without its theme (layouts/ and fonts/); reinstall it")


def _read_tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Theme:
    templates: Mapping[str, str]
    origins: Mapping[str, str]  # template name -> the file it was read from, as shown in messages
    fonts: Mapping[str, Asset]  # file name -> font
    families: Mapping[str, str]  # font file name -> its family, from the font's name table
    licences: Mapping[str, Asset]  # font licence texts, shipped beside the fonts
    digest: str
    env: jinja2.Environment = field(compare=False, repr=False)

    def render(self, name: str, **context: Any) -> str:
        """Render a layout; a mistake in a layout becomes an IssueError naming its file and line."""
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateError as error:
            raise IssueError(self._problem(error)) from None
        except RecursionError as error:  # {% include %} of itself, or two layouts including each other
            error.message = f"{name} never finishes: a layout includes itself, directly or through another"
            raise IssueError(self._problem(error)) from None

    def render_xhtml(self, name: str, **context: Any) -> str:
        """Render an XHTML layout (the EPUB's), which reading apps refuse unless it is well-formed XML: a
        layout that makes anything else is a mistake in that layout, said before an EPUB is written."""
        markup = self.render(name, **context)
        try:
            ElementTree.fromstring(markup.encode("utf-8"))
        except ElementTree.ParseError as error:
            line, column = error.position
            reason = str(error).split(": line ")[0]
            raise IssueError(f"layout error: {name} makes XHTML that is not well-formed ({reason}, at line {line}, "
                             f"column {column} of what it made); reading apps refuse such a document",
                             self.origins.get(name)) from None
        return markup

    def _problem(self, error: jinja2.TemplateError | RecursionError) -> list[Problem]:
        line = getattr(error, "lineno", None)
        path = self.origins.get(getattr(error, "name", None) or "")
        if path is None:  # a render-time error: the innermost frame that belongs to a layout
            shown = set(self.origins.values())
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in shown]
            if frames:
                path, line = frames[-1].filename, frames[-1].lineno
        return [Problem(f"layout error: {error.message or error}", path, line)]

    def licences_for(self, fonts: list[Asset]) -> list[Asset]:
        """The licence texts of these fonts: OFL-CharisSIL.txt covers CharisSIL-*.ttf."""
        families = {font.source.name.split("-")[0] for font in fonts}
        return [licence for name, licence in sorted(self.licences.items())
                if name.removesuffix(".txt").split("-", 1)[-1] in families]

    def family_name(self, font: Asset) -> str:
        """'CharisSIL-BoldItalic.ttf' -> 'Charis SIL', as the font's own name table says."""
        return self.families.get(font.source.name, font.source.stem)

    def typefaces(self, fonts: list[Asset]) -> str:
        """The families of these fonts for an imprint: 'Charis SIL, Inter and Noto Naskh Arabic'."""
        names = list(dict.fromkeys(self.family_name(font) for font in fonts))
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)

    def fonts_in(self, css: str) -> list[Asset]:
        """The font files a stylesheet refers to, in order, once each."""
        names = dict.fromkeys(FONT_URL.findall(css))
        return [self.fonts[name] for name in names if name in self.fonts]


# Themes already compiled in this process, by content and by where their files are shown to be:
# a preview server or a test suite loads the same theme many times.
_COMPILED: dict[tuple, tuple[Theme, tuple[Problem, ...]]] = {}


class _CompiledLayouts(jinja2.BytecodeCache):
    """Compiled layouts, kept in the build's cache (written with it, when the build succeeds): compiling
    them costs every build's process a fifth of a second. Jinja checks each against its layout's source."""

    def __init__(self, cache) -> None:
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get("layouts", self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put("layouts", self._key(bucket), bucket.bytecode_to_string())

    @staticmethod
    def _key(bucket: jinja2.bccache.Bucket) -> str:
        # The layout's name and file (Jinja's key), with issuepress's code and Jinja's version: the
        # environment's options, set in this code, shape the bytecode too.
        return cache_key("layouts", bucket.key, jinja2.__version__)


# The website's and the e-mail's layouts, which a build of the editions never renders
ELSEWHERE = ("site/", "email/")


def load_theme(root: Path, problems: Problems, cache=None, every: bool = True) -> Theme:
    """The magazine's theme; `cache`: where compiled layouts are kept between builds. Every layout is compiled
    now, and its mistakes said, unless `every` is False (a build of the editions): then those of the website and
    the e-mail (ELSEWHERE) are compiled when first rendered, their mistakes said there (Theme.render), and a build
    does not compile a third of the theme it never uses."""
    builtin = builtin_theme_dir()
    layout_files = {**_read_tree(builtin / "layouts"), **_read_tree(root / "layouts")}
    font_files = {**_read_tree(builtin / "fonts"), **_read_tree(root / "fonts")}
    origins = {name: problems.where(_shown(root, builtin, "layouts", name)) for name in layout_files}
    font_origins = {name: problems.where(_shown(root, builtin, "fonts", name)) for name in font_files}
    digest = hashlib.sha256()
    for name, data in sorted({**layout_files, **{f"fonts/{k}": v for k, v in font_files.items()}}.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    key = (digest.hexdigest(), tuple(origins.items()), tuple(font_origins.items()), every)
    if key not in _COMPILED:
        if len(_COMPILED) >= 4:  # a preview server meets a new theme at every layout or font edit
            _COMPILED.clear()
        found = Problems(root)
        theme = _compile(layout_files, font_files, origins, font_origins, key[0], found, cache, every)
        _COMPILED[key] = (theme, tuple(found.errors))
    theme, errors = _COMPILED[key]
    problems.errors.extend(errors)
    return theme


def _compile(layout_files: dict[str, bytes], font_files: dict[str, bytes], origins: dict[str, str],
             font_origins: dict[str, str], digest: str, problems: Problems, cache, every: bool) -> Theme:
    templates: dict[str, str] = {}
    for name, data in layout_files.items():
        try:
            templates[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.error("layout is not UTF-8 text", origins[name])
    fonts, families, licences = {}, {}, {}
    for name, data in font_files.items():
        suffix = Path(name).suffix.lower()
        if suffix in FONT_TYPES:
            family = _family(data)
            if family:
                fonts[name] = Asset(f"fonts/{name}", data, FONT_TYPES[suffix], Path(name))
                families[name] = family
            else:
                problems.error("font cannot be loaded (not a valid TrueType/OpenType/WOFF file); "
                               "replace it or remove it", font_origins[name])
        elif suffix == ".txt":
            licences[name] = Asset(f"fonts/{name}", data, "text/plain", Path(name))
    env = jinja2.Environment(
        # templates come from memory, but carry their file name so errors point at the file
        loader=jinja2.FunctionLoader(lambda name: (templates[name], origins[name], lambda: True)
                                     if name in templates else None),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "opf", "ncx"]),
        # trim_blocks would glue "</p>{% endif %}\n<h1>" into "</p><h1>", and readers' text
        # extraction (and screen readers) then run the words together.
        trim_blocks=False,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_CompiledLayouts(cache) if cache is not None else None,
    )
    env.filters["long_date"] = long_date
    env.filters["month_year"] = default_title
    env.filters["html"] = Markup
    env.globals["theme_words"] = theme_words
    for name in templates:
        wanted = every or not name.startswith(ELSEWHERE)
        if wanted and name.endswith((".html", ".xhtml", ".css", ".xml", ".opf", ".ncx")):
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                problems.error(f"layout error: {error.message}", origins[name], error.lineno)
    # Compiled: the theme, which a long-lived process (--watch) keeps, must not keep this build's cache.
    env.bytecode_cache = None
    return Theme(templates, origins, fonts, families, licences, digest, env)


def theme_words(piece) -> Markup:
    """Attributes for the theme's own words around a piece's text ("By", "min read"), which are English: marked
    so in a piece that is not, or a right-to-left article would print "Samira Qadir By". A function, not a
    macro, so that a magazine's own partials/macros.html from before it still builds."""
    english = piece.language.split("-")[0].lower() == "en"
    return Markup("" if english else ' lang="en" dir="ltr"')


def _shown(root: Path, builtin: Path, kind: str, name: str) -> Path:
    own = root / kind / name
    return own if own.exists() else builtin / kind / name


def _family(data: bytes) -> str | None:
    """The font's family name, or None if the file is not a font that loads."""
    try:
        # The table directory and two small tables find truncated and mislabelled files
        # without decompiling the (large) character map or any glyph.
        with TTFont(io.BytesIO(data), lazy=True, fontNumber=0) as font:
            family = font["name"].getBestFamilyName()
            return family if font["head"].unitsPerEm and "cmap" in font else None
    except Exception:  # fontTools raises anything from TTLibError to struct.error on a damaged file
        return None
