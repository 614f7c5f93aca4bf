"""A finished message -> the mail provider's SMTP server, with each outcome classified for the journal.

The SMTP transaction is smtplib's (MAIL, RCPT, DATA), except for its last
step: the message goes out without its end-of-data mark, the caller commits
"ending" to the journal, and only then is the final "." sent and the reply
read. A run stopped before that commit left the server an unfinished message
(which it discards): not delivered, safe to send again. Stopped after it,
and before the reply is recorded, the message is in doubt.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable

from .settings import Connection, redact

SENT, TEMPORARY, PERMANENT, IN_DOUBT = "sent", "temporary", "permanent", "in doubt"
TIMEOUT = 120  # seconds for any one reply; RFC 5321 allows a server ten minutes after the final "."
RECONNECT_WAITS = (1, 4, 15)  # seconds before each new try to reach a server that could not be reached


@dataclass(frozen=True)
class Outcome:
    state: str
    detail: str


class DeliveryStopped(Exception):
    """Nothing more can be sent in this run (a refused login or sender, an untrusted certificate...)."""


class Mailer:
    """One connection at a time to the server, opened when needed and again after a drop."""

    def __init__(self, connection: Connection, timeout: float = TIMEOUT):
        self.connection = connection
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.envelope_from = smtplib.quoteaddr(connection.sender).strip("<>")

    def open(self) -> None:
        c = self.connection
        context = ssl.create_default_context()  # the system's trusted certificates (or SSL_CERT_FILE's)
        try:
            if c.security == "tls":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
            smtp.ehlo()
            if c.security == "starttls":
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise DeliveryStopped(f"{c.host}:{c.port} does not offer STARTTLS, so nothing would be "
                                          "encrypted; check 'port' and 'security' in delivery:")
                smtp.starttls(context=context)
                smtp.ehlo()
            if c.user:
                smtp.login(c.user, c.password or "")
        except DeliveryStopped:
            raise
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryStopped(f"{c.host} refused the login of {c.user}: {_reply(error)}; check 'user' and "
                                  f"the password in the environment") from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryStopped(f"{c.host} offers no login (AUTH) on this connection; check 'security' and "
                                  "'port', or remove 'user' for a relay that needs none") from None
        except ssl.SSLCertVerificationError as error:
            raise DeliveryStopped(f"the certificate of {c.host} cannot be trusted ({error.verify_message}); for a "
                                  "relay with a certificate of its own, point SSL_CERT_FILE at it") from None
        except ssl.SSLError as error:
            raise DeliveryStopped(f"no encrypted connection to {c.host}:{c.port} ({error.reason or error}); "
                                  "is 'security' right for this port (starttls: 587, tls: 465)?") from None
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionError(f"cannot reach {c.host}:{c.port}: {self._text(error)}") from None
        self.smtp = smtp

    def send(self, recipient: str, data: bytes, before_end: Callable[[], None]) -> Outcome:
        """Hand one message over; `before_end()` is called (to commit "ending") just before its final "."."""
        ending = False
        try:
            if self.smtp is None:
                self._reconnect()
            smtp = self.smtp
            options = [f"SIZE={len(data)}"] if smtp.has_extn("size") else []
            if not recipient.isascii():
                if not smtp.has_extn("smtputf8"):
                    return Outcome(PERMANENT, "the address has letters outside ASCII and the server does not "
                                              "take such addresses (no SMTPUTF8)")
                options += ["SMTPUTF8", "BODY=8BITMIME"]
            code, reply = smtp.mail(self.envelope_from, options)
            if code != 250:
                return self._refused(code, reply, sender=True)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(code, reply)
            code, reply = smtp.docmd("data")
            if code != 354:
                return self._refused(code, reply)
            smtp.send(_dot_stuffed(data))
            before_end()
            ending = True
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as error:  # a dropped connection, a timeout
            self.drop()
            if ending:
                return Outcome(IN_DOUBT, f"the connection was lost waiting for the server's answer to the "
                                         f"finished message ({self._text(error)})")
            return Outcome(TEMPORARY, f"the connection was lost ({self._text(error)})")
        if code == 250:
            return Outcome(SENT, f"{code} {_decoded(reply)}")
        return self._refused(code, reply)

    def _reconnect(self) -> None:
        """Open the connection, trying again after a pause when the server cannot be reached; after the last
        try the run stops (the messages not sent stay unsent in the journal, for the next run)."""
        for wait in (*RECONNECT_WAITS, None):
            try:
                self.open()
                return
            except ConnectionError as error:
                if wait is None:
                    raise DeliveryStopped(f"{error} (tried {len(RECONNECT_WAITS) + 1} times)") from None
                time.sleep(wait)

    def _refused(self, code: int, reply: bytes, sender: bool = False) -> Outcome:
        text = f"{code} {_decoded(reply)}"
        if code == 421 or code < 0:  # the server is closing the connection
            self.drop()
            return Outcome(TEMPORARY, text)
        self._reset()
        if 400 <= code < 500:
            return Outcome(TEMPORARY, text)
        if sender and code != 552:  # 552 at MAIL FROM is this message's size; anything else refuses every one
            raise DeliveryStopped(f"{self.connection.host} refused the sender {self.envelope_from}: {text}; check "
                                  "'from' in delivery:")
        return Outcome(PERMANENT, text)

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.drop()

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    def close(self) -> None:
        """Say goodbye (QUIT), within the timeout; a server that does not answer is simply left."""
        if self.smtp is not None:
            try:
                self.smtp.sock.settimeout(5)
                self.smtp.quit()
            except (OSError, smtplib.SMTPException, AttributeError):
                pass
        self.drop()

    def _text(self, error: BaseException) -> str:
        if isinstance(error, socket.timeout):
            return f"no answer within {self.timeout:.0f}s"
        return redact(str(error) or type(error).__name__, self.connection.password)


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2), without the final ".": a "." that starts a line
    doubled, and a closing CRLF. Messages come from `compose` with CRLF line ends already."""
    data = (b"." + data if data.startswith(b".") else data).replace(b"\n.", b"\n..")
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _decoded(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_decoded(error.smtp_error)}"
