"""sendDocument, sendPhoto, getFile and sendChatAction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import bad_request
from .files import StoredFile
from .keyboards import parse_reply_markup
from .params import UploadedFile, get_json, get_str
from .registry import method
from .sending import bot_message, finish_caption, media_input, parse_caption, reply_target

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_DOWNLOAD = 20 * 1024 * 1024


def _refuse_url(value: str) -> None:
    """Telegram would fetch an HTTP URL; the fake has no internet, like this test machine."""
    if "://" in value or "." in value:
        raise bad_request("failed to get HTTP URL content")


@method("sendDocument")
async def send_document(fake: FakeTelegram, params: Params) -> Any:
    document = media_input(params, "document")
    if document is None:
        raise bad_request("there is no document in the request")
    markup = parse_reply_markup(get_json(params, "reply_markup"))
    parsed = parse_caption(params)
    chat = fake.resolve_chat(params)
    reply_to = reply_target(fake, chat, params)
    if isinstance(document, UploadedFile):
        stored = fake.files.add_document(document.content, document.file_name, document.mime_type)
    else:
        _refuse_url(document)
        stored = fake.files.resolve(document, "document")
    caption = finish_caption(fake, parsed)
    message = bot_message(
        fake,
        chat,
        params,
        reply_to,
        markup,
        document=stored.document(),
        file_bytes=stored.content,
        caption=caption.text if caption else None,
        caption_entities=caption.entities if caption else [],
        html=get_str(params, "caption"),
        parse_mode=get_str(params, "parse_mode"),
    )
    return message.to_api()


def _photo_sizes(fake: FakeTelegram, photo: UploadedFile | str) -> list[StoredFile]:
    if isinstance(photo, UploadedFile):
        return fake.files.add_photo(photo.content)
    _refuse_url(photo)
    sizes = fake.files.photo_sets.get(photo)
    if sizes is None:
        fake.files.resolve(photo, "photo")  # raises Telegram's error
        raise bad_request("wrong file identifier/HTTP URL specified")
    return sizes


@method("sendPhoto")
async def send_photo(fake: FakeTelegram, params: Params) -> Any:
    photo = media_input(params, "photo")
    if photo is None:
        raise bad_request("there is no photo in the request")
    markup = parse_reply_markup(get_json(params, "reply_markup"))
    parsed = parse_caption(params)
    chat = fake.resolve_chat(params)
    reply_to = reply_target(fake, chat, params)
    sizes = _photo_sizes(fake, photo)
    caption = finish_caption(fake, parsed)
    message = bot_message(
        fake,
        chat,
        params,
        reply_to,
        markup,
        photo=[size.photo_size() for size in sizes],
        file_bytes=sizes[-1].content,
        caption=caption.text if caption else None,
        caption_entities=caption.entities if caption else [],
        html=get_str(params, "caption"),
        parse_mode=get_str(params, "parse_mode"),
    )
    return message.to_api()


@method("getFile")
async def get_file(fake: FakeTelegram, params: Params) -> Any:
    stored = fake.files.files.get(get_str(params, "file_id") or "")
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if stored.file_size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file_object()


@method("sendChatAction")
async def send_chat_action(fake: FakeTelegram, params: Params) -> Any:
    action = get_str(params, "action")
    if not action:
        raise bad_request("action is empty")
    fake.resolve_chat(params)
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
