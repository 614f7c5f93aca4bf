"""EPUB entries -> the zip container, byte for byte the same on every build.

The OCF rules (mimetype first, stored, no extra field) plus what makes a zip
reproducible: a fixed entry order, a fixed timestamp on every entry, fixed
permissions and one compression level. The zip is written here, not by
`zipfile`, so that compressed entries can be kept and reused: across builds
(a font is deflated once) and across subscriber copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Protocol

MIMETYPE = b"application/epub+zip"
_ALREADY_COMPRESSED = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".woff", ".woff2")


def zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    moment = max(moment, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))  # zip's epoch
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second // 2 * 2)


@dataclass(frozen=True)
class Packed:
    """One entry as it sits in the zip: compressed (or stored) bytes and what the headers say of them."""

    name: str
    method: int
    crc: int
    size: int
    data: bytes

    def local(self, date_time) -> bytes:
        return _local_header(self.name, self.method, date_time, self.crc, len(self.data), self.size) + self.data

    def central(self, date_time, offset: int) -> bytes:
        return _central_record(self.name, self.method, date_time, self.crc, len(self.data), self.size, offset)


def deflate(name: str, data: bytes, store: "Store | None" = None) -> Packed:
    """An entry compressed at level 9, or stored when compressing would not help (images, WOFF fonts)."""
    if name == "mimetype" or name.lower().endswith(_ALREADY_COMPRESSED):
        return Packed(name, zipfile.ZIP_STORED, zlib.crc32(data), len(data), data)
    key = hashlib.sha256(data).hexdigest()
    packed = store.get("deflate", key) if store else None
    if packed is None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        if store:
            store.put("deflate", key, packed)
    return Packed(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), packed)


def assemble(entries: list[Packed], date_time) -> bytes:
    """Local entries, then the central directory, then its end record."""
    blocks, central, offset = [], [], 0
    for entry in entries:
        local = entry.local(date_time)
        blocks.append(local)
        central.append(entry.central(date_time, offset))
        offset += len(local)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(blocks) + directory + end


def pack(entries: dict[str, bytes], moment: dt.datetime, store: "Store | None" = None) -> bytes:
    """Zip `entries` (in their order, after `mimetype`) into an EPUB container.

    `store` keeps compressed entries by content, so fonts and unchanged pages
    are deflated once, not on every build.
    """
    packed = [deflate("mimetype", MIMETYPE)]
    packed += [deflate(name, data, store) for name, data in entries.items() if name != "mimetype"]
    return assemble(packed, zip_time(moment))


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


class Store(Protocol):
    def get(self, kind: str, key: str) -> bytes | None: ...
    def put(self, kind: str, key: str, data: bytes) -> None: ...


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
            entry = deflate(name, replacements[name])
            local = entry.local(self.date_time)
            tail.append(local)
            central.append(entry.central(self.date_time, offset))
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
