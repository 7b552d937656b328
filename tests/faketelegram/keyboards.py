"""reply_markup as the Bot API reads it: inline keyboards, reply keyboards, remove, force reply."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .links import LinkError, check_link

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_BUTTON_FIELDS = (
    "request_users",
    "request_chat",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)
_REPLY_OPTIONS = (
    "is_persistent",
    "resize_keyboard",
    "one_time_keyboard",
    "input_field_placeholder",
    "selective",
)

Markup = dict[str, Any]


def parse_reply_markup(value: Any, *, inline_only: bool = False) -> Markup | None:
    """The markup as Telegram keeps it, or ApiError with Telegram's reason."""
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        return {"inline_keyboard": _inline_keyboard(value["inline_keyboard"])}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in value:
        return _reply_keyboard(value)
    if "remove_keyboard" in value:
        if value["remove_keyboard"] is not True:
            raise bad_request('field "remove_keyboard" must be of type Boolean')
        markup: Markup = {"remove_keyboard": True}
        if value.get("selective"):
            markup["selective"] = True
        return markup
    if "force_reply" in value:
        if value["force_reply"] is not True:
            raise bad_request('field "force_reply" must be of type Boolean')
        markup = {"force_reply": True}
        for option in ("input_field_placeholder", "selective"):
            if value.get(option):
                markup[option] = value[option]
        return markup
    raise bad_request('can\'t find field "inline_keyboard", "keyboard" or "remove_keyboard"')


def _rows(value: Any, field: str, owner: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f'field "{field}" of the {owner} should be an Array of Arrays')
    return value


def _inline_keyboard(value: Any) -> list[list[dict[str, Any]]]:
    rows = _rows(value, "inline_keyboard", "InlineKeyboardMarkup")
    return [[_inline_button(button) for button in row] for row in rows]


def _inline_button(button: Any) -> dict[str, Any]:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "expected an Object")
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    text = button["text"]
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    action = next(
        (name for name in _INLINE_ACTIONS if name in button and button[name] not in (None, "")),
        None,
    )
    if action is None:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    result: dict[str, Any] = {"text": text}
    if action == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str):
            raise bad_request(prefix + 'Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > 64:
            raise bad_request("BUTTON_DATA_INVALID")
        result["callback_data"] = data
    elif action == "url":
        url = str(button["url"])
        try:
            result["url"] = check_link(url)
        except LinkError as error:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: {error}") from error
    else:
        result[action] = button[action]
    return result


def _reply_keyboard(value: dict[str, Any]) -> Markup:
    rows = _rows(value["keyboard"], "keyboard", "ReplyKeyboardMarkup")
    keyboard: list[list[dict[str, Any]]] = []
    for row in rows:
        buttons: list[dict[str, Any]] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            kept = {"text": button["text"]}
            kept.update({k: button[k] for k in _REPLY_BUTTON_FIELDS if button.get(k)})
            buttons.append(kept)
        keyboard.append(buttons)
    markup: Markup = {"keyboard": keyboard}
    markup.update({k: value[k] for k in _REPLY_OPTIONS if value.get(k)})
    return markup


def button_texts(markup: Markup | None) -> list[list[str]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [[button["text"] for button in row] for row in markup["inline_keyboard"]]
