"""The assembled print PDF and its preflight -> the printer's package, with the press's own checks added.

Every print build runs the checks that cost little (PDF/X-4 conformance by pdf-oxide, colour left in RGB
or a spot colour in the pages' resources, the ink coverage of each image and each colour of the
layouts); `check --print` also runs the slow ones (every content stream read; every page rendered in
separations by Ghostscript: ink coverage, spot plates, black text on the black plate). The report says
which ran. Its problems join the PDF edition's preflight report (`path:line: message` on the terminal);
the package carries the same as preflight.json.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Callable

from ....cache import key as cache_key
from ....errors import Problem, shown_path
from ....model import PrintSettings, RenderedIssue
from .. import preflight
from . import conformance, package, separations

SLOW = "page ink coverage, spot plates and black text in separations (run `issuepress check ID --print`)"


def complete(rendered: RenderedIssue, settings: PrintSettings, prepared, geometry, data: bytes, report,
             cited: dict, page_label: Callable[[int], str], thorough: bool, cache,
             judge: Callable[[bytes], Callable[[], tuple]] | None = None,
             files: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """The package's files ("print/NAME" -> bytes), its problems added to `report` (the PDF edition's).

    A build of what an earlier build made (the same PDF, byte for byte) takes its package and verdicts
    from the cache instead of checking the same bytes again. `judge(pdf)` starts pdf-oxide's verdict on a file
    elsewhere (a layout process) and returns what waits for it; without it the verdicts are reached here. `files`:
    the package's PDFs, where they were cut from `data` already (`package.print_files`)."""
    issue = rendered.issue
    strip = prepared.strip.pdf if prepared.strip is not None else b""
    digest = cache_key("press-package", hashlib.sha256(data).hexdigest(), hashlib.sha256(strip).hexdigest(),
                       settings, geometry, issue.id, issue.full_title, issue.volume, issue.number, issue.date,
                       sorted(cited.items()), sorted(prepared.colours.items()), report.pages, thorough,
                       [sorted(image.items()) for image in report.images],
                       sorted((href, image.ink_coverage, image.converted) for href, image in
                              (prepared.job.images.items() if prepared.job else ())))
    found = None if thorough else cache.get_object("press-package", digest)
    if found is None:
        found = _package(rendered, settings, prepared, geometry, data, report, cited, page_label, thorough, judge,
                         files)
        if not thorough:
            cache.put_object("press-package", digest, found)
    files, problems, report.press, report.checks = found
    report.problems += problems
    return files


def _package(rendered: RenderedIssue, settings: PrintSettings, prepared, geometry, data: bytes, report,
             cited: dict, page_label: Callable[[int], str], thorough: bool, judge=None, files=None) -> tuple:
    """(files, problems, job sheet facts, checks)"""
    issue = rendered.issue
    files = files if files is not None else package.print_files(issue.id, data, prepared, geometry, settings.marks)
    manifest = shown_path(issue.manifest, issue.magazine.root)
    checks: list[dict] = []
    problems: list[Problem] = []
    job = prepared.job
    if job is not None:
        targets = dict(files)
        if thorough and f"{issue.id}-interior.pdf" in files and files[f"{issue.id}-interior.pdf"] != data:
            targets[f"{issue.id}.pdf"] = data
        # pdf-oxide reads a whole file without letting go of Python's lock: in a layout process it no longer holds up
        # the screen PDF's assembly, and the colour and ink checks below run meanwhile
        verdicts = {name: judge(pdf) if judge is not None else _reached(conformance.pdf_x_findings(pdf))
                    for name, pdf in targets.items()}
        colour = _colours(files, data, page_label, thorough, issue.id)
        ink_checks: list[dict] = []
        ink = _ink(prepared, job.condition, cited, manifest, ink_checks)
        for name, verdict in verdicts.items():
            errors, warnings, missing = verdict()
            checks.append({"check": f"PDF/X-4 ({_oxide()})", "file": name,
                           "result": "not run" if missing else "failed" if errors else "passed",
                           "errors": errors, "warnings": warnings, **({"why": missing} if missing else {})})
            problems += [Problem(f"{name} is not PDF/X-4: {error}", manifest) for error in errors]
            problems += [Problem(f"{name}: {warning} (pdf-oxide)", manifest, warning=True) for warning in warnings]
            if missing:
                problems.append(Problem(missing, manifest, warning=True))
        checks.append({"check": "no RGB or spot colour, no annotation inside the bleed" +
                       (", black text in black ink alone" if thorough else " (page resources)"),
                       "result": "failed" if colour else "passed", "found": [str(p.message) for p in colour]})
        problems += [Problem(p.message, manifest) for p in colour]
        problems += ink
        checks += ink_checks
    if report.images:  # measured on the laid-out pages (preflight.part_facts)
        checks.append({"check": "image resolution at the printed size", "images": report.images,
                       "result": "failed" if any(image["ppi"] < preflight.PPI_ERROR for image in report.images)
                       else "passed"})
    if thorough and job is not None:
        found, why = separations.check(data, job.condition.ink_limit, page_label)
        checks.append({"check": "separations (Ghostscript tiffsep): " + SLOW.split(" (")[0],
                       "result": "not run" if why else "failed" if found else "passed",
                       "found": found, **({"why": why} if why else {})})
        problems += [Problem(message, manifest) for message in found]
        if why:
            problems.append(Problem(why, manifest, warning=True))
    elif job is not None:
        checks.append({"check": SLOW, "result": "not run in a build"})
    facts = _facts(rendered, settings, prepared, report.pages)
    summary = {"id": issue.id, **{name.lower().replace(" ", "_"): value for name, value in facts},
               "checks": checks,
               "problems": [{"where": f"{p.path or ''}{':' + str(p.line) if p.line else ''}",
                             "severity": "warning" if p.warning else "error", "message": p.message}
                            for p in [*report.problems, *problems]]}
    files["preflight.json"] = package.report_json(summary)
    files["job-sheet.txt"] = package.job_sheet(facts, files)
    return {f"print/{name}": content for name, content in files.items()}, problems, facts, checks


def _reached(verdict: tuple) -> Callable[[], tuple]:
    return lambda: verdict


def _colours(files: dict[str, bytes], data: bytes, page_label: Callable[[int], str], thorough: bool,
             issue_id: str) -> list[Problem]:
    """Colour left in RGB or a spot colour, and annotations in the bleed, by page of the issue."""
    found = conformance.colour_findings(data)
    if thorough:
        found += conformance.content_findings(data)
    cover_name = f"{issue_id}-cover.pdf"
    if cover_name in files:
        found += [(0, f"the cover: {what}") for _page, what in conformance.colour_findings(files[cover_name])]
    return [Problem(f"print PDF page {number} ({page_label(number)}): {what}" if number else f"print PDF, {what}")
            for number, what in dict.fromkeys(found)]


def _ink(prepared, condition, cited: dict, manifest, checks: list) -> list[Problem]:
    """Images and colours over the total ink limit."""
    limit = condition.ink_limit
    problems = []
    worst = 0.0
    for href, image in sorted(prepared.job.images.items()):
        worst = max(worst, image.ink_coverage)
        if image.ink_coverage > limit + 0.5:
            path, line = cited.get(href, (manifest, None))
            advice = ("it is CMYK already and used as it is: convert it for this press condition, or supply "
                      "the RGB original, which issuepress converts" if not image.converted else
                      "its profile allows more ink than print: ink_limit says; use a profile made for that limit")
            problems.append(Problem(f"image {href} puts {image.ink_coverage:.0f}% ink on the paper in places, over "
                                    f"the {limit:.0f}% limit of {condition.identifier}; {advice}", path, line))
    for colour, inks in sorted(prepared.colours.items()):
        total = sum(inks) * 100
        worst = max(worst, total)
        if total > limit + 0.5:
            problems.append(Problem(f"colour #{colour} prints with {total:.0f}% ink, over the {limit:.0f}% limit of "
                                    f"{condition.identifier}; give it fewer inks in the print stylesheet "
                                    f"(--cmyk-{colour})", prepared.stylesheet))
    checks.append({"check": f"ink coverage of images and colours (limit {limit:.0f}%)",
                   "result": "failed" if problems else "passed", "highest": round(worst, 1)})
    return problems


def _facts(rendered: RenderedIssue, settings: PrintSettings, prepared, pages: int) -> list[tuple[str, str]]:
    """What a printer's estimator asks: the job sheet's lines (and the report's first keys)."""
    issue = rendered.issue
    facts = [("Title", issue.full_title),
             ("Issue", f"Volume {issue.volume}, No. {issue.number}, {issue.date.isoformat()} ({issue.id})"),
             ("Trim", f"{settings.trim_width:g} x {settings.trim_height:g} mm"),
             ("Bleed", f"{settings.bleed:g} mm"),
             ("Binding", settings.binding + (", separate cover" if settings.separate_cover else ", self-cover"))]
    if prepared.spine is not None:
        facts.append(("Pages", f"{pages} ({prepared.spine.interior_pages} interior + 4 cover)"))
        paper = f"{prepared.spine.caliper_mm:g} mm a leaf" + ("" if settings.paper else
                                                               " (assumed: say print: paper: in magazine.yaml)")
        facts.append(("Paper", paper))
        lettered = "lettered" if prepared.spine.lettered else "too thin for lettering"
        facts.append(("Spine", f"{prepared.spine.width_mm:g} mm ({lettered}); the cover stock is not counted"
                      if settings.binding == "perfect-bound" else "none (saddle-stitched: the cover folds)"))
    else:
        facts.append(("Pages", f"{pages}, self-cover"))
    if prepared.job is None:
        facts.append(("Standard", "none (print.standard: none): a plain PDF, colours as the layouts set them"))
    else:
        condition = prepared.job.condition
        facts += [("Standard", "PDF/X-4 (ISO 15930-7)"),
                  ("Output intent", f"{condition.identifier}" + (f" ({condition.registry})" if condition.registry
                                                                 else "") + f": {condition.summary}"),
                  ("Ink limit", f"{condition.ink_limit:g}% total area coverage" +
                   ("" if settings.ink_limit else " (the condition's own)"))]
    return facts


def _oxide() -> str:
    try:
        return f"pdf-oxide {metadata.version('pdf-oxide')}"
    except metadata.PackageNotFoundError:
        return "pdf-oxide"
