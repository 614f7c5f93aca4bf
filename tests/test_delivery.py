"""`issuepress send` against a real SMTP server on 127.0.0.1 (STARTTLS, AUTH): one message per subscriber with
their own copy, Kindle copies, retries, refusals, a run killed half-way, messages in doubt, and no password
anywhere."""

from __future__ import annotations

import csv
import email
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from email import policy
from pathlib import Path

import pytest

from conftest import copy_sample, problem_lines, run_cli
from mailserver import PASSWORD, Behaviour, MailServer, password_forms

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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_kindle_column_adds_a_second_message_with_the_same_copy(big_run) -> None:
    root, _server, _first, _again, received = big_run
    kindle = [r for r in received if r.recipient.endswith("@kindle.com")]
    assert sorted(r.recipient for r in kindle) == [f"reader{n:03}@kindle.com" for n in range(KINDLES)]
    own = {r.recipient.split("@")[0]: r.copy_identifiers for r in received if r.recipient.endswith("@example.org")}
    for r in kindle:
        assert r.copy_identifiers == own[r.recipient.split("@")[0]]
        assert r.attachments == ["application/epub+zip"]
        assert "List-Unsubscribe" not in r.headers


@pytest.mark.slow
def test_a_temporary_refusal_is_tried_again(big_run) -> None:
    root, server, _first, _again, received = big_run
    assert address(50) in server.refused_once
    assert [r.recipient for r in received].count(address(50)) == 1
    entry = journal_rows(root)[("reader-050", "email")]
    assert entry["state"] == "sent" and entry["attempts"] == 2


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_second_run_sends_nothing_again(big_run) -> None:
    _root, server, _first, again, received = big_run
    assert server.count() == len(received)
    assert "sent 0 messages" in again.stderr and "209 sent before" in again.stderr, again.stderr
    assert problem_lines(again.stderr) == [  # the refused one is still said, so it is not forgotten
        "subscribers.csv:62: the message to reader060@example.org was refused in an earlier run (550 5.1.1 no such "
        "mailbox here); correct the address and run again"]


@pytest.mark.slow
def test_messages_carry_the_unsubscribe_headers_and_both_bodies(big_run) -> None:
    _root, _server, _first, _again, received = big_run
    first = next(r for r in received if r.recipient == address(1))
    assert first.headers["List-Unsubscribe"] == "<https://meridian.example.org/unsubscribe?id=reader-001>"
    assert first.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.headers["To"] == "Reader 1 <reader001@example.org>"
    assert first.headers["Reply-To"] == "letters@meridian.example.org"


@pytest.mark.slow
def test_no_password_in_any_output_journal_or_report(big_run) -> None:
    root, server, first, again, _received = big_run
    assert set(server.logins) <= {"PLAIN", "LOGIN"} and server.logins
    assert_no_password(root, first.stdout, first.stderr, again.stdout, again.stderr)


def start_send(root: Path, server: MailServer, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "issuepress", "send", "2024-11", "--list", "subscribers.csv",
                             *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1", **server.env()})


@pytest.mark.slow
def test_a_run_killed_half_way_delivers_the_rest_and_nothing_twice(tmp_path: Path) -> None:
    count = 40
    # The server holds the 21st message at its RCPT, before any of its data: the run is killed right there.
    with MailServer(tmp_path, Behaviour(hold_before_end=address(20))) as server:
        root = magazine(tmp_path / "magazine", server, count)
        process = start_send(root, server)
        try:
            assert server.held.wait(timeout=300), process.communicate(timeout=5)
            process.send_signal(signal.SIGKILL)  # no chance to clean up or to write anything more
            _, stderr = process.communicate(timeout=30)
        finally:
            process.kill()
        assert process.returncode == -signal.SIGKILL
        assert sorted(r.recipient for r in server.received) == [address(n) for n in range(20)]
        server.release.set()
        again = send(root, server)
        assert again.returncode == 0, again.stderr
        assert "sent 20 messages" in again.stderr and "20 sent before" in again.stderr, again.stderr
        by_address = Counter(r.recipient for r in server.received)
        assert by_address == Counter({address(n): 1 for n in range(count)})
        assert len({r.message_id for r in server.received}) == count
        assert_no_password(root, stderr, again.stdout, again.stderr)


@pytest.mark.slow
def test_a_message_stopped_in_doubt_is_reported_and_sent_again_only_when_asked(tmp_path: Path) -> None:
    # The server has the whole of the third message but holds its 250: SIGTERM stops the run in that window.
    with MailServer(tmp_path, Behaviour(hold_after_end=address(2))) as server:
        root = magazine(tmp_path / "magazine", server, 5)
        process = start_send(root, server)
        try:
            assert server.held.wait(timeout=300), process.communicate(timeout=5)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
        assert process.returncode == 130, stderr
        assert "interrupted; what was sent is in the journal" in stderr
        assert journal_rows(root)[("reader-002", "email")]["state"] == "ending"
        server.release.set()
        again = send(root, server)
        assert again.returncode == 1
        lines = problem_lines(again.stderr)
        assert len(lines) == 1 and lines[0].startswith(
            "subscribers.csv:4: in doubt: the message to reader002@example.org (<"), again.stderr
        assert "--resend-in-doubt" in lines[0]
        assert Counter(r.recipient for r in server.received) == Counter({address(n): 1 for n in range(5)})
        first_id = next(r.message_id for r in server.received if r.recipient == address(2))
        asked = send(root, server, "--resend-in-doubt")
        assert asked.returncode == 0, asked.stderr
        twice = [r.message_id for r in server.received if r.recipient == address(2)]
        assert twice == [first_id, first_id]  # sent again as the same message, which mail systems can recognise
        assert journal_rows(root)[("reader-002", "email")]["state"] == "sent"


@pytest.mark.slow  # a second or more: the fast tier stays under a minute
def test_a_dry_run_writes_each_message_as_eml_without_connecting(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "magazine")
    (root / "magazine.yaml").open("a").write(  # a server that is not there: a dry run never connects
        "delivery:\n  host: 127.0.0.1\n  port: 9\n  user: me\n  from: The Review <issues@example.org>\n")
    write_list(root, 3, kindles=1)
    result = run_cli("send", "2024-11", "--list", "subscribers.csv", "--dry-run", "out", "--only", "reader-000,reader-002",
                     cwd=root, env={"ISSUEPRESS_SMTP_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "out").glob("*.eml")) == ["reader-000-kindle.eml", "reader-000.eml",
                                                                    "reader-002.eml"]
    message = email.message_from_bytes((root / "out/reader-002.eml").read_bytes(), policy=policy.default)
    assert message["To"] == "Reader 2 <reader002@example.org>"
    assert "Dear Reader 2," in message.get_body(("plain",)).get_content()
    assert [part.get_content_type() for part in message.iter_attachments()] == ["application/epub+zip"]
    assert not (root / "delivery").exists()  # nothing recorded as sent
    assert_no_password(root, result.stdout, result.stderr)


@pytest.mark.parametrize("settings, args, expected", [
    ("  host: mail.example.org\n  security: none\n  from: a@example.org\n", (),
     "magazine.yaml:14: delivery: 'security: none' sends every copy, and any password, unencrypted; use starttls "
     "or tls, or add --insecure for a relay on this computer"),
    ("  host: mail.example.org\n  from: a@example.org\n  user: me\n  password: hunter2\n", (),
     "magazine.yaml:18: a password is never kept in a file of the magazine folder; remove it and put it in the "
     "environment variable named by 'password_env' (default ISSUEPRESS_SMTP_PASSWORD)"),
    ("  host: mail.example.org\n  from: a@example.org\n  user: me\n  password_env: MY_SMTP_PASSWORD\n", (),
     "magazine.yaml:14: no password for me: set the environment variable MY_SMTP_PASSWORD (or store it in the system "
     "keyring as service 'issuepress', user 'me@mail.example.org')"),
])
def test_settings_that_would_leak_or_cannot_work_are_refused(tmp_path: Path, settings, args, expected) -> None:
    root = copy_sample(tmp_path / "magazine")
    (root / "magazine.yaml").open("a").write("delivery:\n" + settings)
    write_list(root, 2)
    result = run_cli("send", "2024-11", "--list", "subscribers.csv", *args, cwd=root,
                     env={"ISSUEPRESS_SMTP_PASSWORD": "", "MY_SMTP_PASSWORD": ""})
    assert result.returncode == 1
    assert expected in problem_lines(result.stderr), result.stderr
    assert "hunter2" not in result.stderr
