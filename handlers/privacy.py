"""/privacy, /mijngegevens and /vergeetmij: what is stored, a copy of it, and erasing it."""

from __future__ import annotations

import io
import json
import logging

from telegram import Update

from bot.catalogue import Html, t
from bot.formatting import short_date
from bot.models import ParticipantStatus
from bot.services.privacy import STORED_PARTS
from bot.views.keyboards import keyboard
from bot.views.privacy import Course, mine_text
from handlers import participants
from handlers.context import Context, drop_buttons, reply, services

log = logging.getLogger(__name__)

EXPORT_FILENAME = "wijkbot-mijn-gegevens.json"

_FORMER_STATUS = {
    ParticipantStatus.APPROVED: "participants.status_approved",
    ParticipantStatus.REJECTED: "participants.status_rejected",
}


async def privacy_command(update: Update, context: Context) -> None:
    svc = services(context)
    data = svc.programme.data
    text = t(
        "privacy.text",
        municipality=data.eligibility.municipality,
        timeout=t("time.minutes", count=svc.settings.registration.timeout_minutes),
        end=short_date(data.course.end_date),
        organisation=data.course.organisation,
    )
    await reply(update, context, text)


async def mine_command(update: Update, context: Context) -> None:
    """Everything stored about the person: as a message and as a JSON file."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    svc = services(context)
    data = await svc.privacy.export(user.id)
    others = [s for s in await svc.editions.participations(user.id) if s is not svc]
    if not any(data[key] for key in STORED_PARTS) and not others:
        await reply(update, context, t("privacy.mine_nothing"))
        return
    texts: list[Html] = []
    editions: dict[str, object] = {}
    for edition, exported in [(svc, data)] + [(s, await s.privacy.export(user.id))
                                              for s in others]:
        editions[edition.edition.name] = exported
        # Sessions as participants know them: added, moved or cancelled with /sessie too.
        timetable = await edition.sessions.timetable()
        programme = edition.programme.with_sessions([*timetable.sessions,
                                                     *timetable.cancelled])
        text = mine_text(exported, Course(programme, svc.settings.tz))
        if others:
            text = Html(f"{t('privacy.mine_edition', edition=edition.edition.name)}\n{text}")
        texts.append(text)
    await reply(update, context, Html("\n\n".join(texts)))
    stored: object = data if not others else {"editions": editions}
    content = json.dumps(stored, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(
        chat.id,
        document=io.BytesIO(content),
        filename=EXPORT_FILENAME,
        caption=t("privacy.mine_caption"),
        parse_mode="HTML",
    )


async def forget_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    if not await svc.privacy.has_data(user.id) and not await svc.editions.participations(
        user.id
    ):
        await reply(update, context, t("privacy.forget_nothing"))
        return
    markup = keyboard(
        [[(t("privacy.forget_yes"), "priv:forget")], [(t("privacy.forget_no"), "priv:keep")]]
    )
    await reply(update, context, t("privacy.forget_confirm"), reply_markup=markup)


async def forget_button(update: Update, context: Context) -> None:
    """``priv:forget`` erases after the confirmation; ``priv:keep`` leaves everything."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    await drop_buttons(update)
    if query.data != "priv:forget":
        await reply(update, context, t("privacy.forget_kept"))
        return
    svc = services(context)
    editions = [svc, *(s for s in await svc.editions.participations(user.id) if s is not svc)]
    results = [await edition.privacy.forget(user.id, svc.now())  # every participation
               for edition in editions]
    if not any(result.erased for result in results):
        await reply(update, context, t("privacy.forget_nothing"))
        return
    await reply(update, context, t("privacy.forget_done"))
    for result in results:
        if result.participant_id is not None and result.previous_status is not None:
            status = t(_FORMER_STATUS.get(result.previous_status,
                                          "participants.status_pending"))
            await participants.tell_coordinators(
                context,
                t("privacy.coordinator_notice", number=result.participant_id, status=status),
            )
