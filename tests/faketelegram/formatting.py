"""From what a bot sends (text + parse_mode or entities) to what Telegram stores.

The steps follow TDLib's get_formatted_text / fix_formatted_text: parse the markup, clean
the text, trim it (entities move along), add the entities Telegram finds by itself, sort.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from .autoentities import find_entities
from .errors import ApiError, bad_request
from .html_entities import EntityParseError, parse_html
from .links import LinkError, check_link, link_user_id
from .markdown import parse_markdown, parse_markdown_v2
from .textutil import (
    AUTOMATIC,
    BLOCKQUOTES,
    SPLITTABLE,
    Entity,
    entity_sort_key,
    u16,
    utf16_slice,
)

_EXPLICIT_TYPES = frozenset(
    SPLITTABLE
    | BLOCKQUOTES
    | AUTOMATIC
    | {"code", "pre", "text_link", "text_mention", "custom_emoji", "date_time"}
)
_BLANK = frozenset("\u200b\u200c\u200d\u2060\ufeff\u2800\u3164\u00a0\u180e")
_DROPPED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e")


@dataclass
class Formatted:
    text: str
    entities: list[Entity] = field(default_factory=list)


def parse(raw: str, parse_mode: str | None, explicit: Any) -> Formatted:
    """Markup → plain text + entities; raises ApiError like the Bot API for bad markup."""
    mode = (parse_mode or "").strip().lower()
    try:
        if mode == "html":
            return Formatted(*parse_html(raw))
        if mode == "markdownv2":
            return Formatted(*parse_markdown_v2(raw))
        if mode == "markdown":
            return Formatted(*parse_markdown(raw))
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from error
    if mode not in ("", "none"):
        raise bad_request("unsupported parse_mode")
    return Formatted(raw, _explicit_entities(explicit))


def _explicit_entities(explicit: Any) -> list[Entity]:
    if explicit is None or explicit == "":
        return []
    if not isinstance(explicit, list):
        raise bad_request("can't parse entities JSON object")
    entities: list[Entity] = []
    for item in explicit:
        if not isinstance(item, dict):
            raise bad_request("can't parse MessageEntity: expected an Object")
        kind = item.get("type")
        if kind not in _EXPLICIT_TYPES:
            raise bad_request("can't parse MessageEntity: Unsupported type specified")
        if kind in AUTOMATIC:
            continue
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be of type Number')
        entity: Entity = {"offset": offset, "length": length, "type": kind}
        if kind == "text_link":
            try:
                entity["url"] = check_link(str(item.get("url", "")))
            except LinkError as error:
                url = item.get("url", "")
                raise bad_request(f"entity URL '{url}' is invalid: {error}") from error
            if link_user_id(str(item.get("url", ""))) is not None:
                entity = {**entity, "type": "text_mention"}
                entity["user"] = {"id": link_user_id(str(item["url"]))}
                entity.pop("url")
        elif kind == "text_mention":
            user = item.get("user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise bad_request('can\'t parse MessageEntity: Field "user" must be of type Object')
            entity["user"] = {"id": user["id"]}
        elif kind == "pre" and item.get("language"):
            entity["language"] = str(item["language"])
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = str(item.get("custom_emoji_id", ""))
        elif kind == "date_time":
            entity["unix_time"] = item.get("unix_time")
        entities.append(entity)
    return entities


def _clean(formatted: Formatted) -> Formatted:
    """Drop \\r and direction marks, turn control characters into spaces."""
    removed: list[int] = []
    chars: list[str] = []
    position = 0
    for ch in formatted.text:
        if ch in _DROPPED:
            removed.append(position)
        else:
            chars.append(" " if ord(ch) < 32 and ch not in "\n\t" else ch)
        position += u16(ch)
    if not removed:
        return Formatted("".join(chars), formatted.entities)
    entities = []
    for entity in formatted.entities:
        start = entity["offset"] - bisect.bisect_left(removed, entity["offset"])
        end_old = entity["offset"] + entity["length"]
        end = end_old - bisect.bisect_left(removed, end_old)
        entities.append({**entity, "offset": start, "length": end - start})
    return Formatted("".join(chars), entities)


def _clip(formatted: Formatted) -> list[Entity]:
    """Entities cut to the text; empty ones and whitespace-only styles dropped."""
    total = u16(formatted.text)
    kept = []
    for entity in formatted.entities:
        start = max(0, entity["offset"])
        end = min(total, entity["offset"] + entity["length"])
        if end <= start:
            continue
        entity = {**entity, "offset": start, "length": end - start}
        covered = utf16_slice(formatted.text, start, end - start)
        if entity["type"] in SPLITTABLE and not covered.strip():
            continue
        kept.append(entity)
    return kept


def _trim(formatted: Formatted) -> Formatted:
    text = formatted.text.rstrip()
    total = u16(text)
    entities = []
    for entity in _clip(Formatted(text, formatted.entities)):
        end = min(entity["offset"] + entity["length"], total)
        if end > entity["offset"]:
            entities.append({**entity, "length": end - entity["offset"]})
    first_entity = min((e["offset"] for e in entities), default=len(text))
    cut = 0
    while cut < min(first_entity, len(text)) and text[cut] in " \n":
        cut += 1
    if cut:
        text = text[cut:]
        entities = [{**e, "offset": e["offset"] - cut} for e in entities]
    return Formatted(text, entities)


def _intersects(a: Entity, b: Entity) -> bool:
    return bool(a["offset"] < b["offset"] + b["length"] and b["offset"] < a["offset"] + a["length"])


def _contains(outer: Entity, inner: Entity) -> bool:
    outer_end = outer["offset"] + outer["length"]
    inner_end = inner["offset"] + inner["length"]
    return bool(outer["offset"] <= inner["offset"] and inner_end <= outer_end)


def _merge_automatic(formatted: Formatted) -> list[Entity]:
    entities = list(formatted.entities)
    for found in find_entities(formatted.text):
        clash = False
        for old in formatted.entities:
            if old["type"] in SPLITTABLE:
                continue
            if old["type"] in BLOCKQUOTES:
                clash = clash or (_intersects(old, found) and not _contains(old, found))
            else:
                clash = clash or _intersects(old, found)
        if not clash:
            entities.append(found)
    return sorted(entities, key=entity_sort_key)


def is_blank(text: str) -> bool:
    return all(ch.isspace() or ch in _BLANK for ch in text)


def finalize(formatted: Formatted) -> Formatted:
    """Clean, trim and add automatic entities, as Telegram stores a text."""
    trimmed = _trim(_clean(formatted))
    return Formatted(trimmed.text, _merge_automatic(trimmed))


def finish(
    parsed: Formatted,
    *,
    limit: int,
    too_long: str,
    empty: str | None,
    users: dict[int, dict[str, Any]],
) -> Formatted | None:
    """Store a parsed text as Telegram does; None for a blank caption (empty=None).

    Emptiness and length are checked here, after the chat and the message were found, as
    the Bot API does; `too_long` and `empty` are Telegram's reasons for this method.
    """
    result = finalize(parsed)
    if is_blank(result.text):
        if empty is None:
            return None
        raise bad_request(empty)
    if u16(result.text) > limit:
        raise ApiError(400, f"Bad Request: {too_long}")
    for entity in result.entities:
        if entity["type"] == "text_mention":
            user_id = entity["user"]["id"]
            entity["user"] = users.get(user_id, {"id": user_id, "is_bot": False, "first_name": ""})
    return result
