"""The coordinator's side of registration: new applications, decisions, the list, invites."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.catalogue import Html, t
from bot.formatting import short_date
from bot.models import ParticipantStatus
from bot.numbers import whole_number
from bot.programme_file import EligibilitySection
from bot.services import eligibility
from bot.services.invites import DEFAULT_DAYS, MAX_DAYS, MAX_USES, NewInvite
from bot.services.participants import DecisionKind, ParticipantPage, ParticipantView
from bot.services.registration_steps import NAME_MAX, Problem
from handlers.context import Context, reply, send_html, services

log = logging.getLogger(__name__)

PAGE_SIZE = 10
_LIST_FIELD_MAX = 40

_REASONS = {
    eligibility.NOT_IN_GRONINGEN: "participants.reason_not_in_groningen",
    eligibility.EXPERIENCE_LESS: "participants.reason_experience_less",
    eligibility.EXPERIENCE_MORE: "participants.reason_experience_more",
    eligibility.ORGANISATION_OTHER: "participants.reason_organisation_other",
}
_LIST_STATUS = {
    ParticipantStatus.APPROVED: "participants.status_approved",
    ParticipantStatus.REJECTED: "participants.status_rejected",
    ParticipantStatus.FORGOTTEN: "participants.status_forgotten",
}


# -- shared rendering -------------------------------------------------------------------------


def organisation_label(value: str | None) -> str:
    if value == eligibility.RESIDENT:
        return t("registration.org_resident")
    if value == eligibility.OTHER:
        return t("registration.org_other")
    return value or ""


def yes_no(value: bool | None) -> Html:
    return t("registration.answer_yes") if value else t("registration.answer_no")


def status_label(person: ParticipantView) -> Html:
    if person.status is ParticipantStatus.PENDING:
        if person.fits is None:
            return t("participants.status_pending")
        key = (
            "participants.status_pending_fits"
            if person.fits
            else "participants.status_pending_maybe"
        )
        return t(key)
    if person.status is ParticipantStatus.APPROVED and not person.linked:
        return t("participants.status_approved_unlinked")
    return t(_LIST_STATUS[person.status])


def reason_list(reasons: list[str], rules: EligibilitySection) -> Html:
    parts = [
        t(
            _REASONS.get(code, "participants.reason_unknown"),
            municipality=rules.municipality,
            min=rules.experience_years_min,
            max=rules.experience_years_max,
        )
        for code in reasons
    ]
    return Html(", ".join(parts))


def application_card(
    person: ParticipantView, reasons: list[str], rules: EligibilitySection
) -> Html:
    indication = (
        t("participants.indication_fits")
        if not reasons
        else t("participants.indication_maybe", reasons=reason_list(reasons, rules))
    )
    return t(
        "participants.card",
        name=person.name or "",
        organisation_name=person.organisation_name or "",
        organisation_type=organisation_label(person.organisation_type),
        municipality=rules.municipality,
        groningen=yes_no(person.active_in_groningen),
        years=person.experience_years if person.experience_years is not None else "?",
        email=person.email or t("registration.email_none"),
        indication=indication,
    )


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


async def tell_coordinators(
    context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    for chat_id in services(context).settings.coordinators:
        await send_quietly(context, chat_id, text, markup, who=f"coordinator {chat_id}")


def decision_buttons(number: int, page: int | None = None) -> list[InlineKeyboardButton]:
    suffix = "" if page is None else f":{page}"
    return [
        InlineKeyboardButton(t("participants.approve"), callback_data=f"app:ok:{number}{suffix}"),
        InlineKeyboardButton(t("participants.reject"), callback_data=f"app:no:{number}{suffix}"),
    ]


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
    markup = None if via_invite else InlineKeyboardMarkup([decision_buttons(person.id)])
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
    svc = services(context)
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


async def drop_buttons(update: Update) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as error:
        log.debug("could not remove the buttons: %s", error)


# -- the list ---------------------------------------------------------------------------------


def _short(text: str | None) -> str:
    value = text or ""
    return value if len(value) <= _LIST_FIELD_MAX else value[: _LIST_FIELD_MAX - 1] + "…"


def _page_text(page: ParticipantPage) -> Html:
    if not page.items:
        return t("participants.list_empty")
    lines = [t("participants.list_header", total=page.total)]
    for person in page.items:
        organisation = _short(person.organisation_name) or _short(
            organisation_label(person.organisation_type)
        )
        key = "participants.line" if organisation else "participants.line_no_organisation"
        lines.append(
            t(
                key,
                number=person.id,
                name=person.name or "?",
                organisation=organisation,
                status=status_label(person),
            )
        )
    if page.pages > 1:
        lines.append(t("participants.list_page", page=page.page + 1, pages=page.pages))
    return Html("\n".join(lines))


def _page_markup(page: ParticipantPage) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for person in page.items:
        if person.status is ParticipantStatus.PENDING:
            approve, reject = decision_buttons(person.id, page.page)
            label = t("participants.button_approve", number=person.id, name=_short(person.name))
            rows.append(
                [
                    InlineKeyboardButton(label, callback_data=approve.callback_data),
                    InlineKeyboardButton(
                        t("participants.button_reject", number=person.id),
                        callback_data=reject.callback_data,
                    ),
                ]
            )
    navigation = []
    if page.page > 0:
        navigation.append(
            InlineKeyboardButton(t("participants.previous"), callback_data=f"ppl:{page.page - 1}")
        )
    if page.page + 1 < page.pages:
        navigation.append(
            InlineKeyboardButton(t("participants.next"), callback_data=f"ppl:{page.page + 1}")
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows) if rows else None


async def _show_page(update: Update, context: Context, number: int, *, edit: bool) -> None:
    page = await services(context).participants.page(number, PAGE_SIZE)
    text, markup = _page_text(page), _page_markup(page)
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


_PROBLEMS = {
    Problem.CHOOSE: "registration.problem_choose",
    Problem.EMPTY: "registration.problem_empty",
    Problem.TOO_LONG: "registration.problem_too_long",
    Problem.NO_LETTERS: "registration.problem_no_letters",
    Problem.NAME_CHARACTERS: "registration.problem_name_characters",
    Problem.YEARS_UNREADABLE: "registration.problem_years_unreadable",
    Problem.YEARS_NEGATIVE: "registration.problem_years_negative",
    Problem.YEARS_ABSURD: "registration.problem_years_absurd",
    Problem.EMAIL_INVALID: "registration.problem_email_invalid",
}


def problem_text(problem: Problem, limit: int) -> Html:
    return t(_PROBLEMS[problem], limit=limit)
