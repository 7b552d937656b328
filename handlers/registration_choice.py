"""Which edition a registration is for: the one a person is registering for or registered
for, the invite's, or the one open for registration (asked when several are, said when none
is, with the next edition when it is known)."""

from __future__ import annotations

from telegram import Update

from bot.catalogue import Html, plain, t
from bot.formatting import long_date
from bot.services.editions import EditionState, first_day, state_of
from bot.services.invites import InviteCheck, InviteProblem
from bot.services.pending import PendingKind
from bot.services.registry import Services
from bot.views.keyboards import keyboard
from handlers.context import Context, reply

PREFIX = "edr"  # edr:<edition>: register for that edition


async def edition_to_register(
    update: Update, context: Context, svc: Services, telegram_id: int
) -> Services | None:
    """The edition to register in, or None when the person was asked or told instead."""
    now, editions = svc.now(), svc.editions
    draft = await svc.pending.current(telegram_id, now, PendingKind.REGISTRATION)
    if draft is not None:  # resume it, in its own edition
        return editions.get(draft.get_int("edition_id") or 0) or svc
    registered = await svc.participants.by_telegram_id(telegram_id) is not None
    if registered and state_of(svc, now) is not EditionState.FINISHED:
        return svc  # their status
    choices = await open_to(svc, telegram_id)
    if len(choices) == 1:
        return choices[0]
    if choices:
        lines = Html("\n".join(
            t("registration_window.choose_line", edition=s.edition.name,
              period=_period(s)) for s in choices))
        await reply(update, context, t("registration_window.choose", editions=lines),
                    reply_markup=keyboard([[(s.edition.name, f"{PREFIX}:{s.edition.id}")]
                                           for s in choices]))
        return None
    await reply(update, context, closed_text(svc))
    return None


async def open_to(svc: Services, telegram_id: int) -> list[Services]:
    """The editions open for registration that this person is not in yet."""
    mine = {s.edition.id for s in await svc.editions.participations(telegram_id)}
    return [s for s in svc.editions.open_for_registration(svc.now()) if s.edition.id not in mine]


def closed_text(svc: Services) -> Html:
    now = svc.now()
    upcoming = [s for s in svc.editions.all()
                if not s.edition.archived and state_of(s, now) is EditionState.UPCOMING]
    following = (t("registration_window.next_edition", edition=upcoming[0].edition.name,
                   date=long_date(day.date()))
                 if upcoming and (day := first_day(upcoming[0])) is not None else "")
    return t("registration_window.closed", following=following)


def _period(svc: Services) -> str:
    sessions = svc.programme.sessions
    if not sessions:
        return plain("registration_window.no_dates")
    return plain("registration_window.period", first=long_date(sessions[0].starts_at.date()),
                 last=long_date(sessions[-1].starts_at.date()))


async def invite_edition(svc: Services, token: str) -> tuple[Services, InviteCheck]:
    """The edition an invite link belongs to, and the check of the link there."""
    now = svc.now()
    for candidate in svc.editions.all():
        check = await candidate.invites.check(token, now)
        if check.problem is not InviteProblem.UNKNOWN:
            return candidate, check
    return svc, await svc.invites.check(token, now)
