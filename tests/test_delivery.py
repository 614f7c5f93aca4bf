"""`issuepress send` against a real SMTP server on 127.0.0.1 (STARTTLS, AUTH): one message per subscriber with
their own copy, Kindle copies, retries, refusals, a run killed half-way, messages in doubt, and no password
anywhere."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import os
from collections import Counter
from pathlib import Path

import pytest

from conftest import copy_sample, problem_lines, run_cli
from mailserver import Behaviour, MailServer, PASSWORD, password_forms

COUNT = 200
KINDLES = 10  # the first ten subscribers have a Send-to-Kindle address too


def address(n: int) -> str:
    return f"reader{n:03}@example.org"


def write_list(root: Path, count: int, kindles: int = 0) -> Path:
    rows = "".join(f"reader-{n:03},Reader {n},{address(n)},{f'reader{n:03}@kindle.com' if n < kindles else ''}\n"
                   for n in range(count))
    listing = root / "subscribers.csv"
    listing.write_text("id,name,email,kindle\n" + rows, encoding="utf-8")
    return listing


def magazine(folder: Path, server: MailServer, count: int, kindles: int = 0) -> Path:
    root = copy_sample(folder)
    with (root / "magazine.yaml").open("a", encoding="utf-8") as stream:
        stream.write(server.delivery_yaml())
    write_list(root, count, kindles)
    return root


def send(root: Path, server: MailServer, *args: str) -> subprocess.CompletedProcess:
    return run_cli("send", "2024-11", "--list", "subscribers.csv", *args, cwd=root, env=server.env())


def journal_rows(root: Path) -> dict[tuple[str, str], dict]:
    with sqlite3.connect(root / "delivery" / "journal.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {(row["subscriber"], row["kind"]): dict(row) for row in db.execute("SELECT * FROM messages")}


def assert_no_password(root: Path, *outputs: str) -> None:
    """Neither the password nor its AUTH encodings in any output, nor in any file the runs left."""
    texts = [text.encode() for text in outputs]
    files = [path for path in root.rglob("*") if path.is_file() and path.suffix not in (".md", ".jpg", ".png")]
    assert any(path.name == "journal.sqlite" for path in files) or any(path.suffix == ".eml" for path in files)
    for form in password_forms():
        assert not any(form in text for text in texts), "the password is in an output"
        leaked = [path for path in files if form in path.read_bytes()]
        assert not leaked, f"the password is in {leaked}"


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory):
    """200 subscribers, ten with a Kindle; one mailbox busy once (451), one that does not exist (550)."""
    folder = tmp_path_factory.mktemp("delivery")
    behaviour = Behaviour(temporary_once={address(50)}, permanent={address(60)})
    with MailServer(folder, behaviour) as server:
        root = magazine(folder / "magazine", server, COUNT, KINDLES)
        first = send(root, server)
        received_after_first = list(server.received)
        again = send(root, server)
        yield root, server, first, again, received_after_first


def test_each_subscriber_gets_exactly_one_message_with_their_own_copy(big_run) -> None:
    root, server, first, _again, received = big_run
    to_readers = [r for r in received if r.recipient.endswith("@example.org")]
    by_address = Counter(r.recipient for r in to_readers)
    expected = {address(n) for n in range(COUNT)} - {address(60)}
    assert set(by_address) == expected and set(by_address.values()) == {1}
    assert len({r.message_id for r in received}) == len(received)  # nothing twice, by Message-ID
    journal = journal_rows(root)
    for r in to_readers:
        n = int(r.recipient[6:9])
        entry = journal[(f"reader-{n:03}", "email")]
        assert r.message_id == entry["message_id"] and entry["state"] == "sent"
        assert r.copy_identifiers == [entry["copy_identifier"]]  # their own copy, by its identifier
        assert r.prepared_for == [f"Reader {n}"]
        assert r.attachments == ["application/epub+zip"]
    assert len({r.copy_identifiers[0] for r in to_readers}) == len(to_readers)
    assert "sent 209 messages" in first.stderr, first.stderr


def test_a_kindle_column_adds_a_second_message_with_the_same_copy(big_run) -> None:
    root, _server, _first, _again, received = big_run
    kindle = [r for r in received if r.recipient.endswith("@kindle.com")]
    assert sorted(r.recipient for r in kindle) == [f"reader{n:03}@kindle.com" for n in range(KINDLES)]
    own = {r.recipient.split("@")[0]: r.copy_identifiers for r in received if r.recipient.endswith("@example.org")}
    for r in kindle:
        assert r.copy_identifiers == own[r.recipient.split("@")[0]]
        assert r.attachments == ["application/epub+zip"]
        assert "List-Unsubscribe" not in r.headers


def test_a_temporary_refusal_is_tried_again(big_run) -> None:
    root, server, _first, _again, received = big_run
    assert address(50) in server.refused_once
    assert [r.recipient for r in received].count(address(50)) == 1
    entry = journal_rows(root)[("reader-050", "email")]
    assert entry["state"] == "sent" and entry["attempts"] == 2


def test_a_permanent_refusal_is_reported_by_its_line_and_skipped(big_run) -> None:
    root, _server, first, _again, _received = big_run
    assert first.returncode == 1
    assert problem_lines(first.stderr) == [
        "subscribers.csv:62: the message to reader060@example.org: refused: 550 5.1.1 no such mailbox here"]
    assert "1 failed" in first.stderr
    with (root / "delivery" / "2024-11-report.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == COUNT + KINDLES
    failed = [row for row in rows if row["state"] != "sent"]
    assert [(row["line"], row["id"], row["state"]) for row in failed] == [("62", "reader-060", "failed")]


def test_a_second_run_sends_nothing_again(big_run) -> None:
    _root, server, _first, again, received = big_run
    assert server.count() == len(received)
    assert "sent 0 messages" in again.stderr and "209 sent before" in again.stderr, again.stderr
    assert problem_lines(again.stderr) == [  # the refused one is still said, so it is not forgotten
        "subscribers.csv:62: the message to reader060@example.org was refused in an earlier run (550 5.1.1 no such "
        "mailbox here); correct the address and run again"]


def test_messages_carry_the_unsubscribe_headers_and_both_bodies(big_run) -> None:
    _root, _server, _first, _again, received = big_run
    first = next(r for r in received if r.recipient == address(1))
    assert first.headers["List-Unsubscribe"] == "<https://meridian.example.org/unsubscribe?id=reader-001>"
    assert first.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.headers["To"] == "Reader 1 <reader001@example.org>"
    assert first.headers["Reply-To"] == "letters@meridian.example.org"


def test_no_password_in_any_output_journal_or_report(big_run) -> None:
    root, server, first, again, _received = big_run
    assert set(server.logins) <= {"PLAIN", "LOGIN"} and server.logins
    assert_no_password(root, first.stdout, first.stderr, again.stdout, again.stderr)
