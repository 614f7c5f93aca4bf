"""The print PDF's laid-out parts -> the press's: recoloured, images converted, PDF/X-4 at assembly, packaged.

Three hooks into the PDF edition (editions/pdf.py): `prepare` once the pages are planned (recolour
the parts in the layout processes, convert the images, lay out the spine of a separate cover),
`apply` in the assembly (converted images in place, output intent and XMP), and `complete` once the
PDF is assembled (the cover and interior files, the preflight that every build runs, the job sheet).
With `print.standard: none` the PDF is the plain one of earlier versions; the package is still made.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Callable

from ....cache import key as cache_key
from ....errors import IssueError, Problem
from ....model import PrintSettings, RenderedIssue
from ... import common
from .. import xmp
from . import conditions, cover, images, inks
from .conditions import Condition
from .pdfx import PDF_VERSION, Identity


@dataclass(frozen=True)
class PressJob:
    """What the assembly of the print PDF needs from here (it may run in a layout process)."""

    condition: Condition
    images: dict[str, images.PressImage]
    identity: Identity


@dataclass
class Prepared:
    parts: dict  # name -> Part, recoloured for the press
    sheet: object  # the running heads' and folios' Part
    spine: cover.Spine | None = None  # a separate cover's
    strip: object = None  # the spine's laid-out Part
    job: PressJob | None = None  # None: print.standard none
    colours: dict[str, inks.CMYK] = field(default_factory=dict)  # every colour the layouts set, rrggbb -> inks
    stylesheet: str | None = None  # the print stylesheet's file, where its colours' inks are said


def prepare(rendered: RenderedIssue, theme, settings: PrintSettings, stylesheets: dict[str, bytes], pages: int,
            parts: dict, sheet, lay_out_one: Callable, context: dict, cache, workers) -> Prepared:
    """Recolour the parts, convert the images and lay out the spine, for an issue of `pages` pages."""
    prepared = Prepared(dict(parts), sheet, stylesheet=theme.origins.get("css/print.css"))
    if settings.separate_cover:
        prepared.spine = cover.spine_for(pages - 4, settings.paper, settings.binding == "perfect-bound")
        if prepared.spine.width_mm > 0:
            html = theme.render("pdf/part.html", **context, part={"kind": "spine",
                                                                   "lettered": prepared.spine.lettered})
            style = cover.spine_style(prepared.spine, settings.trim_height, settings.bleed)
            prepared.strip = lay_out_one("spine", html.replace("</head>", style + "</head>", 1))
    if settings.standard == "none":
        return prepared
    condition = conditions.resolve(settings.output_intent, settings.ink_limit)
    palette = {}
    for name, css in stylesheets.items():
        found, problems = inks.palette(css.decode("utf-8"))
        if problems:
            raise IssueError([Problem(f"layout error: {message}", theme.origins.get(name), line)
                              for line, message in problems])
        palette.update(found)
    press_inks = inks.Inks(tuple(sorted(palette.items())), condition.profile, condition.digest)
    named = {**prepared.parts, "\0sheet": sheet}
    if prepared.strip is not None:
        named["\0spine"] = prepared.strip
    recoloured = _recoloured(named, press_inks, cache, workers)
    for name, (part, used) in recoloured.items():
        prepared.colours.update(used)
        if name == "\0sheet":
            prepared.sheet = part
        elif name == "\0spine":
            prepared.strip = part
        else:
            prepared.parts[name] = part
    issue = rendered.issue
    moment = common.build_timestamp(issue).strftime("%Y-%m-%dT%H:%M:%SZ")
    identity = Identity(document=common.issue_identifier(rendered), title=issue.full_title, moment=moment,
                        creator=issue.editor or "", description=issue.description or "",
                        keywords=", ".join(issue.keywords), record=xmp.issue_record(rendered))
    converted = images.for_press(rendered.assets, condition.profile, condition.digest, cache)
    prepared.job = PressJob(condition, converted, identity)
    return prepared


def _recoloured(parts: dict, press_inks: inks.Inks, cache, workers) -> dict:
    """Each part in the press's inks, from the cache or recoloured in the layout processes."""
    done, todo = {}, []
    for name, part in parts.items():
        digest = cache_key("press-part", hashlib.sha256(part.pdf).hexdigest(), press_inks.palette,
                           press_inks.profile_digest)
        found = cache.get_object("press-part", digest)
        if found is not None:
            done[name] = (dataclasses.replace(part, pdf=found[0]), found[1])
        else:
            todo.append((name, part, digest))
    jobs = [(part.pdf, press_inks) for _name, part, _digest in todo]
    results = workers.run(_recolour, jobs) if workers is not None and not workers.broken and len(jobs) > 1 \
        else [_recolour(job) for job in jobs]
    for (name, part, digest), (pdf, used) in zip(todo, results):
        cache.put_object("press-part", digest, (pdf, used))
        done[name] = (dataclasses.replace(part, pdf=pdf), used)
    return done


def _recolour(job: tuple) -> tuple:
    return inks.recolour(*job)


def assembly_key(job: tuple) -> str:
    """A digest of everything the print PDF's assembly is made from (`pdfassembly.assemble(*job)`): a
    rebuild of an unchanged print PDF (another edition changed, or none) takes it from the cache."""
    plan, parts, sheet, furnishing, geometry, screen, marks, metadata, language, press, record = job

    def laid_out(part) -> tuple:
        return part.pages, part.bookmarks, hashlib.sha256(part.pdf).hexdigest()

    images_ = sorted((href, hashlib.sha256(image.data).hexdigest(), image.encoding, image.inverted)
                     for href, image in (press.images.items() if press else ()))
    return cache_key("press-assembly", plan, sorted((name, laid_out(part)) for name, part in parts.items()),
                     laid_out(sheet), furnishing, geometry, screen, sorted(marks), metadata, language,
                     (press.condition.digest, press.condition.identifier, press.condition.registry,
                      press.condition.condition, press.condition.summary, press.identity, images_) if press else None,
                     record)


def apply(final, job: PressJob | None) -> str:
    """In the assembly, before the PDF is saved: the converted images in place, the output intent and the
    XMP. Returns the PDF version to save it as at least."""
    if job is None:
        return ""
    from .pdfx import make_pdfx

    images.replace_images(final, job.images)
    make_pdfx(final, job.condition, job.identity)
    return PDF_VERSION
