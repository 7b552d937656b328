"""Module feedback as a small chart: per module one bar, split by score 1 to 5, with the
average and the number of answers beside it (for /feedback, on a phone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.catalogue import plain
from bot.programme import SessionKind
from bot.services.feedback import SCORES, ModuleSummary
from bot.views.drawing import TEXT, fit, font, png

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

# From "not good" to "very good" (Okabe-Ito colours, as in the attendance picture).
SCORE_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#F0E442", 4: "#56B4E9", 5: "#009E73"}
WIDTH = 960
MARGIN = 24
LABEL_WIDTH = 300
BAR_WIDTH = 440
ROW = 44
BAR_HEIGHT = 28
TITLE = 60
_FONT_SIZE = 20


def answered(summaries: list[ModuleSummary]) -> list[ModuleSummary]:
    return [s for s in summaries if s.answers]


def bar_point(row: int, fraction: float) -> tuple[int, int]:
    """The pixel ``fraction`` (0 to 1) along the bar of the ``row``-th module drawn."""
    x = MARGIN + LABEL_WIDTH + min(int(fraction * BAR_WIDTH), BAR_WIDTH - 1)
    return x, MARGIN + TITLE + row * ROW + BAR_HEIGHT // 2


def render_chart(summaries: list[ModuleSummary], title: str) -> bytes:
    """A PNG of the modules that have answers; call only when there is one (see answered)."""
    from PIL import Image, ImageDraw

    shown = answered(summaries)
    regular, bold = font(False, _FONT_SIZE), font(True, _FONT_SIZE)
    height = 2 * MARGIN + TITLE + len(shown) * ROW + ROW
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), fit(title, bold, WIDTH - 2 * MARGIN), font=bold, fill=TEXT)
    for row, summary in enumerate(shown):
        top = MARGIN + TITLE + row * ROW
        draw.text((MARGIN, top + BAR_HEIGHT // 2), fit(_label(summary), regular, LABEL_WIDTH - 12),
                  font=regular, fill=TEXT, anchor="lm")
        left = MARGIN + LABEL_WIDTH
        for score in SCORES:
            width = round(BAR_WIDTH * summary.count(score) / summary.answers)
            if width:
                draw.rectangle((left, top, left + width - 1, top + BAR_HEIGHT - 1),
                               fill=SCORE_COLOURS[score])
            left += width
        average = f"{summary.average or 0:.1f}".replace(".", ",")
        note = plain("feedback.chart_note", average=average, answers=summary.answers)
        draw.text((MARGIN + LABEL_WIDTH + BAR_WIDTH + 12, top + BAR_HEIGHT // 2), note,
                  font=regular, fill=TEXT, anchor="lm")
    _legend(draw, regular, height - MARGIN - BAR_HEIGHT)
    return png(image)


def _label(summary: ModuleSummary) -> str:
    session = summary.session
    if session.kind is SessionKind.MODULE:
        return plain("feedback.chart_label", number=session.number, title=session.title or "")
    return session.key


def _legend(draw: ImageDraw, typeface: FreeTypeFont, top: int) -> None:
    x = MARGIN
    draw.text((x, top + BAR_HEIGHT // 2), plain("feedback.chart_legend"), font=typeface,
              fill=TEXT, anchor="lm")
    x += int(typeface.getlength(plain("feedback.chart_legend"))) + 12
    for score in SCORES:
        draw.rectangle((x, top, x + BAR_HEIGHT, top + BAR_HEIGHT), fill=SCORE_COLOURS[score])
        draw.text((x + BAR_HEIGHT // 2, top + BAR_HEIGHT // 2), str(score), font=typeface,
                  fill=TEXT, anchor="mm")
        x += BAR_HEIGHT + 8
