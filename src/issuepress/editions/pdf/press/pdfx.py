"""An assembled print PDF -> PDF/X-4 (ISO 15930-7): output intent, XMP identification, no annotations in print.

The print PDF is assembled by pikepdf from parts WeasyPrint laid out separately, so nothing a layout
could say about PDF/X survives the join: this is written at assembly, the same way for the full issue,
the interior and the cover, with the publication's Dublin Core and PRISM fields (xmp.py) in the same packet.
Every value is derived from the issue (never the clock or a random number), so two builds give the same
bytes: the XMP is written without pikepdf stamping itself and the time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pikepdf

from ..xmp import Record, describe
from .conditions import Condition

VERSION = "PDF/X-4"
PDF_VERSION = "1.6"  # PDF/X-4 is based on PDF 1.6
PRINTING_ANNOTATIONS = ("/PrinterMark", "/TrapNet")  # the only kinds PDF/X lets inside the page


@dataclass(frozen=True)
class Identity:
    """Who the document is, for its XMP: the same issue keeps its DocumentID from build to build."""

    document: str  # a stable name: the identifier and which file ("interior", "cover")
    title: str
    moment: str  # ISO 8601, the build's timestamp (SOURCE_DATE_EPOCH or the date)
    creator: str = ""  # the editor
    description: str = ""
    keywords: str = ""
    record: Record | None = None  # the publication's Dublin Core and PRISM fields (xmp.py), in the same packet


def make_pdfx(document: pikepdf.Pdf, condition: Condition, identity: Identity) -> int:
    """Turn the document into PDF/X-4 for `condition`; returns how many annotations (links) it removed.
    Save it with `min_version=PDF_VERSION`."""
    removed = 0
    for page in document.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [annotation for annotation in annotations if annotation.get("/Subtype") in PRINTING_ANNOTATIONS]
        removed += len(annotations) - len(kept)
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        else:
            del page.obj.Annots
    profile = pikepdf.Stream(document, condition.profile)
    profile.N = 4
    intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                                OutputConditionIdentifier=pikepdf.String(condition.identifier),
                                OutputCondition=pikepdf.String(condition.condition),
                                Info=pikepdf.String(condition.summary),
                                DestOutputProfile=document.make_indirect(profile))
    if condition.registry:
        intent.RegistryName = pikepdf.String(condition.registry)
    document.Root.OutputIntents = pikepdf.Array([document.make_indirect(intent)])
    # PDF/X-4 identifies itself in the XMP; the Info key is for PDF/X-1a and -3 readers (and harmless here)
    document.docinfo["/GTS_PDFXVersion"] = pikepdf.String(VERSION)
    document.docinfo["/Trapped"] = pikepdf.Name("/False")
    _xmp(document, identity)
    return removed


def _xmp(document: pikepdf.Pdf, identity: Identity) -> None:
    ids = uuid.uuid5(uuid.NAMESPACE_URL, f"issuepress:{identity.document}")
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if identity.record is not None:  # first: the file's own title ("... (interior)") is said below
            describe(meta, identity.record)
        meta["dc:title"] = identity.title
        if identity.creator:
            meta["dc:creator"] = [identity.creator]
        if identity.description:
            meta["dc:description"] = identity.description
        if identity.keywords:
            meta["pdf:Keywords"] = identity.keywords
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            meta[key] = identity.moment
        meta["xmp:CreatorTool"] = str(document.docinfo.get("/Creator", "issuepress"))
        meta["pdf:Producer"] = str(document.docinfo.get("/Producer", "issuepress"))
        meta["pdf:Trapped"] = "False"
        meta["pdfxid:GTS_PDFXVersion"] = VERSION
        # PDF/X-4 asks for these (xmpMM): one document, at version 1, as its final rendition
        meta["xmpMM:DocumentID"] = f"uuid:{ids}"
        meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid5(ids, identity.moment)}"
        meta["xmpMM:VersionID"] = "1"
        meta["xmpMM:RenditionClass"] = "default"
