"""/privacy, /mijngegevens and /vergeetmij: what is stored, a copy of it, and erasing it."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.catalogue import Html, t
from bot.formatting import clock, session_name, short_date
from bot.models import ParticipantStatus
from bot.services.privacy import STORED_PARTS
from handlers import participants
from handlers.context import Context, reply, services

log = logging.getLogger(__name__)

EXPORT_FILENAME = "wijkbot-mijn-gegevens.json"

_STATUS = {
    ParticipantStatus.PENDING: "privacy.status_pending",
    ParticipantStatus.APPROVED: "privacy.status_approved",
    ParticipantStatus.REJECTED: "privacy.status_rejected",
    ParticipantStatus.FORGOTTEN: "privacy.status_forgotten",
}
_FORMER_STATUS = {
    ParticipantStatus.APPROVED: "participants.status_approved",
    ParticipantStatus.REJECTED: "participants.status_rejected",
}
_DRAFT_LABELS = {
    "suggested_name": "privacy.answer_suggested_name",
    "consent_at": "privacy.answer_consent",
    "name": "registration.edit_name",
    "organisation_type": "registration.edit_org",
    "organisation_name": "privacy.answer_organisation_name",
    "active_in_groningen": "registration.edit_gr",
    "experience_years": "registration.edit_years",
    "email": "registration.edit_email",
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


def _moment(value: object, context: Context) -> str:
    if not isinstance(value, str):
        return t("privacy.unknown_value")
    moment = dt.datetime.fromisoformat(value).astimezone(services(context).settings.tz)
    return f"{short_date(moment.date())}, {clock(moment)}"


def _session(key: str, context: Context) -> str:
    session = services(context).programme.session(key)
    return session_name(session) if session else key


def _value(value: Any) -> str:
    if value is None or value == "":
        return t("privacy.unknown_value")
    if isinstance(value, bool):
        return participants.yes_no(value)
    return str(value)


def _draft_answers(answers: dict[str, Any], context: Context) -> Html:
    lines = []
    for key, label in _DRAFT_LABELS.items():
        if key not in answers:
            continue
        value = answers[key]
        if key == "consent_at":
            shown = _moment(value, context)
        elif key == "organisation_type":
            shown = participants.organisation_label(value if isinstance(value, str) else None)
        else:
            shown = _value(value)
        lines.append(t("privacy.answer_line", label=t(label), value=shown))
    return Html("\n".join(lines)) if lines else t("privacy.mine_no_answers")


def _mine_text(data: dict[str, Any], context: Context) -> Html:
    rules = services(context).programme.data.eligibility
    parts = [t("privacy.mine_header")]
    contact = data.get("contact")
    if contact:
        parts.append(
            t(
                "privacy.mine_contact",
                telegram_id=data["telegram_id"],
                first_seen=_moment(contact["first_seen_at"], context),
                last_seen=_moment(contact["last_seen_at"], context),
            )
        )
    person = data.get("participant")
    if person:
        parts.append(
            t(
                "privacy.mine_participant",
                number=person["number"],
                status=t(_STATUS[ParticipantStatus(person["status"])]),
                name=_value(person["name"]),
                organisation_name=_value(person["organisation_name"]),
                organisation_type=participants.organisation_label(person["organisation_type"]),
                municipality=rules.municipality,
                groningen=_value(person["active_in_groningen"]),
                years=_value(person["experience_years"]),
                email=_value(person["email"]),
                consent=_moment(person["consent_at"], context),
                applied=_moment(person["applied_at"], context),
            )
        )
    draft = data.get("registration_in_progress")
    if draft:
        parts.append(
            t(
                "privacy.mine_draft",
                answers=_draft_answers(draft["answers"], context),
                updated=_moment(draft["updated_at"], context),
            )
        )
    if data["questions"]:
        lines = [
            t(
                "privacy.mine_question_line",
                when=_moment(q["asked_at"], context),
                text=q["question"],
            )
            for q in data["questions"]
        ]
        parts.append(t("privacy.mine_questions", questions=Html("\n".join(lines))))
    if data["absences"]:
        lines = [
            t(
                "privacy.mine_absence_line",
                session=_session(a["session"], context),
                reason=_value(a["reason"]),
            )
            for a in data["absences"]
        ]
        parts.append(t("privacy.mine_absences", absences=Html("\n".join(lines))))
    parts.append(t("privacy.mine_footer"))
    return Html("\n\n".join(parts))


async def mine_command(update: Update, context: Context) -> None:
    """Everything stored about the person: as a message and as a JSON file."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    data = await services(context).privacy.export(user.id)
    if not any(data[key] for key in STORED_PARTS):
        await reply(update, context, t("privacy.mine_nothing"))
        return
    await reply(update, context, _mine_text(data, context))
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
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
    if not await services(context).privacy.has_data(user.id):
        await reply(update, context, t("privacy.forget_nothing"))
        return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("privacy.forget_yes"), callback_data="priv:forget")],
            [InlineKeyboardButton(t("privacy.forget_no"), callback_data="priv:keep")],
        ]
    )
    await reply(update, context, t("privacy.forget_confirm"), reply_markup=markup)


async def forget_button(update: Update, context: Context) -> None:
    """``priv:forget`` erases after the confirmation; ``priv:keep`` leaves everything."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    await participants.drop_buttons(update)
    if query.data != "priv:forget":
        await reply(update, context, t("privacy.forget_kept"))
        return
    svc = services(context)
    result = await svc.privacy.forget(user.id, svc.now())
    if not result.erased:
        await reply(update, context, t("privacy.forget_nothing"))
        return
    await reply(update, context, t("privacy.forget_done"))
    if result.participant_id is not None and result.previous_status is not None:
        status = t(_FORMER_STATUS.get(result.previous_status, "participants.status_pending"))
        await participants.tell_coordinators(
            context,
            t("privacy.coordinator_notice", number=result.participant_id, status=status),
        )
