"""Drawing the attendance picture: 30 participants by 20 sessions, as /presentie sends it.

The matrix is made in memory (names with diacritics, every status), so the figure is the
drawing alone: the first picture of a process (Pillow and the fonts load then) and the
median of the next ones. Target: under 200 ms on this machine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import time
from dataclasses import dataclass

PEOPLE, SESSIONS = 30, 20
TARGET_MS = 200.0


@dataclass(frozen=True)
class PictureFigures:
    first_ms: float
    median_ms: float
    renders: int
    size_bytes: int


def _matrix() -> object:
    from zoneinfo import ZoneInfo

    from bot.models import ParticipantStatus
    from bot.programme import Session, SessionKind, load_programme
    from bot.services.attendance_rules import Progress, Shown
    from bot.services.attendance_views import CourseMatrix, MatrixRow

    sessions = list(load_programme(None, ZoneInfo("Europe/Amsterdam")).sessions)
    start = sessions[-1].starts_at
    for n in range(1, SESSIONS - len(sessions) + 1):
        moment = start + dt.timedelta(days=7 * n)
        sessions.append(Session(f"werksessie-{n}", SessionKind.WERKSESSIE, n, None, moment,
                                moment + dt.timedelta(minutes=150), None, None, None))
    statuses = itertools.cycle(list(Shown))
    progress = Progress(10, 8, 0, 0, 0, 0, 10, False)
    rows = [
        MatrixRow(n, f"Zoë van der Meulen-Ğüç {n}", ParticipantStatus.APPROVED,
                  [next(statuses) for _ in sessions], progress)
        for n in range(1, PEOPLE + 1)
    ]
    return CourseMatrix(sessions[:SESSIONS], rows)


def measure(renders: int) -> PictureFigures:
    from bot.services.attendance_views import CourseMatrix
    from bot.views.attendance_grid import render_grid

    matrix = _matrix()
    assert isinstance(matrix, CourseMatrix)
    started = time.perf_counter()
    picture = render_grid(matrix, "Aanwezigheid")
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        render_grid(matrix, "Aanwezigheid")
        times.append((time.perf_counter() - started) * 1000)
    return PictureFigures(first, statistics.median(times), renders, len(picture))


if __name__ == "__main__":
    figures = measure(20)
    print(f"attendance picture {PEOPLE} x {SESSIONS}: first {figures.first_ms:.0f} ms, "
          f"median {figures.median_ms:.0f} ms of {figures.renders}, {figures.size_bytes:,} bytes")
