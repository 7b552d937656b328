"""A coordinator sends a programme file (.toml) as a document: every problem is listed, or
the changes are shown and applied after *Toepassen* (bot/services/programme_uploads.py)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.catalogue import Html, plain, t
from bot.formatting import clock, session_name, short_date, time_range
from bot.numbers import whole_number
from bot.problems import describe_problems
from bot.programme import ProgrammeError, Session
from bot.services.programme_uploads import (
    MAX_BYTES,
    Change,
    Comparison,
    SessionChange,
    compare,
    decode,
)
from bot.views.keyboards import keyboard
from handlers.context import Context, drop_buttons, reply, services, user_id
from scheduling.reminders import scheduler_of

log = logging.getLogger(__name__)

PREFIX = "prg"
SHOWN_CHANGES = 25


async def document(update: Update, context: Context) -> None:
    """A .toml document from a coordinator in their private chat."""
    message, coordinator = update.effective_message, user_id(update)
    if message is None or message.document is None or coordinator is None:
        return
    svc = services(context)
    file_name = message.document.file_name or "programma.toml"
    if (message.document.file_size or 0) > MAX_BYTES:
        await reply(update, context, t("programme_upload.too_big", limit=MAX_BYTES // 1024))
        return
    content = bytes(await (await message.document.get_file()).download_as_bytearray())
    if len(content) > MAX_BYTES:
        await reply(update, context, t("programme_upload.too_big", limit=MAX_BYTES // 1024))
        return
    try:
        text = decode(content, file_name)
        programme = svc.programme_uploads.parse(text, file_name)
    except ProgrammeError as error:
        log.info("uploaded programme refused: %d problem(s)", len(error.problems))
        problems = Html("\n".join(f"• {line}" for line in describe_problems(error)))
        await reply(update, context, t("programme_upload.refused", file=file_name,
                                       problems=problems))
        return
    comparison = compare(svc.programme, programme)
    now = svc.now()
    past = [c for c in comparison.sessions if c.touches_past(now)]
    if past:
        lines = Html("\n".join(t("programme_upload.past_line", session=session_name(c.session),
                                 date=short_date(c.session.starts_at.date())) for c in past))
        await reply(update, context, t("programme_upload.past", sessions=lines))
        return
    if comparison.unchanged:
        await reply(update, context, t("programme_upload.unchanged"))
        return
    upload_id = await svc.programme_uploads.store(file_name, text, coordinator, now)
    await reply(update, context, _preview(file_name, comparison, len(programme.sessions)),
                reply_markup=keyboard([[
                    (plain("programme_upload.button_apply"), f"{PREFIX}:ok:{upload_id}"),
                    (plain("programme_upload.button_cancel"), f"{PREFIX}:no:{upload_id}"),
                ]]))


def _preview(file_name: str, comparison: Comparison, count: int) -> Html:
    lines = [_change_line(change) for change in comparison.sessions[:SHOWN_CHANGES]]
    rest = len(comparison.sessions) - SHOWN_CHANGES
    if rest > 0:
        lines.append(t("programme_upload.preview_more", count=rest))
    course = (t("programme_upload.course_changed", before=comparison.course_before,
                after=comparison.course_after)
              if comparison.course_before != comparison.course_after else "")
    return t("programme_upload.preview", file=file_name, course=course, count=count,
             changes=Html("\n".join(lines)))


def _when(session: Session) -> str:
    return f"{short_date(session.starts_at.date())} {time_range(session)}"


def _change_line(change: SessionChange) -> Html:
    name = session_name(change.session)
    before, after = change.before, change.after
    if change.change is Change.ADDED and after is not None:
        return t("programme_upload.change_added", session=name, when=_when(after))
    if change.change is Change.REMOVED and before is not None:
        return t("programme_upload.change_removed", session=name, when=_when(before))
    if change.change is Change.MOVED and before is not None and after is not None:
        return t("programme_upload.change_moved", session=name, before=_when(before),
                 after=f"{short_date(after.starts_at.date())} {clock(after.starts_at)}–"
                       f"{clock(after.ends_at)}")
    if change.change is Change.PLACE and before is not None and after is not None:
        nowhere = plain("programme_upload.no_place")
        return t("programme_upload.change_place", session=name,
                 before=before.location or nowhere, after=after.location or nowhere)
    return t(f"programme_upload.change_{change.change.value}", session=name)


async def button(update: Update, context: Context) -> None:
    """``prg:ok:<upload>`` applies (once), ``prg:no:<upload>`` cancels (coordinators)."""
    query = update.callback_query
    if query is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    upload_id = whole_number(parts[2]) if len(parts) == 3 else None
    if upload_id is None or parts[1] not in ("ok", "no"):
        await query.answer(plain("programme_upload.handled"), show_alert=True)
        return
    if parts[1] == "no":
        if not await svc.programme_uploads.drop(upload_id, svc.now()):
            await query.answer(plain("programme_upload.handled"), show_alert=True)
            return
        await query.answer()
        await drop_buttons(update)
        await reply(update, context, t("programme_upload.cancelled"))
        return
    applied = await svc.programme_uploads.apply(upload_id, svc.now())
    if applied is None:
        await query.answer(plain("programme_upload.handled"), show_alert=True)
        return
    await query.answer()
    programme, text = applied
    await svc.editions.set_programme_text(svc.edition.id, text)
    svc.use_programme(programme)
    scheduler_of(context.bot_data).request_sync()  # notices go out, reminders move
    log.info("programme in force: %s", programme.source)
    await drop_buttons(update)
    await reply(update, context, t("programme_upload.applied", count=len(programme.sessions),
                                   file=programme.source.removeprefix("Telegram: ")))
