"""Text clean-up for questions typed on a phone: case, accents, punctuation, suffixes.

Everything here is language mechanics; the words themselves (stop words, synonyms, number
words) live in ``bot/data/knowledge.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^a-z0-9@_]+")
_PARTS = re.compile(r"([^?!;\n]*(?:[?!;\n]+|$))")
_FULL_STOP = re.compile(r"(?<=[^\d\s])\.(?:\s+|$)")
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=1024)  # whole texts: a person's question rarely comes back word for word
def fold(text: str) -> str:
    """Lower case without accents: ``Coördinator`` -> ``coordinator``; ``zzp'er`` -> ``zzper``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _APOSTROPHES.sub("", plain)


def tokens(text: str) -> list[str]:
    """Words and numbers of already folded text; ``13:00`` gives ``13`` and ``00``."""
    return [token for token in _NON_WORD.split(text) if token]


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A light Dutch stemmer: plural and inflection endings off, doubled vowels undone.

    Deliberately conservative: it only has to make ``modules``/``module`` and
    ``duurzame``/``duurzaam`` meet; meaning comes from the synonym lists.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix in ("heden", "tjes", "jes", "tje", "ene", "en", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix == "s" and base.endswith(("s", "u")):
                continue
            word = base
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]
    if (
        len(word) >= 4
        and word[-1] not in _VOWELS
        and word[-2] == word[-3]
        and word[-2] in _VOWELS
        and word[-4] not in _VOWELS
    ):
        word = word[:-2] + word[-1]
    if word.endswith("v"):
        word = word[:-1] + "f"
    elif word.endswith("z"):
        word = word[:-1] + "s"
    return word


def message_parts(text: str) -> list[tuple[str, bool]]:
    """Parts of a message with whether each was asked with a question mark."""
    parts: list[tuple[str, bool]] = []
    for chunk in _PARTS.findall(text):
        for sentence in _FULL_STOP.split(chunk):
            clean = sentence.strip(" \t?!;\n")
            if clean:
                parts.append((clean, "?" in sentence))
    return parts or [(text.strip(), False)]
