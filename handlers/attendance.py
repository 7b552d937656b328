"""/aanwezigheid for participants; /presentie (with corrections) and /export for coordinators.

Callback data: ``att:c:<session>:<participant>`` (correct this person),
``att:s:<session>:<participant>:<mark>`` (the new status; the reason is asked next),
``att:x`` (cancel a correction).

The reason for a correction is a pending input (kind ``presence_reason``): the coordinator's
typed reason reaches :func:`take_reason` through the dispatcher in handlers/pending.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatAction

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, session_name, shorten
from bot.models import ParticipantStatus
from bot.numbers import whole_number
from bot.programme import Session
from bot.services.attendance import REASON_MAX, CorrectionError
from bot.services.attendance_rules import Mark, in_window
from bot.services.attendance_views import PersonLine
from bot.services.calendar import calendar_slug
from bot.services.checkin_windows import find_session, latest_started
from bot.services.pending import Pending, PendingKind
from bot.views import export
from bot.views.attendance import overview_text, record_text, status_label
from bot.views.attendance_grid import people_in, render_grid
from bot.views.keyboards import keyboard, keyboard_or_none
from bot.views.paging import in_rows
from handlers.context import Context, reply, services, user_id

log = logging.getLogger(__name__)

_NAME_MAX = 24
_EDIT_BUTTONS_MAX = 99
_MARKS = {"p": Mark.PRESENT, "l": Mark.LATE, "e": Mark.EXCUSED, "a": Mark.ABSENT}
_STATUSES = {mark.value: mark for mark in Mark}
_NOT_PARTICIPANT = {
    ParticipantStatus.PENDING: "attendance.pending",
    ParticipantStatus.REJECTED: "attendance.rejected",
}


# -- participants -----------------------------------------------------------------------------


async def own_command(update: Update, context: Context) -> None:
    """/aanwezigheid: the person's own record and certificate progress."""
    telegram_id = user_id(update)
    if telegram_id is None:
        return
    svc = services(context)
    person = await svc.participants.by_telegram_id(telegram_id)
    if person is None:
        await reply(update, context, t("attendance.unknown"))
        return
    if person.status in _NOT_PARTICIPANT:
        await reply(update, context, t(_NOT_PARTICIPANT[person.status]))
        return
    record = await svc.attendance.views.record(person.id, svc.now())
    texts = [record_text(record, svc.programme, svc.settings.attendance)]
    for earlier in await svc.editions.participations(telegram_id):  # an alumnus keeps them
        former = await earlier.participants.by_telegram_id(telegram_id)
        if earlier is svc or former is None or former.status in _NOT_PARTICIPANT:
            continue
        past = await earlier.attendance.views.record(former.id, svc.now())
        texts.append(Html(f"{t('attendance.edition_header', edition=earlier.edition.name)}\n"
                          f"{record_text(past, earlier.programme, svc.settings.attendance)}"))
    if len(texts) > 1:
        texts[0] = Html(f"{t('attendance.edition_header', edition=svc.edition.name)}\n"
                        f"{texts[0]}")
    await reply(update, context, Html("\n\n".join(texts)))


# -- coordinators: /presentie and corrections -------------------------------------------------


def _short(line: PersonLine) -> str:
    return shorten(line.name or f"#{line.participant_id}", _NAME_MAX)


def _edit_markup(key: str, people: list[PersonLine]) -> InlineKeyboardMarkup | None:
    buttons = [
        (t("presence.edit_button", name=_short(line)), f"att:c:{key}:{line.participant_id}")
        for line in people[:_EDIT_BUTTONS_MAX]
    ]
    return keyboard_or_none([*in_rows(buttons, 2), [(t("grid.button"), GRID_BUTTON)]])


GRID_BUTTON = "att:grid"


async def grid_button(update: Update, context: Context) -> None:
    """The whole course's attendance as a picture, under /presentie."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    await query.answer()
    svc = services(context)
    now = svc.now()
    matrix = await svc.attendance.views.matrix(now)
    people = people_in(matrix)
    if not people or not matrix.sessions:
        await reply(update, context, t("grid.nothing"))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    title = plain("grid.title", course=svc.programme.data.course.name,
                  date=long_date(now.date()))
    picture = await asyncio.to_thread(render_grid, matrix, title)
    await context.bot.send_photo(
        chat.id, photo=io.BytesIO(picture), parse_mode="HTML",
        caption=t("grid.caption", participants=len(people), sessions=len(matrix.sessions)),
    )
    log.info("attendance picture sent: %d people, %d sessions", len(people), len(matrix.sessions))


async def _choose_session(
    update: Update, context: Context, given: str, now: dt.datetime
) -> Session | None:
    svc = services(context)
    timetable = await svc.sessions.timetable()
    if given:
        found = find_session(timetable, given)
        if found is None:
            await reply(update, context, t("checkin.unknown_session", given=given[:40]))
        return found
    running = next(
        (s for s in timetable.sessions if in_window(s, now, svc.settings.attendance)), None
    )
    found = running or latest_started(timetable, now)
    if found is None:
        await reply(update, context, t("presence.none"))
    return found


async def presence_command(update: Update, context: Context) -> None:
    """``/presentie [sessie]``: who is present, late, excused, absent or not checked in."""
    svc = services(context)
    now = svc.now()
    coordinator = user_id(update)
    if coordinator is not None:  # a correction left halfway is dropped
        await svc.pending.clear(coordinator, PendingKind.PRESENCE_REASON)
    found = await _choose_session(update, context, " ".join(context.args or []).strip(), now)
    if found is None:
        return
    overview = await svc.attendance.views.overview(found, now)
    markup = _edit_markup(found.key, overview.people)
    await reply(update, context, overview_text(overview), reply_markup=markup)


def _cancel_button() -> tuple[str, str]:
    return (t("presence.cancel_button"), "att:x")


def _cancel_markup() -> InlineKeyboardMarkup:
    return keyboard([[_cancel_button()]])


async def correction_button(update: Update, context: Context) -> None:
    query = update.callback_query
    coordinator = user_id(update)
    if query is None or coordinator is None:
        return
    svc = services(context)
    now = svc.now()
    parts = (query.data or "").split(":")
    if parts[:2] == ["att", "x"]:
        await svc.pending.clear(coordinator, PendingKind.PRESENCE_REASON)
        await query.answer()
        await reply(update, context, t("presence.cancelled"))
        return
    found = (await svc.sessions.timetable()).get(parts[2]) if len(parts) > 3 else None
    participant_id = whole_number(parts[3]) if len(parts) > 3 else None
    if found is None or participant_id is None:
        await query.answer(t("presence.gone"), show_alert=True)
        return
    overview = await svc.attendance.views.overview(found, now)
    line = next((p for p in overview.people if p.participant_id == participant_id), None)
    if line is None:
        await query.answer(t("presence.gone"), show_alert=True)
        return
    await query.answer()
    name = _shown_name(line)
    if parts[1] == "c":
        buttons = [
            (status_label(mark), f"att:s:{found.key}:{line.participant_id}:{code}")
            for code, mark in _MARKS.items()
            if mark.value != line.shown.value
        ]
        markup = keyboard([buttons[:2], buttons[2:], [_cancel_button()]])
        text = t("presence.choose", name=name, session=session_name(found),
                 status=status_label(line.shown))
        await reply(update, context, text, reply_markup=markup)
        return
    mark = _MARKS.get(parts[4]) if len(parts) > 4 else None
    if mark is None:
        await reply(update, context, t("presence.gone"))
        return
    await svc.pending.start(
        coordinator,
        PendingKind.PRESENCE_REASON,
        {"session_key": found.key, "participant_id": line.participant_id, "status": mark.value},
        now,
    )
    text = t("presence.ask_reason", name=name, session=session_name(found),
             new=status_label(mark), old=status_label(line.shown))
    await reply(update, context, text, reply_markup=_cancel_markup())


def _shown_name(line: PersonLine) -> str:
    return line.name or t("presence.forgotten_name", number=line.participant_id)


async def take_reason(update: Update, context: Context, pending: Pending) -> bool:
    """The coordinator's reason for a correction, then the correction is made."""
    message = update.effective_message
    text = message.text if message is not None else None
    if not text:
        return False
    coordinator = pending.telegram_id
    svc = services(context)
    participant_id, session_key = pending.get_int("participant_id"), pending.get_str("session_key")
    status = _STATUSES.get(pending.get_str("status") or "")
    if participant_id is None or session_key is None or status is None:
        await svc.pending.clear(coordinator, PendingKind.PRESENCE_REASON)
        await reply(update, context, t("presence.gone"))
        return True
    try:
        correction = await svc.attendance.correct(
            participant_id, session_key, status, text, by=coordinator, now=svc.now()
        )
    except CorrectionError as error:
        if error.code == "reason_too_long":
            await reply(update, context, t("presence.reason_too_long", limit=REASON_MAX),
                        reply_markup=_cancel_markup())
            return True
        await svc.pending.clear(coordinator, PendingKind.PRESENCE_REASON)
        await reply(update, context, t("presence.gone"))
        return True
    await svc.pending.clear(coordinator, PendingKind.PRESENCE_REASON)
    name = correction.name or t("presence.forgotten_name", number=correction.participant_id)
    old = status_label(correction.old) if correction.old else t("presence.no_status")
    await reply(
        update,
        context,
        t("presence.corrected", name=name, session=session_name(correction.session), old=old,
          new=status_label(correction.new), reason=text.strip()),
    )
    return True


# -- coordinators: /export --------------------------------------------------------------------


async def export_command(update: Update, context: Context) -> None:
    """/export: the whole course's attendance as CSV and XLSX."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    now = svc.now()
    matrix = await svc.attendance.views.matrix(now)
    name = f"aanwezigheid-{calendar_slug(svc.programme)}-{now:%Y-%m-%d}"
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(export.to_csv(matrix)),
        filename=f"{name}.csv",
        caption=t("export.caption_csv", participants=len(matrix.rows),
                  sessions=len(matrix.sessions)),
        parse_mode="HTML",
    )
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(export.to_xlsx(matrix)),
        filename=f"{name}.xlsx",
        caption=t("export.caption_xlsx"),
        parse_mode="HTML",
    )
    log.info("attendance exported: %d rows, %d sessions", len(matrix.rows), len(matrix.sessions))
