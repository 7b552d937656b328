"""/help and the Telegram command menus, made from the commands of the routing table.

handlers/routing.py lists every command once, in menu order; ``register_handlers`` keeps
the resulting :class:`Menu` in ``bot_data`` (:data:`MENU_KEY`), where /help, the fallback and
``post_init`` read it. A command's description is the catalogue entry ``commands.<name>``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.catalogue import Html, plain, t

log = logging.getLogger(__name__)

MENU_KEY = "command_menu"


@dataclass(frozen=True, slots=True)
class Menu:
    """Command names in the order of /help and the menus."""

    participant: tuple[str, ...]
    coordinator: tuple[str, ...]


def menu_of(bot_data: Mapping[str, Any]) -> Menu:
    menu: Menu = bot_data[MENU_KEY]
    return menu


def _lines(names: Iterable[str]) -> Html:
    return Html(
        "\n".join(t("help.line", command=name, description=plain(f"commands.{name}"))
                  for name in names)
    )


def help_text(menu: Menu, is_coordinator: bool) -> Html:
    commands = _lines(menu.participant)
    if not is_coordinator:
        return t("help.participant", commands=commands)
    return t(
        "help.coordinator", commands=commands, coordinator_commands=_lines(menu.coordinator)
    )


def _commands(names: Iterable[str]) -> list[BotCommand]:
    return [BotCommand(name, plain(f"commands.{name}")) for name in names]


async def set_command_menus(bot: Bot, menu: Menu, coordinators: Iterable[int]) -> None:
    """Participants' menu for all private chats, the larger one in each coordinator's chat."""
    participant_menu = _commands(menu.participant)
    await bot.set_my_commands(participant_menu, scope=BotCommandScopeAllPrivateChats())
    coordinator_menu = _commands((*menu.participant, *menu.coordinator))
    for chat_id in coordinators:
        try:
            await bot.set_my_commands(coordinator_menu, scope=BotCommandScopeChat(chat_id))
        except TelegramError as error:
            # A coordinator who never opened the bot has no chat yet; the menu follows later.
            log.warning("could not set the coordinator menu for chat %s: %s", chat_id, error)
