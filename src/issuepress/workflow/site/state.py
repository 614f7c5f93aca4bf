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

VERSION = 2  # of the state's shape; a state of another version is ignored (everything is built)


@dataclass
class IssueState:
    fingerprint: str
    record: IssueRecord | None  # None for a draft, which the site leaves off
    files: dict[str, str]  # site path -> SHA-256 of what was written
    fonts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    contents: str = ""  # digest of the contents of its files, and the sizes and times they had then:
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)  # a file whose stat is unchanged is not read


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
    except Exception:  # noqa: BLE001 - none yet, damaged, or from another version: build everything
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


def issue_contents(root: Path, issue_id: str, sources: tuple[str, ...], old: IssueState | None
                   ) -> tuple[str, dict[str, tuple[int, int]]]:
    """(digest of the issue's files and the other files it read, their sizes and times). Files are read only
    when a size or time differs from the last build's, so an unchanged catalogue costs a stat per file."""
    folder = root / "issues" / issue_id
    paths = sorted(str(p) for p in folder.rglob("*") if p.is_file()) + list(sources)
    stats = {}
    for path in paths:
        try:
            stat = Path(path).stat()
            stats[_relative(path, root)] = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stats[_relative(path, root)] = (-1, 0)
    if old is not None and old.stats == stats and old.contents:
        return old.contents, stats
    hasher = hashlib.sha256()
    for path in paths:
        _add_file(hasher, Path(path), Path(path).relative_to(folder).as_posix() if path.startswith(str(folder))
                  else path)
    return hasher.hexdigest(), stats


def _relative(path: str, root: Path) -> str:
    """A path as the state keeps it: within the magazine folder, so a folder moved whole keeps its state."""
    return path[len(str(root)) + 1:] if path.startswith(f"{root}/") else path


def issue_fingerprint(shared: str, contents: str, build_marks: tuple) -> str:
    """Everything an issue's part of the site is made from: the shared inputs, its files, and the editions in
    its build folder (which it may offer as downloads)."""
    return hashlib.sha256(f"{shared}\0{contents}\0{build_marks!r}".encode()).hexdigest()


def files_present(out: Path, files: dict[str, str]) -> bool:
    """Whether what was written for an issue is still there (a deleted output folder means: build it again)."""
    return all((out / path).is_file() for path in files)
