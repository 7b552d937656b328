"""Dutch renderings of dates, times and durations, shared by every reply."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.catalogue import Html, t
from bot.programme import Session, SessionKind

LOCALE = "nl_NL"


def short_date(day: dt.date) -> str:
    """``do 12 december 2024``"""
    return str(format_date(day, "EEE d MMMM y", locale=LOCALE))


def long_date(day: dt.date) -> str:
    """``donderdag 12 december 2024``"""
    return str(format_date(day, "EEEE d MMMM y", locale=LOCALE))


def long_day_month_year(day: dt.date) -> str:
    """``19 juni 2025``"""
    return str(format_date(day, "d MMMM y", locale=LOCALE))


def clock(moment: dt.datetime | dt.time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def time_range(session: Session) -> str:
    """``13:00–19:30`` in the session's own timezone."""
    return f"{clock(session.starts_at)}–{clock(session.ends_at)}"


def session_name(session: Session) -> Html:
    """``Module 4: Data-gedreven …`` / ``Werksessie 2`` / ``Intervisie 1``, as HTML."""
    if session.kind is SessionKind.MODULE:
        return t("sessions.module_name", number=session.number, title=session.title or "")
    key = (
        "sessions.werksessie_name"
        if session.kind is SessionKind.WERKSESSIE
        else "sessions.intervisie_name"
    )
    name = t(key, number=session.number)
    if session.title:
        return t("sessions.name_with_title", name=name, title=session.title)
    return name


def duration_until(now: dt.datetime, moment: dt.datetime) -> Html:
    """``over 3 dagen en 4 uur`` style countdown (rounded down to whole minutes)."""
    minutes_total = max(0, int((moment - now).total_seconds() // 60))
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts: list[Html] = []
    if days:
        parts.append(t("time.days", count=days))
        if hours:
            parts.append(t("time.hours", count=hours))
    elif hours:
        parts.append(t("time.hours", count=hours))
        if minutes:
            parts.append(t("time.minutes", count=minutes))
    else:
        parts.append(t("time.minutes", count=max(minutes, 1)))
    joined = parts[0] if len(parts) == 1 else t("time.pair", first=parts[0], second=parts[1])
    return t("time.in", span=joined)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters: a longer text is cut and ends in ``…``."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
