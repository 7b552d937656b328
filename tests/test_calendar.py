"""The .ics export imports cleanly and updates instead of duplicating."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.programme import load_programme
from bot.services.calendar import build_calendar

AMS = ZoneInfo("Europe/Amsterdam")
SEPTEMBER = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
JANUARY = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def events(content: bytes) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(content)
    return [
        {
            "uid": str(e["UID"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
            "alarms": [a for a in e.subcomponents if a.name == "VALARM"],
        }
        for e in calendar.walk("VEVENT")
    ]


def test_every_module_is_an_event_at_amsterdam_time_with_an_alarm() -> None:
    programme = load_programme(None, AMS)
    found = events(build_calendar(programme, programme.sessions, SEPTEMBER))
    assert len(found) == 10
    module4 = next(e for e in found if e["summary"].startswith("Module 4:"))  # type: ignore[union-attr]
    start = module4["start"]
    assert isinstance(start, dt.datetime)
    assert start == dt.datetime(2024, 12, 12, 13, 0, tzinfo=AMS)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert module4["end"] == dt.datetime(2024, 12, 12, 19, 30, tzinfo=AMS)
    assert all(e["alarms"] for e in found)
    assert b"BEGIN:VTIMEZONE" in build_calendar(programme, programme.sessions, SEPTEMBER)


def test_uids_are_stable_between_exports() -> None:
    programme = load_programme(None, AMS)
    first = events(build_calendar(programme, programme.sessions, SEPTEMBER))
    again = events(build_calendar(programme, programme.sessions, JANUARY))
    assert [e["uid"] for e in first] == [e["uid"] for e in again]
    assert len({e["uid"] for e in first}) == 10
