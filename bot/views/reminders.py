"""The reminder and change-notice messages, rendered from the catalogue, with their buttons.

Callback data of the buttons under a reminder: ``rem:yes:<session>`` / ``rem:no:<session>``.
"""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, t
from bot.change_notices import ChangeKind, Notice
from bot.config import ReminderKind
from bot.formatting import clock, duration_until, session_name, short_date
from bot.programme import Session
from bot.views.keyboards import keyboard
from bot.views.sessions import when_line

YES = "rem:yes"
NO = "rem:no"


def answer_buttons(session_key: str) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                (t("reminders.button_yes"), f"{YES}:{session_key}"),
                (t("reminders.button_no"), f"{NO}:{session_key}"),
            ]
        ]
    )


def day_word(now: dt.datetime, moment: dt.datetime) -> Html:
    """``Vandaag`` / ``Morgen`` / ``Donderdag 12 december``, relative to ``now``."""
    days = (moment.astimezone(now.tzinfo).date() - now.date()).days
    if days == 0:
        return t("reminders.today")
    if days == 1:
        return t("reminders.tomorrow")
    return t("reminders.on_day", date=short_date(moment.date()))


def _optional(session: Session, *, description: bool) -> list[Html]:
    lines: list[Html] = []
    if session.location:
        lines.append(t("reminders.location", location=session.location))
    if description and session.description:
        lines.append(t("reminders.topic", description=session.description))
    if session.preparation:
        lines.append(t("reminders.preparation", preparation=session.preparation))
    return lines


def reminder_text(session: Session, kind: ReminderKind, now: dt.datetime) -> Html:
    """What, when (weekday, date, time), where if known, and what to prepare."""
    name = session_name(session)
    countdown = duration_until(now, session.starts_at)
    if kind is ReminderKind.HOURS:
        head = t("reminders.hours", name=name, countdown=countdown,
                 start=clock(session.starts_at))
    elif kind is ReminderKind.DAY:
        head = t("reminders.day", name=name, day=day_word(now, session.starts_at))
    else:
        head = t("reminders.week", name=name)
    lines = [head, when_line(session), t("reminders.countdown", countdown=countdown)]
    lines += _optional(session, description=kind is ReminderKind.WEEK)
    body = Html("\n".join(lines))
    return Html(f"{body}\n\n{t('reminders.footer')}")


def notice_text(notice: Notice) -> Html:
    session = notice.session
    name = session_name(session)
    if notice.kind is ChangeKind.CANCELLED:
        return t("reminders.notice_cancelled", name=name, when=when_line(session))
    if notice.kind is ChangeKind.ADDED:
        lines = [t("reminders.notice_added", name=name), when_line(session)]
    else:
        lines = [t("reminders.notice_changed", name=name), when_line(session)]
        previous = notice.previous_start
        if previous is not None and previous != session.starts_at:
            lines.append(
                t("reminders.notice_was", date=short_date(previous.date()), time=clock(previous))
            )
    lines += _optional(session, description=False)
    body = Html("\n".join(lines))
    return Html(f"{body}\n\n{t('reminders.notice_footer')}")


def notice_buttons(notice: Notice) -> InlineKeyboardMarkup | None:
    if notice.kind is ChangeKind.CANCELLED:
        return None
    return answer_buttons(notice.session.key)
