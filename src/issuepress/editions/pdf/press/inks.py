"""A laid-out part's RGB colours -> the press's inks: the theme's CMYK values, black ink alone for greys.

WeasyPrint sets every colour of the layouts as RGB (`r g b rg` in a content stream). The print
stylesheet says what each of the theme's colours prints as (`--cmyk-7a1f2b: device-cmyk(0 0.9 0.51
0.6)` in css/print.css); a grey prints in black ink alone, so that text in black or grey lies on the
black plate only (text in four inks misregisters); any other colour is converted through the output
condition's profile. The parts are shared by the print and the screen PDF, so they are laid out in
RGB and recoloured here for print only: each part on its own, in the layout processes, and cached.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

import pikepdf

# A colour WeasyPrint sets: three numbers and the operator, on a line of their own (starting the pattern
# with the line break lets the regular expression engine skip ahead to each line: ten times faster).
# `check --print` parses every content stream and finds an RGB colour set any other way.
RGB_OPERATOR = re.compile(rb"\n(\d*\.?\d+) (\d*\.?\d+) (\d*\.?\d+) (rg|RG)(?=\s)")
PALETTE_ENTRY = re.compile(r"--cmyk-([0-9a-fA-F]{6})\s*:\s*device-cmyk\(([^)]*)\)")
CMYK = tuple[float, float, float, float]


@dataclass(frozen=True)
class Inks:
    """What the print PDF's colours become: the stylesheets' palette, and the profile for the rest."""

    palette: tuple[tuple[str, CMYK], ...]  # (rrggbb, cmyk) from the print stylesheets
    profile: bytes  # the output condition's ICC profile
    profile_digest: str


def palette(stylesheet: str) -> tuple[dict[str, CMYK], list[tuple[int, str]]]:
    """The `--cmyk-RRGGBB: device-cmyk(C M Y K)` entries of a stylesheet, and (line, problem) for each that
    cannot be read. Values are 0 to 1 or percentages, as in CSS."""
    found: dict[str, CMYK] = {}
    problems = []
    for match in PALETTE_ENTRY.finditer(stylesheet):
        values = match.group(2).replace(",", " ").split()
        try:
            inks = tuple(float(v[:-1]) / 100 if v.endswith("%") else float(v) for v in values)
        except ValueError:
            inks = ()
        if len(inks) != 4 or not all(0 <= ink <= 1 for ink in inks):
            line = stylesheet.count("\n", 0, match.start()) + 1
            problems.append((line, f"--cmyk-{match.group(1)} must be device-cmyk() of four inks between 0 and 1 "
                                   f"(or 0% and 100%), not device-cmyk({match.group(2).strip()})"))
            continue
        found[match.group(1).lower()] = inks  # type: ignore[assignment]
    return found, problems


def ink_of(rgb: tuple[float, float, float], inks: Inks) -> CMYK:
    """The press colour of one RGB colour of a layout (components 0 to 1)."""
    key = "".join(f"{round(component * 255):02x}" for component in rgb)
    listed = dict(inks.palette).get(key)
    if listed is not None:
        return listed
    if key[0:2] == key[2:4] == key[4:6]:  # a grey: black ink alone, as a PDF's DeviceGray prints
        return (0.0, 0.0, 0.0, round(1 - int(key[:2], 16) / 255, 4))
    return _through_profile(key, inks)


_TRANSFORMS: dict[str, object] = {}


def _through_profile(key: str, inks: Inks) -> CMYK:
    from PIL import Image, ImageCms

    if inks.profile_digest not in _TRANSFORMS:
        _TRANSFORMS[inks.profile_digest] = rgb_to_press(inks.profile)
    pixel = Image.new("RGB", (1, 1), tuple(int(key[i:i + 2], 16) for i in (0, 2, 4)))
    converted = ImageCms.applyTransform(pixel, _TRANSFORMS[inks.profile_digest]).getpixel((0, 0))
    return tuple(round(value / 255, 4) for value in converted)  # type: ignore[return-value]


def rgb_to_press(profile: bytes, source: bytes | None = None):
    """An sRGB (or `source` profile) to press CMYK transform: relative colorimetric with black point
    compensation. Relative colorimetric keeps every colour the press can print as it is and moves the
    others to the nearest it can (the built-in profiles' perceptual tables are the same tables, so a
    perceptual intent would change nothing); black point compensation maps the screen's black to the
    press's deepest black instead of clipping the shadows, as Photoshop's prepress defaults do."""
    from PIL import ImageCms

    press = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    origin = ImageCms.ImageCmsProfile(io.BytesIO(source)) if source else ImageCms.createProfile("sRGB")
    return ImageCms.buildTransform(origin, press, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def recolour(pdf: bytes, inks: Inks) -> tuple[bytes, dict[str, CMYK]]:
    """The part with every RGB fill and stroke colour set in the press's inks; also the colours it used
    (rrggbb -> inks), which preflight holds to the ink limit."""
    used: dict[str, CMYK] = {}

    def replace(match: re.Match) -> bytes:
        rgb = tuple(float(value) for value in match.groups()[:3])
        cmyk = ink_of(rgb, inks)  # type: ignore[arg-type]
        used["".join(f"{round(c * 255):02x}" for c in rgb)] = cmyk
        operator = b"k" if match.group(4) == b"rg" else b"K"
        return b"\n" + b" ".join(_number(value) for value in cmyk) + b" " + operator

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for stream in content_streams(document):
            changed, count = RGB_OPERATOR.subn(replace, b"\n" + stream.read_bytes() + b"\n")
            if count:
                # level 4: a third of the time of the default level, 10% larger streams
                stream.write(zlib.compress(changed[1:-1], 4), filter=pikepdf.Name.FlateDecode)
        for group in transparency_groups(document):
            if group.get("/CS") == pikepdf.Name.DeviceRGB:  # blending happens in the press's colour
                group.CS = pikepdf.Name.DeviceCMYK
        out = io.BytesIO()
        document.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue(), used


def _number(value: float) -> bytes:
    return (f"{value:.4f}".rstrip("0").rstrip(".") or "0").encode()


def content_streams(document: pikepdf.Pdf):
    """Every content stream the pages draw with: their own, and those of the forms and tiling patterns they use."""
    seen: set[tuple[int, int]] = set()
    for page in document.pages:
        contents = page.obj.get("/Contents")
        for stream in (contents if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []):
            if stream.objgen not in seen:
                seen.add(stream.objgen)
                yield stream
        yield from _inside(page.obj.get("/Resources"), seen)


def _inside(resources, seen: set):
    if resources is None:
        return
    for kind in ("/XObject", "/Pattern"):
        for item in dict(resources.get(kind, {})).values():
            if not isinstance(item, pikepdf.Stream) or item.objgen in seen:
                continue
            if item.get("/Subtype") == "/Form" or item.get("/PatternType") == 1:
                seen.add(item.objgen)
                yield item
                yield from _inside(item.get("/Resources"), seen)


def transparency_groups(document: pikepdf.Pdf):
    """The transparency group dictionaries of the pages and of every form they use."""
    for page in document.pages:
        if "/Group" in page.obj:
            yield page.obj.Group
    for stream in content_streams(document):
        if isinstance(stream, pikepdf.Stream) and "/Group" in stream:
            yield stream.Group
