"""Check-in texts and buttons: the answer to an attempt, the QR screen, the "Ik ben er" prompt.

Callback data: ``chk:here:<session>`` ("Ik ben er"), ``chk:new:<session>`` (a fresh QR
code), ``chk:close:<session>`` (close check-in). The QR code is a deep link:
``https://t.me/<bot>?start=checkin_<token>``.
"""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, t
from bot.config import AttendanceSettings
from bot.formatting import clock, duration_until, session_name, short_date
from bot.programme import Session
from bot.services.attendance_rules import Mark, window_opens
from bot.services.checkin import CheckinResult, Outcome
from bot.services.checkin_codes import CurrentCode
from bot.views.attendance import status_label
from bot.views.keyboards import keyboard

PAYLOAD_PREFIX = "checkin_"

_SIMPLE = {
    Outcome.CLOSED: "checkin.closed",
    Outcome.PENDING: "checkin.pending",
    Outcome.REJECTED: "checkin.rejected",
    Outcome.UNKNOWN: "checkin.unknown",
}


def local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(tz)


def checkin_reply(
    result: CheckinResult,
    settings: AttendanceSettings,
    now: dt.datetime,
    *,
    via_link: bool = False,
) -> Html:
    """The answer to a check-in attempt: each outcome has its own clear message."""
    outcome = result.outcome
    tz = now.tzinfo or dt.UTC
    found = result.session
    name = session_name(found) if found else ""
    if outcome in _SIMPLE:
        return t(_SIMPLE[outcome], session=name)
    if outcome in (Outcome.CHECKED_IN, Outcome.LATE) and found and result.at:
        key = "checkin.late" if outcome is Outcome.LATE else "checkin.done"
        text = t(key, session=name, time=clock(local(result.at, tz)),
                 start=clock(found.starts_at))
        return text
    if outcome is Outcome.ALREADY and found:
        if result.at is not None:
            return t("checkin.already", session=name, time=clock(local(result.at, tz)))
        return t("checkin.already_recorded", session=name,
                 status=status_label(result.mark or Mark.PRESENT))
    if outcome is Outcome.READY and found:
        return t("checkin.ask_code", session=name)
    if outcome is Outcome.WRONG_CODE and not via_link and result.tries_left:
        return t("checkin.wrong_code", count=result.tries_left)
    if outcome is Outcome.WRONG_CODE and via_link:
        return t("checkin.wrong_link")
    if outcome is Outcome.EXPIRED_CODE:
        key = "checkin.expired_link" if via_link else "checkin.expired_code"
        return t(key, minutes=settings.code_rotation_minutes)
    if outcome in (Outcome.THROTTLED, Outcome.WRONG_CODE):
        retry = result.retry_at or now
        return t("checkin.throttled", wait=duration_until(now, retry))
    upcoming = result.next_session
    if upcoming is None:
        return t("checkin.no_session")
    return t(
        "checkin.no_session_next",
        session=session_name(upcoming),
        date=short_date(upcoming.starts_at.date()),
        start=clock(upcoming.starts_at),
        opens=clock(window_opens(upcoming, settings)),
    )


def display_caption(
    found: Session, current: CurrentCode, counts: tuple[int, int, int], bot: str
) -> Html:
    checked, total, excused = counts
    tz = found.starts_at.tzinfo or dt.UTC
    text = t(
        "checkin.display",
        session=session_name(found),
        code=current.code,
        bot=bot,
        changes=clock(current.changes_at.astimezone(tz)),
        checked=checked,
        total=total,
    )
    if excused:
        text = Html(f"{text} · {t('checkin.display_excused', count=excused)}")
    return text


def checkin_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={PAYLOAD_PREFIX}{token}"


def display_markup(key: str) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [(t("checkin.refresh_button"), f"chk:new:{key}")],
            [(t("checkin.close_button"), f"chk:close:{key}")],
        ]
    )


def here_markup(key: str) -> InlineKeyboardMarkup:
    return keyboard([[(t("checkin.here_button"), f"chk:here:{key}")]])
