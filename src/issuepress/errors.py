"""Problems found in a magazine's files, turned into `path:line: message` lines.

issuepress never stops at the first problem: loaders collect every problem
they can find into a `Problems` list and raise one `IssueError` at the end,
so an editor fixes a whole issue in one pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, as a warning, removed) in one file."""

    message: str
    path: str | None = None  # shown relative to the magazine folder
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where = f"{self.path}:{self.line}"
        prefix = "warning: " if self.warning else ""
        return f"{where}: {prefix}{self.message}" if where else f"{prefix}{self.message}"


def shown_path(path: Path | str | None, root: Path) -> str | None:
    """A path as messages show it: relative to the magazine folder when inside it."""
    if path is None:
        return None
    path = Path(path)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside the folder; a symlink loop (RuntimeError before 3.13)
        return str(path)


class IssueError(Exception):
    """The content of an issue is wrong; carries every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str,
                 path: str | None = None, line: int | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, path, line)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems against one magazine folder, then fails once."""

    def __init__(self, root: Path):
        self.root = root
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def where(self, path: Path | str | None) -> str | None:
        return shown_path(path, self.root)

    def error(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.errors.append(Problem(message, self.where(path), line))

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.warnings.append(Problem(message, self.where(path), line, warning=True))

    def raise_if_any(self) -> None:
        if self.errors:
            raise IssueError(self.errors)
