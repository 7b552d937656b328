"""What will go out: the upcoming reminders with the number of people each, for
``wijkbot schedule``. Read-only: computed the way the scheduler decides (planner, delivery
log, preferences, afmeldingen), without sending anything."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from bot.catalogue import plain
from bot.config import ReminderKind
from bot.formatting import clock, session_name, short_date
from bot.programme import Session
from bot.services.registry import Services
from scheduling.changes import ChangeTracker
from scheduling.planner import State, classify, plan

DEFAULT_ROWS = 20


@dataclass(frozen=True, slots=True)
class Upcoming:
    due_at: dt.datetime
    people: int
    session: Session
    kind: ReminderKind
    late: bool  # due already (missed while the bot was down): goes out at the next sync


async def upcoming(services: Services, now: dt.datetime) -> list[Upcoming]:
    timetable = await services.sessions.timetable()
    changed = await ChangeTracker(services.database).changed_at()
    planned = plan(timetable.sessions, services.settings.reminders, services.settings.tz)
    rows: list[Upcoming] = []
    for item in planned:
        state = classify(item, planned, now, changed.get(item.session.key))
        if state not in (State.FUTURE, State.DUE):
            continue
        recipients = await services.reminders.recipients(
            item.session.key, item.kind.value, item.occurrence
        )
        people = sum(
            1 for r in recipients if state is State.FUTURE or r.member_since <= item.due_at
        )
        if state is State.DUE and not people:
            continue
        rows.append(Upcoming(item.due_at, people, item.session, item.kind, state is State.DUE))
    return rows


def table(rows: list[Upcoming], limit: int | None) -> list[str]:
    """The rows as lines of text for a terminal."""
    if not rows:
        return [plain("reminders.cli_none")]
    lines = [
        plain("reminders.cli_header"),
        plain("reminders.cli_columns", when=plain("reminders.cli_when"),
              people=plain("reminders.cli_people"), kind=plain("reminders.cli_kind"),
              session=plain("reminders.cli_session")),
    ]
    shown = rows if limit is None else rows[:limit]
    for row in shown:
        when = (
            plain("reminders.cli_now")
            if row.late
            else f"{short_date(row.due_at.date())} {clock(row.due_at)}"
        )
        lines.append(
            plain(
                "reminders.cli_columns",
                when=when,
                people=row.people,
                kind=plain(f"reminders.cli_kind_{row.kind.value}"),
                session=html.unescape(session_name(row.session)),
            )
        )
    if len(rows) > len(shown):
        lines.append(plain("reminders.cli_more", count=len(rows) - len(shown)))
    return lines
