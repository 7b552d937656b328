"""Every handler of the bot, in the order PTB offers an update to them. Order matters.

PTB runs the handler groups in ascending order; within a group only the first handler whose
filter matches runs. So, reading this file top to bottom:

0. ``Group.EDITION``: every update first learns which edition it is about
   (handlers/context.py ``resolve_edition``); handlers then get that edition's services.
1. ``Group.MEMBERSHIP``: the bot was blocked or unblocked (``my_chat_member``; nothing else).
2. ``Group.PENDING``: a person with an open typed step (bot/services/pending.py) has their
   message taken by that step, or their /annuleren stops it. The step raises
   ApplicationHandlerStop; anyone else's update goes on to the next group.
3. ``Group.FEATURES``: commands and buttons of every feature, then free text as a question,
   then the fallbacks for whatever no feature took (unknown commands, stickers, old buttons).

A feature with a typed step adds its kind to ``TYPED_STEPS``; the dispatcher refuses to start
when a kind has no step.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services.pending import PendingKind
from handlers import (
    announcement_reports,
    announcements,
    attendance,
    buddies,
    certificates,
    checkin,
    coordinator,
    editions,
    fallback,
    feedback,
    goals,
    groups,
    info,
    membership,
    participants,
    privacy,
    programme_upload,
    questions,
    registration,
    reminders,
    sessions_admin,
)
from handlers.context import Callback, coordinator_only, resolve_edition
from handlers.errors import on_error
from handlers.menu import MENU_KEY, Menu
from handlers.pending import PendingDispatcher, TypedStep


class Group(enum.IntEnum):
    EDITION = -3
    MEMBERSHIP = -2
    PENDING = -1
    FEATURES = 0


TYPED_STEPS: Mapping[PendingKind, TypedStep] = {
    PendingKind.REGISTRATION: TypedStep(registration.take_answer, registration.cancel_step),
    PendingKind.CHECKIN_CODE: TypedStep(checkin.take_code),
    PendingKind.PRESENCE_REASON: TypedStep(attendance.take_reason, coordinators_only=True),
    PendingKind.ABSENCE_REASON: TypedStep(reminders.take_reason),
    PendingKind.INBOX_ANSWER: TypedStep(
        questions.take_answer, questions.cancel_answer, coordinators_only=True
    ),
    PendingKind.ANNOUNCEMENT_TEXT: TypedStep(
        announcements.take_text, announcements.cancel_step, coordinators_only=True
    ),
    PendingKind.ANNOUNCEMENT_TIME: TypedStep(
        announcements.take_time, announcements.cancel_step, coordinators_only=True
    ),
    PendingKind.ANNOUNCEMENT_EDIT: TypedStep(
        announcement_reports.take_correction, announcements.cancel_step, coordinators_only=True
    ),
    PendingKind.GROUP_NAME: TypedStep(
        groups.take_name, announcements.cancel_step, coordinators_only=True
    ),
    PendingKind.GROUP_RENAME: TypedStep(
        groups.take_name, announcements.cancel_step, coordinators_only=True
    ),
    PendingKind.SESSIE: TypedStep(
        sessions_admin.take_step, sessions_admin.cancel_step, coordinators_only=True
    ),
    PendingKind.FEEDBACK_COMMENT: TypedStep(feedback.take_comment, feedback.cancel_comment),
    PendingKind.GOAL_TEXT: TypedStep(goals.take_text, goals.cancel_step),
    PendingKind.GOAL_NOTE: TypedStep(goals.take_note, goals.cancel_step),
    PendingKind.BUDDY_MESSAGE: TypedStep(buddies.take_message, buddies.cancel_step),
    PendingKind.EDITION: TypedStep(
        editions.take_step, editions.cancel_step, coordinators_only=True
    ),
}

# Commands in the order of /help and the Telegram menus (handlers/menu.py); a command's
# description is the catalogue entry ``commands.<name>``.
PARTICIPANT_COMMANDS: Mapping[str, Callback] = {
    "start": info.start,
    "programma": info.programme_command,
    "volgende": info.next_command,
    "module": info.module_command,
    "agenda": info.agenda_command,
    "checkin": checkin.checkin_command,
    "aanwezigheid": attendance.own_command,
    "leerdoelen": goals.goals_command,
    "buddies": buddies.buddies_command,
    "certificaat": certificates.certificate_command,
    "verifieer": certificates.verify_command,
    "afmelden": reminders.afmelden_command,
    "herinneringen": reminders.preferences_command,
    "aanmelden": registration.apply_command,
    "privacy": privacy.privacy_command,
    "mijngegevens": privacy.mine_command,
    "vergeetmij": privacy.forget_command,
    "annuleren": registration.cancel_command,  # nothing open: "nothing to stop"
    "help": info.help_command,
    "hulp": info.help_command,
}
NOT_IN_MENU = frozenset({"hulp"})

COORDINATOR_COMMANDS: Mapping[str, Callback] = {
    "editie": editions.edition_command,
    "status": coordinator.status_command,
    "herladen": coordinator.reload_command,
    "vragen": questions.inbox_command,
    "deelnemers": participants.list_command,
    "aanmelding": registration.window_command,
    "uitnodiging": participants.invite_command,
    "toevoegen": participants.add_command,
    "sessie": sessions_admin.sessie_command,
    "bericht": announcements.announce_command,
    "berichten": announcement_reports.list_command,
    "geplandeberichten": announcement_reports.planned_command,
    "groepen": groups.groups_command,
    "opencheckin": checkin.open_command,
    "sluitcheckin": checkin.close_command,
    "presentie": attendance.presence_command,
    "export": attendance.export_command,
    "feedback": feedback.feedback_command,
    "certificaten": certificates.certificates_command,
}

MENU = Menu(
    participant=tuple(name for name in PARTICIPANT_COMMANDS if name not in NOT_IN_MENU),
    coordinator=tuple(COORDINATOR_COMMANDS),
)

# Buttons by the prefix of their callback data; coordinator buttons refuse anyone else.
PARTICIPANT_BUTTONS: Mapping[str, Callback] = {
    r"^reg:": registration.button,
    r"^priv:": privacy.forget_button,
    r"^chk:here:": checkin.here_button,
    r"^rem:": reminders.button,
    r"^q:": questions.suggestion,
    r"^qf:\d+$": questions.forward,
    r"^fb:": feedback.button,
    r"^edr:\d+$": registration.edition_button,
    r"^goal:": goals.button,
    r"^bud:": buddies.button,
}
COORDINATOR_BUTTONS: Mapping[str, Callback] = {
    r"^app:": participants.decision_button,
    r"^regw:(open|close)$": registration.window_button,
    r"^ppl:": participants.page_button,
    r"^chk:(new|close):": checkin.display_button,
    r"^att:grid$": attendance.grid_button,  # before the other att: buttons
    r"^att:": attendance.correction_button,
    r"^ses:": sessions_admin.button,
    r"^ann:": announcements.button,
    r"^grp:intro:\d+$": buddies.introduce_button,  # before the other grp: buttons
    r"^grp:": groups.button,
    r"^qa:\d+$": questions.start_answer,
    r"^ql:\d+$": questions.learn,
    r"^fbc:export$": feedback.export_button,
    r"^fbc:chart$": feedback.chart_button,
    r"^crt:": certificates.button,
    r"^prg:": programme_upload.button,
    r"^edi:": editions.button,
}


Route = tuple[Group, BaseHandler[Any, Any, Any]]


def routing_table(coordinator_ids: frozenset[int]) -> list[Route]:
    """Every handler with its group, in the order they are offered an update."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    in_groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    coordinators = filters.User(user_id=coordinator_ids)
    dispatcher = PendingDispatcher(TYPED_STEPS)
    table: list[Route] = [
        (Group.EDITION, TypeHandler(Update, resolve_edition)),
        (Group.MEMBERSHIP, ChatMemberHandler(
            membership.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER
        )),
        (Group.PENDING, CommandHandler("annuleren", dispatcher.cancel_command, filters=private)),
        (Group.PENDING, MessageHandler(private & ~filters.COMMAND, dispatcher.typed_message)),
    ]
    features: list[BaseHandler[Any, Any, Any]] = [
        *(CommandHandler(name, callback, filters=private)
          for name, callback in PARTICIPANT_COMMANDS.items()),
        *(CommandHandler(name, callback, filters=private & coordinators)
          for name, callback in COORDINATOR_COMMANDS.items()),
        CommandHandler("checkin", checkin.group_checkin, filters=in_groups),
        MessageHandler(private & coordinators & filters.Document.FileExtension("toml"),
                       programme_upload.document),
        *(CallbackQueryHandler(callback, pattern=pattern)
          for pattern, callback in PARTICIPANT_BUTTONS.items()),
        *(CallbackQueryHandler(coordinator_only(callback), pattern=pattern)
          for pattern, callback in COORDINATOR_BUTTONS.items()),
        # Every other text is a question: after all commands, before the fallbacks.
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, questions.question),
        MessageHandler(filters.COMMAND & private, fallback.unknown_command),
        MessageHandler(~filters.TEXT & private, fallback.other_message),
        MessageHandler(filters.COMMAND & in_groups, fallback.group_command),
        CallbackQueryHandler(fallback.stale_button),
    ]
    table += [(Group.FEATURES, handler) for handler in features]
    return table


def register_handlers(application: Application, coordinator_ids: frozenset[int]) -> None:  # type: ignore[type-arg]
    for group, handler in routing_table(coordinator_ids):
        application.add_handler(handler, group)
    application.bot_data[MENU_KEY] = MENU
    application.add_error_handler(on_error)
