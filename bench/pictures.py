"""Drawing what the bot sends as a file: the attendance picture (30 participants by 20
sessions, as /presentie sends it) and one certificate PDF.

The data is made in memory (names with diacritics, every status), so each figure is the
drawing alone: the first one of a process (Pillow or ReportLab and the fonts load then) and
the median of the next ones. Targets on this machine: under 200 ms for the picture, under
300 ms for the certificate.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

PEOPLE, SESSIONS = 30, 20
TARGET_MS = 200.0
CERTIFICATE_TARGET_MS = 300.0
LONG_NAME = "Maria-Anne Geertruida ’t Hooft-Çelik van der Brüggen-d'Ancona de la Fuënte Ñúñez"


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


def _timed(draw: Callable[[], bytes], renders: int) -> PictureFigures:
    started = time.perf_counter()
    drawn = draw()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        draw()
        times.append((time.perf_counter() - started) * 1000)
    return PictureFigures(first, statistics.median(times), renders, len(drawn))


def measure(renders: int) -> PictureFigures:
    from bot.services.attendance_views import CourseMatrix
    from bot.views.attendance_grid import render_grid

    matrix = _matrix()
    assert isinstance(matrix, CourseMatrix)
    return _timed(lambda: render_grid(matrix, "Aanwezigheid"), renders)


def measure_certificate(renders: int) -> PictureFigures:
    """One certificate of the bundled programme, for a long name with diacritics."""
    from zoneinfo import ZoneInfo

    from bot.programme import load_programme
    from bot.services.certificates import CertificateDocument
    from bot.views.certificate_pdf import render_certificate

    programme = load_programme(None, ZoneInfo("Europe/Amsterdam"))
    modules = programme.modules
    document = CertificateDocument(
        LONG_NAME, programme.data.course.name, programme.data.course.organisation,
        modules[0].starts_at.date(), modules[-1].starts_at.date(),
        tuple(m.title or "" for m in modules), modules[-1].starts_at.date(), "WM-7K3Q-9XPM-2DFA",
    )
    link = "https://t.me/wijkbot?start=verify-7K3Q9XPM2DFA"
    return _timed(lambda: render_certificate(document, link), renders)


if __name__ == "__main__":
    for label, figures in (
        (f"attendance picture {PEOPLE} x {SESSIONS}", measure(20)),
        ("certificate PDF", measure_certificate(20)),
    ):
        print(f"{label}: first {figures.first_ms:.0f} ms, median {figures.median_ms:.0f} ms "
              f"of {figures.renders}, {figures.size_bytes:,} bytes")
