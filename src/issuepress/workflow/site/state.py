"""The magazine folder and the last site built from it -> which issues must be built again.

An issue is rebuilt when anything it is made from has changed since the site was last built: a file of its
folder (by content, not by date, so a checkout that only touches dates rebuilds nothing), a file it read from
elsewhere in the magazine folder, magazine.yaml, contributors.yaml, the theme, issuepress's own code, or the
downloads it offers. What the last build made is kept in `build/.cache/site/`, never in the published folder.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import CODE
from ...outputs import write_file
from .records import IssueRecord

VERSION = 1  # of the state's shape; a state of another version is ignored (everything is built)


@dataclass
class IssueState:
    fingerprint: str
    record: IssueRecord
    files: dict[str, str]  # site path -> SHA-256 of what was written
    fonts: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass
class SiteState:
    version: int = VERSION
    issues: dict[str, IssueState] = field(default_factory=dict)
    listing: dict[str, str] = field(default_factory=dict)  # the site's own files: path -> SHA-256
    copied: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # download -> (source, size, mtime)
    search_digest: str = ""  # of the pages in the primary search bundle


def state_path(root: Path, out: Path) -> Path:
    """One state per output folder; named by its path within the magazine folder, when it is inside, so a
    magazine folder that is moved or copied whole keeps its state."""
    out, root = out.resolve(), root.resolve()
    shown = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
    where = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return root / "build" / ".cache" / "site" / f"{where}.pickle"


def load_state(root: Path, out: Path) -> SiteState:
    try:
        state = pickle.loads(state_path(root, out).read_bytes())
    except Exception:  # none yet, or from another version: build everything
        return SiteState()
    return state if isinstance(state, SiteState) and state.version == VERSION else SiteState()


def save_state(root: Path, out: Path, state: SiteState) -> None:
    try:
        write_file(state_path(root, out), pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    except OSError:
        pass  # the next build will be a full one, which is slower but right


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add_file(hasher, path: Path, shown: str) -> None:
    try:
        data = path.read_bytes()
    except OSError:
        data = b"\0missing"
    hasher.update(shown.encode() + b"\0" + hashlib.sha256(data).digest())


def shared_fingerprint(root: Path, theme_digest: str, options: tuple) -> str:
    """What every issue's pages are made from besides the issue: settings, registry, theme, code, options."""
    hasher = hashlib.sha256(f"{CODE}\0{theme_digest}\0{options!r}".encode())
    for name in ("magazine.yaml", "contributors.yaml"):
        _add_file(hasher, root / name, name)
    return hasher.hexdigest()


def issue_fingerprint(root: Path, issue_id: str, shared: str, sources: tuple[str, ...], downloads: tuple) -> str:
    hasher = hashlib.sha256(f"{shared}\0{issue_id}\0{downloads!r}".encode())
    folder = root / "issues" / issue_id
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        _add_file(hasher, path, path.relative_to(folder).as_posix())
    for source in sources:
        _add_file(hasher, Path(source), source)
    return hasher.hexdigest()


def files_present(out: Path, files: dict[str, str]) -> bool:
    """Whether what was written for an issue is still there (a deleted output folder means: build it again)."""
    return all((out / path).is_file() for path in files)
