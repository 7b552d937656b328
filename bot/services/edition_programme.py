"""The programme of a new edition, copied from an existing one: the same modules (titles,
descriptions, times, places), course facts and criteria, on new dates. Werksessies and
intervisie meetings are not copied (their dates are set with /sessie).

The dates follow the course's rhythm: the first module on the day the coordinator types,
each next one a whole calendar month after it, moved to the nearest programme weekday.
Each date can be changed before the edition is made; the result is checked exactly like
a programme file (``wijkbot programme check``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import tomli_w

from bot.programme import Problem, Programme, ProgrammeError, parse_programme
from bot.programme_file import ProgrammeFile

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def weekday_number(programme: Programme) -> int:
    """The programme's module weekday (0 is Monday); Thursday when it is not a day name."""
    name = programme.data.modules.weekday.lower()
    return WEEKDAYS.index(name) if name in WEEKDAYS else 3


def propose_dates(first: dt.date, count: int, weekday: int) -> list[dt.date]:
    """``count`` dates: ``first``, then each whole calendar month after it (counted from
    ``first``, so the rhythm does not drift), on the nearest ``weekday``."""
    dates = [first]
    for months in range(1, count):
        year, month = divmod(first.month - 1 + months, 12)
        year, month = first.year + year, month + 1
        target = dt.date(year, month, min(first.day, calendar.monthrange(year, month)[1]))
        offset = (weekday - target.weekday()) % 7
        dates.append(target + dt.timedelta(days=offset - 7 if offset > 3 else offset))
    return dates


def date_problem(day: dt.date, weekday: int, today: dt.date) -> str | None:
    """Why a module cannot be on ``day`` (a catalogue key), or None."""
    if day <= today:
        return "editions.date_past"
    if day.weekday() != weekday:
        return "editions.date_weekday"
    return None


def new_programme_text(
    source: Programme, source_name: str, name: str, dates: Sequence[dt.date],
    timezone: ZoneInfo,
) -> str:
    """The new edition's programme file (TOML), checked; raises ProgrammeError."""
    data = source.data
    modules = sorted(data.modules.list, key=lambda m: m.number)
    if len(dates) != len(modules):
        raise ProgrammeError(name, [Problem("", "dates_missing", {})])
    course_name = (data.course.name.replace(source_name, name) if source_name in data.course.name
                   else f"{data.course.name} {name}")
    copied = data.model_copy(update={
        "course": data.course.model_copy(update={
            "name": course_name, "start_date": dates[0], "end_date": dates[-1]}),
        "modules": data.modules.model_copy(update={"list": [
            module.model_copy(update={"date": day}) for module, day in zip(modules, dates,
                                                                           strict=True)]}),
        "werksessies": data.werksessies.model_copy(update={"sessions": []}),
        "intervisie": data.intervisie.model_copy(update={"sessions": []}),
    })
    text = tomli_w.dumps(ProgrammeFile.model_validate(copied.model_dump()).model_dump(
        mode="python", exclude_none=True, by_alias=True))
    parse_programme(text, name, timezone)  # the same check as a programme file
    return text
