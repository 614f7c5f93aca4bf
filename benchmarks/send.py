"""Benchmark `issuepress send`: 2,000 subscribers of the twelve-story issue to an SMTP server on 127.0.0.1.

The server is aiosmtpd with STARTTLS (a certificate made for the run) and AUTH, as in the tests, in a
process of its own; it counts messages and Message-IDs and throws the rest away. Each run is
`issuepress send 1891-07 --list N.csv` in a child process, with its peak memory from os.wait4; the rate
is the one issuepress reports for the sending phase (after the issue's EPUB is built once), and wall
time includes that build. The baseline, in the same command, is smtplib sending one ready-made message
of the same size N times over one connection to the same server: what the transport and this server
allow, with no copies, composing or journal. Runs with 200 and 2,000 subscribers show whether memory
stays flat as the list grows.

    .venv/bin/python benchmarks/send.py [--counts 200,2000]
"""

from __future__ import annotations

import argparse
import email
import os
import re
import select
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from email import policy
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import make_strand_magazine  # noqa: E402
from subscribers import run  # noqa: E402  (benchmarks/subscribers.py: wall time, peak RSS, stderr)

ISSUEPRESS = Path(sys.executable).parent / "issuepress"
USER, PASSWORD = "bench@example.org", "benchmark-password"


def serve(folder: Path) -> None:
    """The server process: prints 'ready PORT', then at EOF on stdin 'received N distinct M'."""
    import warnings

    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    warnings.simplefilter("ignore", DeprecationWarning)  # aiosmtpd's own, about an attribute it sets itself
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ids: list[bytes] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            found = re.search(rb"(?im)^Message-ID: *(\S+)", envelope.content[:8192])
            ids.append(found.group(1) if found else b"")
            return "250 OK"

    def login(server, session, envelope, mechanism, data):
        return AuthResult(success=data.login.decode() == USER and data.password.decode() == PASSWORD)

    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=login, data_size_limit=64 * 2**20)
    controller.start()
    print(f"ready {port}", flush=True)
    select.select([sys.stdin], [], [], 3 * 3600)  # until the benchmark closes our stdin (bounded)
    controller.stop()
    print(f"received {len(ids)} distinct {len(set(ids))}", flush=True)


class Server:
    def __init__(self, folder: Path):
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(folder)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline().split()[1])
        self.ca = folder / "ca.pem"

    def stop(self) -> tuple[int, int]:
        self.process.stdin.close()
        found = re.search(r"received (\d+) distinct (\d+)", self.process.stdout.read())
        self.process.wait(timeout=60)
        return int(found.group(1)), int(found.group(2))


def baseline(port: int, ca: Path, message: bytes, count: int) -> float:
    """Messages a second for smtplib sending `message` `count` times over one STARTTLS connection."""
    context = ssl.create_default_context(cafile=str(ca))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
        smtp.starttls(context=context)
        smtp.login(USER, PASSWORD)
        for n in range(count):
            smtp.sendmail("issues@example.org", [f"reader{n}@example.org"], message)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="200,2000", help="subscriber counts to run (comma-separated)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        return serve(arguments.serve)
    counts = [int(n) for n in arguments.counts.split(",")]
    with tempfile.TemporaryDirectory(prefix="issuepress-send-") as folder:
        folder = Path(folder)
        root = make_strand_magazine(folder / "strand")
        print(f"cores: {os.cpu_count()}; issue: twelve Strand stories; server: aiosmtpd, STARTTLS + AUTH, "
              "in its own process\n")
        print("| subscribers | wall s | messages/s (sending) | baseline msg/s (smtplib, same size) | ratio "
              "| peak RSS MB | EPUB copy MB | message MB | received (distinct Message-IDs) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for count in counts:
            server = Server(folder)
            try:
                (root / "delivery").exists() and shutil.rmtree(root / "delivery")
                magazine = (root / "magazine.yaml").read_text().split("delivery:")[0]
                (root / "magazine.yaml").write_text(
                    magazine + f"delivery:\n  host: 127.0.0.1\n  port: {server.port}\n  user: {USER}\n"
                               f"  from: The Strand <issues@example.org>\n")
                listing = root / f"{count}.csv"
                listing.write_text("id,name,email\n" + "".join(
                    f"reader-{n:05},Reader Number {n},reader{n}@example.org\n" for n in range(count)),
                    encoding="utf-8")
                os.environ.update(ISSUEPRESS_SMTP_PASSWORD=PASSWORD, SSL_CERT_FILE=str(server.ca))  # for the runs
                eml = folder / f"eml-{count}"  # first, while the journal has nothing: one message as sent
                run([str(ISSUEPRESS), "send", "1891-07", "--list", listing.name, "--only", "reader-00000",
                     "--dry-run", str(eml)], root)
                message = (eml / "reader-00000.eml").read_bytes()
                parsed = email.message_from_bytes(message, policy=policy.default)
                epub = next(parsed.iter_attachments()).get_content()
                wall, rss, text = run([str(ISSUEPRESS), "send", "1891-07", "--list", listing.name], root)
                rate = re.search(r"\(([\d.]+)/s\)", text)
                base = baseline(server.port, server.ca, message, count)
            finally:
                received, distinct = server.stop()
            sending = float(rate.group(1)) if rate else 0.0
            print(f"| {count} | {wall:.1f} | {sending:.1f} | {base:.1f} | {sending / base:.2f} | {rss:.0f} "
                  f"| {len(epub) / 1e6:.2f} | {len(message) / 1e6:.2f} | {received - count} ({distinct}) |")


if __name__ == "__main__":
    main()
