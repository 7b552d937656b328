"""Coordinator changes on top of the programme: add, move and cancel sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.database import Database
from bot.programme import SessionKind, load_programme
from bot.services.sessions import SessionChangeError, SessionService

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2024, 10, 1, 9, 0, tzinfo=AMS)
COORDINATOR = 900001


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[SessionService]:
    database = Database(database_url)
    await database.upgrade()
    programme = load_programme(None, AMS)
    yield SessionService(database, lambda: programme)
    await database.close()


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2024) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS)


async def test_added_werksessies_are_numbered_in_date_order(sessions: SessionService) -> None:
    later = await sessions.add(SessionKind.WERKSESSIE, at(7, 11, 15), at(7, 11, 17, 30),
                               location="Selwerd", title=None, by=COORDINATOR, now=NOW)
    earlier = await sessions.add(SessionKind.WERKSESSIE, at(3, 10, 15), at(3, 10, 17, 30),
                                 location=None, title=None, by=COORDINATOR, now=NOW)
    timetable = await sessions.timetable()
    werksessies = timetable.of_kind(SessionKind.WERKSESSIE)
    assert [s.key for s in werksessies] == [earlier.key, later.key]
    assert [s.number for s in werksessies] == [1, 2]
    assert werksessies[1].location == "Selwerd"
    assert len(timetable.sessions) == 12


async def test_moving_keeps_the_key_and_cancelling_removes_the_session(
    sessions: SessionService,
) -> None:
    added = await sessions.add(SessionKind.INTERVISIE, at(10, 10, 16), at(10, 10, 18),
                               location=None, title=None, by=COORDINATOR, now=NOW)
    before, after = await sessions.move(added.key, at(11, 10, 16), at(11, 10, 18),
                                        by=COORDINATOR, now=NOW)
    assert before.starts_at == at(10, 10, 16)
    assert after.key == added.key
    assert after.starts_at == at(11, 10, 16)
    await sessions.cancel(added.key, by=COORDINATOR, now=NOW)
    timetable = await sessions.timetable()
    assert timetable.get(added.key) is None
    assert [s.key for s in timetable.cancelled] == [added.key]


async def test_modules_are_never_cancelled_and_past_times_cannot_be_set(
    sessions: SessionService,
) -> None:
    with pytest.raises(SessionChangeError) as fixed:
        await sessions.cancel("module-2", by=COORDINATOR, now=NOW)
    assert fixed.value.code == "modules_are_fixed"
    with pytest.raises(SessionChangeError) as past:
        await sessions.add(SessionKind.WERKSESSIE, at(1, 9, 15), at(1, 9, 17),
                           location=None, title=None, by=COORDINATOR, now=NOW)
    assert past.value.code == "in_the_past"
    with pytest.raises(SessionChangeError) as reversed_times:
        await sessions.add(SessionKind.WERKSESSIE, at(3, 10, 17), at(3, 10, 15),
                           location=None, title=None, by=COORDINATOR, now=NOW)
    assert reversed_times.value.code == "end_before_start"


async def test_a_module_moves_on_its_weekday_and_never_onto_another_session(
    sessions: SessionService,
) -> None:
    # Module 2 is on Thursday 17 October 2024, 13:00-19:30.
    with pytest.raises(SessionChangeError) as weekday:
        await sessions.move("module-2", at(22, 10, 13), at(22, 10, 19, 30),
                            by=COORDINATOR, now=NOW)
    assert (weekday.value.code, weekday.value.details) == (
        "module_weekday", {"weekday": "donderdag", "actual": "dinsdag"}
    )
    werksessie = await sessions.add(SessionKind.WERKSESSIE, at(24, 10, 15), at(24, 10, 17, 30),
                                    location=None, title=None, by=COORDINATOR, now=NOW)
    with pytest.raises(SessionChangeError) as overlap:
        await sessions.move("module-2", at(24, 10, 13), at(24, 10, 19, 30),
                            by=COORDINATOR, now=NOW)
    assert (overlap.value.code, overlap.value.details) == ("overlap", {"session": werksessie.key})
    before, after = await sessions.move("module-2", at(31, 10, 13), at(31, 10, 19, 30),
                                        by=COORDINATOR, now=NOW)
    assert (before.starts_at, after.starts_at) == (at(17, 10, 13), at(31, 10, 13))
    assert after.title == before.title
    assert (await sessions.timetable()).get("module-2") == after


async def test_a_new_werksessie_cannot_overlap_a_module(sessions: SessionService) -> None:
    with pytest.raises(SessionChangeError) as overlap:
        await sessions.add(SessionKind.WERKSESSIE, at(17, 10, 18), at(17, 10, 20, 30),
                           location=None, title=None, by=COORDINATOR, now=NOW)
    assert overlap.value.details == {"session": "module-2"}


async def test_relocating_keeps_the_time(sessions: SessionService) -> None:
    before, after = await sessions.relocate("module-2", "De Oosterpoort", by=COORDINATOR,
                                            now=NOW)
    assert after.location == "De Oosterpoort"
    assert (after.starts_at, after.ends_at) == (before.starts_at, before.ends_at)
    with pytest.raises(SessionChangeError) as started:
        await sessions.relocate("module-1", "Elders", by=COORDINATOR, now=NOW)
    assert started.value.code == "already_started"
