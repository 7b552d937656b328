"""The attendance picture: each participant's square has the colour of their status."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import subprocess
import sys
from zoneinfo import ZoneInfo

import time_machine
from PIL import Image

from bot.models import ParticipantStatus
from bot.programme import Session, SessionKind, load_programme
from bot.services.attendance_rules import Progress, Shown
from bot.services.attendance_views import CourseMatrix, MatrixRow
from bot.views.attendance_grid import COLOURS, LONGEST_SIDE, layout_for, people_in, render_grid
from tests.conftest import PARTICIPANT_ID, RunningBot, amsterdam
from tests.test_attendance_support import MODULE_4, START, approve, code_now, excuse

AMS = ZoneInfo("Europe/Amsterdam")
LONG_NAME = ("Anne-Sophie Zoë van 't Hooft-Ğüçlü de la Croix " * 3)[:100]
PROGRESS = Progress(10, 8, 0, 0, 0, 0, 10, False)


def sessions(count: int) -> list[Session]:
    found = list(load_programme(None, AMS).sessions)
    start = found[-1].starts_at
    for n in range(1, count - len(found) + 1):
        moment = start + dt.timedelta(days=7 * n)
        found.append(Session(f"werksessie-{n}", SessionKind.WERKSESSIE, n, None, moment,
                             moment + dt.timedelta(minutes=150), None, None, None))
    return found[:count]


def matrix(people: int, columns: int) -> CourseMatrix:
    statuses = itertools.cycle(list(Shown))
    rows = [
        MatrixRow(n, LONG_NAME if n == 1 else f"Deelnemer {n}", ParticipantStatus.APPROVED,
                  [next(statuses) for _ in range(columns)], PROGRESS)
        for n in range(1, people + 1)
    ]
    return CourseMatrix(sessions(columns), rows)


def colour_at(picture: Image.Image, point: tuple[int, int]) -> str:
    red, green, blue = picture.convert("RGB").getpixel(point)  # type: ignore[misc]
    return f"#{red:02X}{green:02X}{blue:02X}"


def test_thirty_people_by_twenty_sessions_fit_a_phone_and_show_each_status() -> None:
    course = matrix(30, 20)
    picture = Image.open(io.BytesIO(render_grid(course, "Aanwezigheid")))
    assert picture.format == "PNG"
    assert max(picture.size) <= LONGEST_SIDE
    layout = layout_for(course)
    assert layout.cell >= 28
    assert layout.font_size >= 16
    for row, person in enumerate(course.rows):
        for column, shown in enumerate(person.cells):
            assert colour_at(picture, layout.cell_centre(row, column)) == COLOURS[shown]


def test_only_approved_participants_appear_and_forgotten_ones_never() -> None:
    course = matrix(4, 3)
    forgotten = MatrixRow(98, None, ParticipantStatus.FORGOTTEN, [Shown.PRESENT] * 3, PROGRESS)
    applicant = MatrixRow(99, "Nog Niet", ParticipantStatus.PENDING, [Shown.ABSENT] * 3, PROGRESS)
    course = CourseMatrix(course.sessions, [forgotten, *course.rows, applicant])
    assert [row.participant_id for row in people_in(course)] == [1, 2, 3, 4]
    picture = Image.open(io.BytesIO(render_grid(course, "Aanwezigheid")))
    layout = layout_for(course)
    first = colour_at(picture, layout.cell_centre(0, 0))
    assert first == COLOURS[course.rows[1].cells[0]]  # the forgotten row is not drawn
    below = layout.cell_centre(4, 0)
    assert colour_at(picture, below) not in {COLOURS[Shown.ABSENT], COLOURS[Shown.PRESENT]}


async def test_the_coordinator_gets_the_picture_under_presentie(
    bot: RunningBot, frozen_time: time_machine.Coordinates
) -> None:
    coordinator = bot.coordinator
    sanne = bot.user()
    await approve(bot.services, PARTICIPANT_ID, "Sanne de Vries")
    fatima = await approve(bot.services, PARTICIPANT_ID + 2, "Fatima Bakker")
    await excuse(bot.services.database, fatima, MODULE_4, "Op vakantie")
    frozen_time.move_to(START)
    await sanne.ask(f"/checkin {await code_now(bot.services)}")
    frozen_time.move_to(amsterdam(2024, 12, 12, 20, 0))
    overview = await coordinator.ask("/presentie")
    callback = await coordinator.tap(overview, "🖼 Overzicht als plaatje")
    await coordinator.callback_answer(callback)
    sent = await coordinator.next_message()
    assert sent.photo is not None
    assert sent.file_bytes is not None
    assert "2 deelnemers, 10 bijeenkomsten" in (sent.caption or "")
    picture = Image.open(io.BytesIO(sent.file_bytes))
    course = await bot.services.attendance.views.matrix(bot.services.now())
    layout = layout_for(course)
    module_4 = next(i for i, s in enumerate(course.sessions) if s.key == MODULE_4)
    names = [row.name for row in people_in(course)]
    assert names == ["Fatima Bakker", "Sanne de Vries"]
    assert colour_at(picture, layout.cell_centre(0, module_4)) == COLOURS[Shown.EXCUSED]
    assert colour_at(picture, layout.cell_centre(1, module_4)) == COLOURS[Shown.PRESENT]
    assert colour_at(picture, layout.cell_centre(1, module_4 + 1)) == COLOURS[Shown.UPCOMING]


def test_starting_the_bot_does_not_load_pillow() -> None:
    """Pillow is imported when a picture is drawn: start-up time and memory stay as they were."""
    script = "import sys, bot.app, handlers.routing; print('PIL' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
