"""getMe, updates and webhooks, command menus, callback answers, getChat and bot texts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .commands import command_key, parse_commands
from .errors import QUERY_TOO_OLD, bad_request
from .params import get_bool, get_int, get_json, get_str
from .registry import Described, method

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
WEBHOOK_PORTS = (80, 88, 443, 8443)


@method("getMe")
async def get_me(fake: FakeTelegram, params: Params) -> Any:
    return {
        **fake.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(fake: FakeTelegram, params: Params) -> Any:
    return True


@method("close")
async def close(fake: FakeTelegram, params: Params) -> Any:
    return True


@method("getUpdates")
async def get_updates(fake: FakeTelegram, params: Params) -> Any:
    return await fake.updates.get_updates(
        offset=get_int(params, "offset"),
        limit=get_int(params, "limit", 100),
        poll_seconds=float(get_int(params, "timeout")),
        allowed=get_json(params, "allowed_updates"),
    )


@method("setWebhook")
async def set_webhook(fake: FakeTelegram, params: Params) -> Any:
    url = get_str(params, "url") or ""
    if url and not re.match(r"^https://[^/\s]+", url, re.IGNORECASE):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    port = re.match(r"^https://[^/:\s]+:(\d+)", url, re.IGNORECASE)
    if port and int(port.group(1)) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = get_str(params, "secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    allowed = get_json(params, "allowed_updates")
    if isinstance(allowed, list):
        fake.updates.set_allowed(allowed)
    if get_bool(params, "drop_pending_updates"):
        fake.updates.drop_pending()
    if not url:
        return await delete_webhook(fake, params)
    already = fake.updates.webhook_url == url
    fake.updates.webhook_url = url
    fake.release_polls()
    return Described(True, "Webhook is already set" if already else "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(fake: FakeTelegram, params: Params) -> Any:
    if get_bool(params, "drop_pending_updates"):
        fake.updates.drop_pending()
    was_set = bool(fake.updates.webhook_url)
    fake.updates.webhook_url = ""
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(fake: FakeTelegram, params: Params) -> Any:
    info: dict[str, Any] = {
        "url": fake.updates.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(fake.updates.pending),
    }
    if fake.updates.webhook_url:
        info["max_connections"] = 40
    return info


@method("setMyCommands")
async def set_my_commands(fake: FakeTelegram, params: Params) -> Any:
    key = command_key(fake, params)
    commands = parse_commands(get_json(params, "commands"))
    if commands:
        fake.commands[key] = commands
    else:
        fake.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(fake: FakeTelegram, params: Params) -> Any:
    return [dict(command) for command in fake.commands.get(command_key(fake, params), [])]


@method("deleteMyCommands")
async def delete_my_commands(fake: FakeTelegram, params: Params) -> Any:
    fake.commands.pop(command_key(fake, params), None)
    return True


def _menu_key(fake: FakeTelegram, params: Params) -> str:
    if params.get("chat_id") in (None, ""):
        return "default"
    chat = fake.resolve_chat(params, write=False)
    if chat.type != "private":
        raise bad_request("invalid chat_id specified")
    return f"chat:{chat.id}"


@method("setChatMenuButton")
async def set_chat_menu_button(fake: FakeTelegram, params: Params) -> Any:
    key = _menu_key(fake, params)
    button = get_json(params, "menu_button")
    if button is None:
        button = {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button: Unsupported type specified")
    fake.menu_buttons[key] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(fake: FakeTelegram, params: Params) -> Any:
    key = _menu_key(fake, params)
    button = fake.menu_buttons.get(key) or fake.menu_buttons.get("default")
    if button is None or button.get("type") == "default":
        return {"type": "commands"} if fake.commands else {"type": "default"}
    return button


def _bot_text_methods(field: str, limit: int, capital: str) -> None:
    async def setter(fake: FakeTelegram, params: Params) -> Any:
        language = get_str(params, "language_code") or ""
        value = get_str(params, field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        fake.bot_texts[f"{field}:{language}"] = value
        return True

    async def getter(fake: FakeTelegram, params: Params) -> Any:
        language = get_str(params, "language_code") or ""
        value = fake.bot_texts.get(f"{field}:{language}", fake.bot_texts.get(f"{field}:", ""))
        if field == "name" and not value:
            value = fake.bot_first_name
        return {field: value}

    method(f"setMy{capital}")(setter)
    method(f"getMy{capital}")(getter)


_bot_text_methods("description", 512, "Description")
_bot_text_methods("short_description", 120, "ShortDescription")
_bot_text_methods("name", 64, "Name")


@method("answerCallbackQuery")
async def answer_callback_query(fake: FakeTelegram, params: Params) -> Any:
    record = fake.callback_queries.get(get_str(params, "callback_query_id") or "")
    if record is None or record.answered:
        raise bad_request(QUERY_TOO_OLD)
    text = get_str(params, "text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer = {
        "text": text or None,
        "show_alert": get_bool(params, "show_alert"),
        "url": get_str(params, "url"),
        "cache_time": get_int(params, "cache_time"),
    }
    fake.signal.fire()
    return True


@method("getChat")
async def get_chat(fake: FakeTelegram, params: Params) -> Any:
    return fake.resolve_chat(params, write=False).full_info()


@method("getChatMember")
async def get_chat_member(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.resolve_chat(params, write=False)
    user_id = get_int(params, "user_id")
    if user_id == fake.bot_id:
        return {"status": "member", "user": fake.bot_user}
    user = fake.known_users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    status = "member" if chat.type == "private" or user_id in chat.members else "left"
    return {"status": status, "user": user}


@method("leaveChat")
async def leave_chat(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.resolve_chat(params, write=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_kicked = True
    return True
