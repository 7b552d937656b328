"""Pieces every send and edit method shares: text, replies, link previews, editable messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import bad_request
from .formatting import Formatted, finish, parse
from .models import FakeChat, FakeMessage
from .params import UploadedFile, get_bool, get_int, get_json, get_str

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096


def parse_caption(params: Params) -> Formatted | None:
    caption = get_str(params, "caption")
    if caption is None:
        return None
    return parse(caption, get_str(params, "parse_mode"), get_json(params, "caption_entities"))


def finish_caption(
    fake: FakeTelegram, parsed: Formatted | None, too_long: str = "message caption is too long"
) -> Formatted | None:
    if parsed is None:
        return None
    return finish(
        parsed, limit=CAPTION_LIMIT, too_long=too_long, empty=None, users=fake.known_users
    )


def finish_text(fake: FakeTelegram, parsed: Formatted, too_long: str) -> Formatted:
    result = finish(
        parsed,
        limit=TEXT_LIMIT,
        too_long=too_long,
        empty="text must be non-empty",
        users=fake.known_users,
    )
    assert result is not None
    return result


def reply_target(fake: FakeTelegram, chat: FakeChat, params: Params) -> FakeMessage | None:
    """The message this send replies to (reply_parameters or the older reply_to_message_id)."""
    reply = get_json(params, "reply_parameters")
    allow = get_bool(params, "allow_sending_without_reply")
    message_id = get_int(params, "reply_to_message_id")
    target_chat = chat
    if isinstance(reply, dict):
        given = reply.get("message_id")
        message_id = given if isinstance(given, int) else 0
        allow = allow or reply.get("allow_sending_without_reply") is True
        if reply.get("chat_id") not in (None, chat.id):
            target_chat = fake.resolve_chat(reply, write=False)
    elif reply is not None:
        raise bad_request("can't parse reply parameters JSON object")
    if not message_id:
        return None
    target = fake.message(target_chat.id, message_id)
    if target is None and not allow:
        raise bad_request("message to be replied not found")
    return target


def link_preview(params: Params, formatted: Formatted) -> dict[str, Any] | None:
    """link_preview_options as Telegram keeps them on the message."""
    options = get_json(params, "link_preview_options")
    if get_bool(params, "disable_web_page_preview"):
        options = {"is_disabled": True}
    if not isinstance(options, dict):
        return None
    has_link = any(entity["type"] in ("url", "text_link") for entity in formatted.entities)
    kept: dict[str, Any] = {}
    if options.get("is_disabled") is True and has_link:
        kept["is_disabled"] = True
    if options.get("url"):
        kept["url"] = options["url"]
        for flag in ("prefer_small_media", "prefer_large_media", "show_above_text"):
            if options.get(flag) is True:
                kept[flag] = True
    return kept or None


def media_input(params: Params, name: str) -> UploadedFile | str | None:
    """An upload (direct or attach://) or a file_id / URL string."""
    value = params.get(name)
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value[len("attach://") :])
    if isinstance(value, UploadedFile) or (isinstance(value, str) and value):
        return value
    return None


def editable_message(fake: FakeTelegram, params: Params) -> FakeMessage:
    """The bot's own message an edit method addresses, or Telegram's error."""
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = fake.resolve_chat(params)
    message_id = get_int(params, "message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    message = fake.message(chat.id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    reply_keyboard = message.reply_markup is not None and not message.has_inline_keyboard
    if not message.from_bot or reply_keyboard:
        raise bad_request("message can't be edited")
    return message


def bot_message(
    fake: FakeTelegram,
    chat: FakeChat,
    params: Params,
    reply_to: FakeMessage | None,
    markup: dict[str, Any] | None,
    **fields: Any,
) -> FakeMessage:
    """Store a message the bot sent, with the options every send method shares."""
    return fake.new_message(
        chat,
        from_bot=True,
        reply_to=reply_to,
        reply_markup=markup,
        protected=get_bool(params, "protect_content"),
        **fields,
    )
