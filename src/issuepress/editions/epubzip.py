"""EPUB entries -> the zip container, byte for byte the same on every build.

The OCF rules (mimetype first, stored, no extra field) plus what makes a zip
reproducible: a fixed entry order, a fixed timestamp on every entry, fixed
permissions and one compression level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
import zlib

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


class CopyTemplate:
    """An EPUB from which copies differing in a few entries are made without recompressing the rest.

    Every entry but the replaced ones keeps its local header and compressed bytes
    exactly; they are laid out first, as one block shared by every copy (and its
    SHA-256 state computed once), then the replaced entries, then a new central
    directory. A copy costs one deflate of the replaced entries, not of the book.
    """

    def __init__(self, base: bytes, replaced: tuple[str, ...]):
        self.replaced = replaced
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            infos = archive.infolist()
        missing = set(replaced) - {info.filename for info in infos}
        if missing:
            raise ValueError(f"not in the EPUB: {', '.join(sorted(missing))}")
        kept = [info for info in infos if info.filename not in replaced]
        blocks, central = [], []
        offset = 0
        for info in kept:
            name_length, extra_length = struct.unpack("<HH", base[info.header_offset + 26: info.header_offset + 30])
            length = 30 + name_length + extra_length + info.compress_size
            blocks.append(base[info.header_offset: info.header_offset + length])
            central.append(_central_record(info.filename, info.compress_type, info.date_time, info.CRC,
                                           info.compress_size, info.file_size, offset))
            offset += length
        self.prefix = b"".join(blocks)
        self.central_prefix = b"".join(central)
        self.count = len(kept)
        self.date_time = infos[0].date_time
        self.prefix_hash = hashlib.sha256(self.prefix)

    def copy(self, replacements: dict[str, bytes]) -> tuple[bytes, str]:
        """(the copy's bytes, their SHA-256 hex digest)."""
        tail, central = [], [self.central_prefix]
        offset = len(self.prefix)
        for name in self.replaced:
            data = replacements[name]
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            crc = zlib.crc32(data)
            local = _local_header(name, zipfile.ZIP_DEFLATED, self.date_time, crc, len(packed), len(data)) + packed
            tail.append(local)
            central.append(_central_record(name, zipfile.ZIP_DEFLATED, self.date_time, crc, len(packed), len(data),
                                           offset))
            offset += len(local)
        directory = b"".join(central)
        count = self.count + len(self.replaced)
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0)
        rest = b"".join(tail) + directory + end
        digest = self.prefix_hash.copy()
        digest.update(rest)
        return self.prefix + rest, digest.hexdigest()


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _local_header(name: str, method: int, date_time, crc: int, packed: int, size: int) -> bytes:
    encoded = name.encode("utf-8")
    clock, date = _dos_time(date_time)
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, clock, date, crc, packed, size,
                       len(encoded), 0) + encoded


def _central_record(name: str, method: int, date_time, crc: int, packed: int, size: int, offset: int) -> bytes:
    encoded = name.encode("utf-8")
    clock, date = _dos_time(date_time)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, 0, method, clock, date, crc, packed,
                       size, len(encoded), 0, 0, 0, 0, 0o100644 << 16, offset) + encoded
