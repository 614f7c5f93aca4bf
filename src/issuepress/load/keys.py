"""Every key a magazine's YAML files may hold, declared once -> the loaders' checks, the model's fields, the
templates' comments, the rendered articles' cache key and the README's key tables.

Adding a key is one `Key(...)` line here (and, for a new kind of value, its reader in `manifest.READERS`). The
README's tables are made from these declarations (`scripts/readme-keys` writes them; a test fails when the
README and the declarations differ).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterator

NO_DEFAULT = dataclasses.MISSING


@dataclass(frozen=True)
class Key:
    name: str  # as written in the YAML file
    kind: str  # how its value is read: a `Fields` method (text, integer, date, ...) or a reader in manifest.READERS
    doc: str  # what it is, in one line: the README's table and the templates' comments say it
    required: bool = False
    default: Any = None  # the model's value when the key is absent (NO_DEFAULT: the loader always gives one)
    factory: Callable[[], Any] | None = None  # for a default that must be made afresh (a mapping, settings)
    example: str | None = None  # a value the templates show for it (commented out unless set)
    choices: tuple[str, ...] = ()
    attribute: str | None = None  # the model's field, where its name differs from the key's
    annotation: str = "str | None"  # the model field's type
    renders_articles: bool = False  # an article renders differently when it changes: part of the article cache key
    nested: "Keys | None" = None  # the keys of a mapping this key holds
    shown: str | None = None  # its default as the README says it, where that is not the model's value

    @property
    def field(self) -> str:
        return self.attribute or self.name


@dataclass(frozen=True)
class Keys:
    """The keys of one mapping: magazine.yaml, its `print:`, an issue manifest, an article's front matter..."""

    where: str  # as the README's heading names the mapping
    keys: tuple[Key, ...]
    # The mapping itself may be left out (another value stands for it): its model has a default for every
    # key, the required ones too, which only a mapping that is there must give.
    model_defaults: bool = False

    def __iter__(self) -> Iterator[Key]:
        return iter(self.keys)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(key.name for key in self.keys)

    def __getitem__(self, name: str) -> Key:
        return next(key for key in self.keys if key.name == name)


OUTPUT_INTENT = Keys("output_intent: in print:", (
    Key("profile", "path", "the printer's ICC profile of the press condition, a file in the magazine folder",
        required=True, annotation="Path | None", example="press/PSOcoated_v3.icc"),
    Key("condition", "text", "the name its condition is registered by (FOGRA51, CGATS TR 006), or Custom",
        required=True, attribute="identifier", default="", annotation="str", example="FOGRA51"),
    Key("registry", "text", "where that name is registered; default the ICC's (http://www.color.org), none for "
        "Custom", default="", annotation="str"),
    Key("description", "text", "the condition in words, for people", attribute="condition", default="",
        annotation="str"),
), model_defaults=True)

PRINT = Keys("print: in magazine.yaml", (
    Key("trim", "trim", "the page size: A3, A4, A5, A6, B4, B5, letter, legal, tabloid, digest, or \"210mm 297mm\", "
        "\"8.5in 11in\"", default=(210.0, 297.0), example="A4", attribute="trim_size", shown="`A4`",
        annotation="tuple[float, float]"),
    Key("bleed", "bleed", "how far artwork runs past the trim: 0 to 20mm; units mm, cm, in, pt", default=3.0,
        example="3mm", annotation="float"),
    Key("marks", "marks", "printer's marks: crop | cross | \"crop cross\" | none", default=frozenset({"crop"}),
        example="crop", annotation="frozenset[str]"),
    Key("binding", "choice", "saddle-stitch pads to a multiple of 4 pages; perfect-bound to an even count",
        default="saddle-stitch", choices=("saddle-stitch", "perfect-bound"), example="saddle-stitch",
        annotation="str"),
    Key("saddle_stitch_pages", "integer", "the most pages a saddle stitch holds: above it, preflight warns and "
        "suggests perfect binding", default=64, example="64", annotation="int"),
    Key("image_ppi", "integer", "the resolution an image prints at where its file gives none (or a screen's: 72, "
        "96): 1200 pixels print 4 inches wide at 300; an author's {width=...} wins", default=300, example="300",
        annotation="int"),
    Key("recto", "boolean", "true: every article opens on a right-hand page", default=False, example="false",
        annotation="bool"),
    Key("footnotes", "choice", "foot (at the foot of the page) | end (after each article)", default="foot",
        choices=("foot", "end"), example="foot", annotation="str"),
    Key("standard", "choice", "pdf/x-4: what printers ask for | none: a plain PDF (RGB, no output intent)",
        default="pdf/x-4", choices=("pdf/x-4", "none"), example="pdf/x-4", annotation="str"),
    Key("output_intent", "output_intent", "the press: fogra39 (coated offset, Europe) | fogra29 (uncoated offset) | "
        "swop (North American web offset); or the printer's own profile (below)", example="fogra39",
        annotation="OutputIntent", nested=OUTPUT_INTENT, shown="`fogra39`"),
    Key("ink_limit", "ink_limit", "the most ink the press takes, such as 300%; default: the condition's (330% for "
        "fogra39, 300% for fogra29 and swop)", annotation="float | None", example="300%"),
    Key("paper", "paper", "the paper's caliper, one leaf (0.1mm), or its pages per inch (444 ppi): it makes the "
        "spine's width", annotation="float | None", example="0.1mm", shown="`0.1mm`"),
    Key("cover", "choice", "saddle-stitch: self (the cover is the first leaf) or separate (a plus-cover); "
        "perfect-bound: separate, always", default="self", choices=("self", "separate"), example="separate",
        annotation="str", shown="`self` (`separate` when perfect-bound)"),
))

DELIVERY = Keys("delivery: in magazine.yaml", (
    Key("host", "text", "the mail provider's SMTP server", example="smtp.fastmail.com"),
    Key("port", "port", "default: 587 with starttls, 465 with tls, 25 with none", example="465",
        annotation="int | None"),
    Key("security", "choice", "starttls (port 587) | tls (port 465) | none (a relay on this computer, only with "
        "`send --insecure`)", default="starttls", choices=("starttls", "tls", "none"), example="tls",
        annotation="str"),
    Key("user", "text", "the login, if the server wants one", example="issues@meridian.example.org"),
    Key("password_env", "variable", "the environment variable holding the password (never the password itself, "
        "which no file of the magazine folder may hold)", default="ISSUEPRESS_SMTP_PASSWORD",
        example="ISSUEPRESS_SMTP_PASSWORD", annotation="str"),
    Key("from", "address", "the From: address, `Name <address>`", attribute="sender",
        example="The Meridian Review <issues@meridian.example.org>"),
    Key("reply_to", "address", "where replies go", example="letters@meridian.example.org"),
    Key("unsubscribe", "unsubscribe", "an https:// address for one-click unsubscribing (RFC 8058); {id} and {email} "
        "in it become the subscriber's", example="https://meridian.example.org/unsubscribe?id={id}"),
))

MAGAZINE = Keys("magazine.yaml", (
    Key("title", "text", "the publication's name, on every cover, page and e-book", default="Untitled Magazine",
        example="Meridian Review", annotation="str"),
    Key("publisher", "text", "printed on the masthead and in the imprint", example="Example Press"),
    Key("issn", "issn", "printed on the masthead, and in the EPUB's, PDF's and web edition's metadata; checked: the "
        "last digit is the ISSN check digit", example="1234-5679"),
    Key("language", "language", "BCP 47 tag (en, en-GB, ur, pt-BR); an issue or an article may override it",
        default="en", example="en", annotation="str"),
    Key("url", "site_url", "the magazine's site; each issue's web edition is published at url + ID/ (canonical links)",
        example="https://magazine.example.org/"),
    Key("numbering", "choice", "how `issuepress new` numbers issues: continuous (numbers keep counting) or yearly "
        "(number 1 each January, and the volume counts the years)", default="continuous",
        choices=("continuous", "yearly"), example="continuous", annotation="str"),
    Key("print", "print", "the print edition's settings (below)", annotation="PrintSettings", nested=PRINT),
    Key("delivery", "delivery", "how `issuepress send` reaches the mail provider (below; see \"Sending the issue\")",
        annotation="DeliverySettings", nested=DELIVERY),
))

ISSUE = Keys("issues/ID/issue.yaml", (
    Key("volume", "integer", "a whole number", required=True, example="1", annotation="int"),
    Key("number", "integer", "a whole number", required=True, example="1", annotation="int"),
    Key("date", "date", "`YYYY-MM-DD`", required=True, example="2025-01-01", annotation="dt.date"),
    Key("draft", "boolean", "true: `issuepress site` leaves the issue off the website (build, check and serve still "
        "make it); `new` writes `draft: true`, remove it when the issue is out", default=False, example="true",
        annotation="bool"),
    Key("title", "text", "default: the month and year of `date` (\"November 2024\")", default=NO_DEFAULT,
        example="November 2024", annotation="str"),
    Key("editor", "text", "the editor's name; the editor's note is signed with it (with a bio if a contributor has "
        "that name)", example="Your Name", renders_articles=True),
    Key("language", "language", "BCP 47 tag; default from `magazine.yaml`, else `en`", default=NO_DEFAULT,
        example="en", annotation="str", renders_articles=True),
    Key("cover", "path", "an image (JPEG, PNG, GIF, WebP); without it a typographic cover is made",
        example="images/cover.jpg", annotation="Path | None"),
    Key("editors_note", "path", "a Markdown file", example="editors-note.md", annotation="Path | None"),
    Key("description", "text", "one or two sentences about the issue: web description, EPUB and PDF metadata",
        example="One or two sentences about the issue."),
    Key("keywords", "list", "a list of words for the metadata", default=(), example="[essays, letters]",
        annotation="tuple[str, ...]"),
    Key("articles", "articles", "the reading order: file paths, or mappings `{file: ..., section: ...}`; "
        "consecutive articles of one section are grouped under it", required=True,
        annotation="tuple[ArticleEntry, ...]"),
    Key("contributors", "contributors", "records as in `contributors.yaml`, merged over the registry for this "
        "issue; their bios print even if they wrote nothing", factory=dict, annotation="Mapping[str, Contributor]",
        renders_articles=True),
))

ARTICLE_ENTRY = Keys("an entry of `articles:`", (
    Key("file", "path", "the article's Markdown file, relative to the issue folder", required=True,
        attribute="path", annotation="Path"),
    Key("section", "text", "the department it appears under; wins over the article's own `section`"),
))

CONTRIBUTOR = Keys("a contributor in contributors.yaml or an issue's contributors:", (
    Key("name", "text", "the name as printed", required=True, annotation="str"),
    Key("bio", "text", "one paragraph; Markdown for *emphasis* and [links](https://...)", default="",
        annotation="str"),
    Key("email", "email", "never printed"),
    Key("url", "url", "printed under the bio, and linked on screen"),
    Key("photo", "photo", "a portrait (JPEG, PNG, GIF, WebP), relative to the file that names it: shown on the "
        "contributor's page of the website (`issuepress site`)", example="photos/ada-example.jpg",
        annotation="Path | None"),
))

FRONT_MATTER = Keys("an article's front matter", (
    Key("title", "text", "required for an article (the editor's note's defaults to \"Editor's note\"); *emphasis*, "
        "**strong** and `code` are kept"),
    Key("subtitle", "text", "the standfirst; the same"),
    Key("authors", "list", "contributor ids (the editor's note's default to the issue's editor)"),
    Key("section", "text", "the department; the manifest's `section` wins"),
    Key("language", "language", "BCP 47 tag; `ur`, `ar`, `fa`, `he`... read right to left"),
    Key("keywords", "list", "words for the metadata (`tags` says the same)"),
))
# What other systems call a key of the front matter (Jekyll, Hugo, pandoc, the Carpentries' lessons). Keys of
# theirs that mean nothing here (layout, permalink, teaching...) are left out, each with a warning.
FRONT_MATTER_ALIASES = {"abstract": "subtitle", "description": "subtitle", "excerpt": "subtitle",
                        "summary": "subtitle", "tags": "keywords", "lang": "language"}

GROUPS = (MAGAZINE, PRINT, OUTPUT_INTENT, DELIVERY, ISSUE, ARTICLE_ENTRY, CONTRIBUTOR, FRONT_MATTER)


def declared(keys: Keys, factories: dict[str, Callable[[], Any]] | None = None):
    """A class decorator, before @dataclass: the declared keys become fields of the model, with their
    defaults (`factories`: a key's default made afresh, such as the settings a nested mapping holds). Fields
    written in the class without a default come first, then required keys, then the other keys, then
    fields written with a default."""
    factories = factories or {}

    def add(cls):
        own = dict(cls.__dict__.get("__annotations__", {}))
        without_default = {name: kind for name, kind in own.items() if name not in cls.__dict__}
        with_default = {name: kind for name, kind in own.items() if name in cls.__dict__}
        required = {key.field: key.annotation for key in keys
                    if (key.required and not keys.model_defaults) or key.default is NO_DEFAULT}
        optional = {key.field: key.annotation for key in keys if key.field not in required}
        for key in keys:
            factory = factories.get(key.name, key.factory)
            if factory is not None:
                setattr(cls, key.field, dataclasses.field(default_factory=factory))
            elif key.field in optional:
                setattr(cls, key.field, key.default)
        cls.__annotations__ = {**without_default, **required, **optional, **with_default}
        return cls

    return add


def article_cache_parts(issue) -> tuple:
    """What of an issue's manifest an article's rendering depends on, for its cache key."""
    parts = []
    for key in ISSUE:
        if key.renders_articles:
            value = getattr(issue, key.field)
            parts.append(sorted(value.items()) if hasattr(value, "items") else value)
    return tuple(parts)


# --- the templates and the README say what the declarations say ---

def template(keys: Keys, values: dict, examples: dict[str, str] | None = None, indent: str = "",
             column: int = 36) -> list[str]:
    """YAML lines, one per key, each with its doc as a comment. A key in `values` is set: to a text, to the
    lines of a list or mapping under it (a list of lines), or to a mapping of its `nested` keys (a dict of
    their values). The others are shown commented out with their example (`examples` overrides one)."""
    lines = []
    for key in keys:
        value = values.get(key.name)
        example = (examples or {}).get(key.name, key.example)
        if key.name in values and isinstance(value, str):
            text = f"{indent}{key.name}: {value}"
        elif key.name in values:
            text = f"{indent}{key.name}:"
        elif example is not None:
            text = f"{indent}# {key.name}: {example}"
        elif key.nested is not None:  # a mapping left out: shown commented, with its keys' examples
            text = f"{indent}# {key.name}:"
        else:
            continue
        lines.append(f"{text.ljust(column - 2)}  # {'required: ' if key.required else ''}{key.doc}")
        if isinstance(value, list):
            lines += [f"{indent}  {line}" for line in value]
        elif isinstance(value, dict) and key.nested is not None:
            lines += template(key.nested, value, indent=indent + "  ", column=column)
        elif key.name not in values and key.nested is not None:
            lines += [line.replace("# ", "#   ", 1) if line.lstrip().startswith("# ") else f"# {line}"
                      for line in template(key.nested, {}, indent=indent, column=column)]
    return lines


def markdown_table(keys: Keys) -> str:
    """The README's table of one mapping's keys."""
    rows = ["| key | | |", "| --- | --- | --- |"]
    for key in keys:
        shown = _shown_default(key)
        need = "required" if key.required else f"optional{f', default {shown}' if shown else ''}"
        rows.append(f"| `{key.name}` | {need} | {key.doc.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def _shown_default(key: Key) -> str:
    if key.shown is not None:
        return key.shown
    if key.default in (None, NO_DEFAULT, (), "", False) or key.factory is not None:
        return "`false`" if key.default is False else ""
    if isinstance(key.default, frozenset):
        return f"`{' '.join(sorted(key.default))}`"
    if isinstance(key.default, float):
        return f"`{key.default:g}mm`"
    return f"`{str(key.default).lower() if isinstance(key.default, bool) else key.default}`"


README_START = "<!-- keys: {} -->"
README_END = "<!-- /keys -->"


def readme_with_tables(readme: str) -> str:
    """The README with each `<!-- keys: WHERE -->` ... `<!-- /keys -->` block made from the declarations."""
    for keys in GROUPS:
        start = README_START.format(keys.where)
        if start not in readme:
            continue
        before, _, rest = readme.partition(start)
        _old, _, after = rest.partition(README_END)
        readme = f"{before}{start}\n{markdown_table(keys)}\n{README_END}{after}"
    return readme
