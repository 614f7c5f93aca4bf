"""One module per edition; each turns a RenderedIssue and a Theme into bytes or a folder of files."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem


@dataclass(frozen=True)
class Made:
    """An edition built in memory: a file's bytes, or a folder as path -> bytes."""

    data: bytes | dict[str, bytes]
    detail: str = ""  # for the build summary, e.g. "36 pages, saddle-stitch"
    warnings: tuple[Problem, ...] = ()
    beside: dict[str, bytes] = field(default_factory=dict)  # more files, by path under the output folder
