"""The message catalogue: every sentence a person reads, in Dutch, kept in data files.

Messages live in ``bot/data/messages/*.toml``, grouped by feature; a table
``[start]`` with a key ``welcome`` is looked up as ``"start.welcome"``, whatever file
it is in. Messages are Telegram HTML. Parameters are escaped for
HTML when they are inserted, unless they are wrapped in :class:`Html` (already safe markup,
usually a fragment rendered from the catalogue itself).

A message may be a table of plural forms ``{ one = "...", other = "..." }``; pass
``count=`` to choose one (``count`` is then available as a parameter too).
"""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any


class Html(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


class MessageNotFoundError(KeyError):
    """Raised for a key that is not in the catalogue (a programming error)."""


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        formatted: str = super().format_field(value, format_spec)
        if isinstance(value, Html):
            return formatted
        return html.escape(formatted, quote=False)


_FORMATTER = _EscapingFormatter()

Entry = str | Mapping[str, str]


class Catalogue:
    """All user-facing text, addressed by ``section.key``."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._entries = dict(entries)

    @classmethod
    def from_package(cls) -> Catalogue:
        entries: dict[str, Entry] = {}
        folder = resources.files("bot.data").joinpath("messages")
        for item in sorted(folder.iterdir(), key=lambda path: path.name):
            if not item.name.endswith(".toml"):
                continue
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            _flatten("", data, entries)
        return cls(entries)

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def raw(self, key: str) -> Entry:
        try:
            return self._entries[key]
        except KeyError:
            raise MessageNotFoundError(key) from None

    def render(self, key: str, /, count: int | None = None, **params: Any) -> Html:
        entry = self.raw(key)
        if isinstance(entry, str):
            template = entry
        else:
            if count is None:
                raise TypeError(f"message {key!r} has plural forms; pass count=")
            template = entry["one"] if count == 1 else entry["other"]
        if count is not None:
            params["count"] = count
        return Html(_FORMATTER.vformat(template, (), params))

    def plain(self, key: str, /, count: int | None = None, **params: Any) -> str:
        """The message without HTML markup, for a terminal or a file."""
        rendered = self.render(key, count=count, **params)
        return html.unescape(_strip_tags(rendered))


def _flatten(prefix: str, data: Mapping[str, Any], into: dict[str, Entry]) -> None:
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else name
        if key in into:
            raise ValueError(f"catalogue key {key!r} is defined twice")
        if isinstance(value, str):
            into[key] = value
        elif isinstance(value, Mapping) and set(value) == {"one", "other"}:
            into[key] = {"one": str(value["one"]), "other": str(value["other"])}
        elif isinstance(value, Mapping):
            _flatten(key, value, into)
        else:
            raise TypeError(f"catalogue entry {key!r} must be text")


def _strip_tags(text: str) -> str:
    out: list[str] = []
    inside = False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


@cache
def catalogue() -> Catalogue:
    """The catalogue shipped with the package, loaded once."""
    return Catalogue.from_package()


def t(key: str, /, count: int | None = None, **params: Any) -> Html:
    """Render a catalogue message as Telegram HTML."""
    return catalogue().render(key, count=count, **params)


def plain(key: str, /, count: int | None = None, **params: Any) -> str:
    """Render a catalogue message as plain text (CLI output, files)."""
    return catalogue().plain(key, count=count, **params)


def format_html(template: str, /, **params: Any) -> Html:
    """Fill a Telegram-HTML template from a data file, escaping every parameter."""
    return Html(_FORMATTER.vformat(template, (), params))
