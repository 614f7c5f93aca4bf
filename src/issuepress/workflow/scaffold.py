"""Starter files and the built-in theme -> new files in a magazine folder, never over existing ones.

`init` lays out a new magazine from the `starter/` folder shipped in the
package (settings, a contributor registry and an example issue that builds);
`theme eject` copies the built-in theme's layouts (and fonts) into the
magazine, where they override the built-in ones. Both check every target
first and write nothing if any already exists: a production editor's own
files are never replaced by a template.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IssueError, Problem, shown_path
from ..layouts import builtin_theme_dir
from ..outputs import write_file
from . import templates

STARTER = Path(__file__).parent / "starter"
# Names a wheel or an editor may hide or mangle are stored plainly and renamed on the way out.
RENAMED = {"gitignore": ".gitignore"}


def starter_files(title: str) -> dict[str, bytes]:
    """The new magazine's files, relative path -> content: the YAML files made from the declared keys (with
    the title filled in), the rest copied from `starter/`."""
    files = {"magazine.yaml": templates.magazine_yaml(title).encode("utf-8"),
             "contributors.yaml": templates.contributors_yaml().encode("utf-8"),
             "issues/example/issue.yaml": templates.example_issue_yaml().encode("utf-8")}
    for source in sorted(STARTER.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            relative = source.relative_to(STARTER).as_posix()
            files[RENAMED.get(relative, relative)] = source.read_bytes()
    return dict(sorted(files.items()))


def title_from_folder(folder: Path) -> str:
    """'meridian-review' -> 'Meridian Review': a title to start from until the editor writes the real one."""
    words = re.split(r"[-_\s.]+", folder.resolve().name)
    return " ".join(word[:1].upper() + word[1:] for word in words if word) or "My Magazine"


def init_magazine(folder: Path) -> list[Path]:
    """Lay out a new magazine in `folder` (created if needed); returns the files written."""
    files = starter_files(title_from_folder(folder))
    return write_new_files(folder, files, "init")


def eject_theme(root: Path, fonts: bool) -> list[Path]:
    """Copy the built-in layouts (and fonts) into the magazine folder; returns the files written."""
    require_magazine(root)
    theme = builtin_theme_dir()
    files: dict[str, bytes] = {}
    for kind in ("layouts", "fonts") if fonts else ("layouts",):
        for source in sorted((theme / kind).rglob("*")):
            target = root / source.relative_to(theme)
            # Already ejected and not changed since: `theme eject --fonts` after `theme eject` adds the fonts.
            if source.is_file() and not (target.is_file() and target.read_bytes() == source.read_bytes()):
                files[source.relative_to(theme).as_posix()] = source.read_bytes()
    return write_new_files(root, files, "theme eject")


def require_magazine(root: Path) -> None:
    """Commands that add to a magazine refuse a folder that is not one: most likely the wrong directory."""
    if not (root / "issues").is_dir() and not (root / "magazine.yaml").is_file():
        where = "the current directory" if root == Path(".") else str(root)
        raise IssueError(f"{where} is not a magazine folder (it has no magazine.yaml and no issues/); "
                         "cd into one, pass --root, or start one with `issuepress init`")


def write_new_files(folder: Path, files: dict[str, bytes], command: str) -> list[Path]:
    """Write every file, or none if any of them already exists (each one named)."""
    targets = {folder / relative: data for relative, data in files.items()}
    existing = [path for path in targets if path.exists() or path.is_symlink()]
    if existing:
        raise IssueError([Problem(f"already exists; {command} never overwrites a file (move it away first)",
                                  shown_path(path, Path.cwd())) for path in existing])
    written: list[Path] = []
    try:
        for path, data in targets.items():
            write_file(path, data)
            written.append(path)
    except BaseException:
        for path in written:  # all or nothing: an interrupted copy leaves no half theme behind
            path.unlink(missing_ok=True)
        raise
    return written
