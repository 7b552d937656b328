"""What every picture the bot draws shares: the fonts and PNG output (Pillow).

Pillow is imported only when a picture is drawn, so start-up time and memory do not pay for
it. The fonts are DejaVu Sans Condensed, shipped in ``bot/data/fonts`` with their licence:
Pillow's built-in font has no accented letters (ë, ü, ç draw as boxes).
"""

from __future__ import annotations

import io
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

TEXT = "#1A1A1A"


def font(bold: bool, size: int) -> FreeTypeFont:
    from PIL import ImageFont

    name = "DejaVuSansCondensed-Bold.ttf" if bold else "DejaVuSansCondensed.ttf"
    with resources.as_file(resources.files("bot.data").joinpath("fonts", name)) as path:
        return ImageFont.truetype(str(path), size)


def fit(text: str, typeface: FreeTypeFont, width: int) -> str:
    """``text``, cut with an ellipsis where it would be wider than ``width`` pixels."""
    if typeface.getlength(text) <= width:
        return text
    while text and typeface.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def png(image: Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
