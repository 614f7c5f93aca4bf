"""Each message's fate -> a SQLite journal in the magazine folder, so no subscriber gets an issue twice.

One row per message (issue, subscriber, kind: `email` or `kindle`). The order
of writes is what makes a re-run safe:

* nothing is written before the message's end-of-data mark is sent: a run
  stopped before then (Ctrl-C, SIGTERM, SIGKILL, a dropped connection) left
  the server with an unfinished message, which it discards, so the next run
  sends it again;
* `ending` is committed (to disk) just before the final "." goes to the server;
* `sent` is committed as soon as the server's 250 reply is read.

A row still `ending` when a run starts is therefore *in doubt*: the process
stopped between sending the final "." and committing the server's answer, so
the server may or may not have accepted the message. It is reported and sent
again only when asked (`--resend-in-doubt`), with the same Message-ID, which
lets many mail systems drop a copy they already have.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SENT, FAILED, DEFERRED, ENDING, IN_DOUBT = "sent", "failed", "deferred", "ending", "in doubt"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    issue TEXT NOT NULL,
    subscriber TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    message_id TEXT NOT NULL,
    copy_identifier TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    PRIMARY KEY (issue, subscriber, kind)
)
"""


@dataclass(frozen=True)
class Entry:
    address: str
    message_id: str
    state: str
    attempts: int
    detail: str
    updated: str


def journal_path(root: Path) -> Path:
    """Beside the issues, not in build/ (which editors delete to rebuild)."""
    return root / "delivery" / "journal.sqlite"


class Journal:
    """The send journal of one magazine folder. `read_only` (a dry run) never writes, nor creates the file."""

    def __init__(self, path: Path, read_only: bool = False):
        self.read_only = read_only
        if read_only:  # a dry run reads what earlier runs did, and never creates or changes the file
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro" if path.is_file() else ":memory:",
                                      uri=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10)  # a second run on the same folder waits, bounded
            self.db.execute("PRAGMA journal_mode=WAL")
        if not (read_only and path.is_file()):
            self.db.execute(_SCHEMA)
            self.db.commit()

    def settle_stale(self, issue: str) -> int:
        """Mark what an earlier run left `ending` as in doubt; how many."""
        if self.read_only:
            return self.db.execute("SELECT count(*) FROM messages WHERE issue=? AND state=?",
                                   (issue, ENDING)).fetchone()[0]
        with self.db:
            cursor = self.db.execute("UPDATE messages SET state=?, detail=? WHERE issue=? AND state=?",
                                     (IN_DOUBT, "the run stopped after the message's end was sent and before the "
                                      "server's answer was recorded", issue, ENDING))
        return cursor.rowcount

    def entries(self, issue: str) -> dict[tuple[str, str], Entry]:
        """(subscriber, kind) -> its row, for the whole issue (read once per run: memory is one small row each)."""
        rows = self.db.execute("SELECT subscriber, kind, address, message_id, state, attempts, detail, updated "
                               "FROM messages WHERE issue=?", (issue,))
        return {(row[0], row[1]): Entry(*row[2:]) for row in rows}

    def ending(self, issue: str, subscriber: str, kind: str, address: str, message_id: str,
               copy_identifier: str, attempts: int) -> None:
        """Committed to the disk itself (fsync), so that not even a power cut can forget it."""
        self._put(True, issue, subscriber, kind, address, message_id, copy_identifier, ENDING, attempts, "")

    def record(self, issue: str, subscriber: str, kind: str, address: str, message_id: str,
               copy_identifier: str, state: str, attempts: int, detail: str) -> None:
        """Committed without waiting for the disk: a power cut that loses it leaves the message `ending`
        (in doubt, never sent again unasked); the next `ending` commit writes it to the disk anyway."""
        self._put(False, issue, subscriber, kind, address, message_id, copy_identifier, state, attempts, detail)

    def _put(self, durable: bool, *values) -> None:
        if self.read_only:
            return
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")  # WAL: NORMAL does not fsync
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO messages (issue, subscriber, kind, address, message_id, "
                            "copy_identifier, state, attempts, detail, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (*values, now))

    def close(self) -> None:
        self.db.close()
