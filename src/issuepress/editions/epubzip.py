"""EPUB entries -> the zip container, byte for byte the same on every build.

The OCF rules (mimetype first, stored, no extra field) plus what makes a zip
reproducible: a fixed entry order, a fixed timestamp on every entry, fixed
permissions and one compression level.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

MIMETYPE = b"application/epub+zip"
_ALREADY_COMPRESSED = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".woff", ".woff2")


def zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    moment = max(moment, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))  # zip's epoch
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second // 2 * 2)


def entry_info(name: str, moment: tuple[int, ...], stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=moment)
    info.create_system = 3  # unix, whatever machine builds it
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def pack(entries: dict[str, bytes], moment: dt.datetime) -> bytes:
    """Zip `entries` (in their order, after `mimetype`) into an EPUB container."""
    stamp = zip_time(moment)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compresslevel=9) as archive:
        archive.writestr(entry_info("mimetype", stamp, stored=True), MIMETYPE)
        for name, data in entries.items():
            if name == "mimetype":
                continue
            # Images and fonts in formats that are already compressed gain nothing from deflate.
            archive.writestr(entry_info(name, stamp, stored=name.lower().endswith(_ALREADY_COMPRESSED)), data)
    return out.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}
