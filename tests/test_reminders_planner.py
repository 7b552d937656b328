"""The pure schedule: due moments in Europe/Amsterdam, across both clock changes of the course,
for a moved session, and what to do with a reminder at a given moment."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import ReminderKind, RemindersSettings, ReminderTiming
from bot.programme import Session, SessionKind, load_programme
from scheduling.planner import State, classify, due_time, plan, plan_session

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
DEFAULTS = RemindersSettings()
WEEK, DAY, HOURS = ReminderKind.WEEK, ReminderKind.DAY, ReminderKind.HOURS


def at(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS, fold=fold)


def session(
    starts_at: dt.datetime, kind: SessionKind = SessionKind.MODULE, key: str = "module-4"
) -> Session:
    return Session(key, kind, 4, "Data", starts_at, starts_at + dt.timedelta(hours=6),
                   None, None, None)


def due(item_session: Session, settings: RemindersSettings = DEFAULTS) -> dict[str, dt.datetime]:
    return {p.kind.value: p.due_at for p in plan_session(item_session, settings, AMS)}


def test_module_4_gets_three_reminders_at_the_configured_moments() -> None:
    module = load_programme(None, AMS).module(4)
    assert module is not None
    assert due(module) == {
        "week": at(2024, 12, 5, 10),
        "day": at(2024, 12, 11, 18),
        "hours": at(2024, 12, 12, 11),
    }


def test_werksessies_and_intervisie_get_the_day_before_and_two_hours_before() -> None:
    werksessie = session(at(2024, 10, 3, 15), SessionKind.WERKSESSIE, "werksessie-1")
    intervisie = session(at(2024, 11, 28, 16), SessionKind.INTERVISIE, "intervisie-1")
    assert due(werksessie) == {"day": at(2024, 10, 2, 18), "hours": at(2024, 10, 3, 13)}
    assert due(intervisie) == {"day": at(2024, 11, 27, 18), "hours": at(2024, 11, 28, 14)}


def test_autumn_clock_change_27_october_2024_keeps_wall_clock_times() -> None:
    # Thursday 31 October 13:00 (CET, UTC+1). The week reminder falls before the change
    # (Thursday 24 October 10:00 CEST, UTC+2); the day before is after it.
    moments = due(session(at(2024, 10, 31, 13)))
    assert moments["week"] == at(2024, 10, 24, 10)
    assert moments["week"].astimezone(UTC) == dt.datetime(2024, 10, 24, 8, 0, tzinfo=UTC)
    assert moments["day"].astimezone(UTC) == dt.datetime(2024, 10, 30, 17, 0, tzinfo=UTC)
    # Seven days of 24 hours would have given 11:00 CEST: wrong by the hour that changed.
    naive = at(2024, 10, 31, 10).astimezone(UTC) - dt.timedelta(days=7)
    assert naive.astimezone(AMS).hour == 11
    # A werksessie on Monday 28 October: the day-before reminder is on the day of the change.
    monday = due(session(at(2024, 10, 28, 15), SessionKind.WERKSESSIE, "werksessie-1"))
    assert monday["day"].astimezone(UTC) == dt.datetime(2024, 10, 27, 17, 0, tzinfo=UTC)


def test_autumn_change_two_hours_before_counts_real_hours() -> None:
    # 04:00 CET on 27 October is 03:00 UTC; two real hours earlier the clock said 02:00 the
    # second time (after turning back from 03:00 CEST).
    moments = due(session(at(2024, 10, 27, 4), SessionKind.WERKSESSIE, "werksessie-1"))
    assert moments["hours"].astimezone(UTC) == dt.datetime(2024, 10, 27, 1, 0, tzinfo=UTC)
    assert moments["hours"] == at(2024, 10, 27, 2, fold=1)


def test_spring_clock_change_30_march_2025() -> None:
    # Monday 31 March 15:00 CEST: the day-before reminder is on the day of the change.
    monday = due(session(at(2025, 3, 31, 15), SessionKind.WERKSESSIE, "werksessie-1"))
    assert monday["day"] == at(2025, 3, 30, 18)
    assert monday["day"].astimezone(UTC) == dt.datetime(2025, 3, 30, 16, 0, tzinfo=UTC)
    # A module on Thursday 3 April: the week reminder is on 27 March 10:00 CET (UTC+1).
    thursday = due(session(at(2025, 4, 3, 13)))
    assert thursday["week"].astimezone(UTC) == dt.datetime(2025, 3, 27, 9, 0, tzinfo=UTC)
    # 04:00 CEST on 30 March is 02:00 UTC; two real hours earlier it was 01:00 CET.
    early = due(session(at(2025, 3, 30, 4), SessionKind.WERKSESSIE, "werksessie-1"))
    assert early["hours"].astimezone(UTC) == dt.datetime(2025, 3, 30, 0, 0, tzinfo=UTC)
    assert early["hours"].hour == 1


def test_a_wall_time_skipped_by_the_spring_change_becomes_the_real_moment() -> None:
    settings = RemindersSettings(
        werksessie={DAY: ReminderTiming(days_before=0, at=dt.time(2, 30))}
    )
    moments = due(session(at(2025, 3, 30, 15), SessionKind.WERKSESSIE, "werksessie-1"), settings)
    assert moments["day"].astimezone(UTC) == dt.datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert (moments["day"].hour, moments["day"].minute) == (3, 30)


def test_a_moved_session_gets_new_moments_and_a_new_identity() -> None:
    before = session(at(2024, 10, 3, 15), SessionKind.WERKSESSIE, "werksessie-t1")
    after = replace(before, starts_at=at(2024, 10, 10, 15), ends_at=at(2024, 10, 10, 17, 30))
    old, new = plan_session(before, DEFAULTS, AMS), plan_session(after, DEFAULTS, AMS)
    assert [p.due_at for p in new] == [at(2024, 10, 9, 18), at(2024, 10, 10, 13)]
    assert {p.job_id for p in old}.isdisjoint({p.job_id for p in new})
    assert new[0].occurrence == "2024-10-10T13:00Z"


def test_reminders_at_or_after_the_start_and_switched_off_ones_are_not_planned() -> None:
    settings = RemindersSettings(module={DAY: ReminderTiming(days_before=0, at=dt.time(18, 0))})
    assert plan_session(session(at(2024, 12, 12, 13)), settings, AMS) == []
    assert plan_session(session(at(2024, 12, 12, 13)), RemindersSettings(enabled=False), AMS) == []


def test_the_whole_programme_is_planned_in_time_order() -> None:
    programme = load_programme(None, AMS)
    planned = plan(programme.sessions, DEFAULTS, AMS)
    assert len(planned) == 30
    assert [p.due_at for p in planned] == sorted(p.due_at for p in planned)


def test_what_to_do_with_a_reminder_at_a_moment() -> None:
    module = session(at(2024, 12, 12, 13))
    items = plan_session(module, DEFAULTS, AMS)
    week, day, hours = items
    assert classify(day, items, at(2024, 12, 11, 17, 59)) is State.FUTURE
    assert classify(day, items, at(2024, 12, 11, 18)) is State.DUE
    # Missed while down, but still before the next reminder and the start: send late.
    assert classify(week, items, at(2024, 12, 11, 17)) is State.DUE
    assert classify(day, items, at(2024, 12, 12, 9)) is State.DUE
    assert classify(day, items, at(2024, 12, 12, 11, 30)) is State.SUPERSEDED
    assert classify(hours, items, at(2024, 12, 12, 11, 30)) is State.DUE
    assert classify(hours, items, at(2024, 12, 12, 13)) is State.STARTED
    # Due before the coordinator changed the session: the change notice covered it.
    assert classify(day, items, at(2024, 12, 12, 9), at(2024, 12, 12, 8)) is State.COVERED
    assert classify(hours, items, at(2024, 12, 12, 11), at(2024, 12, 12, 8)) is State.DUE


@given(
    start=st.datetimes(
        min_value=dt.datetime(2024, 9, 19),
        max_value=dt.datetime(2025, 6, 19),
        timezones=st.just(AMS),
    ),
    hours=st.floats(min_value=0.25, max_value=48),
    days=st.integers(min_value=0, max_value=14),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
)
# 02:00 on 30 March 2025 does not exist in Amsterdam (the clocks jump to 03:00).
@example(start=dt.datetime(2025, 3, 30, tzinfo=AMS), hours=1.0, days=0, minute=120)
def test_due_times_keep_their_promise_on_every_day_of_the_course(
    start: dt.datetime, hours: float, days: int, minute: int
) -> None:
    starts_at = start.astimezone(UTC).astimezone(AMS)  # a real moment
    relative = due_time(starts_at, ReminderTiming(hours_before=hours), AMS)
    # Real hours, whatever the clock does (subtracting in one zone would count wall hours).
    assert starts_at.astimezone(UTC) - relative.astimezone(UTC) == dt.timedelta(hours=hours)
    wall = dt.time(minute // 60, minute % 60)
    fixed = due_time(starts_at, ReminderTiming(days_before=days, at=wall), AMS)
    assert fixed.date() == starts_at.date() - dt.timedelta(days=days)
    asked = dt.datetime.combine(fixed.date(), wall, tzinfo=AMS)
    exists = asked.astimezone(UTC).astimezone(AMS).replace(tzinfo=None) == asked.replace(
        tzinfo=None
    )
    if exists:  # a wall time in the spring-forward gap moves to a real moment instead
        assert (fixed.hour, fixed.minute) == (wall.hour, wall.minute)


def test_the_example_config_documents_the_defaults() -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    reminders = tomllib.loads(example.read_text(encoding="utf-8"))["reminders"]
    assert RemindersSettings(**reminders) == DEFAULTS
    with pytest.raises(ValidationError, match="days_before and at"):
        RemindersSettings(module={"day": {"days_before": 1}})
    with pytest.raises(ValidationError, match="not both"):
        RemindersSettings(module={"day": {"days_before": 1, "at": "18:00", "hours_before": 2}})
    with pytest.raises(ValidationError):
        RemindersSettings(module={"monthly": {"hours_before": 2}})
