"""sendMessage, the edit methods, deleteMessage(s), copyMessage and forwardMessage."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .errors import NOT_MODIFIED, bad_request
from .formatting import parse
from .keyboards import parse_reply_markup
from .models import FakeMessage
from .params import get_int, get_json, get_str
from .registry import method
from .sending import (
    bot_message,
    editable_message,
    finish_caption,
    finish_text,
    link_preview,
    parse_caption,
    reply_target,
)

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
DELETE_WINDOW = 48 * 3600


@method("sendMessage")
async def send_message(fake: FakeTelegram, params: Params) -> Any:
    raw = get_str(params, "text")
    if not raw:
        raise bad_request("message text is empty")
    markup = parse_reply_markup(get_json(params, "reply_markup"))
    parsed = parse(raw, get_str(params, "parse_mode"), get_json(params, "entities"))
    chat = fake.resolve_chat(params)
    reply_to = reply_target(fake, chat, params)
    formatted = finish_text(fake, parsed, "message is too long")
    message = bot_message(
        fake,
        chat,
        params,
        reply_to,
        markup,
        text=formatted.text,
        entities=formatted.entities,
        html=raw,
        parse_mode=get_str(params, "parse_mode"),
        link_preview_options=link_preview(params, formatted),
    )
    return message.to_api()


def _edited(fake: FakeTelegram, message: FakeMessage) -> Any:
    message.edits += 1
    message.edit_date = int(time.time())
    fake.signal.fire()
    return message.to_api()


@method("editMessageText")
async def edit_message_text(fake: FakeTelegram, params: Params) -> Any:
    raw = get_str(params, "text")
    if not raw:
        raise bad_request("message text is empty")
    markup = parse_reply_markup(get_json(params, "reply_markup"), inline_only=True)
    parsed = parse(raw, get_str(params, "parse_mode"), get_json(params, "entities"))
    message = editable_message(fake, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    formatted = finish_text(fake, parsed, "MESSAGE_TOO_LONG")
    same_text = message.text == formatted.text and message.entities == formatted.entities
    if same_text and message.reply_markup == markup:
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities = formatted.text, formatted.entities
    message.html, message.parse_mode = raw, get_str(params, "parse_mode")
    message.reply_markup = markup
    message.link_preview_options = link_preview(params, formatted)
    return _edited(fake, message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(fake: FakeTelegram, params: Params) -> Any:
    markup = parse_reply_markup(get_json(params, "reply_markup"), inline_only=True)
    message = editable_message(fake, params)
    if message.reply_markup == markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = markup
    return _edited(fake, message)


@method("editMessageCaption")
async def edit_message_caption(fake: FakeTelegram, params: Params) -> Any:
    markup = parse_reply_markup(get_json(params, "reply_markup"), inline_only=True)
    parsed = parse_caption(params)
    message = editable_message(fake, params)
    if message.document is None and message.photo is None:
        raise bad_request("there is no caption in the message to edit")
    formatted = finish_caption(fake, parsed, "MEDIA_CAPTION_TOO_LONG")
    caption = formatted.text if formatted else None
    entities = formatted.entities if formatted else []
    same = message.caption == caption and message.caption_entities == entities
    if same and message.reply_markup == markup:
        raise bad_request(NOT_MODIFIED)
    message.caption, message.caption_entities = caption, entities
    message.html = get_str(params, "caption")
    message.parse_mode = get_str(params, "parse_mode")
    message.reply_markup = markup
    return _edited(fake, message)


def _check_deletable(message: FakeMessage) -> None:
    too_old = time.time() - message.date > DELETE_WINDOW
    others_in_group = message.chat.type != "private" and not message.from_bot
    if too_old or (others_in_group and not message.chat.bot_is_admin):
        raise bad_request("message can't be deleted")


@method("deleteMessage")
async def delete_message(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.resolve_chat(params, write=False)
    message = fake.message(chat.id, get_int(params, "message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    _check_deletable(message)
    fake.remove_message(message)
    return True


@method("deleteMessages")
async def delete_messages(fake: FakeTelegram, params: Params) -> Any:
    ids = get_json(params, "message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
    chat = fake.resolve_chat(params, write=False)
    found = [m for m in (fake.message(chat.id, i) for i in ids if isinstance(i, int)) if m]
    for message in found:
        _check_deletable(message)
    for message in found:
        fake.remove_message(message)
    return True


def _source(fake: FakeTelegram, params: Params, what: str) -> FakeMessage:
    source_chat = fake.resolve_chat(params, "from_chat_id", write=False)
    source = fake.message(source_chat.id, get_int(params, "message_id"))
    if source is None:
        raise bad_request(f"message to {what} not found")
    return source


@method("copyMessage")
async def copy_message(fake: FakeTelegram, params: Params) -> Any:
    markup = parse_reply_markup(get_json(params, "reply_markup"))
    parsed = parse_caption(params)
    source = _source(fake, params, "copy")
    chat = fake.resolve_chat(params)
    reply_to = reply_target(fake, chat, params)
    fields: dict[str, Any] = {
        "text": source.text,
        "entities": list(source.entities),
        "document": source.document,
        "photo": source.photo,
        "sticker": source.sticker,
        "location": source.location,
        "contact": source.contact,
        "file_bytes": source.file_bytes,
        "caption": source.caption,
        "caption_entities": list(source.caption_entities),
    }
    has_media = source.document is not None or source.photo is not None
    if parsed is not None and has_media:
        formatted = finish_caption(fake, parsed)
        fields["caption"] = formatted.text if formatted else None
        fields["caption_entities"] = formatted.entities if formatted else []
    message = bot_message(fake, chat, params, reply_to, markup, **fields)
    return {"message_id": message.message_id}


@method("forwardMessage")
async def forward_message(fake: FakeTelegram, params: Params) -> Any:
    source = _source(fake, params, "forward")
    if source.protected:
        raise bad_request("message can't be forwarded")
    chat = fake.resolve_chat(params)
    origin = source.forward_origin
    if origin is None and source.chat.type == "channel":
        origin = {
            "type": "channel",
            "chat": source.chat.to_api(),
            "message_id": source.message_id,
            "date": source.date,
        }
    elif origin is None:
        origin = {"type": "user", "sender_user": source.sender, "date": source.date}
    message = bot_message(
        fake,
        chat,
        params,
        None,
        None,
        text=source.text,
        entities=list(source.entities),
        document=source.document,
        photo=source.photo,
        sticker=source.sticker,
        file_bytes=source.file_bytes,
        caption=source.caption,
        caption_entities=list(source.caption_entities),
        forward_origin=origin,
    )
    return message.to_api()
