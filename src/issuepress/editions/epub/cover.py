"""An issue without a cover image -> a typographic cover drawn as a PNG with the theme's fonts.

Reading systems show the cover image in the library, so the EPUB needs an
image even when the manifest names none: the publication's name, the issue,
and the first few article titles as cover lines.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont, features

from ...cache import key as cache_key
from ...content.pieces import text_direction
from ...dates import default_title
from ...layouts import Theme
from ...model import Asset, RenderedIssue

WIDTH, HEIGHT = 1600, 2400
BACKGROUND, INK, ACCENT = (24, 33, 54), (247, 244, 236), (214, 160, 74)


def _font(theme: Theme, names: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in names:
        if name in theme.fonts:
            engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
            return ImageFont.truetype(io.BytesIO(theme.fonts[name].data), size, layout_engine=engine)
    return ImageFont.load_default(size)


def _draw_wrapped(draw: ImageDraw.ImageDraw, text: str, font, top: int, width_chars: int, fill,
                  spacing: float = 1.15, language: str = "en") -> int:
    """Centre `text` in lines of about `width_chars` characters; returns the y below it."""
    direction = text_direction(language)
    for line in textwrap.wrap(text, width_chars) or [""]:
        options = {"direction": direction, "language": language} if features.check("raqm") else {}
        left, _, right, bottom = draw.textbbox((0, 0), line, font=font, **options)
        draw.text(((WIDTH - (right - left)) / 2, top), line, font=font, fill=fill, **options)
        top += int(font.size * spacing)
    return top


def typographic_cover(rendered: RenderedIssue, theme: Theme, store=None) -> Asset:
    issue = rendered.issue
    digest = cache_key("cover", issue.magazine.title, issue.volume, issue.number, issue.date, issue.title,
                       issue.language, [(a.title, a.language) for a in rendered.articles[:4]], theme.digest)
    data = store.get("cover", digest) if store else None
    if data is None:
        data = _draw(rendered, theme)
        if store:
            store.put("cover", digest, data)
    return Asset(href="images/generated-cover.png", data=data, media_type="image/png",
                 source=issue.manifest, width=WIDTH, height=HEIGHT)


def _draw(rendered: RenderedIssue, theme: Theme) -> bytes:
    issue = rendered.issue
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    sans = ("Inter-SemiBold.otf", "Inter-Regular.otf")
    serif = ("CharisSIL-Bold.ttf", "CharisSIL-Regular.ttf")
    draw.rectangle((120, 150, WIDTH - 120, 162), fill=ACCENT)
    y = _draw_wrapped(draw, issue.magazine.title.upper(), _font(theme, sans, 120), 230, 16, INK,
                      language=issue.language)
    y = _draw_wrapped(draw, f"Volume {issue.volume} \u00b7 No. {issue.number} \u00b7 {default_title(issue.date)}",
                      _font(theme, sans, 52), y + 40, 60, ACCENT)
    y = _draw_wrapped(draw, issue.title, _font(theme, serif, 150), max(y + 260, 900), 14, INK,
                      language=issue.language)
    draw.rectangle((WIDTH / 2 - 90, y + 80, WIDTH / 2 + 90, y + 88), fill=ACCENT)
    y += 200
    for article in rendered.articles[:4]:
        if y > HEIGHT - 300:
            break
        y = _draw_wrapped(draw, article.title, _font(theme, serif, 64), y, 34, INK, language=article.language)
        y += 40
    draw.rectangle((120, HEIGHT - 162, WIDTH - 120, HEIGHT - 150), fill=ACCENT)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()
