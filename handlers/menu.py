"""The commands the bot knows: one table feeds /help and the Telegram command menus."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.catalogue import Html, plain, t

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    coordinator_only: bool = False

    @property
    def description_key(self) -> str:
        return f"commands.{self.name}"


# Order is the order in /help and in the menu.
COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("programma"),
    Command("volgende"),
    Command("module"),
    Command("agenda"),
    Command("checkin"),
    Command("aanwezigheid"),
    Command("afmelden"),
    Command("herinneringen"),
    Command("aanmelden"),
    Command("privacy"),
    Command("mijngegevens"),
    Command("vergeetmij"),
    Command("annuleren"),
    Command("help"),
    Command("status", coordinator_only=True),
    Command("herladen", coordinator_only=True),
    Command("vragen", coordinator_only=True),
    Command("deelnemers", coordinator_only=True),
    Command("uitnodiging", coordinator_only=True),
    Command("toevoegen", coordinator_only=True),
    Command("sessie", coordinator_only=True),
    Command("bericht", coordinator_only=True),
    Command("berichten", coordinator_only=True),
    Command("geplandeberichten", coordinator_only=True),
    Command("groepen", coordinator_only=True),
    Command("opencheckin", coordinator_only=True),
    Command("sluitcheckin", coordinator_only=True),
    Command("presentie", coordinator_only=True),
    Command("export", coordinator_only=True),
)

COORDINATOR_COMMANDS = frozenset(c.name for c in COMMANDS if c.coordinator_only)


def visible_commands(is_coordinator: bool) -> list[Command]:
    return [c for c in COMMANDS if is_coordinator or not c.coordinator_only]


def help_text(is_coordinator: bool) -> Html:
    lines = [
        t("help.line", command=c.name, description=plain(c.description_key))
        for c in visible_commands(is_coordinator)
        if not c.coordinator_only
    ]
    body = Html("\n".join(lines))
    if not is_coordinator:
        return t("help.participant", commands=body)
    coordinator_lines = Html(
        "\n".join(
            t("help.line", command=c.name, description=plain(c.description_key))
            for c in COMMANDS
            if c.coordinator_only
        )
    )
    return t("help.coordinator", commands=body, coordinator_commands=coordinator_lines)


def _menu(commands: Iterable[Command]) -> list[BotCommand]:
    return [BotCommand(c.name, plain(c.description_key)) for c in commands]


async def set_command_menus(bot: Bot, coordinators: Iterable[int]) -> None:
    """Participants' menu for all private chats, the larger one in each coordinator's chat."""
    participant_menu = _menu(visible_commands(False))
    await bot.set_my_commands(participant_menu, scope=BotCommandScopeAllPrivateChats())
    coordinator_menu = _menu(visible_commands(True))
    for chat_id in coordinators:
        try:
            await bot.set_my_commands(coordinator_menu, scope=BotCommandScopeChat(chat_id))
        except TelegramError as error:
            # A coordinator who never opened the bot has no chat yet; the menu follows later.
            log.warning("could not set the coordinator menu for chat %s: %s", chat_id, error)
