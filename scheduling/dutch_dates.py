"""Dates and times as a coordinator types them in Dutch: "3 oktober 15:00", "3-10 15:00",
"2024-10-03 15:00", "do 3 okt om 15u30 tot 17:30", "morgen 15.00".

Without a year the first such date from today on is meant (the course runs over New
Year). A time that does not exist because the clock jumps forward is refused.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = (
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "ma", "di", "wo", "do", "vr", "za", "zo",
)
RELATIVE = {"vandaag": 0, "morgen": 1, "overmorgen": 2}

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2}|\d{4}))?\b")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\b")
_WORDS = re.compile(rf"\b(\d{{1,2}})\s*({_MONTH_WORDS})\.?(?:\s+(\d{{4}}))?\b")
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2})|u(\d{2})?)?(?!\d)")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_FILLER = re.compile(
    r"\b(?:om|van|tot|en|uur|" + "|".join(WEEKDAYS) + r")\b|[,.–—-]"
)


class WhenProblem(enum.StrEnum):
    NO_DATE = "no_date"
    NO_TIME = "no_time"
    BAD_DATE = "bad_date"
    BAD_TIME = "bad_time"
    TOO_MANY_TIMES = "too_many_times"
    END_BEFORE_START = "end_before_start"
    NONEXISTENT_TIME = "nonexistent_time"
    WRONG_WEEKDAY = "wrong_weekday"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class When:
    starts_at: dt.datetime
    ends_at: dt.datetime | None  # None: the text gave no end time


def _year_for(month: int, day: int, today: dt.date) -> dt.date:
    this_year = dt.date(today.year, month, day)
    if this_year >= today:
        return this_year
    return dt.date(today.year + 1, month, day)


def _find_date(text: str, today: dt.date) -> tuple[dt.date, str] | WhenProblem:
    """The date in the text and the text without it."""
    for word, offset in RELATIVE.items():
        match = re.search(rf"\b{word}\b", text)
        if match:
            return today + dt.timedelta(days=offset), text[: match.start()] + text[match.end() :]
    for pattern, order in ((_ISO, "ymd"), (_DOTTED, "dmy"), (_WORDS, "dMy"), (_NUMERIC, "dmy")):
        match = pattern.search(text)
        if match is None:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        rest = text[: match.start()] + " " + text[match.end() :]
        try:
            day = int(parts["d"])
            month = MONTHS[parts["M"]] if "M" in parts else int(parts["m"])
            year_text = parts.get("y")
            if year_text is None:
                return _year_for(month, day, today), rest
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return dt.date(year, month, day), rest
        except ValueError:
            return WhenProblem.BAD_DATE
    return WhenProblem.NO_DATE


def _find_times(text: str) -> list[dt.time] | WhenProblem:
    times: list[dt.time] = []
    for match in _TIME.finditer(text):
        hour = int(match.group(1))
        minute = int(match.group(2) or match.group(3) or 0)
        if hour > 23 or minute > 59:
            return WhenProblem.BAD_TIME
        times.append(dt.time(hour, minute))
    leftover = _FILLER.sub(" ", _TIME.sub(" ", text)).strip()
    if leftover:
        return WhenProblem.UNREADABLE
    return times


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime | None:
    moment = dt.datetime.combine(day, time, tzinfo=tz)
    real = moment.astimezone(dt.UTC).astimezone(tz)
    return moment if real.replace(tzinfo=None) == moment.replace(tzinfo=None) else None


def parse_date(text: str, today: dt.date) -> dt.date | WhenProblem:
    """A date on its own ("18 september 2025", "18-9", "do 18 sep"); without a year, the
    next such day from ``today``."""
    found = _find_date(" ".join(text.lower().split()), today)
    if isinstance(found, WhenProblem):
        return found
    day, rest = found
    return WhenProblem.UNREADABLE if _FILLER.sub(" ", rest).strip() else day


def parse_when(text: str, now: dt.datetime, tz: ZoneInfo) -> When | WhenProblem:
    """Read a date with a start time and optionally an end time ("15:00-17:30")."""
    cleaned = " ".join(text.lower().split())
    if not cleaned or len(cleaned) > 100:
        return WhenProblem.UNREADABLE
    found = _find_date(cleaned, now.astimezone(tz).date())
    if isinstance(found, WhenProblem):
        return found
    day, rest = found
    named = _WEEKDAY.search(rest)
    if named and WEEKDAYS.index(named.group(1)) % 7 != day.weekday():
        return WhenProblem.WRONG_WEEKDAY
    times = _find_times(rest)
    if isinstance(times, WhenProblem):
        return times
    if not times:
        return WhenProblem.NO_TIME
    if len(times) > 2:
        return WhenProblem.TOO_MANY_TIMES
    starts_at = _at(day, times[0], tz)
    ends_at = _at(day, times[1], tz) if len(times) == 2 else None
    if starts_at is None or (len(times) == 2 and ends_at is None):
        return WhenProblem.NONEXISTENT_TIME
    if ends_at is not None and ends_at <= starts_at:
        return WhenProblem.END_BEFORE_START
    return When(starts_at, ends_at)
