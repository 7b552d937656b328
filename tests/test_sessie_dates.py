"""Dates and times as a coordinator types them in Dutch."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduling.dutch_dates import When, WhenProblem, parse_when

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 9, 20, 9, 0, tzinfo=AMS)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("3 oktober 15:00", at(2024, 10, 3, 15), None),
        ("3-10 15:00", at(2024, 10, 3, 15), None),
        ("2024-10-03 15:00", at(2024, 10, 3, 15), None),
        ("3/10 15.00", at(2024, 10, 3, 15), None),
        ("03-10-2024 15:00", at(2024, 10, 3, 15), None),
        ("3 okt. 15u30", at(2024, 10, 3, 15, 30), None),
        ("donderdag 3 oktober 15:00 uur", at(2024, 10, 3, 15), None),
        ("do 3 okt om 15:00 tot 17:30", at(2024, 10, 3, 15), at(2024, 10, 3, 17, 30)),
        ("3 oktober 2024, 15:00 – 17:30", at(2024, 10, 3, 15), at(2024, 10, 3, 17, 30)),
        ("  3   OKTOBER   15  ", at(2024, 10, 3, 15), None),
        ("morgen 16:00", at(2024, 9, 21, 16), None),
        # No year: the first such date from today, so February is next year's.
        ("6 februari 15:00", at(2025, 2, 6, 15), None),
        ("1 september 15:00", at(2025, 9, 1, 15), None),
        # The night the clocks go back, 02:30 exists twice: the first one is meant.
        ("27 oktober 02:30", at(2024, 10, 27, 2, 30), None),
    ],
)
def test_ways_of_writing_a_moment(text: str, start: dt.datetime, end: dt.datetime | None) -> None:
    assert parse_when(text, NOW, AMS) == When(start, end)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", WhenProblem.UNREADABLE),
        ("volgende week", WhenProblem.NO_DATE),
        ("15:00", WhenProblem.NO_DATE),
        ("3 oktober", WhenProblem.NO_TIME),
        ("31 februari 15:00", WhenProblem.BAD_DATE),
        ("3-13 15:00", WhenProblem.BAD_DATE),
        ("3 oktober 25:00", WhenProblem.BAD_TIME),
        ("3 oktober 15:75", WhenProblem.BAD_TIME),
        ("3 oktober 15:00 16:00 17:00", WhenProblem.TOO_MANY_TIMES),
        ("3 oktober 17:00-15:00", WhenProblem.END_BEFORE_START),
        ("30 maart 02:30", WhenProblem.NONEXISTENT_TIME),
        ("woensdag 3 oktober 15:00", WhenProblem.WRONG_WEEKDAY),
        ("3 oktober 15:00 in Selwerd", WhenProblem.UNREADABLE),
        ("x" * 200, WhenProblem.UNREADABLE),
    ],
)
def test_what_cannot_be_read_says_why(text: str, problem: WhenProblem) -> None:
    assert parse_when(text, NOW, AMS) is problem
