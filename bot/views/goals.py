"""Learning goals as Telegram shows them: /leerdoelen with its buttons, and the questions
before an intervisie meeting and after the last module (texts in goals.toml).

Buttons (``goal:``, the participant's own): ``add``, ``edit:<id>``, ``note:<id>``,
``del:<id>`` / ``delok:<id>``, ``share:<1|0>``, ``say:<session>`` (answer a question),
``list``.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.catalogue import Html, plain, t
from bot.formatting import clock, session_name, short_date
from bot.programme import Session, SessionKind
from bot.services.goals import MAX_GOALS, Goal, MyGoals, Note, NoteKind
from bot.views.keyboards import Button, keyboard

PREFIX = "goal"
SHOWN_NOTES = 3  # the newest notes per goal (and of each other kind); all in /mijngegevens


def overview(mine: MyGoals, sessions: dict[str, Session]) -> tuple[Html, InlineKeyboardMarkup]:
    parts = [t("goals.header"), t("goals.intro", max=MAX_GOALS)]
    if not mine.goals:
        parts.append(t("goals.none_yet"))
    for goal in mine.goals:
        lines = [t("goals.goal_line", number=goal.number, text=goal.text)]
        lines += _earlier(goal.notes)
        lines += [t("goals.note_line", date=short_date(n.created_at.date()), text=n.text)
                  for n in goal.notes[-SHOWN_NOTES:]]
        parts.append(Html("\n".join(lines)))
    agenda = [n for n in mine.notes if n.kind is NoteKind.AGENDA]
    if agenda:
        parts.append(Html("\n".join([t("goals.agenda_header"), *_earlier(agenda), *(
            t("goals.agenda_line", session=_session(sessions, n.session_key),
              date=short_date(n.created_at.date()), text=n.text)
            for n in agenda[-SHOWN_NOTES:])])))
    looks = [n for n in mine.notes if n.kind is NoteKind.LOOK_BACK]
    if looks:
        parts.append(Html("\n".join([t("goals.look_back_header"),
                                     *(t("goals.look_back_line", text=n.text) for n in looks)])))
    parts.append(t("goals.shared" if mine.shared else "goals.private"))
    rows: list[list[Button]] = []
    if not mine.full:
        rows.append([(plain("goals.button_add"), f"{PREFIX}:add")])
    rows += [_goal_row(goal) for goal in mine.goals]
    rows.append([(plain("goals.button_unshare"), f"{PREFIX}:share:0") if mine.shared
                 else (plain("goals.button_share"), f"{PREFIX}:share:1")])
    return Html("\n\n".join(parts)), keyboard(rows)


def _earlier(notes: Sequence[Note]) -> list[Html]:
    hidden = len(notes) - SHOWN_NOTES
    return [t("goals.notes_earlier", count=hidden)] if hidden > 0 else []


def _goal_row(goal: Goal) -> list[Button]:
    return [
        (plain("goals.button_edit", number=goal.number), f"{PREFIX}:edit:{goal.id}"),
        (plain("goals.button_note", number=goal.number), f"{PREFIX}:note:{goal.id}"),
        (plain("goals.button_delete", number=goal.number), f"{PREFIX}:del:{goal.id}"),
    ]


def _session(sessions: dict[str, Session], key: str | None) -> Html:
    found = sessions.get(key or "")
    return session_name(found) if found else Html(key or "")


def delete_ask(goal: Goal) -> tuple[Html, InlineKeyboardMarkup]:
    return t("goals.delete_ask", number=goal.number, text=goal.text), keyboard([[
        (plain("goals.button_delete_yes"), f"{PREFIX}:delok:{goal.id}"),
        (plain("goals.button_keep"), f"{PREFIX}:list"),
    ]])


def prompt(found: Session, goals: tuple[str, ...]) -> tuple[Html, InlineKeyboardMarkup]:
    """The question before an intervisie meeting, or the look back after the last module."""
    listed = Html("\n".join(t("goals.prompt_goal_line", number=n, text=text)
                            for n, text in enumerate(goals, 1)))
    if found.kind is SessionKind.MODULE:
        key = "goals.look_back_prompt" if goals else "goals.look_back_no_goals"
        text = t(key, goals=listed)
    else:
        key = "goals.agenda_prompt" if goals else "goals.agenda_no_goals"
        when = t("goals.when", date=short_date(found.starts_at.date()), time=clock(found.starts_at))
        text = t(key, session=session_name(found), goals=listed, when=when)
    return text, keyboard([[(plain("goals.button_answer"), f"{PREFIX}:say:{found.key}")]])
