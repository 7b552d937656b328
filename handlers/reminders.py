"""The participant's side of reminders: "Ik kom" / "Ik kan niet", the reason, /afmelden and
/herinneringen.

The reason after "Ik kan niet" is a pending input (kind ``absence_reason``): the typed
reason reaches :func:`take_reason` through the dispatcher in handlers/pending.py.
"""

from __future__ import annotations

import datetime as dt
import html
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.catalogue import Html, plain, t
from bot.config import ReminderKind, RemindersSettings
from bot.formatting import clock, session_name, short_date, shorten
from bot.models import ParticipantStatus
from bot.programme import Session, SessionKind
from bot.services.absences import REASON_MAX, AbsenceError, clean_reason
from bot.services.participants import ParticipantView
from bot.services.pending import Pending, PendingKind
from bot.services.sessions import Timetable
from bot.views.keyboards import Button, keyboard
from bot.views.reminders import NO, YES
from bot.views.sessions import short_label
from handlers.context import Context, drop_buttons, reply, services, user_id
from scheduling.planner import timings_for

log = logging.getLogger(__name__)

MAX_CHOICES = 8
TOAST_MAX = 200  # Telegram's limit for the text of a button's pop-up

_ERRORS = {
    "unknown_session": "absences.session_gone",
    "already_started": "absences.started",
    "not_a_participant": "absences.only_participants",
    "reason_too_long": "absences.reason_too_long",
}


# -- shared ------------------------------------------------------------------------------------


async def _participant(update: Update, context: Context) -> ParticipantView | None:
    """The approved participant behind this update; tells anyone else why not."""
    found = await services(context).participants.by_telegram_id(user_id(update) or 0)
    if found is not None and found.status is ParticipantStatus.APPROVED:
        return found
    key = (
        "absences.pending"
        if found is not None and found.status is ParticipantStatus.PENDING
        else "absences.only_participants"
    )
    query = update.callback_query
    if query is not None:
        await query.answer(plain(key), show_alert=True)
    else:
        await reply(update, context, t(key))
    return None


def _date(session: Session) -> str:
    return f"{short_date(session.starts_at.date())}, {clock(session.starts_at)}"


def _error_text(error: AbsenceError, session: Session | None) -> Html:
    name = session_name(session) if session else ""
    return t(_ERRORS.get(error.code, "absences.session_gone"), name=name, limit=REASON_MAX)


def _error_toast(error: AbsenceError, session: Session) -> str:
    """The same, as plain text for a button's pop-up."""
    key = _ERRORS.get(error.code, "absences.session_gone")
    text = plain(key, name=html.unescape(session_name(session)), limit=REASON_MAX)
    return shorten(text, TOAST_MAX)


# -- buttons -----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """``rem:yes|no|skip|pick:<session key>`` and ``rem:pref:<kind>``."""
    query = update.callback_query
    if query is None:
        return
    action, _, argument = (query.data or "").removeprefix("rem:").partition(":")
    person = await _participant(update, context)
    if person is None:
        return
    if action == "pref":
        await _toggle_preference(update, context, person, argument)
        return
    svc = services(context)
    session = (await svc.sessions.timetable()).get(argument)
    if session is None or action not in {"yes", "no", "skip", "pick"}:
        await query.answer(plain("absences.session_gone"), show_alert=True)
        return
    try:
        await _answer(update, context, person, session, action)
    except AbsenceError as error:
        await query.answer(_error_toast(error, session), show_alert=True)


async def _answer(
    update: Update, context: Context, person: ParticipantView, session: Session, action: str
) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    now = svc.now()
    name, date = session_name(session), _date(session)
    if action == "yes":
        cleared = await svc.absences.clear(person.id, session.key, now)
        await svc.pending.clear(query.from_user.id, PendingKind.ABSENCE_REASON)
        await query.answer(plain("absences.coming_toast"))
        key = "absences.coming_again" if cleared else "absences.coming"
        await reply(update, context, t(key, name=name, date=date))
        return
    absence = await svc.absences.get(person.id, session.key)
    if action == "skip":
        await svc.pending.clear(query.from_user.id, PendingKind.ABSENCE_REASON)
        await query.answer()
        key = "absences.recorded_no_reason" if absence else "absences.nothing"
        await reply(update, context, t(key, name=name))
        await drop_buttons(update)
        return
    if action == "pick" and absence is not None:
        await query.answer()
        reason = t("absences.current_reason", reason=absence.reason) if absence.reason else ""
        markup = keyboard([[
            (t("absences.button_come"), f"{YES}:{session.key}"),
            (t("absences.button_change_reason"), f"{NO}:{session.key}"),
        ]])
        text = t("absences.already", name=name, date=date, reason=reason)
        await reply(update, context, text, reply_markup=markup)
        return
    await svc.absences.set(person.id, session.key, now, keep_reason=True)
    await svc.pending.start(
        query.from_user.id,
        PendingKind.ABSENCE_REASON,
        {"participant_id": person.id, "session_key": session.key},
        now,
    )
    await query.answer(plain("absences.absent_toast"))
    markup = keyboard([[(t("absences.skip"), f"rem:skip:{session.key}")]])
    await reply(update, context, t("absences.ask_reason", name=name, date=date),
                reply_markup=markup)


# -- the typed reason ----------------------------------------------------------------------------


async def take_reason(update: Update, context: Context, pending: Pending) -> bool:
    """A typed reason after "Ik kan niet"; a message without text passes on."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    svc = services(context)
    person = await svc.participants.by_telegram_id(pending.telegram_id)
    key = pending.get_str("session_key")
    if person is None or person.status is not ParticipantStatus.APPROVED or key is None:
        await svc.pending.clear(pending.telegram_id, PendingKind.ABSENCE_REASON)
        return False
    now = svc.now()
    session = (await svc.sessions.timetable()).get(key)
    try:
        reason = clean_reason(message.text)
        await svc.absences.set_reason(person.id, key, reason, now)
    except AbsenceError as error:
        if error.code != "reason_too_long":
            await svc.pending.clear(pending.telegram_id, PendingKind.ABSENCE_REASON)
        await reply(update, context, _error_text(error, session))
        return True
    await svc.pending.clear(pending.telegram_id, PendingKind.ABSENCE_REASON)
    assert session is not None  # set_reason refuses an unknown session
    await reply(
        update,
        context,
        t("absences.reason_saved", name=session_name(session), date=_date(session),
          reason=reason or "-"),
    )
    return True


# -- /afmelden -----------------------------------------------------------------------------------


def _choices(
    timetable: Timetable, now: dt.datetime, mine: dict[str, str | None]
) -> tuple[Html, InlineKeyboardMarkup | None]:
    upcoming = [s for s in timetable.sessions if s.starts_at > now][:MAX_CHOICES]
    if not upcoming:
        return t("absences.none_upcoming"), None
    lines = [
        t(
            "absences.current_line",
            name=session_name(s),
            date=_date(s),
            reason=t("absences.current_reason", reason=mine[s.key]) if mine[s.key] else "",
        )
        for s in upcoming
        if s.key in mine
    ]
    current = t("absences.current", lines=Html("\n".join(lines))) if lines else ""
    rows = [[(short_label(s, absent=s.key in mine), f"rem:pick:{s.key}")] for s in upcoming]
    return t("absences.choose", current=current), keyboard(rows)


async def afmelden_command(update: Update, context: Context) -> None:
    person = await _participant(update, context)
    if person is None:
        return
    svc = services(context)
    timetable = await svc.sessions.timetable()
    mine = await svc.absences.for_participant(person.id)
    text, markup = _choices(timetable, svc.now(), mine)
    await reply(update, context, text, reply_markup=markup)


# -- /herinneringen --------------------------------------------------------------------------------


def _timing_text(settings: RemindersSettings, kind: ReminderKind) -> str | None:
    """``1 dag van tevoren om 18:00 (modules, werksessies en intervisie)``; None if unused."""
    groups: dict[str, list[str]] = {}
    for session_kind in SessionKind:
        timing = timings_for(session_kind, settings).get(kind)
        if timing is None:
            continue
        if timing.hours_before is not None:
            hours = f"{timing.hours_before:g}".replace(".", ",")
            text = plain("reminders.timing_hours", hours=hours)
        elif timing.days_before == 0 and timing.at is not None:
            text = plain("reminders.timing_same_day", at=clock(timing.at))
        else:
            assert timing.at is not None
            assert timing.days_before is not None
            text = plain("reminders.timing_days", count=timing.days_before, at=clock(timing.at))
        groups.setdefault(text, []).append(plain(f"reminders.kind_{session_kind.value}"))
    if not groups:
        return None
    parts = []
    for text, kinds in groups.items():
        names = kinds[0] if len(kinds) == 1 else plain(
            "reminders.kinds_pair", first=", ".join(kinds[:-1]), second=kinds[-1]
        )
        parts.append(plain("reminders.timing_for", timing=text, kinds=names))
    return plain("reminders.timing_join").join(parts)


def preferences_view(
    settings: RemindersSettings, chosen: dict[ReminderKind, bool]
) -> tuple[Html, InlineKeyboardMarkup | None]:
    lines: list[str] = []
    rows: list[list[Button]] = []
    for kind in ReminderKind:
        timing = _timing_text(settings, kind)
        if timing is None or not settings.enabled:
            continue
        label = plain(f"reminders.label_{kind.value}")
        on = chosen.get(kind, True)
        lines.append(t("reminders.preference_on" if on else "reminders.preference_off",
                       label=label, timing=timing))
        button = t("reminders.button_off" if on else "reminders.button_on", label=label)
        rows.append([(button, f"rem:pref:{kind.value}")])
    if not lines:
        return t("reminders.none_configured"), None
    return t("reminders.preferences", lines=Html("\n".join(lines))), keyboard(rows)


async def preferences_command(update: Update, context: Context) -> None:
    person = await _participant(update, context)
    if person is None:
        return
    svc = services(context)
    chosen = await svc.reminders.preferences(person.id)
    text, markup = preferences_view(svc.settings.reminders, chosen)
    await reply(update, context, text, reply_markup=markup)


async def _toggle_preference(
    update: Update, context: Context, person: ParticipantView, value: str
) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    try:
        kind = ReminderKind(value)
    except ValueError:
        await query.answer(plain("fallback.stale_button"))
        return
    chosen = await svc.reminders.preferences(person.id)
    enabled = not chosen[kind]
    await svc.reminders.set_preference(person.id, kind, enabled, svc.now())
    chosen[kind] = enabled
    await query.answer(plain("reminders.switched_on" if enabled else "reminders.switched_off"))
    text, markup = preferences_view(svc.settings.reminders, chosen)
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except TelegramError as error:
        log.debug("could not update the preferences: %s", error)
