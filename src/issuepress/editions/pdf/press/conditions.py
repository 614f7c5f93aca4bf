"""magazine.yaml's output intent -> the press condition: its registered name, its ICC profile, its ink limit.

The built-in conditions' profiles are made from the measurement data Debian ships by
scripts/make-press-profiles and live in the theme's profiles/ folder (profiles/README.md says where
each comes from). A printer's own profile is read from the magazine folder. This module reads only the
ICC header, so loading a manifest does not load a colour engine.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ....model import OutputIntent

ICC_REGISTRY = "http://www.color.org"


@dataclass(frozen=True)
class Builtin:
    identifier: str  # the ICC Characterization Data Registry's reference name
    condition: str  # the printing condition in words (the data set's own PRINT_CONDITIONS, shortened)
    ink_limit: float  # total area coverage the profile was made for, percent
    summary: str  # for the README, the job sheet and messages


BUILTIN = {
    "fogra39": Builtin("FOGRA39", "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 "
                       "= coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)", 330,
                       "coated offset (FOGRA39, Europe's common condition)"),
    "fogra29": Builtin("FOGRA29", "Offset printing according to ISO/DIS 12647-2:2004, OFCOM, paper type 4 = white, "
                       "uncoated, 120 g/m2, screen ruling 60 cm-1", 300, "uncoated offset (FOGRA29)"),
    "swop": Builtin("CGATS TR 003", "SWOP publication printing on grade 3 coated paper (ANSI CGATS/SWOP "
                    "TR 003-2007), web offset", 300, "North American web offset, SWOP grade 3 (CGATS TR 003)"),
}


@dataclass(frozen=True)
class Condition:
    """An output condition ready to use: what the output intent says, and the profile that describes it."""

    identifier: str
    registry: str
    condition: str
    profile: bytes
    ink_limit: float  # the limit preflight holds images and pages to, percent
    summary: str

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.profile).hexdigest()


def profiles_folder() -> Path:
    from ....layouts import builtin_theme_dir

    return builtin_theme_dir() / "profiles"


def resolve(intent: OutputIntent, ink_limit: float | None) -> Condition:
    """The condition magazine.yaml names (a custom profile was read and checked when it was loaded)."""
    if intent.builtin is not None:
        known = BUILTIN[intent.builtin]
        profile = (profiles_folder() / f"{intent.builtin}.icc").read_bytes()
        return Condition(known.identifier, ICC_REGISTRY, known.condition, profile, ink_limit or known.ink_limit,
                         known.summary)
    assert intent.profile is not None, "the manifest loader gives a built-in name or a profile"
    data = intent.profile.read_bytes()
    description = profile_description(data) or intent.profile.name
    return Condition(intent.identifier, intent.registry, intent.condition or description, data, ink_limit or 300,
                     f"{intent.identifier} ({description})" if intent.identifier != "Custom" else description)


def profile_problem(data: bytes) -> str | None:
    """Why `data` cannot be an output intent's profile (the ICC header: ICC.1 section 7.2), or None."""
    if len(data) < 132 or data[36:40] != b"acsp":
        return "is not an ICC profile"
    if struct.unpack(">I", data[:4])[0] > len(data):
        return "is cut short (the file is smaller than its header says)"
    if data[16:20] != b"CMYK":
        return f"is a profile of {data[16:20].decode('latin-1').strip() or 'no'} colour, not of a CMYK press"
    if data[12:16] != b"prtr":
        return "is not an output (printer) profile"
    return None


def profile_description(data: bytes) -> str:
    """The profile's own name (its 'desc' tag, ICC v2 text or v4 multi-localised), or ''."""
    try:
        count = struct.unpack(">I", data[128:132])[0]
        for index in range(min(count, 200)):
            signature, offset, size = struct.unpack(">4sII", data[132 + 12 * index:144 + 12 * index])
            if signature != b"desc":
                continue
            tag = data[offset:offset + size]
            if tag[:4] == b"desc":
                length = struct.unpack(">I", tag[8:12])[0]
                return tag[12:12 + length].split(b"\0")[0].decode("latin-1").strip()
            if tag[:4] == b"mluc":
                length, start = struct.unpack(">II", tag[20:28])
                return data[offset + start:offset + start + length].decode("utf-16-be").strip()
    except (struct.error, UnicodeDecodeError):
        pass
    return ""
