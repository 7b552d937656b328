"""A session in a line or on a button: ``Module 4 · do 12 december 2024``, its day and time."""

from __future__ import annotations

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, short_date, time_range
from bot.programme import Session, SessionKind

_SHORT = {
    SessionKind.MODULE: "absences.short_module",
    SessionKind.WERKSESSIE: "absences.short_werksessie",
    SessionKind.INTERVISIE: "absences.short_intervisie",
}


def short_label(session: Session, *, absent: bool = False) -> str:
    """A button label: ``Module 4 · do 12 december 2024`` (``❌ …`` when afgemeld)."""
    name = plain(_SHORT[session.kind], number=session.number)
    key = "absences.button_absent" if absent else "absences.button"
    return plain(key, name=name, date=short_date(session.starts_at.date()))


def when_line(session: Session) -> Html:
    """``donderdag 12 december 2024, 13:00–19:30``"""
    return t("reminders.when", date=long_date(session.starts_at.date()), time=time_range(session))
