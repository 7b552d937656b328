"""The entities Telegram finds by itself in every text (TDLib's find_entities).

Mentions, bot commands, hashtags and cashtags follow TDLib's matchers closely. Links and
e-mail addresses are simplified: a link with a scheme is any host with a dot; without a
scheme, its top-level domain must be a country code (two letters) or a common generic one.
"""

from __future__ import annotations

import re
import unicodedata

from .textutil import Entity, is_word_character, prefix_utf16

_SHORT_USERNAMES = frozenset({"gif", "vid", "pic"})
_TLD_WORDS = (
    "com net org info biz app dev xyz online site shop store top club tech edu gov mil int "
    "name pro museum travel jobs mobi asia cat tel aero coop eus frl amsterdam nrw berlin "
    "blog news page cloud email link live life world today media design digital agency"
)
_GENERIC_TLDS = frozenset(_TLD_WORDS.split(" "))
_URL = re.compile(
    r"(?<![\w@/.\-])"
    r"(?P<scheme>(?:https?|ftp)://|tg://)?"
    r"(?P<host>(?:[\w\-]+\.)+[\w\-]+|(?<=tg://)[\w\-]+)"
    r"(?::\d{1,5})?"
    r"(?P<path>[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@(?P<host>(?:[\w\-]+\.)+[A-Za-z]{2,})(?![\w\-])")


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _hashtag_letter(ch: str) -> tuple[bool, bool]:
    """(counts as a hashtag character, is a letter)."""
    category = unicodedata.category(ch)
    letter = category[0] == "L"
    code = ord(ch)
    special = ch in "_\u200c\u00b7" or 0xD80 <= code <= 0xDFF
    return special or letter or category == "Nd", letter


def _mentions(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in re.finditer("@", text):
        start = match.start()
        if start > 0 and is_word_character(text[start - 1]):
            continue
        end = start + 1
        while end < len(text) and _ascii_word(text[end]):
            end += 1
        name = text[start + 1 : end]
        if not 2 <= len(name) <= 32 or (end < len(text) and is_word_character(text[end])):
            continue
        if len(name) >= 4 or name.lower() in _SHORT_USERNAMES:
            found.append((start, end, "mention"))
    return found


def _bot_commands(text: str) -> list[tuple[int, int, str]]:
    found = []
    n = len(text)
    for match in re.finditer("/", text):
        start = match.start()
        if start > 0 and (is_word_character(text[start - 1]) or text[start - 1] in "/<>"):
            continue
        end = start + 1
        while end < n and _ascii_word(text[end]):
            end += 1
        if not 1 <= end - start - 1 <= 64:
            continue
        if end < n and text[end] == "@":
            mention_end = end + 1
            while mention_end < n and _ascii_word(text[mention_end]):
                mention_end += 1
            if not 3 <= mention_end - end - 1 <= 32:
                continue
            end = mention_end
        if end < n and (is_word_character(text[end]) or text[end] in "/<>"):
            continue
        found.append((start, end, "bot_command"))
    return found


def _hashtags(text: str) -> list[tuple[int, int, str]]:
    found = []
    n = len(text)
    for match in re.finditer("#", text):
        start = match.start()
        if start > 0 and _hashtag_letter(text[start - 1])[0]:
            continue
        end, size, cut, was_letter = start + 1, 0, 0, False
        while end < n:
            counts, letter = _hashtag_letter(text[end])
            if not counts:
                break
            end += 1
            if size < 256:
                was_letter = was_letter or letter
                size += 1
                cut = end
        if size >= 1 and not (end < n and text[end] == "#") and was_letter:
            found.append((start, cut, "hashtag"))
    return found


def _cashtags(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in re.finditer(r"\$(1INCH|[A-Z]{1,8})", text):
        start, end = match.span()
        if start > 0 and (_hashtag_letter(text[start - 1])[0] or text[start - 1] == "$"):
            continue
        if end < len(text) and (_hashtag_letter(text[end])[0] or text[end] == "$"):
            continue
        found.append((start, end, "cashtag"))
    return found


def _valid_tld(host: str) -> bool:
    tld = host.rsplit(".", 1)[-1].lower()
    return tld.isascii() and tld.isalpha() and (len(tld) == 2 or tld in _GENERIC_TLDS)


def _trim_url(text: str, start: int, end: int) -> int:
    """Drop trailing punctuation and unbalanced closing brackets, as TDLib does."""
    while end > start:
        last = text[end - 1]
        if last in ".,:;!?'\"":
            end -= 1
        elif last in ")]}":
            opener = {")": "(", "]": "[", "}": "{"}[last]
            body = text[start:end]
            if body.count(opener) >= body.count(last):
                break
            end -= 1
        else:
            break
    return end


def _links(text: str) -> list[tuple[int, int, str]]:
    found = []
    emails = []
    for match in _EMAIL.finditer(text):
        if _valid_tld(match.group("host")):
            emails.append((match.start(), match.end(), "email"))
    for match in _URL.finditer(text):
        start, end = match.span()
        host = match.group("host")
        if not match.group("scheme") and not _valid_tld(host):
            continue
        if any(s < end and start < e for s, e, _ in emails):
            continue
        end = _trim_url(text, start, end)
        if end > start:
            found.append((start, end, "url"))
    return found + emails


def find_entities(text: str) -> list[Entity]:
    """Automatic entities of `text`, without overlaps, with UTF-16 offsets."""
    candidates = (
        _mentions(text) + _bot_commands(text) + _hashtags(text) + _cashtags(text) + _links(text)
    )
    candidates.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    prefix = prefix_utf16(text)
    result: list[Entity] = []
    taken_until = 0
    for start, end, kind in candidates:
        if start < taken_until:
            continue
        taken_until = end
        offset = prefix[start]
        result.append({"offset": offset, "length": prefix[end] - offset, "type": kind})
    return result
