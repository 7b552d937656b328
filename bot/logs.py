"""Logging set-up: one line per event, tagged with the update it belongs to, no secrets.

Every line is either ``key=value`` pairs (logfmt, the default) or one JSON object::

    time=2024-12-10T09:00:00.000+01:00 level=info logger=bot.services.checkin update_id=10004
    chat_id=100001 msg="participant #3 checked in for module-4 (present)"

While the bot handles an update, :func:`update_context` (entered by the application for every
update) puts the update id and chat id in context variables, and every line logged meanwhile
carries them, from whichever module. Lines carry ids, never personal data: the bot's own log
calls name participants by number, python-telegram-bot's DEBUG output (which quotes whole
updates) is held back, SQL parameters are left out of database errors, and the bot token and
the webhook secret are replaced by ``<token>`` wherever they turn up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Awaitable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import IO, Any, TypeVar

from sqlalchemy.exc import StatementError
from telegram.ext import Application, Job, JobQueue

_TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_BARE = re.compile(r"[^\s\"=\\]+")
REDACTED = "<token>"

_update_id: ContextVar[int | None] = ContextVar("wijkbot_update_id", default=None)
_chat_id: ContextVar[int | None] = ContextVar("wijkbot_chat_id", default=None)

# The lowest level let through from libraries: at DEBUG python-telegram-bot quotes whole
# updates and API parameters (names, message texts); httpx logs every request URL, which
# contains the token, already at INFO; the database drivers and SQLAlchemy at DEBUG/INFO
# print statements with their parameters (names, e-mail addresses).
_LIBRARY_LEVELS = {
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "telegram": logging.INFO,
    "tornado": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
}

T = TypeVar("T")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


@contextmanager
def update_context(update: object) -> Iterator[None]:
    """Tag every line logged inside with the update's id and chat id; restored afterwards."""
    update_id = getattr(update, "update_id", None)
    chat = getattr(update, "effective_chat", None)
    chat_id = getattr(chat, "id", None)
    update_token = _update_id.set(update_id if isinstance(update_id, int) else None)
    chat_token = _chat_id.set(chat_id if isinstance(chat_id, int) else None)
    try:
        yield
    finally:
        _chat_id.reset(chat_token)
        _update_id.reset(update_token)


@contextmanager
def no_update_context() -> Iterator[None]:
    """No update in context: for background work started while handling an update.

    Tasks and timers copy the context they are created in; whatever is started in here
    does not carry the update's ids into work that outlives the update.
    """
    update_token = _update_id.set(None)
    chat_token = _chat_id.set(None)
    try:
        yield
    finally:
        _chat_id.reset(chat_token)
        _update_id.reset(update_token)


def current_ids() -> tuple[int | None, int | None]:
    """The (update_id, chat_id) in context now."""
    return _update_id.get(), _chat_id.get()


class UpdateContextFilter(logging.Filter):
    """Copy the update id and chat id in context onto each record (``extra=`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        update_id, chat_id = current_ids()
        if getattr(record, "update_id", None) is None:
            record.update_id = update_id
        if getattr(record, "chat_id", None) is None:
            record.chat_id = chat_id
        return True


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token (and the given secrets) in a record's message."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._secrets = sorted((s for s in (secrets or []) if s), key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class LineFormatter(logging.Formatter):
    """One line per record: logfmt (``json_lines=False``) or JSON, secrets redacted."""

    def __init__(self, *, json_lines: bool = False, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._json = json_lines
        self._redact = RedactTokens(secrets)

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        moment = dt.datetime.fromtimestamp(record.created).astimezone()
        fields: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        for key in ("update_id", "chat_id"):
            value = getattr(record, key, None)
            if value is not None:
                fields[key] = value
        fields["msg"] = self._redact.clean(record.getMessage())
        if record.exc_info:
            fields["error"] = self._redact.clean(self.formatException(record.exc_info))
        if record.stack_info:
            fields["stack"] = self._redact.clean(self.formatStack(record.stack_info))
        return fields

    def format(self, record: logging.LogRecord) -> str:
        fields = self.fields(record)
        if self._json:
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())

    def formatException(self, ei: ExcInfo) -> str:
        _hide_sql_parameters(ei[1])
        return super().formatException(ei)


def _logfmt_value(value: Any) -> str:
    text = str(value)
    if _BARE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # quoted, with \n, \" and \\ escaped


def _hide_sql_parameters(error: BaseException | None) -> None:
    """SQLAlchemy errors print the statement's parameters (names, e-mail addresses): not here."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StatementError):
            error.hide_parameters = True
        error = error.__cause__ or error.__context__


class LoggingApplication(Application):  # type: ignore[type-arg]
    """PTB's Application; every line logged while it handles an update carries the update's
    id and chat id (bot.logs), and background tasks it starts carry none."""

    async def process_update(self, update: object) -> None:
        with update_context(update):
            await super().process_update(update)

    def create_task(  # the signature of Application.create_task
        self,
        coroutine: Generator[asyncio.Future[object], None, T] | Awaitable[T],
        update: object | None = None,
        *,
        name: str | None = None,
    ) -> asyncio.Task[T]:
        if update is not None:  # work for this very update (PTB's non-blocking handlers)
            return super().create_task(coroutine, update, name=name)
        with no_update_context():
            return super().create_task(coroutine, update, name=name)


class LoggingJobQueue(JobQueue):  # type: ignore[type-arg]
    """Jobs never carry the ids of the update that happened to schedule them."""

    @staticmethod
    async def job_callback(job_queue: JobQueue[Any], job: Job[Any]) -> None:
        with no_update_context():
            await JobQueue.job_callback(job_queue, job)


def make_handler(
    fmt: str = "text", secrets: list[str] | None = None, stream: IO[str] | None = None
) -> logging.Handler:
    """A stream handler (stderr by default) writing one line per event in ``fmt``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LineFormatter(json_lines=fmt == "json", secrets=secrets))
    handler.addFilter(UpdateContextFilter())
    return handler


def configure_logging(level: str, secrets: list[str] | None = None, fmt: str = "text") -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler(fmt, secrets)]
    root.setLevel(level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Hold back library chatter that could quote personal data or the token."""
    for name, level in _LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)
