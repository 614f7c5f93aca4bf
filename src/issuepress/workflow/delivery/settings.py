"""magazine.yaml's `delivery:` and the environment -> how to reach the mail provider, or what is missing.

The password never comes from a file of the magazine folder: only from the
environment variable that `password_env` names (ISSUEPRESS_SMTP_PASSWORD by
default) or, when the `keyring` package is installed, from the system's
keyring (service "issuepress", user "USER@HOST"). An unencrypted connection
is refused unless asked for (`--insecure`, for a relay on this computer).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ...errors import IssueError, Problem
from ...model import DeliverySettings, Magazine

PORTS = {"starttls": 587, "tls": 465, "none": 25}
KEYRING_SERVICE = "issuepress"


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None = field(repr=False)  # never shown, not even by repr()
    sender: str
    reply_to: str | None


def connection(magazine: Magazine, insecure: bool) -> Connection:
    """The settings a real run needs, or an IssueError naming each thing to fix."""
    settings: DeliverySettings = magazine.delivery
    where = "magazine.yaml"
    problems: list[Problem] = []
    if not settings.host:
        problems.append(Problem("delivery: 'host' is missing: the mail provider's SMTP server, such as "
                                "smtp.example.org (issuepress send --dry-run DIR needs none)", where, settings.line))
    if not settings.sender:
        problems.append(Problem("delivery: 'from' is missing: the address the issue is sent from, such as "
                                "The Review <issues@example.org>", where, settings.line))
    if settings.security == "none" and not insecure:
        problems.append(Problem("delivery: 'security: none' sends every copy, and any password, unencrypted; "
                                "use starttls or tls, or add --insecure for a relay on this computer",
                                where, settings.line))
    password = None
    if settings.user:
        password = os.environ.get(settings.password_env) or _from_keyring(settings)
        if not password:
            problems.append(Problem(f"no password for {settings.user}: set the environment variable "
                                    f"{settings.password_env} (or store it in the system keyring as service "
                                    f"'{KEYRING_SERVICE}', user '{settings.user}@{settings.host}')",
                                    where, settings.line))
    if problems:
        raise IssueError(problems)
    return Connection(settings.host, settings.port or PORTS[settings.security], settings.security, settings.user,
                      password, settings.sender, settings.reply_to)


def _from_keyring(settings: DeliverySettings) -> str | None:
    try:
        import keyring  # optional: pip install keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{settings.user}@{settings.host}")
    except Exception:  # noqa: BLE001 - no usable keyring backend on this computer is the same as no entry
        return None


def redact(text: str, secret: str | None) -> str:
    """`text` with the password blanked out: a last guard on every message that leaves this package."""
    return text.replace(secret, "********") if secret else text
