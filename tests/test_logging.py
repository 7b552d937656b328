"""Structured logs: one line per event, the update and chat it belongs to, no personal data."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackContext, TypeHandler

from bot.logs import LoggingApplication, LoggingJobQueue, make_handler
from tests.conftest import COORDINATOR_ID, PARTICIPANT_ID, make_settings, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser

# What the participant types or is called: none of it may reach the log.
NAME, LAST_NAME = "Sanne", "de Vries"
ORGANISATION = "Lefier Noord-Oost"
EMAIL = "sanne.devries@example.nl"
QUESTION = "wanneer is de module over gezondheid in mijn wijk Selwerd?"
PRIVATE = (NAME, LAST_NAME, ORGANISATION, "Lefier", EMAIL, "example.nl", "Selwerd", QUESTION)
REAL_LOOKING_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


class Capture(logging.Handler):
    """Formats like the real handler and keeps each record with its formatted line."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(logging.DEBUG)
        template = make_handler(fmt, secrets)
        self.setFormatter(template.formatter)
        for found in template.filters:
            self.addFilter(found)
        self.lines: list[tuple[logging.LogRecord, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        task = asyncio.current_task() if _loop_running() else None
        record.task_name = task.get_name() if task is not None else None
        self.lines.append((record, self.format(record)))

    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def handling_an_update(record: logging.LogRecord) -> bool:
    """Emitted by PTB's update processing (one update at a time, in the fetcher task)."""
    name = getattr(record, "task_name", None) or ""
    return name.startswith("Application:") and name.endswith(":update_fetcher")


@pytest.fixture
def captured(fake: FakeTelegram) -> Iterator[tuple[Capture, Capture]]:
    text, as_json = Capture("text", [fake.token]), Capture("json", [fake.token])
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(text)
    root.addHandler(as_json)
    yield text, as_json
    root.removeHandler(text)
    root.removeHandler(as_json)
    root.setLevel(level)


def last_update_id(fake: FakeTelegram) -> int:
    return int(fake.updates.all[-1]["update_id"])


async def tap(user: SimulatedUser, message: FakeMessage, button: str) -> FakeMessage:
    await user.callback_answer(await user.tap(message, button))
    return await user.next_message()


def ids_of(records: list[tuple[logging.LogRecord, str]], fragment: str) -> list[tuple[object, ...]]:
    return [
        (getattr(r, "update_id", None), getattr(r, "chat_id", None))
        for r, _ in records
        if fragment in r.getMessage()
    ]


async def test_lines_written_for_an_update_carry_its_ids_and_no_personal_data(
    fake: FakeTelegram,
    tmp_path: Path,
    frozen_time: time_machine.Coordinates,
    captured: tuple[Capture, Capture],
) -> None:
    text, as_json = captured
    settings = make_settings(fake, tmp_path / "wijkbot.sqlite3")
    async with run_bot(fake, settings):
        coordinator = fake.user(COORDINATOR_ID, first_name="Coby")
        await coordinator.ask("/start")
        user = fake.user(PARTICIPANT_ID, first_name=NAME, last_name=LAST_NAME)
        message = await user.ask("/aanmelden")
        message = await tap(user, message, "Ja, dat is goed")
        message = await tap(user, message, f"{NAME} {LAST_NAME}")
        message = await tap(user, message, "woningcorporatie")
        message = await user.ask(ORGANISATION)
        message = await tap(user, message, "Ja")
        await user.ask("drie")
        summary = await user.ask(EMAIL)
        await user.tap(summary, "✅ Klopt, aanmelden")
        confirm_id = last_update_id(fake)
        await user.next_message()
        await user.ask(QUESTION)
        await user.ask("/status")  # a coordinator command: refused, and logged
        status_id = last_update_id(fake)
        notice = await coordinator.next_message()
        await coordinator.tap(notice, "✅ Toelaten")
        approve_id = last_update_id(fake)
        await user.next_message()

    assert ids_of(text.lines, "application #1 stored") == [(confirm_id, PARTICIPANT_ID)]
    assert ids_of(text.lines, "refused coordinator command /status") == [
        (status_id, PARTICIPANT_ID)
    ]
    assert ids_of(text.lines, "by a coordinator") == [(approve_id, COORDINATOR_ID)]
    during = [line for record, line in text.lines if handling_an_update(record)]
    assert len(during) >= 3
    for line in during:
        assert re.search(r" update_id=\d+ chat_id=\d+ ", line), line
    for record, line in as_json.lines:
        assert "\n" not in line
        parsed = json.loads(line)
        assert parsed["msg"] == record.getMessage().replace(fake.token, "<token>")
        if handling_an_update(record):
            assert isinstance(parsed["update_id"], int), line
            assert isinstance(parsed["chat_id"], int), line
    output = text.text() + "\n" + as_json.text()
    assert "application #1 stored" in output
    for private in (*PRIVATE, fake.token):
        assert private not in output, private


async def test_the_context_ends_with_the_update_and_background_work_carries_none(
    fake: FakeTelegram, captured: tuple[Capture, Capture]
) -> None:
    text, _ = captured
    log = logging.getLogger("tests.context")
    application = (
        ApplicationBuilder()
        .application_class(LoggingApplication)
        .job_queue(LoggingJobQueue())
        .token(fake.token)
        .base_url(fake.base_url)
        .request(fake.ptb_request())
        .build()
    )
    done = asyncio.Event()

    async def background() -> None:
        await asyncio.sleep(0)
        log.info("background task")

    async def for_the_update() -> None:
        log.info("task for the update")

    async def job(context: CallbackContext) -> None:  # type: ignore[type-arg]
        log.info("the scheduled job ran")
        done.set()

    async def handle(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        log.info("handling")
        application.create_task(background())
        application.create_task(for_the_update(), update=update)
        assert context.job_queue is not None
        context.job_queue.run_once(job, 0.1)  # a timer: it copies the context it is set in

    application.add_handler(TypeHandler(Update, handle))
    user = fake.user(PARTICIPANT_ID, first_name=NAME)
    await user.send("hallo")
    raw = fake.updates.all[-1]
    async with application:
        await application.start()
        await application.process_update(Update.de_json(raw, application.bot))
        log.info("after the update")
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)
        await application.stop()
    update_id = raw["update_id"]
    assert ids_of(text.lines, "handling") == [(update_id, PARTICIPANT_ID)]
    assert ids_of(text.lines, "task for the update") == [(update_id, PARTICIPANT_ID)]
    assert ids_of(text.lines, "after the update") == [(None, None)]
    assert ids_of(text.lines, "background task") == [(None, None)]
    assert ids_of(text.lines, "the scheduled job ran") == [(None, None)]
    assert "after the update" in text.text()
    assert "update_id" not in next(line for _, line in text.lines if "after the" in line)


def one_line(fmt: str) -> str:
    stream = io.StringIO()
    log = logging.getLogger(f"tests.format.{fmt}")
    log.propagate = False  # ERROR records here are the point, not a failure of the test
    log.handlers[:] = [make_handler(fmt, ["s3cr3t-w3bh00k"], stream)]
    log.setLevel(logging.DEBUG)
    try:
        raise ValueError("kapot\nop twee regels")
    except ValueError:
        log.error("first %s", "line\nsecond \"quoted\" = x", exc_info=True)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_event_is_one_line_even_with_newlines_and_tracebacks(fmt: str) -> None:
    output = one_line(fmt)
    assert output.count("\n") == 1
    if fmt == "json":
        parsed = json.loads(output)
        assert parsed["level"] == "error"
        assert parsed["msg"] == 'first line\nsecond "quoted" = x'
        assert "ValueError: kapot\nop twee regels" in parsed["error"]
        assert "update_id" not in parsed
    else:
        assert output.startswith("time=")
        assert " level=error logger=tests.format.text " in output
        assert ' msg="first line\\nsecond \\"quoted\\" = x" ' in output
        assert "error=\"Traceback" in output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tokens_secrets_and_sql_parameters_never_reach_the_output(fmt: str) -> None:
    stream = io.StringIO()
    log = logging.getLogger(f"tests.secrets.{fmt}")
    log.propagate = False
    log.handlers[:] = [make_handler(fmt, ["s3cr3t-w3bh00k"], stream)]
    log.setLevel(logging.DEBUG)
    log.warning("GET https://api.telegram.org/bot%s/getMe", REAL_LOOKING_TOKEN)
    log.warning("header X-Telegram-Bot-Api-Secret-Token: s3cr3t-w3bh00k")
    try:
        try:
            raise RuntimeError(f"request to /bot{REAL_LOOKING_TOKEN}/sendMessage failed")
        except RuntimeError as cause:
            raise IntegrityError(
                "INSERT INTO participants (name, email) VALUES (?, ?)",
                (f"{NAME} {LAST_NAME}", EMAIL),
                Exception("UNIQUE constraint failed: participants.email"),
            ) from cause
    except IntegrityError:
        log.error("could not store the application", exc_info=True)
    output = stream.getvalue()
    assert output.count("\n") == 3
    assert "<token>" in output
    assert "UNIQUE constraint failed" in output  # the error itself stays readable
    for secret in (REAL_LOOKING_TOKEN, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "s3cr3t-w3bh00k"):
        assert secret not in output
    for private in (NAME, LAST_NAME, EMAIL):
        assert private not in output
