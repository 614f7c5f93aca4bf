"""An issue, a subscriber list and the journal -> every message not yet sent, sent once; a summary and a report.

Each subscriber gets one message with their own copy (and, with a `kindle`
column, a second one to their Send-to-Kindle address). Copies are made one
at a time and dropped once sent, so memory stays flat however long the list.
A temporary refusal (4xx) is tried again after a pause while the rest go on;
a permanent one (5xx) is recorded and reported at the end by the list's line.
"""

from __future__ import annotations

import csv
import fcntl
import heapq
import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ...errors import IssueError, Problem, shown_path
from ...layouts import Theme
from ...model import RenderedIssue
from ...outputs import write_file
from ..subscribers import Subscriber, copy_identifier, copy_label, copy_maker, current_copies
from . import smtp
from .compose import EMAIL, KINDLE, Attachment, Composer
from .journal import DEFERRED, ENDING, FAILED, IN_DOUBT, SENT, Journal, journal_path
from .settings import Connection, connection, redact

RETRY_WAITS = (1, 4, 15, 60)  # seconds before each new try after a temporary refusal; then it is deferred
REPORT_COLUMNS = ["line", "id", "kind", "address", "state", "message_id", "attempts", "detail", "updated"]


@dataclass(frozen=True)
class Request:
    """What one run was asked to do."""

    root: Path
    issue_id: str
    listing: Path
    formats: tuple[str, ...] = ("epub",)
    only: tuple[str, ...] = ()
    dry_run: Path | None = None
    rate: float | None = None  # at most this many messages a second
    resend_in_doubt: bool = False
    insecure: bool = False
    include_email: bool = False
    report: Path | None = None


@dataclass(frozen=True)
class Message:
    subscriber: Subscriber
    kind: str  # EMAIL or KINDLE
    address: str


@dataclass
class Summary:
    sent: int = 0
    already: int = 0  # sent by an earlier run
    failed: int = 0
    deferred: int = 0
    in_doubt: int = 0
    written: int = 0  # .eml files of a dry run
    seconds: float = 0.0
    report: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before the end

    @property
    def rate(self) -> float:
        return (self.sent or self.written) / self.seconds if self.seconds else 0.0


def send_issue(request: Request, rendered: RenderedIssue, theme: Theme, people: list[Subscriber],
               progress: Callable[[int, int], None] = lambda done, total: None) -> Summary:
    """Send (or, for a dry run, write) every message the journal does not show as sent."""
    settings = rendered.issue.magazine.delivery
    link: Connection | None = None if request.dry_run else connection(rendered.issue.magazine, request.insecure)
    sender = link.sender if link else settings.sender or f"{rendered.issue.magazine.title} <issuepress@localhost>"
    shown = shown_path(request.listing, Path.cwd())
    with _only_run(request):
        journal = Journal(journal_path(request.root), read_only=bool(request.dry_run))
        try:
            summary = Summary()
            journal.settle_stale(request.issue_id)
            plan = _plan(request, people, journal, summary, shown)
            composer = Composer(rendered, theme, sender, link.reply_to if link else settings.reply_to,
                                settings.unsubscribe, _cover(rendered, theme))
            copies = _Copies(rendered, theme, request, composer, people)
            delivery = _Delivery(request, composer, copies, journal, summary, shown, link)
            started = time.perf_counter()
            try:
                delivery.run(plan, progress)
                delivery.close()
            except smtp.DeliveryStopped as error:
                summary.stopped = redact(str(error), link.password if link else None)
            finally:
                summary.seconds = time.perf_counter() - started
                delivery.drop()  # interrupted: no goodbye to wait for
                summary.report = _write_report(request, people, journal)
            return summary
        finally:
            journal.close()


class _only_run:
    """One real run of an issue at a time in a magazine folder: a second one would send the same messages."""

    def __init__(self, request: Request):
        self.path = None if request.dry_run else journal_path(request.root).with_name(f".send-{request.issue_id}.lock")
        self.stream = None

    def __enter__(self):
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.stream = self.path.open("w")
            try:
                fcntl.flock(self.stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.stream.close()
                raise IssueError(f"another 'issuepress send' of this issue is running in {self.path.parent.parent}; "
                                 "wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.stream:
            self.stream.close()  # closing releases the lock


def _plan(request: Request, people: list[Subscriber], journal: Journal, summary: Summary,
          shown: str | None) -> list[Message]:
    """The messages to send in this run, in the list's order; what earlier runs did is counted and reported."""
    entries = journal.entries(request.issue_id)
    plan: list[Message] = []
    for person in people:
        wanted = [(kind, address) for kind, address in ((EMAIL, person.email), (KINDLE, person.kindle)) if address]
        if not wanted:
            summary.problems.append(Problem(f"subscriber '{person.id}' has no e-mail or kindle address; nothing "
                                            "was sent", shown, person.line, warning=True))
        for kind, address in wanted:
            entry = entries.get((person.id, kind))
            state = entry.state if entry else None
            if state == ENDING:  # left by a stopped run, seen by a dry run (which does not settle it)
                state = IN_DOUBT
            if state == SENT:
                summary.already += 1
            elif state == IN_DOUBT and not request.resend_in_doubt:
                summary.in_doubt += 1
                summary.problems.append(Problem(
                    f"in doubt: the {_what(kind)} to {entry.address} ({entry.message_id}) may have been delivered: "
                    f"{entry.detail}; run again with --resend-in-doubt to send it again", shown, person.line))
            elif state == FAILED and entry.address == address:
                summary.failed += 1
                summary.problems.append(Problem(f"the {_what(kind)} to {address} was refused in an earlier run "
                                                f"({entry.detail}); correct the address and run again",
                                                shown, person.line))
            else:
                plan.append(Message(person, kind, address))
    return plan


def _what(kind: str) -> str:
    return "message" if kind == EMAIL else "Kindle copy"


class _Copies:
    """Each subscriber's attachments, made (or read from `issuepress subscribers`' folder when up to date) once
    for both of their messages, and dropped when the next subscriber's are made."""

    def __init__(self, rendered: RenderedIssue, theme: Theme, request: Request, composer: Composer,
                 people: list[Subscriber]):
        self.rendered, self.theme, self.request, self.composer = rendered, theme, request, composer
        self.labels = [copy_label(person, request.include_email) for person in people]
        self.makers: dict[str, tuple] = {}
        self.folder = request.root / "build" / request.issue_id / "subscribers"
        self.made: dict[str, dict[str, str]] = {}
        self.last: tuple[str, list[Attachment]] | None = None

    def for_(self, subscriber: Subscriber) -> list[Attachment]:
        if self.last and self.last[0] == subscriber.id:
            return self.last[1]
        attachments = [Attachment(self.composer.filename(kind), kind, self._copy(subscriber, kind))
                       for kind in self.request.formats]
        self.last = subscriber.id, attachments
        return attachments

    def _copy(self, subscriber: Subscriber, kind: str) -> bytes:
        if kind not in self.makers:
            self.makers[kind] = copy_maker(self.rendered, self.theme, kind, self.labels)
            _, digest, _ = self.makers[kind]
            self.made.update(current_copies(self.folder, {kind: digest})[1])
        _, _, make = self.makers[kind]
        identifier = copy_identifier(self.rendered, subscriber)
        row = self.made.get(f"{subscriber.id}.{kind}")
        if row and row.get("copy_identifier") == identifier:
            try:
                return (self.folder / row["file"]).read_bytes()
            except OSError:
                pass  # gone since the manifest was read: made afresh below
        return make(copy_label(subscriber, self.request.include_email), identifier)[0]


class _Delivery:
    def __init__(self, request: Request, composer: Composer, copies: _Copies, journal: Journal,
                 summary: Summary, shown: str | None, link: Connection | None):
        self.request, self.composer, self.copies, self.journal = request, composer, copies, journal
        self.summary, self.shown = summary, shown
        self.mailer = smtp.Mailer(link) if link else None
        self.password = link.password if link else None
        self.identifier = lambda person: copy_identifier(copies.rendered, person)

    def run(self, plan: list[Message], progress: Callable[[int, int], None]) -> None:
        total, done = len(plan), 0
        progress(0, total)
        if plan:  # a mistake in an e-mail layout is found before anything is sent
            self._compose(plan[0], "<rehearsal@localhost>")
        if self.request.dry_run:
            self.request.dry_run.mkdir(parents=True, exist_ok=True)
        last_start = 0.0
        for message, attempt, data in self._composed(self._attempts(plan)):
            if self.request.rate:
                wait = last_start + 1 / self.request.rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                last_start = time.monotonic()
            if self._try(message, attempt, data):
                done += 1
                progress(done, total)

    def _composed(self, attempts: Iterator[tuple[Message, int]]) -> Iterator[tuple[Message, int, bytes]]:
        """Each attempt with its message's bytes, the next one made in a thread while this one is sent: the
        server's answer is mostly waited for, so making the next copy meanwhile nearly halves a run. One
        message ahead at most, so memory stays flat."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="issuepress-compose") as pool:
            ahead = None
            for message, attempt in attempts:
                future = pool.submit(self._compose, message, self._message_id(message))
                if ahead:
                    yield ahead[0], ahead[1], ahead[2].result()
                ahead = message, attempt, future
            if ahead:
                yield ahead[0], ahead[1], ahead[2].result()

    def _attempts(self, plan: list[Message]) -> Iterator[tuple[Message, int]]:
        """Each message, then (after its pause) each one to try again; `self.retry` schedules one."""
        self.retries: list[tuple[float, int, Message, int]] = []
        for message in plan:
            while self.retries and self.retries[0][0] <= time.monotonic():
                _, _, again, attempt = heapq.heappop(self.retries)
                yield again, attempt
            yield message, 1
        while self.retries:
            due, _, again, attempt = heapq.heappop(self.retries)
            time.sleep(max(0.0, due - time.monotonic()))  # bounded: the longest pause is RETRY_WAITS[-1]
            yield again, attempt

    def _message_id(self, message: Message) -> str:
        return self.composer.message_id(self.identifier(message.subscriber), message.kind)

    def _try(self, message: Message, attempt: int, data: bytes) -> bool:
        """One attempt; True when the message is settled (sent, refused, deferred or in doubt)."""
        person, kind, address = message.subscriber, message.kind, message.address
        identifier = self.identifier(person)
        message_id = self._message_id(message)
        if self.request.dry_run:
            name = f"{person.id}.eml" if kind == EMAIL else f"{person.id}-{kind}.eml"
            write_file(self.request.dry_run / name, data, durable=False)
            self.summary.written += 1
            return True
        record = lambda state, detail: self.journal.record(  # noqa: E731
            self.request.issue_id, person.id, kind, address, message_id, identifier, state, attempt,
            redact(detail, self.password))
        outcome = self.mailer.send(address, data, lambda: self.journal.ending(
            self.request.issue_id, person.id, kind, address, message_id, identifier, attempt))
        if outcome.state == smtp.SENT:
            record(SENT, outcome.detail)
            self.summary.sent += 1
        elif outcome.state == smtp.TEMPORARY and attempt <= len(RETRY_WAITS):
            due = time.monotonic() + RETRY_WAITS[attempt - 1]
            heapq.heappush(self.retries, (due, id(message), message, attempt + 1))
            return False
        elif outcome.state == smtp.TEMPORARY:
            record(DEFERRED, outcome.detail)
            self.summary.deferred += 1
            self._problem(message, f"not sent: the server refused it for now {attempt} times ({outcome.detail}); "
                                   "run the same command again later")
        elif outcome.state == smtp.IN_DOUBT:
            record(IN_DOUBT, outcome.detail)
            self.summary.in_doubt += 1
            self._problem(message, f"in doubt: {outcome.detail}; it may have been delivered (see the report); "
                                   "--resend-in-doubt sends it again")
        else:
            record(FAILED, outcome.detail)
            self.summary.failed += 1
            self._problem(message, f"refused: {outcome.detail}")
        return True

    def _compose(self, message: Message, message_id: str) -> bytes:
        attachments = self.copies.for_(message.subscriber)
        if message.kind == KINDLE:  # a Kindle takes one book: the EPUB, when there is one
            attachments = [a for a in attachments if a.kind == "epub"] or attachments
        return self.composer.message(message.subscriber, message.kind, message.address, attachments, message_id)

    def _problem(self, message: Message, text: str) -> None:
        what = f"the {_what(message.kind)} to {message.address}"
        self.summary.problems.append(Problem(f"{what}: {redact(text, self.password)}", self.shown,
                                             message.subscriber.line))

    def close(self) -> None:
        if self.mailer:
            self.mailer.close()

    def drop(self) -> None:
        if self.mailer:
            self.mailer.drop()


def _cover(rendered: RenderedIssue, theme: Theme):
    if rendered.cover:
        return rendered.cover
    from ...editions.epub.cover import typographic_cover

    return typographic_cover(rendered, theme, None)


def _write_report(request: Request, people: list[Subscriber], journal: Journal) -> Path:
    """One row per message of the list: its state after this run, from the journal."""
    path = request.report or (request.dry_run / "report.csv" if request.dry_run else
                              journal_path(request.root).with_name(f"{request.issue_id}-report.csv"))
    entries = journal.entries(request.issue_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for person in people:
        for kind, address in ((EMAIL, person.email), (KINDLE, person.kindle)):
            if not address:
                continue
            entry = entries.get((person.id, kind))
            if entry is None:
                row = [person.line, person.id, kind, address, "dry run" if request.dry_run else "not sent",
                       "", 0, "", ""]
            else:
                row = [person.line, person.id, kind, entry.address, entry.state, entry.message_id, entry.attempts,
                       entry.detail, entry.updated]
            writer.writerow(row)
    write_file(path, buffer.getvalue().encode("utf-8"))
    return path
