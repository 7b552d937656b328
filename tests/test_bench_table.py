"""The performance table (bench/run.py) has a row for every figure the README promises."""

from __future__ import annotations

from bench.latency import Timings
from bench.memory import MemoryFigures
from bench.pictures import PictureFigures
from bench.reminders import ReminderFigures
from bench.startup import Start
from bench.table import Figures, render, rows

FIGURES = (
    "Update handling: /start",
    "Update handling: question",
    "Update handling: check-in",
    "Broadcast rate",
    "Reminder rate",
    "Start-up of `wijkbot run`",
    "Resident memory after",
    "Memory growth from",
    "Attendance picture, 30 people",
    "Certificate PDF",
)


def measured() -> Figures:
    def timings(kind: str, ours: float) -> Timings:
        return Timings(kind, [ours] * 10, [2.0] * 10, [ours + 1] * 10, [3.0] * 10)

    return Figures(
        latency=[timings("/start", 3.0), timings("question", 5.0), timings("check-in", 5.0)],
        broadcast={"recipients": 1500, "rate": 0.97, "too_many": 0, "duplicates": 0, "lost": 0},
        reminders=ReminderFigures(1500, "module-4", "day", 1.0, 1500, 50.0, 29.0, 0, 0, 0, 0, 0),
        startup=[Start(1.2, 1.0), Start(1.3, 1.1), Start(1.1, 0.9)],
        memory=MemoryFigures(10_000, 2_000, 100.0, 104.0, 104.5, 90.0, 60.0),
        pictures=PictureFigures(first_ms=90.0, median_ms=45.0, renders=20, size_bytes=140_000),
        certificates=PictureFigures(first_ms=120.0, median_ms=30.0, renders=20,
                                    size_bytes=40_000),
    )


def test_every_figure_has_a_row_with_its_target_and_verdict() -> None:
    table = rows(measured())
    assert all(row.figure.startswith(name) for row, name in zip(table, FIGURES, strict=True))
    verdicts = {row.figure.split(",")[0]: row.met for row in table}
    assert verdicts["Update handling: /start"] is True  # 1.5x, target 2.0x
    assert verdicts["Update handling: question"] is False  # 2.5x
    assert verdicts["Update handling: check-in"] is True  # 2.5x, target 3.0x
    assert all(row.met for row in table[3:])
    text = render(table)
    assert text.count("\n") == len(FIGURES) + 1  # header, rule, one line per figure
    assert "**1.20 s**" in text  # the median start-up
    assert "**45 ms** (median of 20" in text  # the attendance picture


def test_a_slow_picture_misses_its_target() -> None:
    figures = measured()
    figures.pictures = PictureFigures(first_ms=400.0, median_ms=250.0, renders=5, size_bytes=1)
    assert rows(figures)[-2].met is False
    figures.certificates = PictureFigures(first_ms=400.0, median_ms=250.0, renders=5,
                                          size_bytes=1)
    assert rows(figures)[-1].met is True  # under its own target of 300 ms
    figures.certificates = PictureFigures(first_ms=400.0, median_ms=310.0, renders=5,
                                          size_bytes=1)
    assert rows(figures)[-1].met is False


def test_a_figure_that_was_not_measured_still_has_its_row() -> None:
    table = rows(Figures())
    assert len(table) == len(FIGURES)
    assert all(row.met is None and row.measured == "not measured" for row in table)
