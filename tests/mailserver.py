"""A real SMTP server on 127.0.0.1 for the delivery tests: aiosmtpd with STARTTLS (a certificate made here,
trusted through SSL_CERT_FILE) and AUTH, which records what it accepts and can refuse or hold chosen messages."""

from __future__ import annotations

import asyncio
import base64
import email
import io
import re
import socket
import ssl
import threading
import time
import zipfile
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

USER, PASSWORD = "publisher@example.org", "Zq7-never-in-any-output-93x"
HOLD_LIMIT = 120  # seconds a held reply waits for the test to let it go


@dataclass
class Received:
    recipient: str
    message_id: str
    copy_identifiers: list[str]  # of the EPUBs attached, from each copy's package document
    prepared_for: list[str]  # the names on the copies' imprints
    headers: dict[str, str]
    attachments: list[str]  # content types


@dataclass
class Behaviour:
    temporary_once: set[str] = field(default_factory=set)  # 451 at the first RCPT, accepted afterwards
    permanent: set[str] = field(default_factory=set)  # 550 at every RCPT
    hold_before_end: str | None = None  # RCPT of this address waits until released (before the message's end)
    hold_after_end: str | None = None  # the whole message is in; the 250 waits until released


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, options):
        behaviour = self.server.behaviour
        if address in behaviour.permanent:
            return "550 5.1.1 no such mailbox here"
        if address in behaviour.temporary_once and address not in self.server.refused_once:
            self.server.refused_once.add(address)
            return "451 4.3.0 mailbox busy, try again later"
        if address == behaviour.hold_before_end:
            await self.server.held_here()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        received = _read(envelope.rcpt_tos[0], envelope.content)
        with self.server.lock:
            self.server.received.append(received)
        if envelope.rcpt_tos[0] == self.server.behaviour.hold_after_end:
            await self.server.held_here()
        return "250 2.0.0 queued"


def _read(recipient: str, content: bytes) -> Received:
    message = email.message_from_bytes(content, policy=policy.default)
    identifiers, names, types = [], [], []
    for part in message.iter_attachments():
        types.append(part.get_content_type())
        if part.get_content_type() == "application/epub+zip":
            with zipfile.ZipFile(io.BytesIO(part.get_content())) as book:
                package = book.read("EPUB/content.opf").decode("utf-8")
                imprint = book.read("EPUB/imprint.xhtml").decode("utf-8")
            identifiers += re.findall(r'<dc:identifier id="copy-identifier">([^<]+)<', package)
            names += re.findall(r"prepared for <bdi>(.*?)</bdi>", imprint)
    return Received(recipient, message["Message-ID"], identifiers, names,
                    {key: str(value) for key, value in message.items()}, types)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """Started and stopped as a context manager; `received` is everything it accepted, in order."""

    def __init__(self, folder: Path, behaviour: Behaviour | None = None):
        self.behaviour = behaviour or Behaviour()
        self.received: list[Received] = []
        self.refused_once: set[str] = set()
        self.logins: list[str] = []
        self.lock = threading.Lock()
        self.held = threading.Event()  # a held message has reached its hold point
        self.release = threading.Event()
        authority = trustme.CA()
        self.ca_file = folder / "test-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.port = _free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, auth_required=True, authenticator=self._login,
                                     data_size_limit=64 * 2**20)

    def _login(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)

    async def held_here(self) -> None:
        self.held.set()
        deadline = time.monotonic() + HOLD_LIMIT
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def delivery_yaml(self) -> str:
        return (f"delivery:\n  host: 127.0.0.1\n  port: {self.port}\n  security: starttls\n  user: {USER}\n"
                f"  from: The Meridian Review <issues@meridian.example.org>\n"
                f"  reply_to: letters@meridian.example.org\n"
                f"  unsubscribe: https://meridian.example.org/unsubscribe?id={{id}}\n")

    def env(self) -> dict[str, str]:
        """What `issuepress send` needs to reach this server: the password and the test authority."""
        return {"ISSUEPRESS_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(self.ca_file)}

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.controller.stop()


def password_forms() -> list[bytes]:
    """The password as it could leak: as written, and inside an AUTH PLAIN or LOGIN exchange."""
    plain = PASSWORD.encode()
    return [plain, base64.b64encode(b"\0" + USER.encode() + b"\0" + plain), base64.b64encode(plain)]
