"""/aanmelden and /annuleren: the registration questions, answered with buttons or typed text.

A registration in progress is a pending input (kind ``registration``): typed answers reach
:func:`take_answer` through the dispatcher in handlers/pending.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Html, plain, t
from bot.models import ParticipantStatus
from bot.numbers import whole_number
from bot.programme_file import EligibilitySection
from bot.services import eligibility
from bot.services.eligibility import EligibilityAssessment, organisation_types
from bot.services.invites import InviteCheck, InviteProblem
from bot.services.participants import ParticipantView
from bot.services.pending import Pending
from bot.services.registration import BeginKind, Draft, Outcome, OutcomeKind
from bot.services.registration_steps import EDITABLE, NAME_MAX, TEXT_MAX, Problem, Step
from bot.services.registry import Services
from bot.views.keyboards import keyboard
from bot.views.paging import in_rows
from bot.views.participants import organisation_label, problem_text, yes_no
from handlers import participants, registration_choice
from handlers.context import (
    Context,
    drop_buttons,
    replace_message,
    reply,
    send_html,
    services,
    user_id,
)

log = logging.getLogger(__name__)

# A tap on an answered question this long after the answer is not a double tap.
SHOW_AGAIN_AFTER = dt.timedelta(seconds=5)

_INVITE_PROBLEMS = {
    InviteProblem.UNKNOWN: "invites.unknown",
    InviteProblem.EXPIRED: "invites.expired",
    InviteProblem.USED_UP: "invites.used_up",
}
_EDIT_LABELS = {
    "name": "registration.edit_name",
    "org": "registration.edit_org",
    "gr": "registration.edit_gr",
    "years": "registration.edit_years",
    "email": "registration.edit_email",
}


def question(draft: Draft, svc: Services) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The question for the draft's current step, with its buttons."""
    rules = svc.programme.data.eligibility
    step = draft.step
    answers = draft.answers
    if step is Step.CONSENT:
        text = t(
            "registration.intro",
            course=svc.programme.data.course.name,
            municipality=rules.municipality,
        )
        if draft.has_invite:
            text = Html(f"{t('registration.invite_note')}\n\n{text}")
        return text, keyboard(
            [
                [(t("registration.consent_yes"), "reg:consent:yes")],
                [(t("registration.consent_no"), "reg:consent:no")],
            ]
        )
    if step is Step.NAME:
        if draft.suggested_name is None:
            return t("registration.ask_name_typed"), None
        return t("registration.ask_name"), keyboard(
            [[(draft.suggested_name, "reg:name:suggested")]]
        )
    if step is Step.ORG_TYPE:
        options = [
            (organisation_label(option), f"reg:org:{index}")
            for index, option in enumerate(organisation_types(rules))
        ]
        return t("registration.ask_org_type"), keyboard(in_rows(options, 2))
    if step is Step.ORG_OTHER:
        return t("registration.ask_org_other"), None
    if step is Step.ORG_NAME:
        resident = answers.get("organisation_type") == eligibility.RESIDENT
        key = "registration.ask_org_name_resident" if resident else "registration.ask_org_name"
        return t(key), None
    if step is Step.GRONINGEN:
        return t("registration.ask_groningen", municipality=rules.municipality), keyboard(
            [[(t("registration.yes"), "reg:gr:1"), (t("registration.no"), "reg:gr:0")]]
        )
    if step is Step.YEARS:
        return t("registration.ask_years"), None
    if step is Step.EMAIL:
        return t("registration.ask_email"), keyboard(
            [[(t("registration.skip"), "reg:email:skip")]]
        )
    if step is Step.CONFIRM:
        return summary(answers, rules), keyboard(
            [
                [(t("registration.confirm_ok"), "reg:confirm:ok")],
                [(t("registration.confirm_edit"), "reg:confirm:edit")],
            ]
        )
    choices: list[tuple[str, str]] = [(t(_EDIT_LABELS[key]), f"reg:edit:{key}") for key in EDITABLE]
    choices.append((t("registration.edit_back"), "reg:edit:back"))
    return t("registration.ask_edit"), keyboard(in_rows(choices, 2))


def summary(values: Mapping[str, Any], rules: EligibilitySection) -> Html:
    email = values.get("email")
    return t(
        "registration.summary",
        name=values.get("name") or "",
        organisation_name=values.get("organisation_name") or "",
        organisation_type=organisation_label(_text(values.get("organisation_type"))),
        municipality=rules.municipality,
        groningen=yes_no(bool(values.get("active_in_groningen"))),
        years=values.get("experience_years"),
        email=email if email else t("registration.email_none"),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def ask(context: Context, chat_id: int, draft: Draft, problem: Problem | None = None) -> None:
    text, markup = question(draft, services(context))
    if problem is not None:
        limit = NAME_MAX if draft.step is Step.NAME else TEXT_MAX
        text = Html(f"{problem_text(problem, limit)}\n\n{text}")
    await send_html(context, chat_id, text, reply_markup=markup)


def indication(
    person: ParticipantView, assessment: EligibilityAssessment, rules: EligibilitySection
) -> Html:
    """The fit against "Voor wie?", criterion by criterion, never a rejection."""
    reasons = set(assessment.reasons)
    limits = {"min": rules.experience_years_min, "max": rules.experience_years_max}
    label = organisation_label(person.organisation_type)
    lines = [t("registration.fit.fits" if assessment.fits else "registration.fit.maybe")]
    if eligibility.NOT_IN_GRONINGEN in reasons:
        lines.append(t("registration.fit.not_in_groningen", municipality=rules.municipality))
    elif eligibility.GRONINGEN_UNKNOWN not in reasons:
        lines.append(t("registration.fit.groningen", municipality=rules.municipality))
    if eligibility.EXPERIENCE_LESS in reasons:
        lines.append(t("registration.fit.experience_less", **limits))
    elif eligibility.EXPERIENCE_MORE in reasons:
        lines.append(t("registration.fit.experience_more", years=person.experience_years, **limits))
    elif eligibility.EXPERIENCE_UNKNOWN not in reasons:
        lines.append(t("registration.fit.years", years=person.experience_years, **limits))
    if eligibility.ORGANISATION_OTHER in reasons:
        lines.append(t("registration.fit.organisation_other", organisation=label))
    elif person.organisation_type == eligibility.RESIDENT:
        lines.append(t("registration.fit.resident"))
    elif eligibility.ORGANISATION_UNKNOWN not in reasons:
        lines.append(t("registration.fit.organisation", organisation=label))
    if reasons & {
        eligibility.GRONINGEN_UNKNOWN,
        eligibility.EXPERIENCE_UNKNOWN,
        eligibility.ORGANISATION_UNKNOWN,
    }:
        lines.append(t("registration.fit.unknown"))
    return Html("\n".join(lines) + "\n\n" + t("registration.fit.footer"))


def status_text(person: ParticipantView, svc: Services) -> Html:
    course = svc.programme.data.course
    if person.status is ParticipantStatus.APPROVED:
        return t("registration.status_approved", course=course.name)
    if person.status is ParticipantStatus.REJECTED:
        return t("registration.status_rejected", organisation=course.organisation)
    return t("registration.status_pending")


async def _follow_up(update: Update, context: Context, outcome: Outcome) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    if outcome.kind in {OutcomeKind.NEXT, OutcomeKind.RETRY} and outcome.draft is not None:
        await ask(context, chat.id, outcome.draft, outcome.problem)
    elif outcome.kind is OutcomeKind.EXPIRED:
        await reply(update, context, t("registration.expired"))
    elif outcome.kind is OutcomeKind.CANCELLED:
        await reply(update, context, t("registration.declined"))
    elif outcome.kind is OutcomeKind.ALREADY and outcome.participant is not None:
        await reply(update, context, status_text(outcome.participant, svc))
    elif outcome.kind is OutcomeKind.SUBMITTED and outcome.submission is not None:
        submission = outcome.submission
        person = submission.participant
        course = svc.programme.data.course
        if submission.via_invite:
            text = t("registration.submitted_invite", name=person.name or "", course=course.name)
        else:
            rules = svc.programme.data.eligibility
            thanks = t("registration.submitted", name=person.name or "")
            text = Html(f"{thanks}\n\n{indication(person, submission.assessment, rules)}")
        await reply(update, context, text)
        await participants.notify_application(
            context, person, submission.assessment.reasons, submission.via_invite
        )


async def take_answer(update: Update, context: Context, pending: Pending) -> bool:
    """A typed answer to the current registration question; no text passes on."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    svc = services(context)
    rules = svc.programme.data.eligibility
    outcome = await svc.registration.answer_text(
        pending.telegram_id, message.text, svc.now(), rules
    )
    if outcome is None:
        return False
    await _follow_up(update, context, outcome)
    return True


async def cancel_step(update: Update, context: Context, pending: Pending) -> None:
    """/annuleren during the questions: the answers are wiped."""
    await services(context).registration.cancel(pending.telegram_id)
    await reply(update, context, t("registration.cancelled"))


async def button(update: Update, context: Context) -> None:
    """``reg:<step>:<choice>``; a tap on an answered question (a double tap) changes nothing."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    parts = (query.data or "").split(":", 2)
    if len(parts) != 3:
        await query.answer(t("fallback.stale_button"))
        return
    svc = services(context)
    rules = svc.programme.data.eligibility
    outcome = await svc.registration.choose(user.id, parts[1], parts[2], svc.now(), rules)
    if outcome.kind is OutcomeKind.STALE:
        await query.answer(t("registration.answered"))
        if _missed_what_came_next(outcome, svc.now()):
            await _show_where_we_are(update, context, outcome)
        return
    await query.answer()
    await drop_buttons(update)
    await _follow_up(update, context, outcome)


def _missed_what_came_next(outcome: Outcome, now: dt.datetime) -> bool:
    """A tap on an answered question well after the answer is no double tap: the person
    never saw what came next (the bot stopped before sending it), so it is shown again."""
    if outcome.draft is not None:
        changed: dt.datetime | None = outcome.draft.updated_at
    elif outcome.participant is not None:
        changed = outcome.participant.applied_at
    else:
        return False
    return changed is not None and now - changed >= SHOW_AGAIN_AFTER


async def _show_where_we_are(update: Update, context: Context, outcome: Outcome) -> None:
    """The current question again, or the application's status once it is in."""
    chat = update.effective_chat
    if chat is None:
        return
    if outcome.draft is not None:
        await ask(context, chat.id, outcome.draft)
    elif outcome.participant is not None:
        await reply(update, context, status_text(outcome.participant, services(context)))


async def begin(update: Update, context: Context, token: str | None = None) -> None:
    """Start or resume a registration; with an invite token from a ``/start`` link.

    The edition: the invite's; else the one the person is registered for or registering
    for; else the one open for registration (asked when several are; said when none is)."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    if token is None:
        target = await registration_choice.edition_to_register(update, context, svc, user.id)
        if target is not None:
            await begin_in(update, context, target)
        return
    svc, check = await registration_choice.invite_edition(svc, token)
    if check.problem is not None:
        await reply(update, context, t(_INVITE_PROBLEMS[check.problem]))
    await begin_in(update, context, svc, check)


async def begin_in(
    update: Update, context: Context, svc: Services, check: InviteCheck | None = None
) -> None:
    """Start or resume a registration for this edition."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    result = await svc.registration.begin(user.id, chat.id, user.full_name, svc.now(), check)
    if result.participant is not None:
        if result.kind is BeginKind.APPROVED_BY_INVITE:
            course = svc.programme.data.course.name
            await reply(update, context, t("registration.approved_by_invite", course=course))
            await participants.tell_coordinators(
                context,
                t(
                    "participants.approved_by_invite",
                    name=result.participant.name or "",
                    number=result.participant.id,
                ),
            )
        else:
            await reply(update, context, status_text(result.participant, svc))
        return
    if result.draft is None:
        return
    if result.kind is BeginKind.RESUMED:
        await reply(update, context, t("registration.resumed"))
    await ask(context, chat.id, result.draft)


async def apply_command(update: Update, context: Context) -> None:
    await begin(update, context)


async def edition_button(update: Update, context: Context) -> None:
    """``edr:<edition>``: the person chose which edition to register for."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    chosen = svc.editions.get(whole_number((query.data or "").removeprefix("edr:")) or 0)
    if chosen is None or chosen not in await registration_choice.open_to(svc, user.id):
        await query.answer(plain("registration_window.choice_gone"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await begin_in(update, context, chosen)


async def window_command(update: Update, context: Context) -> None:
    """/aanmelding (coordinators): whether registration is open, with a button to change it."""
    svc = services(context)
    text, markup = _window(svc, svc.edition.registration_open)
    await reply(update, context, text, reply_markup=markup)


def _window(svc: Services, is_open: bool) -> tuple[Html, InlineKeyboardMarkup]:
    course = svc.edition.name
    if is_open:
        return t("registration_window.status_open", course=course), keyboard(
            [[(plain("registration_window.button_close"), "regw:close")]])
    return t("registration_window.status_closed", course=course), keyboard(
        [[(plain("registration_window.button_open"), "regw:open")]])


async def window_button(update: Update, context: Context) -> None:
    """``regw:open`` / ``regw:close`` (coordinators); a second tap changes nothing."""
    query, coordinator = update.callback_query, user_id(update)
    if query is None or coordinator is None or query.data not in ("regw:open", "regw:close"):
        return
    svc = services(context)
    open_ = query.data == "regw:open"
    changed = await svc.editions.set_registration(svc.edition.id, open_)
    await query.answer(plain("registration_window.opened_now" if open_
                             else "registration_window.closed_now") if changed else None)
    await replace_message(update, context, *_window(svc, open_))
    if changed:
        log.info("registration %s by a coordinator", "opened" if open_ else "closed")


async def cancel_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    cancelled = await services(context).registration.cancel(user.id)
    key = "registration.cancelled" if cancelled else "registration.nothing_to_cancel"
    await reply(update, context, t(key))
