"""The coordinator's side of registration: new applications, decisions, the list, invites."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.catalogue import Html, t
from bot.formatting import short_date
from bot.numbers import whole_number
from bot.services.invites import DEFAULT_DAYS, MAX_DAYS, MAX_USES, NewInvite
from bot.services.participants import DecisionKind, ParticipantView
from bot.services.registration_steps import NAME_MAX, Problem
from bot.services.registry import Services
from bot.views.keyboards import keyboard
from bot.views.participants import (
    application_card,
    decision_buttons,
    page_markup,
    page_text,
    problem_text,
    status_label,
)
from handlers.context import Context, drop_buttons, reply, send_html, services

log = logging.getLogger(__name__)

PAGE_SIZE = 10


# -- telling people ---------------------------------------------------------------------------


async def send_quietly(
    context: Context,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    who: str,
) -> bool:
    """Send, but a chat that blocked the bot or never started it does not break the caller.

    ``who`` names the receiver in the log without personal data ("participant #12").
    """
    try:
        await send_html(context, chat_id, text, reply_markup=markup)
    except TelegramError as error:
        log.warning("could not send a message to %s: %s", who, error)
        return False
    return True


async def edition_of_participant(svc: Services, participant_id: int) -> Services:
    """The edition an application belongs to: a notification's buttons work whichever
    edition the coordinator is working in."""
    if await svc.participants.get(participant_id) is not None:
        return svc
    for other in svc.editions.all():
        if await other.participants.get(participant_id) is not None:
            return other
    return svc


async def tell_coordinators(
    context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    for chat_id in services(context).settings.coordinators:
        await send_quietly(context, chat_id, text, markup, who=f"coordinator {chat_id}")


async def notify_application(
    context: Context, person: ParticipantView, reasons: list[str], via_invite: bool
) -> None:
    """Every coordinator hears of a new application; pending ones come with the two buttons."""
    rules = services(context).programme.data.eligibility
    header = t(
        "participants.new_by_invite" if via_invite else "participants.new_application",
        number=person.id,
    )
    text = Html(f"{header}\n{application_card(person, reasons, rules)}")
    markup = None if via_invite else keyboard([decision_buttons(person.id)])
    await tell_coordinators(context, text, markup)


# -- decisions --------------------------------------------------------------------------------


async def decision_button(update: Update, context: Context) -> None:
    """``app:ok:<id>[:<page>]`` / ``app:no:<id>[:<page>]`` from a notification or the list."""
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    number = whole_number(parts[2]) if len(parts) > 2 else None
    if number is None:
        await query.answer(t("fallback.stale_button"))
        return
    svc = await edition_of_participant(services(context), number)
    approve = parts[1] == "ok"
    decision = await svc.participants.decide(number, approve, svc.now())
    person = decision.participant
    if decision.kind is DecisionKind.GONE or person is None:
        await query.answer(t("participants.gone"), show_alert=True)
    elif decision.kind is DecisionKind.ALREADY:
        await query.answer(t("participants.already", status=status_label(person)), show_alert=True)
    else:
        await query.answer()
        key = "participants.approved" if approve else "participants.rejected"
        await reply(update, context, t(key, name=person.name or "", number=person.id))
        await _tell_outcome(context, person, approve)
    page = whole_number(parts[3]) if len(parts) > 3 else None
    if page is not None:
        await _show_page(update, context, page, edit=True)
    else:
        await drop_buttons(update)


async def _tell_outcome(context: Context, person: ParticipantView, approved: bool) -> None:
    if person.chat_id is None:
        return
    course = services(context).programme.data.course
    key = "registration.decision_approved" if approved else "registration.decision_rejected"
    text = t(key, name=person.name or "", course=course.name, organisation=course.organisation)
    if not await send_quietly(context, person.chat_id, text, who=f"participant #{person.id}"):
        await tell_coordinators(
            context, t("participants.not_reached", name=person.name or "", number=person.id)
        )


# -- the list ---------------------------------------------------------------------------------


async def _show_page(update: Update, context: Context, number: int, *, edit: bool) -> None:
    page = await services(context).participants.page(number, PAGE_SIZE)
    text, markup = page_text(page), page_markup(page)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
        except TelegramError as error:
            log.debug("could not update the list: %s", error)
        return
    await reply(update, context, text, reply_markup=markup)


async def list_command(update: Update, context: Context) -> None:
    args = context.args or []
    given = whole_number(args[0]) if args else None
    number = given - 1 if given else 0
    await _show_page(update, context, number, edit=False)


async def page_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    number = whole_number((query.data or "").removeprefix("ppl:"))
    await _show_page(update, context, number or 0, edit=True)


# -- invites ----------------------------------------------------------------------------------


def invite_link(context: Context, invite: NewInvite) -> str:
    return f"https://t.me/{context.bot.username}?start={invite.payload}"


def _validity(context: Context, days: int) -> tuple[dt.timedelta, str]:
    """Valid through the whole of the last day: until midnight after it (local time)."""
    now = services(context).now()
    last_day = now.date() + dt.timedelta(days=days)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
    return end - now, short_date(last_day)


async def invite_command(update: Update, context: Context) -> None:
    """``/uitnodiging [AANTAL] [DAGEN]``: a link that approves whoever registers through it."""
    args = context.args or []
    numbers = [n for n in map(whole_number, args) if n is not None]
    uses = numbers[0] if numbers else 1
    days = numbers[1] if len(numbers) > 1 else DEFAULT_DAYS
    if (
        len(numbers) != len(args)
        or len(args) > 2
        or not (1 <= uses <= MAX_USES)
        or not (1 <= days <= MAX_DAYS)
    ):
        await reply(
            update,
            context,
            t("invites.usage", days=DEFAULT_DAYS, max_uses=MAX_USES, max_days=MAX_DAYS),
        )
        return
    svc = services(context)
    valid_for, until = _validity(context, days)
    invite = await svc.invites.create(svc.now(), uses, valid_for)
    text = t(
        "invites.created",
        link=invite_link(context, invite),
        uses=t("invites.uses", count=uses),
        until=until,
    )
    await reply(update, context, text)


async def add_command(update: Update, context: Context) -> None:
    """``/toevoegen Naam``: an approved participant plus a personal single-use link."""
    name = " ".join(context.args or [])
    if not name.strip():
        await reply(update, context, t("invites.add_usage"))
        return
    svc = services(context)
    valid_for, until = _validity(context, DEFAULT_DAYS)
    added = await svc.invites.add_by_hand(name, svc.now(), valid_for)
    if isinstance(added, Problem):
        problem = problem_text(added, NAME_MAX)
        await reply(update, context, t("invites.add_refused", problem=problem))
        return
    person, invite = added
    text = t(
        "invites.added",
        name=person.name or "",
        number=person.id,
        link=invite_link(context, invite),
        until=until,
    )
    await reply(update, context, text)
