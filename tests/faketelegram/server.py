"""FakeTelegram: the fake Bot API's state, its public test API and the request dispatcher."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from telegram.request import HTTPXRequest

from . import methods_bot, methods_media, methods_messages  # noqa: F401  (registers methods)
from .activity import Activity, AnyApplication
from .asgi import build_app
from .errors import ApiError, bad_request, forbidden, too_many_requests
from .files import FileStore
from .formatting import finalize, parse
from .limits import FaultInjector, RateLimiter
from .models import ApiCall, CallbackRecord, FakeChat, FakeMessage
from .params import decode
from .registry import METHODS, Described
from .signal import Signal
from .updates import UpdateQueue
from .user import SimulatedUser

ApiObject = dict[str, Any]
_log = logging.getLogger(__name__)


class FakeTelegram:
    """An in-memory Telegram Bot API for one bot, served as an ASGI app."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "wijkbot_test_bot",
        bot_first_name: str = "Wijkbot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.base_url = "http://telegram.test/bot"
        self.base_file_url = "http://telegram.test/file/bot"
        self.calls: list[ApiCall] = []
        self.unknown_calls: list[ApiCall] = []
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.menu_buttons: dict[str, ApiObject] = {}
        self.bot_texts: dict[str, str] = {}
        self.limit_violations = 0
        self.internal_errors: list[Exception] = []  # bugs in the fake, answered with 500
        self.signal = Signal()
        self.updates = UpdateQueue(self.signal)
        self.files = FileStore(bot_id)
        self.faults = FaultInjector()
        self.limiter: RateLimiter | None = None
        self.chats: dict[int, FakeChat] = {}
        self.known_users: dict[int, ApiObject] = {}
        self.blocked: set[int] = set()
        self.callback_queries: dict[str, CallbackRecord] = {}
        self._users: dict[int, SimulatedUser] = {}
        self._history: dict[int, list[FakeMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._callback_counter = 0
        self._watched: list[Activity] = []
        self.app = build_app(self)

    # -- transports -------------------------------------------------------------------------

    def transport(self) -> httpx.AsyncBaseTransport:
        """An in-process transport: requests go straight to the ASGI app, no sockets."""
        return httpx.ASGITransport(app=self.app)

    def ptb_request(self, **kwargs: Any) -> HTTPXRequest:
        """A PTB request object that talks to this fake (pass as request / get_updates_request)."""
        return HTTPXRequest(httpx_kwargs={"transport": self.transport()}, **kwargs)

    @property
    def bot_user(self) -> ApiObject:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- users and chats --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "nl",
        *,
        started: bool = True,
    ) -> SimulatedUser:
        """A person with a private chat with the bot (chat id == user id); cached by id.

        With started=False the person never wrote to the bot: until they send something,
        the bot gets 403 "bot can't initiate conversation with a user", as on Telegram.
        """
        if user_id in self._users:
            return self._users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = SimulatedUser(self, user_id, first_name, last_name, username, language_code)
        user.started = started
        self._users[user_id] = user
        self.known_users[user_id] = user.to_api()
        self.chats[user_id] = FakeChat(
            user_id,
            "private",
            username=username,
            first_name=first_name,
            last_name=last_name,
            members={user_id},
        )
        return user

    def group(
        self,
        chat_id: int,
        title: str = "Groep",
        type: str = "supergroup",
        *,
        bot_is_admin: bool = False,
        username: str | None = None,
    ) -> FakeChat:
        """A group or supergroup the bot is in (negative id); cached by id."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id >= 0 or type not in ("group", "supergroup"):
            raise ValueError("groups have negative ids and type 'group' or 'supergroup'")
        chat = FakeChat(chat_id, type, title=title, username=username, bot_is_admin=bot_is_admin)
        self.chats[chat_id] = chat
        return chat

    def channel(self, chat_id: int, title: str = "Kanaal", username: str | None = None) -> FakeChat:
        """A channel where the bot is an administrator (negative id); cached by id."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id >= 0:
            raise ValueError("channels have negative ids")
        chat = FakeChat(chat_id, "channel", title=title, username=username, bot_is_admin=True)
        self.chats[chat_id] = chat
        return chat

    def channel_post(self, chat_id: int, text: str) -> None:
        """Queue a channel_post update: a post in a channel (created if unknown)."""
        chat = self.channel(chat_id)
        formatted = finalize(parse(text, None, None))
        message = self.new_message(chat, from_bot=False, text=formatted.text)
        message.entities = formatted.entities
        self.updates.push("channel_post", message.to_api())

    def kick_bot(self, chat_id: int) -> None:
        """The bot is removed from a group or channel: its calls there get 403."""
        self.chats[chat_id].bot_kicked = True

    # -- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def history(self, chat_id: int) -> list[FakeMessage]:
        """Every message in the chat, in order: edits applied, deleted ones gone."""
        return list(self._history.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        return [message for message in self._history.get(chat_id, []) if message.from_bot]

    def message(self, chat_id: int, message_id: int) -> FakeMessage | None:
        return next((m for m in self._history.get(chat_id, []) if m.message_id == message_id), None)

    def format_history(self, chat_id: int) -> str:
        lines = [message.describe() for message in self.history(chat_id)]
        return "\n".join(lines) if lines else "(no messages)"

    # -- fault injection ---------------------------------------------------------------------

    def block(self, chat_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: every call about that chat answers 403."""
        if chat_id in self.blocked:
            return
        self.blocked.add(chat_id)
        if notify and chat_id in self._users:
            self._push_my_chat_member(chat_id, "member", "kicked")

    def unblock(self, chat_id: int, *, notify: bool = True) -> None:
        if chat_id not in self.blocked:
            return
        self.blocked.discard(chat_id)
        if notify and chat_id in self._users:
            self._push_my_chat_member(chat_id, "kicked", "member")

    def _push_my_chat_member(self, chat_id: int, old: str, new: str) -> None:
        def member(status: str) -> ApiObject:
            value: ApiObject = {"status": status, "user": self.bot_user}
            if status == "kicked":
                value["until_date"] = 0
            return value

        self.updates.push(
            "my_chat_member",
            {
                "chat": self.chats[chat_id].to_api(),
                "from": self.known_users[chat_id],
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
        network: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id` only, if given) fail.

        network="connect", "timeout" or "reset" makes the request fail in the transport instead
        (PTB raises NetworkError / TimedOut; in-process transport only). With
        after_processing=True the call is carried out first, like a reply lost on the way.
        """
        self.faults.add(
            method,
            status=status,
            retry_after=retry_after,
            description=description,
            times=times,
            chat_id=chat_id,
            network=network,
            after_processing=after_processing,
        )

    def enforce_limits(
        self,
        per_second: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        per_group_per_minute: int = 20,
    ) -> None:
        """From now on, send*/edit*/copy*/forward* calls over Telegram's limits answer 429."""
        self.limiter = RateLimiter(
            per_second, per_chat_per_second, per_chat_burst, per_group_per_minute
        )

    # -- waiting -----------------------------------------------------------------------------

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109  (the timeout is the point of these helpers)
        what: str = "condition",
    ) -> None:
        """Wait (event-driven) until predicate() holds; AssertionError after `timeout` s."""
        if not await self.signal.wait_until(predicate, timeout):
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ApiCall]:
        """All calls of `method` once there are at least `count` of them."""
        ok = await self.signal.wait_until(lambda: len(self.calls_to(method)) >= count, timeout)
        if not ok:
            made = ", ".join(call.method for call in self.calls[-30:]) or "none"
            raise AssertionError(
                f"expected {count} call(s) of {method} within {timeout}s, "
                f"got {len(self.calls_to(method))}; recent calls: {made}"
            )
        return self.calls_to(method)

    @contextmanager
    def watch(self, application: AnyApplication) -> Iterator[Activity]:
        """Follow what ``application`` is busy with, so :meth:`settle` can tell it is idle."""
        activity = Activity(self, application)
        with activity.watching():
            self._watched.append(activity)
            try:
                yield activity
            finally:
                self._watched.remove(activity)

    def settled(self) -> bool:
        """Every watched bot has processed every update and has nothing running."""
        return bool(self._watched) and all(activity.settled() for activity in self._watched)

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until :meth:`settled`: the explicit signal that the bot is done for now."""
        if not self._watched:
            raise AssertionError("no running bot is watched (FakeTelegram.watch)")
        if not await self.signal.wait_until(self.settled, timeout):
            busy = "; ".join(activity.describe() for activity in self._watched)
            raise AssertionError(f"the bot was still busy after {timeout}s: {busy}")

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates calls are long-polling right now."""
        return self.updates.waiting_polls

    def release_polls(self) -> None:
        """End waiting getUpdates long polls now (serve_on_loopback does this on exit)."""
        self.updates.release_polls()

    # -- helpers for the method handlers -----------------------------------------------------

    def find_chat(self, value: Any) -> FakeChat | None:
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:].lower()
            return next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        return self.chats.get(value) if isinstance(value, int) else None

    def resolve_chat(
        self, params: ApiObject, name: str = "chat_id", *, write: bool = True
    ) -> FakeChat:
        """The chat a call addresses, with Telegram's 400/403 answers when it can't."""
        value = params.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        chat = self.find_chat(value)
        if chat is None:
            raise bad_request("chat not found")
        if chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.bot_kicked:
            kind = "group" if chat.type == "group" else chat.type
            raise forbidden(f"bot was kicked from the {kind} chat")
        user = self._users.get(chat.id)
        if write and user is not None and not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def new_message(self, chat: FakeChat, *, from_bot: bool, **fields: Any) -> FakeMessage:
        """Store a new message in the chat, with the chat's next message id."""
        message_id = self._last_message_id.get(chat.id, 0) + 1
        self._last_message_id[chat.id] = message_id
        if "sender" not in fields and chat.type != "channel":
            fields["sender"] = self.bot_user if from_bot else None
        message = FakeMessage(
            message_id=message_id, chat=chat, date=int(time.time()), from_bot=from_bot, **fields
        )
        self._history.setdefault(chat.id, []).append(message)
        self.signal.fire()
        return message

    def remove_message(self, message: FakeMessage) -> None:
        self._history[message.chat_id].remove(message)
        self.signal.fire()

    def next_callback_id(self) -> str:
        self._callback_counter += 1
        return str(4_382_000_000_000_000_000 + self.bot_id * 1000 + self._callback_counter)

    def chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2_654_435_761 + self.bot_id) % (2**63) - 2**62)

    def simulated_user(self, user_id: int) -> SimulatedUser | None:
        return self._users.get(user_id)

    # -- dispatch ----------------------------------------------------------------------------

    async def handle(self, method_name: str, token: str, raw: ApiObject) -> tuple[int, ApiObject]:
        """Run one Bot API call; returns the HTTP status and the JSON body."""
        params = decode(raw)
        registered = METHODS.get(method_name.lower())
        name = registered.name if registered else method_name
        call = ApiCall(name, params)
        fault = None
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if registered is None:
                self.unknown_calls.append(call)
                raise ApiError(404, "Not Found")
            fault = self.faults.take(name, params.get("chat_id"))
            if fault is not None and not fault.after_processing:
                self._raise_network(fault.network, call)
                raise fault.error
            chat_key = params.get("chat_id")
            chat_key = chat_key if isinstance(chat_key, int) else None
            limited = self.limiter is not None and RateLimiter.applies(name)
            if self.limiter is not None and limited:
                wait = self.limiter.check(chat_key, time.monotonic())
                if wait is not None:
                    self.limit_violations += 1
                    raise too_many_requests(wait)
            result = await registered.handler(self, params)
            if self.limiter is not None and limited:
                self.limiter.record(chat_key, time.monotonic())
            body: ApiObject = {"ok": True, "result": result}
            if isinstance(result, Described):
                body = {"ok": True, "result": result.result, "description": result.description}
            if fault is not None:
                self._raise_network(fault.network, call)
                raise fault.error
        except ApiError as error:
            body = error.to_body()
            call.status = error.status
        except httpx.TransportError:
            raise
        except Exception as error:  # a bug in the fake itself: loud, like a Telegram outage
            self.internal_errors.append(error)
            _log.exception("fake Telegram failed in %s", name)
            body = ApiError(500, "Internal Server Error").to_body()
            call.status = 500
        call.response = body
        self.calls.append(call)
        self.signal.fire()
        return call.status, body

    def _raise_network(self, network: str | None, call: ApiCall) -> None:
        if network is None:
            return
        call.status = 0
        self.calls.append(call)
        self.signal.fire()
        request = httpx.Request("POST", f"{self.base_url}{self.token}/{call.method}")
        if network == "timeout":
            raise httpx.ReadTimeout("fake Telegram: read timed out", request=request)
        if network == "reset":
            raise httpx.ReadError("fake Telegram: connection reset by peer", request=request)
        raise httpx.ConnectError("fake Telegram: connection refused", request=request)
