"""The course's attendance as one picture: participants by sessions, a colour per status.

For the coordinator's phone: at most 1280 pixels on the longest side (what Telegram keeps of
a photo), names on the left, a short label and date above each column, a legend below.
Pillow is imported when a picture is drawn, not at start-up (bot/views/drawing.py).

Only approved participants appear: a person who asked to be forgotten is in no picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.catalogue import plain
from bot.models import ParticipantStatus
from bot.programme import Session, SessionKind
from bot.services.attendance_rules import Shown
from bot.services.attendance_views import CourseMatrix, MatrixRow
from bot.views.attendance_colours import COLOURS
from bot.views.drawing import TEXT, fit, font, png

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

LONGEST_SIDE = 1280
_MARGIN = 24

_GRID_LINE = "#FFFFFF"
_SHORT = {
    SessionKind.MODULE: "grid.module",
    SessionKind.WERKSESSIE: "grid.werksessie",
    SessionKind.INTERVISIE: "grid.intervisie",
}


@dataclass(frozen=True, slots=True)
class Layout:
    """Sizes in pixels; ``cell_centre`` says where a participant's square for a session is."""

    cell: int
    font_size: int
    name_width: int

    @property
    def left(self) -> int:
        return _MARGIN + self.name_width

    @property
    def top(self) -> int:
        return _MARGIN + self.title + self.header

    def cell_centre(self, row: int, column: int) -> tuple[int, int]:
        return (self.left + column * self.cell + self.cell // 2,
                self.top + row * self.cell + self.cell // 2)

    @property
    def header(self) -> int:
        """Room for the column labels, written upwards ("M10 19-06")."""
        return self.font_size * 6

    @property
    def title(self) -> int:
        return self.font_size * 2 + 12


def people_in(matrix: CourseMatrix) -> list[MatrixRow]:
    """The rows the picture shows: approved participants only."""
    return [r for r in matrix.rows if r.status is ParticipantStatus.APPROVED and r.name]


def render_grid(matrix: CourseMatrix, title: str) -> bytes:
    """A PNG of ``matrix``; call only when it has people and sessions (see people_in)."""
    from PIL import Image, ImageDraw

    rows = people_in(matrix)
    layout = layout_for(matrix)
    regular, bold = font(False, layout.font_size), font(True, layout.font_size)
    small = font(True, max(layout.font_size - 4, 10))
    width = max(2 * _MARGIN + layout.name_width + len(matrix.sessions) * layout.cell, 480)
    legend_rows = 1 + max(row for _, row, _, _ in _legend_places(regular, layout.font_size, width))
    height = (2 * _MARGIN + layout.title + layout.header + len(rows) * layout.cell
              + legend_rows * (layout.font_size + 14) + 12)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((_MARGIN, _MARGIN), title, font=bold, fill=TEXT)
    left, top = layout.left, layout.top
    for column, session in enumerate(matrix.sessions):
        label = _upwards(f"{_short(session)} {session.starts_at:%d-%m}", small)
        x = left + column * layout.cell + (layout.cell - label.width) // 2
        image.paste(label, (x, top - label.height - 6), label)
    for index, row in enumerate(rows):
        y = top + index * layout.cell
        name = fit(row.name or "", regular, layout.name_width - 12)
        draw.text((_MARGIN, y + layout.cell // 2), name, font=regular, fill=TEXT, anchor="lm")
        for column, shown in enumerate(row.cells):
            x = left + column * layout.cell
            draw.rectangle((x, y, x + layout.cell - 1, y + layout.cell - 1),
                           fill=COLOURS[shown], outline=_GRID_LINE, width=2)
    _legend(draw, regular, layout.font_size, top + len(rows) * layout.cell + 16, width)
    return png(image)


def layout_for(matrix: CourseMatrix) -> Layout:
    """The largest cells that keep the picture of ``matrix`` within LONGEST_SIDE."""
    people, sessions = len(people_in(matrix)), len(matrix.sessions)
    for cell in range(44, 13, -2):
        font_size = max(min(cell - 12, 22), 12)
        name_width = font_size * 13
        width = 2 * _MARGIN + name_width + sessions * cell
        height = 2 * _MARGIN + 8 * font_size + people * cell + 2 * (font_size + 14) + 40
        if max(width, height) <= LONGEST_SIDE:
            break
    return Layout(cell, font_size, name_width)


def _upwards(text: str, font: FreeTypeFont) -> Image:
    """``text`` on a transparent strip, turned to read from bottom to top."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = (int(edge) for edge in font.getbbox(text))
    strip = Image.new("RGBA", (right - left + 2, bottom - top + 2), (255, 255, 255, 0))
    ImageDraw.Draw(strip).text((-left + 1, -top + 1), text, font=font, fill=TEXT)
    return strip.rotate(90, expand=True)


def _short(session: Session) -> str:
    return plain(_SHORT[session.kind], number=session.number)


def _legend_places(font: FreeTypeFont, box: int, width: int) -> list[tuple[int, int, Shown, str]]:
    """(x, row, status, label) of each legend item, wrapped to ``width`` pixels."""
    places: list[tuple[int, int, Shown, str]] = []
    x, row = _MARGIN, 0
    for shown in COLOURS:
        label = plain(f"attendance.status_{shown.value}")
        item = box + 8 + int(font.getlength(label)) + 24
        if x + item > width - _MARGIN and x > _MARGIN:
            x, row = _MARGIN, row + 1
        places.append((x, row, shown, label))
        x += item
    return places


def _legend(draw: ImageDraw, font: FreeTypeFont, box: int, top: int, width: int) -> None:
    for x, row, shown, label in _legend_places(font, box, width):
        y = top + row * (box + 14)
        draw.rectangle((x, y, x + box, y + box), fill=COLOURS[shown], outline="#999999")
        draw.text((x + box + 8, y + box // 2), label, font=font, fill=TEXT, anchor="lm")
