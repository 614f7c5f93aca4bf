"""Build results -> files under build/.cache, found again by a digest of everything they were made from.

A key covers every input of a result (the text, the settings, the theme, and
the code of issuepress itself), so a hit can only return what a cold build
would make: the cache never has to be told to forget. New entries are held
in memory and written only when the build succeeds (`commit`), so a failed
build writes nothing at all. Deleting the folder is always safe;
`--no-cache` builds without it.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from .outputs import write_file

PACKAGE = Path(__file__).parent


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE = _code_digest()


def key(*parts: Any) -> str:
    """A digest of the parts (bytes as they are, anything else by its repr) and of issuepress's code."""
    digest = hashlib.sha256(CODE.encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


class Cache:
    """Content-addressed files: build/.cache/KIND/ab/abcdef..."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: dict[tuple[str, str], bytes] = {}

    def _path(self, kind: str, digest: str) -> Path:
        return self.folder / kind / digest[:2] / digest

    def get(self, kind: str, digest: str) -> bytes | None:
        if (kind, digest) in self.pending:
            return self.pending[kind, digest]
        try:
            return self._path(kind, digest).read_bytes()
        except OSError:
            return None

    def put(self, kind: str, digest: str, data: bytes) -> None:
        self.pending[kind, digest] = data

    def discard(self) -> None:
        """Forget the new entries of a build that failed."""
        self.pending.clear()

    def commit(self) -> None:
        """Write the new entries; called once the build has succeeded."""
        for (kind, digest), data in self.pending.items():
            try:
                write_file(self._path(kind, digest), data, durable=False)
            except OSError:
                break  # a full or read-only disk costs speed next time, never this build
        self.pending.clear()

    def get_object(self, kind: str, digest: str) -> Any | None:
        data = self.get(kind, digest)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # an entry from a damaged file is a miss, not a failure
            return None

    def put_object(self, kind: str, digest: str, value: Any) -> None:
        self.put(kind, digest, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class MemoryCache(Cache):
    """A cache for one build only (--no-cache): results made twice in the same build, such as the
    parts the print and screen PDFs share, are made once; nothing is kept afterwards."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], bytes] = {}

    def get(self, kind: str, digest: str) -> bytes | None:
        return self.pending.get((kind, digest))

    def commit(self) -> None:
        self.pending.clear()
