"""Finished editions in memory -> files on disk, all or nothing.

Each file is written to a temporary name in its own folder and renamed over
the old one, so a reader (or the printer's upload) never sees half a file,
and a build that fails or is interrupted leaves the last good edition alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_file(path: Path, data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` atomically; `durable` also waits for the disk (an edition, not a batch copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_tree(folder: Path, files: dict[str, bytes]) -> None:
    """Replace `folder` with exactly `files` (relative path -> bytes)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    retired = None
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.chmod(0o755)
        if folder.exists():
            retired = folder.with_name(f".{folder.name}.{os.getpid()}.old")
            os.replace(folder, retired)
        os.replace(staging, folder)
    except BaseException:
        if retired is not None and not folder.exists():
            os.replace(retired, folder)  # put the previous edition back
            retired = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def folder_size(files: dict[str, bytes]) -> int:
    return sum(len(data) for data in files.values())
