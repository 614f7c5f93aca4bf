"""A subscriber, their copy and the theme's e-mail layouts -> one message, as the bytes an SMTP server takes.

The layouts are `email/subject.txt`, `email/message.txt` and
`email/message.html` (Jinja2, like every layout: a magazine overrides them in
its own `layouts/email/`). The HTML part shows the cover, carried in the
message as a small JPEG; the copy, and the screen PDF when asked, are
attachments. The Message-ID is derived from the copy's identifier, so a
message sent again (when one was in doubt) has the same Message-ID.
"""

from __future__ import annotations

import binascii
import io
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import quote

from PIL import Image

from ...editions import common
from ...layouts import Theme
from ...model import Asset, RenderedIssue
from ..subscribers import Subscriber

EMAIL, KINDLE = "email", "kindle"
MEDIA_TYPES = {"epub": ("application", "epub+zip"), "pdf": ("application", "pdf")}
COVER_WIDTH = 480  # pixels: shown at 240 CSS pixels, sharp on a high-density screen


@dataclass(frozen=True)
class Attachment:
    filename: str
    kind: str  # "epub" or "pdf"
    data: bytes


class Composer:
    """Makes every message of one run: the layouts' shared context and the cover are prepared once."""

    def __init__(self, rendered: RenderedIssue, theme: Theme, sender: str, reply_to: str | None,
                 unsubscribe: str | None, cover: Asset | None):
        self.rendered, self.theme = rendered, theme
        self.sender, self.reply_to, self.unsubscribe = sender, reply_to, unsubscribe
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        self.context = {**common.context(rendered), "web_url": common.web_url(rendered.issue)}
        self.cover = _thumbnail(cover) if cover else None
        title = re.sub(r"[^A-Za-z0-9]+", "-", rendered.issue.magazine.title).strip("-").lower()
        self.basename = f"{title}-{rendered.issue.id}" if title else rendered.issue.id

    def filename(self, kind: str) -> str:
        return f"{self.basename}.{kind}"

    def message_id(self, copy_identifier: str, kind: str) -> str:
        """The same for the same copy and kind on every run: a resent message is recognisably the same."""
        return f"<{uuid.uuid5(uuid.UUID(copy_identifier.removeprefix('urn:uuid:')), kind)}@{self.domain}>"

    def message(self, subscriber: Subscriber, kind: str, address: str, attachments: list[Attachment],
                message_id: str) -> bytes:
        unsubscribe = self._unsubscribe(subscriber) if kind == EMAIL else None
        context = {**self.context, "subscriber": subscriber, "kindle": kind == KINDLE,
                   "files": [a.filename for a in attachments], "unsubscribe": unsubscribe,
                   "cover": "cover" if self.cover and kind == EMAIL else None}
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = self.sender
        message["To"] = formataddr((subscriber.name, address))
        if self.reply_to:
            message["Reply-To"] = self.reply_to
        message["Subject"] = " ".join(self.theme.render("email/subject.txt", **context).split())
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = message_id
        if unsubscribe:  # RFC 8058: a one-click unsubscribe a mail program can offer
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(_tidy(self.theme.render("email/message.txt", **context)), cte="quoted-printable")
        bodies = _Bodies()
        if kind == EMAIL:
            message.add_alternative(self.theme.render("email/message.html", **context), subtype="html",
                                    cte="quoted-printable")
            if context["cover"]:
                html = message.get_payload()[1]
                html.add_related(b"", "image", "jpeg", cid="<cover>", filename="cover.jpg")
                bodies.hold(html.get_payload()[-1], self.cover)
        for attachment in attachments:
            maintype, subtype = MEDIA_TYPES[attachment.kind]
            message.add_attachment(b"", maintype=maintype, subtype=subtype, filename=attachment.filename)
            bodies.hold(message.get_payload()[-1], attachment.data)
        utf8 = not address.isascii()  # an address with non-ASCII letters needs the server's SMTPUTF8
        return bodies.put_in(message.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP))

    def _unsubscribe(self, subscriber: Subscriber) -> str | None:
        if not self.unsubscribe:
            return None
        return (self.unsubscribe.replace("{id}", quote(subscriber.id, safe=""))
                .replace("{email}", quote(subscriber.email or "", safe="")))


class _Bodies:
    """Binary parts encoded in one go and put into the finished message: the email package writes a
    base64 body line by line in Python, which took more time than everything else in a message."""

    def __init__(self) -> None:
        self.held: dict[bytes, bytes] = {}

    def hold(self, part: EmailMessage, data: bytes) -> None:
        marker = f"issuepress-part-{len(self.held)}-{uuid.uuid4().hex}"
        part.set_payload(marker)  # the part keeps its headers (base64); its body waits for put_in
        self.held[marker.encode("ascii") + b"\r\n"] = _base64_lines(data)

    def put_in(self, message: bytes) -> bytes:
        for marker, body in self.held.items():
            message = message.replace(marker, body, 1)
        return message


def _base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters ending in CRLF (RFC 2045), encoded at once (base64.encodebytes
    goes 57 bytes at a time, and took a third of a message's making)."""
    encoded = binascii.b2a_base64(data, newline=False)
    return b"".join(encoded[start:start + 76] + b"\r\n" for start in range(0, len(encoded), 76))


def _tidy(text: str) -> str:
    """A text layout's output without the blank lines its block tags leave: at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _thumbnail(cover: Asset) -> bytes:
    """The cover as a small JPEG for the message (a 300 KB cover in every message would be waste)."""
    with Image.open(io.BytesIO(cover.data)) as image:
        image = image.convert("RGB")
        image.thumbnail((COVER_WIDTH, COVER_WIDTH * 2))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
