"""Editions as the coordinator sees them: /editie with its buttons, and the dates proposed for a
new edition (texts in editions.toml).

Buttons (``edi:``, coordinators): ``use:<id>``, ``reg:<id>:<1|0>``, ``arc:<id>`` /
``arcy:<id>``, ``del:<id>`` / ``dely:<id>``, ``new``, ``mod:<n>``, ``make``, ``stop``, ``list``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.formatting import long_date, short_date
from bot.programme import Session
from bot.services.editions import EditionState, first_day, state_of
from bot.services.registry import Services
from bot.views.keyboards import Button, keyboard

PREFIX = "edi"


def overview(
    current: Services, counts: dict[int, int], now: dt.datetime
) -> tuple[Html, InlineKeyboardMarkup]:
    editions = current.editions.all()
    lines = [t("editions.line", edition=s.edition.name, state=_state(s, now),
               people=t("editions.participants", count=counts.get(s.edition.id, 0)),
               registration=t("editions.registration_open" if s.edition.registration_open
                              else "editions.registration_closed"))
             for s in editions]
    text = Html("\n\n".join([t("editions.header"),
                             t("editions.working_in", edition=current.edition.name),
                             Html("\n".join(lines))]))
    number = current.edition.id
    rows: list[list[Button]] = [
        [(plain("editions.button_use", edition=s.edition.name), f"{PREFIX}:use:{s.edition.id}")]
        for s in editions if s is not current and not s.edition.archived
    ]
    if not current.edition.archived:
        rows.append([(plain("editions.button_close"), f"{PREFIX}:reg:{number}:0")
                     if current.edition.registration_open
                     else (plain("editions.button_open"), f"{PREFIX}:reg:{number}:1")])
        manage = [(plain("editions.button_archive"), f"{PREFIX}:arc:{number}")]
        if not counts.get(number) and len(editions) > 1:
            manage.append((plain("editions.button_delete"), f"{PREFIX}:del:{number}"))
        rows.append(manage)
    rows.append([(plain("editions.button_new"), f"{PREFIX}:new")])
    return text, keyboard(rows)


def _state(services: Services, now: dt.datetime) -> Html:
    state = state_of(services, now)
    sessions = services.programme.sessions
    if state is EditionState.UPCOMING:
        start = first_day(services)
        return (t("editions.state_upcoming", date=short_date(start.date())) if start
                else t("editions.state_upcoming_undated"))
    if state is EditionState.ARCHIVED:
        return t("editions.state_archived")
    last = short_date(sessions[-1].starts_at.date())
    return t(f"editions.state_{state.value}", date=last)


def confirm(question: Html, yes: str, data: str) -> tuple[Html, InlineKeyboardMarkup]:
    return question, keyboard([[(yes, data), (plain("editions.button_back"), f"{PREFIX}:list")]])


def proposal(
    name: str, modules: Sequence[Session], dates: Sequence[dt.date], weekday: str
) -> tuple[Html, InlineKeyboardMarkup]:
    lines = Html("\n".join(
        t("editions.proposal_line", number=module.number, date=long_date(day),
          title=module.title or "")
        for module, day in zip(modules, dates, strict=True)))
    text = t("editions.proposal", edition=name, count=len(dates), weekday=weekday, dates=lines)
    buttons = [(plain("editions.button_module", number=m.number), f"{PREFIX}:mod:{m.number}")
               for m in modules]
    rows: list[list[Button]] = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    rows.append([(plain("editions.button_make"), f"{PREFIX}:make"),
                 (plain("editions.button_stop"), f"{PREFIX}:stop")])
    return text, keyboard(rows)
