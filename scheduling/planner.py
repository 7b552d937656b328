"""When reminders go out: pure computation from the timetable and the configured offsets.

All times are Europe/Amsterdam wall-clock times (the settings' timezone). A reminder "1 day
before at 18:00" is 18:00 on the calendar day before the session, whatever the UTC offset
is that day; a reminder "2 hours before" is two real hours before the start, computed in
UTC, so a clock change in between (27 October 2024, 30 March 2025) never shifts it.

Nothing here touches the database or Telegram.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import ReminderKind, RemindersSettings, ReminderTiming
from bot.programme import Session, SessionKind

__all__ = [
    "PlannedReminder",
    "ReminderKind",
    "State",
    "classify",
    "due_time",
    "occurrence",
    "plan",
    "plan_session",
    "timings_for",
]


class State(enum.StrEnum):
    FUTURE = "future"  # not yet due: a job waits for it
    DUE = "due"  # due now (or missed, but still useful): send
    STARTED = "started"  # missed, and the session has begun: skip
    SUPERSEDED = "superseded"  # missed, and a later reminder of the session is due: skip
    COVERED = "covered"  # due before the session was changed: the change notice said it


STALE = frozenset({State.STARTED, State.SUPERSEDED})


def occurrence(session: Session) -> str:
    """Tells the dates of a moved session apart in the delivery log: its start in UTC."""
    return session.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    session: Session
    kind: ReminderKind
    due_at: dt.datetime  # aware, in the course's timezone

    @property
    def occurrence(self) -> str:
        return occurrence(self.session)

    @property
    def job_id(self) -> str:
        return f"reminder:{self.session.key}:{self.kind.value}:{self.occurrence}"


def due_time(starts_at: dt.datetime, timing: ReminderTiming, tz: ZoneInfo) -> dt.datetime:
    """The moment a reminder with this timing is due, for a session starting at ``starts_at``."""
    if timing.hours_before is not None:
        moment = starts_at.astimezone(dt.UTC) - dt.timedelta(hours=timing.hours_before)
        return moment.astimezone(tz)
    assert timing.days_before is not None
    assert timing.at is not None
    day = starts_at.astimezone(tz).date() - dt.timedelta(days=timing.days_before)
    wall = dt.datetime.combine(day, timing.at, tzinfo=tz)
    # A wall time that does not exist (skipped at the spring change) becomes the real
    # moment it names; the round trip through UTC normalises it.
    return wall.astimezone(dt.UTC).astimezone(tz)


def timings_for(
    kind: SessionKind, settings: RemindersSettings
) -> Mapping[ReminderKind, ReminderTiming]:
    if kind is SessionKind.MODULE:
        return settings.module
    if kind is SessionKind.WERKSESSIE:
        return settings.werksessie
    return settings.intervisie


def plan_session(
    session: Session, settings: RemindersSettings, tz: ZoneInfo
) -> list[PlannedReminder]:
    """The reminders of one session in time order; one due at or after the start is dropped."""
    if not settings.enabled:
        return []
    planned = [
        PlannedReminder(session, kind, due_time(session.starts_at, timing, tz))
        for kind, timing in timings_for(session.kind, settings).items()
    ]
    return sorted(
        (p for p in planned if p.due_at < session.starts_at), key=lambda p: (p.due_at, p.kind)
    )


def plan(
    sessions: Iterable[Session], settings: RemindersSettings, tz: ZoneInfo
) -> list[PlannedReminder]:
    """Every reminder of every session, in the order they fall due."""
    planned = [p for session in sessions for p in plan_session(session, settings, tz)]
    return sorted(planned, key=lambda p: (p.due_at, p.session.starts_at, p.session.key, p.kind))


def classify(
    reminder: PlannedReminder,
    siblings: Sequence[PlannedReminder],
    now: dt.datetime,
    changed_at: dt.datetime | None = None,
) -> State:
    """What to do with a reminder at ``now``; ``siblings`` are the session's other reminders.

    A reminder missed while the bot was down is still sent when the session has not started
    and no later reminder of the same session is due yet ("over 2 dagen" is still useful);
    otherwise it is stale. Reminders that fell due before the coordinator changed the
    session are covered by the change notice participants got.
    """
    if now < reminder.due_at:
        return State.FUTURE
    if changed_at is not None and reminder.due_at < changed_at:
        return State.COVERED
    if now >= reminder.session.starts_at:
        return State.STARTED
    later_due = any(
        other.due_at > reminder.due_at and other.due_at <= now
        for other in siblings
        if other.session.key == reminder.session.key and other.kind is not reminder.kind
    )
    return State.SUPERSEDED if later_due else State.DUE
