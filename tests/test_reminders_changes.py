"""Finding the timetable changes participants must hear about (pure comparison)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.change_notices import ChangeKind
from bot.programme import Session, SessionKind
from scheduling.changes import Change, Known, diff

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 10, 1, 9, 0, tzinfo=AMS)


def at(day: int, month: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=AMS)


def werksessie(key: str, start: dt.datetime, location: str | None = None) -> Session:
    return Session(key, SessionKind.WERKSESSIE, 1, None, start,
                   start + dt.timedelta(minutes=150), location, None, None)


def known(*sessions: Session, cancelled: bool = False) -> dict[str, Known]:
    return {
        s.key: Known(s.key, s.kind.value, s.starts_at, s.ends_at, s.location, cancelled)
        for s in sessions
    }


def test_nothing_changed_means_no_notices() -> None:
    first = werksessie("werksessie-1", at(3, 10, 15))
    assert diff(known(first), [first], NOW) == []


def test_moved_added_and_cancelled_are_found() -> None:
    first = werksessie("werksessie-t1", at(3, 10, 15))
    second = werksessie("werksessie-t2", at(7, 11, 15))
    moved = replace(first, starts_at=at(10, 10, 15), ends_at=at(10, 10, 17, 30))
    added = werksessie("werksessie-t3", at(5, 12, 15))
    changes = diff(known(first, second), [moved, added], NOW)
    assert changes == [
        Change(ChangeKind.MOVED, "werksessie-t1", at(3, 10, 15)),
        Change(ChangeKind.ADDED, "werksessie-t3", None),
        Change(ChangeKind.CANCELLED, "werksessie-t2", at(7, 11, 15)),
    ]


def test_a_new_place_is_a_change_too() -> None:
    first = werksessie("werksessie-1", at(3, 10, 15))
    there = replace(first, location="Wijkcentrum Selwerd")
    assert diff(known(first), [there], NOW) == [
        Change(ChangeKind.MOVED, "werksessie-1", at(3, 10, 15))
    ]


def test_a_new_key_for_the_same_meeting_is_not_a_change() -> None:
    # Keys numbered by position (before keys came from dates) shifted when the file got an
    # earlier werksessie; the meetings themselves did not change.
    old_first = werksessie("werksessie-1", at(3, 10, 15))
    old_second = werksessie("werksessie-2", at(7, 11, 15))
    earlier = werksessie("werksessie-1", at(2, 10, 15))
    shifted = [earlier, replace(old_first, key="werksessie-2"),
               replace(old_second, key="werksessie-3")]
    assert diff(known(old_first, old_second), shifted, NOW) == [
        Change(ChangeKind.ADDED, "werksessie-1", None)
    ]


def test_sessions_in_the_past_need_no_notice() -> None:
    past = werksessie("werksessie-1", at(1, 9, 15))
    moved = replace(past, starts_at=at(1, 9, 16), ends_at=at(1, 9, 18))
    assert diff(known(past), [moved], NOW) == []
    assert diff(known(past), [], NOW) == []
    # A cancelled session that comes back is announced as new.
    again = werksessie("werksessie-t1", at(3, 10, 15))
    assert diff(known(again, cancelled=True), [again], NOW) == [
        Change(ChangeKind.ADDED, "werksessie-t1", None)
    ]
