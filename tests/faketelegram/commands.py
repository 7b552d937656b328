"""Command menus: BotCommandScope keys and setMyCommands validation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import bad_request
from .params import get_json, get_str

if TYPE_CHECKING:
    from .server import FakeTelegram

_GLOBAL_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")
_COMMAND = re.compile(r"^[a-z0-9_]+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_COMMANDS = 100


def scope_key(fake: FakeTelegram, scope: Any) -> str:
    """'default', 'all_private_chats', 'chat:42', 'chat_member:-100:7', ..."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope: expected an Object")
    kind = scope.get("type")
    if kind in _GLOBAL_SCOPES:
        return str(kind)
    if kind not in _CHAT_SCOPES:
        raise bad_request("can't parse BotCommandScope: Unsupported type specified")
    if scope.get("chat_id") in (None, ""):
        raise bad_request("can't parse BotCommandScope: Can't find field \"chat_id\"")
    chat = fake.resolve_chat(scope, write=False)
    if chat.type == "private" and kind != "chat":
        raise bad_request("can't use specified scope in private chats")
    if kind == "chat_member":
        user_id = scope.get("user_id")
        if not isinstance(user_id, int) or user_id <= 0:
            raise bad_request("can't parse BotCommandScope: invalid user_id specified")
        return f"chat_member:{chat.id}:{user_id}"
    return f"{kind}:{chat.id}"


def command_key(fake: FakeTelegram, params: dict[str, Any]) -> str:
    """The key of fake.commands for a scope and language_code ('default:nl')."""
    key = scope_key(fake, get_json(params, "scope"))
    language = get_str(params, "language_code") or ""
    if language and not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return f"{key}:{language}" if language else key


def parse_commands(value: Any) -> list[dict[str, str]]:
    """The commands as Telegram stores them (trimmed, without '/'), checked like Telegram."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    commands = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: expected an Object")
        for field in ("command", "description"):
            if not isinstance(item.get(field), str):
                raise bad_request(f"can't parse BotCommand: Can't find field \"{field}\"")
        command = item["command"].strip().removeprefix("/")
        description = item["description"].strip()
        if not command:
            raise bad_request("command must be non-empty")
        if len(command) > 32:
            raise bad_request("command length must not exceed 32")
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("command description length must not exceed 256")
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        commands.append({"command": command, "description": description})
    return commands
