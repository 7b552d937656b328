"""A moment typed by a coordinator in Dutch: "morgen 9:00", "13-12 17:30", "vr 13 december 9 uur".

The result is an aware datetime in the course's timezone. Problems are reported with a code
for the catalogue; nothing is guessed silently (a weekday that does not match the date, a
time that does not exist because the clocks go forward, a moment in the past).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from zoneinfo import ZoneInfo

# How far ahead something can be planned.
MAX_AHEAD = dt.timedelta(days=366)

MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mrt": 3, "maart": 3, "mar": 3,
    "apr": 4, "april": 4, "mei": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7,
    "aug": 8, "augustus": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10,
    "oct": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = {
    "ma": 0, "maandag": 0, "di": 1, "dinsdag": 1, "wo": 2, "woensdag": 2, "do": 3,
    "donderdag": 3, "vr": 4, "vrijdag": 4, "za": 5, "zaterdag": 5, "zo": 6, "zondag": 6,
}  # fmt: skip
RELATIVE = {"vandaag": 0, "morgen": 1, "overmorgen": 2}

_TIME = re.compile(r"(?:\bom\s+)?\b(\d{1,2})(?:[:.](\d{2})|\s*(?:uur|u)\b)\s*(?:uur\b)?")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2}|\d{4}))?\b")
_WRITTEN_DATE = re.compile(r"\b(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?\b")


class MomentProblem(enum.StrEnum):
    UNREADABLE = "unreadable"
    NO_TIME = "no_time"
    BAD_DATE = "bad_date"
    WEEKDAY = "weekday"
    NONEXISTENT = "nonexistent"
    PAST = "past"
    TOO_FAR = "too_far"


class MomentError(Exception):
    def __init__(self, problem: MomentProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_moment(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The moment meant by ``text``, after ``now``; raises MomentError."""
    lowered = " ".join(text.lower().replace(",", " ").split())
    if not lowered or len(lowered) > 60:
        raise MomentError(MomentProblem.UNREADABLE)
    local_now = now.astimezone(tz)
    time_match = _TIME.search(_without_dates(lowered))
    if time_match is None:
        raise MomentError(MomentProblem.NO_TIME)
    hour, minute = int(time_match.group(1)), int(time_match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise MomentError(MomentProblem.UNREADABLE)
    day = _date(lowered, local_now.date())
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    round_trip = moment.astimezone(dt.UTC).astimezone(tz)
    if (round_trip.hour, round_trip.minute) != (hour, minute):
        raise MomentError(MomentProblem.NONEXISTENT)
    if moment <= now:
        raise MomentError(MomentProblem.PAST)
    if moment - now > MAX_AHEAD:
        raise MomentError(MomentProblem.TOO_FAR)
    return moment


def _without_dates(text: str) -> str:
    """The text with dates taken out, so that "13-12" is not read as a time."""
    text = _NUMERIC_DATE.sub(" ", text)
    return _WRITTEN_DATE.sub(lambda m: " " if m.group(2) in MONTHS else m.group(0), text)


def _date(text: str, today: dt.date) -> dt.date:
    words = set(re.findall(r"[a-z]+", text))
    weekday = next((WEEKDAYS[w] for w in words if w in WEEKDAYS), None)
    relative = next((RELATIVE[w] for w in words if w in RELATIVE), None)
    day: dt.date | None = None
    numeric = _NUMERIC_DATE.search(text)
    written = next((m for m in _WRITTEN_DATE.finditer(text) if m.group(2) in MONTHS), None)
    if relative is not None:
        day = today + dt.timedelta(days=relative)
    elif numeric is not None:
        year = numeric.group(3)
        full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        day = _make_date(full_year, int(numeric.group(2)), int(numeric.group(1)), today)
    elif written is not None:
        year = written.group(3)
        day = _make_date(
            int(year) if year else None, MONTHS[written.group(2)], int(written.group(1)), today
        )
    elif weekday is not None:
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    if day is None:
        return today  # only a time: today
    if weekday is not None and day.weekday() != weekday:
        raise MomentError(MomentProblem.WEEKDAY)
    return day


def _make_date(year: int | None, month: int, day: int, today: dt.date) -> dt.date:
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(today.year, month, day)
        return found if found >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        raise MomentError(MomentProblem.BAD_DATE) from None
