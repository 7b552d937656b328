"""The Bot API methods the fake implements, by lower-case name (Telegram ignores case)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
Handler = Callable[["FakeTelegram", Params], Awaitable[Any]]


@dataclass
class Described:
    """A result that Telegram answers with a "description" too (setWebhook and friends)."""

    result: Any
    description: str


@dataclass
class Method:
    name: str
    handler: Handler


METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name, handler)
        return handler

    return register
