"""The course as an iCalendar file that phones and mail programs can import."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.catalogue import plain
from bot.formatting import session_name
from bot.programme import Programme, Session

if TYPE_CHECKING:
    from icalendar import Event

ALARM_BEFORE = dt.timedelta(hours=2)


def calendar_slug(programme: Programme) -> str:
    """A stable, file-name-safe name of the edition: ``leergang-wijkontwikkeling-2024-2025``."""
    slug = re.sub(r"[^a-z0-9]+", "-", programme.data.course.name.lower()).strip("-")
    return slug or "leergang"


def session_uid(programme: Programme, session: Session) -> str:
    """Stable across exports, so importing again updates events instead of duplicating them."""
    return f"{session.key}@{calendar_slug(programme)}.wijkbot"


def build_calendar(
    programme: Programme, sessions: Sequence[Session], generated_at: dt.datetime
) -> bytes:
    """Every session (as changed by the coordinator) as an iCalendar file."""
    from icalendar import Calendar  # imported here: it is slow to import, at start-up

    calendar = Calendar()
    calendar.add("prodid", "-//Wijkmakers Academie Groningen//Wijkbot//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", programme.data.course.name)
    calendar.add("x-wr-timezone", str(programme.timezone))
    for session in sessions:
        calendar.add_component(_event(programme, session, generated_at))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(programme: Programme, session: Session, generated_at: dt.datetime) -> Event:
    from icalendar import Alarm, Event

    event = Event()
    name = plain("agenda.event_summary", name=session_name(session))
    event.add("uid", session_uid(programme, session))
    event.add("dtstamp", generated_at.astimezone(dt.UTC))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", name)
    if session.description:
        event.add("description", session.description)
    if session.location:
        event.add("location", session.location)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", name)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event
