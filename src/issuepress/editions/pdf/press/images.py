"""The issue's RGB images -> the press's CMYK, once per image and condition (cached), with their ink coverage.

Only the print PDF gets the converted images: the EPUB, the web edition and the screen PDF keep the
originals. WeasyPrint lays the parts out with the originals (so the parts stay shared with the screen
PDF) and names each image it embeds after its address; the assembly of the print PDF puts the
converted image in its place (`replace_images`). A photograph becomes a CMYK JPEG, anything else
(a chart, a drawing: a PNG or a GIF) is kept lossless. A CMYK JPEG of the issue is taken to be made for
the press already and kept as it is; a greyscale image prints in black ink as it is.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass

import pikepdf

from ....cache import key as cache_key
from ....model import Asset

JPEG_QUALITY = 90  # with every ink at full resolution (no chroma subsampling, which would blur two inks)


@dataclass(frozen=True)
class PressImage:
    """An image as the print PDF carries it."""

    href: str
    data: bytes  # the stream's bytes, encoded as `encoding` says
    encoding: str  # "jpeg" (DCT) or "flate" (raw CMYK, deflated)
    width: int
    height: int
    inverted: bool  # an Adobe CMYK JPEG stores its inks inverted: the PDF must say so (/Decode)
    ink_coverage: float  # the most ink it puts anywhere (C+M+Y+K, percent), averaged over 1 mm at 300 ppi
    converted: bool  # False: used as it is (CMYK already, or grey)


def for_press(assets, profile: bytes, profile_digest: str, cache) -> dict[str, PressImage]:
    """Every image of the issue for the press, from the cache where it was converted before: the images an SVG
    drawing holds as data too (a chart's heat map), which the layout embeds under their data: address."""
    images = {}
    for asset in [held for asset in assets for held in ([asset] + _held_by_drawing(asset))]:
        digest = cache_key("press-image", asset.digest, profile_digest, JPEG_QUALITY)
        found = cache.get_object("press-image", digest)
        if found is None:
            found = convert(asset, profile)
            if found is not None:
                cache.put_object("press-image", digest, found)
        if found is not None:
            images[asset.href] = found
    return images


def convert(asset: Asset, profile: bytes) -> PressImage | None:
    """The image in the press's inks; None for one that needs nothing (grey) or cannot be read."""
    from PIL import Image, ImageCms, ImageOps

    from .inks import rgb_to_press

    try:
        image = Image.open(io.BytesIO(asset.data))
        image.load()
    except Exception:  # said when the issue was read; the layout shows what it can
        return None
    original = image
    image = ImageOps.exif_transpose(image)  # as WeasyPrint draws it (image-orientation: from-image)
    is_jpeg = original.format in ("JPEG", "MPO")
    if image.mode in ("L", "LA"):
        return None  # WeasyPrint embeds it as DeviceGray, which prints in black ink alone: nothing to convert
    if image.mode in ("1", "I", "I;16", "I;16B", "I;16L", "F"):  # grey too, but WeasyPrint makes these RGB
        black = ImageOps.invert(image.convert("L"))
        none = Image.new("L", black.size, 0)
        cmyk = Image.merge("CMYK", (none, none, none, black))
        return PressImage(asset.href, zlib.compress(cmyk.tobytes()), "flate", cmyk.width, cmyk.height, False,
                          ink_coverage(cmyk), True)
    if image.mode == "CMYK":
        if is_jpeg and image is original:  # as it is, inverted if it says so (an Adobe marker), as WeasyPrint reads it
            return PressImage(asset.href, asset.data, "jpeg", image.width, image.height, "adobe" in original.info,
                              ink_coverage(image), converted=False)
        return PressImage(asset.href, _jpeg(image), "jpeg", image.width, image.height, True, ink_coverage(image),
                          converted=False)
    rgb = image.convert("RGBA" if "transparency" in image.info else "RGB") if image.mode not in ("RGB", "RGBA") \
        else image
    rgb = rgb.convert("RGB")  # the alpha stays in WeasyPrint's soft mask
    embedded = original.info.get("icc_profile")
    try:
        transform = rgb_to_press(profile, embedded)
    except (ImageCms.PyCMSError, OSError):  # a damaged embedded profile: the image is taken as sRGB
        transform = rgb_to_press(profile)
    cmyk = ImageCms.applyTransform(rgb, transform)
    if is_jpeg:
        return PressImage(asset.href, _jpeg(cmyk), "jpeg", cmyk.width, cmyk.height, True, ink_coverage(cmyk), True)
    return PressImage(asset.href, zlib.compress(cmyk.tobytes()), "flate", cmyk.width, cmyk.height, False,
                      ink_coverage(cmyk), True)


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    # Pillow writes a CMYK JPEG as Photoshop does: Adobe marker, inks inverted (the /Decode array undoes it)
    image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


def ink_coverage(image) -> float:
    """The highest total ink (percent) over areas of about a millimetre: a press's ink limit is about
    areas, and a single pixel of JPEG noise over it is no problem."""
    from PIL import ImageMath

    step = 12 if min(image.width, image.height) >= 120 else 1  # 12 pixels: 1 mm at 300 ppi
    small = image.reduce(step) if step > 1 else image
    c, m, y, k = small.split()
    total = ImageMath.lambda_eval(lambda args: args["c"] + args["m"] + args["y"] + args["k"],
                                  c=c.convert("I"), m=m.convert("I"), y=y.convert("I"), k=k.convert("I"))
    return round(total.getextrema()[1] / 255 * 100, 1)


def image_name(href: str) -> str:
    """The prefix of the name WeasyPrint gives an image in a page's resources: 'i' and the MD5 of its address."""
    from ..types import BASE_URL

    address = href if href.startswith("data:") else BASE_URL + href
    return "/i" + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


def _held_by_drawing(asset: Asset) -> list[Asset]:
    """The raster images an SVG drawing holds as data: URLs, each as an asset under its address."""
    if asset.media_type != "image/svg+xml":
        return []
    import base64

    from lxml import etree

    held = []
    for element in etree.fromstring(asset.data).iter():
        for name in ("href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(name) or ""
            if value.startswith("data:image/") and ";base64," in value:
                try:
                    data = base64.b64decode(value.split(",", 1)[1])
                except ValueError:
                    continue
                held.append(Asset(value, data, value[5:value.index(";")], asset.source))
    return held


def replace_images(document: pikepdf.Pdf, images: dict[str, PressImage]) -> list[str]:
    """Put each converted image in place of its RGB original; returns the images it could not place
    (a size that does not match what WeasyPrint embedded), which stay RGB and preflight reports."""
    if not images:
        return []
    by_name = {image_name(href): image for href, image in images.items()}
    done: set[tuple[int, int]] = set()
    mismatched = []
    for resources in _all_resources(document):
        for name, xobject in dict(resources.get("/XObject", {})).items():
            image = by_name.get(name[:34])
            if image is None or xobject.objgen in done or xobject.get("/Subtype") != "/Image":
                continue
            done.add(xobject.objgen)
            if (int(xobject.Width), int(xobject.Height)) != (image.width, image.height):
                mismatched.append(image.href)
                continue
            filter_ = pikepdf.Name.DCTDecode if image.encoding == "jpeg" else pikepdf.Name.FlateDecode
            xobject.write(image.data, filter=filter_)
            if "/DecodeParms" in xobject:  # WeasyPrint's PNG predictor, which the new data does not use
                del xobject.DecodeParms
            xobject.ColorSpace = pikepdf.Name.DeviceCMYK
            xobject.BitsPerComponent = 8
            if image.inverted:
                xobject.Decode = pikepdf.Array([1, 0] * 4)
            elif "/Decode" in xobject:
                del xobject.Decode
    return sorted(set(mismatched))


def _all_resources(document: pikepdf.Pdf):
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in document.pages]
    while stack:
        resources = stack.pop()
        if resources is None or (resources.is_indirect and resources.objgen in seen):
            continue
        if resources.is_indirect:
            seen.add(resources.objgen)
        yield resources
        for kind in ("/XObject", "/Pattern"):
            for item in dict(resources.get(kind, {})).values():
                if isinstance(item, pikepdf.Stream) and "/Resources" in item:
                    stack.append(item.Resources)
