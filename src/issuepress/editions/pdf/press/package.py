"""The assembled print PDF -> what a printer is sent: interior, cover, preflight report and job sheet.

`build/ID/print/` holds ID-interior.pdf (the issue without its cover pages where the cover is printed
apart, else the whole issue), ID-cover.pdf (the cover's outside and inside spreads, where there is a
separate cover), preflight.json (what the preflight found) and job-sheet.txt (the facts a printer's
estimator asks for, and each file's size and SHA-256).
"""

from __future__ import annotations

import hashlib
import io
import json

import pikepdf

from . import cover
from .pdfx import PDF_VERSION, make_pdfx


def print_files(issue_id: str, data: bytes, prepared, geometry, marks: frozenset[str]) -> dict[str, bytes]:
    """The package's PDFs by file name: the interior, and the cover where it is printed apart."""
    if prepared.spine is None:
        return {f"{issue_id}-interior.pdf": data}
    job = prepared.job
    files = {}
    with pikepdf.open(io.BytesIO(data)) as source:
        strip = pikepdf.open(io.BytesIO(prepared.strip.pdf)) if prepared.strip is not None else None
        try:
            spread = cover.make_cover(source, strip, prepared.spine, geometry, marks)
            for key, value in source.docinfo.items():
                spread.docinfo[key] = value
            files[f"{issue_id}-cover.pdf"] = _saved(spread, job, "cover", "cover")
        finally:
            if strip is not None:
                strip.close()
        kept = cover.cover_pages(len(source.pages))
        for index in sorted(kept, reverse=True):
            del source.pages[index]
        _forget_removed_pages(source)
        # viewers then show the issue's page numbers: the interior starts on page 3
        source.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D,
                                                                                                St=3)]))
        files[f"{issue_id}-interior.pdf"] = _saved(source, job, "interior", "interior")
    return files


def _saved(document: pikepdf.Pdf, job, which: str, words: str) -> bytes:
    version = ""
    if job is not None:
        identity = job.identity
        make_pdfx(document, job.condition, type(identity)(
            document=f"{identity.document}:{which}", title=f"{identity.title} ({words})", moment=identity.moment,
            creator=identity.creator, description=identity.description, keywords=identity.keywords,
            record=identity.record))
        version = PDF_VERSION
    out = io.BytesIO()
    document.save(out, deterministic_id=True, min_version=version, fix_metadata_version=False)
    return out.getvalue()


def _forget_removed_pages(document: pikepdf.Pdf) -> None:
    """Bookmarks and named destinations of the pages taken out go with them (a bookmark's entries move up)."""
    pages = {page.objgen for page in document.pages}

    def target(destination) -> bool:
        return isinstance(destination, pikepdf.Array) and len(destination) > 0 and destination[0].objgen in pages

    with document.open_outline() as outline:
        def pruned(items):
            kept = []
            for item in items:
                children = pruned(list(item.children))
                if target(item.destination):
                    item.children[:] = children
                    kept.append(item)
                else:
                    kept.extend(children)
            return kept

        outline.root[:] = pruned(list(outline.root))
    names = document.Root.get("/Names")
    if names is not None and "/Dests" in names and "/Names" in names.Dests:
        flat = list(names.Dests.Names)
        names.Dests.Names = pikepdf.Array([item for pair in zip(flat[::2], flat[1::2]) if target(pair[1])
                                           for item in pair])


def job_sheet(facts: list[tuple[str, str]], files: dict[str, bytes]) -> bytes:
    """The job sheet: one fact a line, then each file with its size and SHA-256."""
    width = max(len(name) for name, _ in facts)
    lines = [f"{name.ljust(width)}  {value}" for name, value in facts]
    lines += ["", "Files (SHA-256):"]
    for name, data in sorted(files.items()):
        lines.append(f"  {name}  {len(data):,} bytes  {hashlib.sha256(data).hexdigest()}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def report_json(report: dict) -> bytes:
    return (json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
