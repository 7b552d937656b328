"""The database locked by someone else, or not reachable for a moment: the person is asked
to try again, nothing of the step is half-written, and trying again works."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
import pytest
import time_machine
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.database import Database
from bot.models import Participant, PendingInput
from tests.conftest import PARTICIPANT_ID, make_settings, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram, SimulatedUser
from tests.test_registration import CONSENT, flat, tap

TRY_AGAIN = "Probeer het zo nog eens"
ORGANISATION_QUESTION = "Hoe heet de organisatie"


@pytest.fixture
def quick_settings(fake: FakeTelegram, database_url: str) -> Settings:
    """Statements give up on a lock after 0.3 s instead of seconds."""
    settings = make_settings(fake, database_url)
    settings.database.lock_timeout_seconds = 0.3
    return settings


@asynccontextmanager
async def drafts_locked(database_url: str) -> AsyncIterator[None]:
    """Another program holds the lock that saving a registration answer needs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database), isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    pg = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    transaction = pg.transaction()
    await transaction.start()
    await pg.execute("LOCK TABLE pending_inputs IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await pg.close()


@contextmanager
def database_unreachable(database: Database) -> Iterator[None]:
    """Every new connection fails, as when the server restarts or the disk is gone."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise database.engine.dialect.loaded_dbapi.OperationalError("server is not reachable")

    event.listen(database.engine.sync_engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(database.engine.sync_engine, "do_connect", refuse)


async def draft_of(database: Database) -> tuple[str, dict[str, Any]] | None:
    async with database.transaction() as session:
        row = await session.get(PendingInput, PARTICIPANT_ID)
        if row is None or row.kind != "registration":
            return None
        return str(row.payload["step"]), dict(row.payload["answers"])


async def to_organisation_question(user: SimulatedUser) -> FakeMessage:
    message = await user.ask("/aanmelden")
    message = await tap(user, message, CONSENT)
    message = await tap(user, message, flat(message)[0])
    message = await tap(user, message, "gemeente")
    assert ORGANISATION_QUESTION in message.content
    return message


async def test_a_locked_database_asks_to_try_again_and_keeps_the_step_whole(
    fake: FakeTelegram, quick_settings: Settings, database_url: str,
    frozen_time: time_machine.Coordinates, caplog: pytest.LogCaptureFixture,
) -> None:
    async with run_bot(fake, quick_settings) as bot:
        user = bot.user()
        await to_organisation_question(user)
        before = await draft_of(bot.services.database)
        async with drafts_locked(database_url):
            refused = await user.ask("Gemeente Groningen", timeout=10)
            assert TRY_AGAIN in refused.content
        assert await draft_of(bot.services.database) == before  # nothing half-written
        assert "Groningen" in (await user.ask("Gemeente Groningen")).content  # next question
        after = await draft_of(bot.services.database)
        assert after is not None
        assert after != before
    assert any(r.levelno == logging.WARNING and "database" in r.getMessage()
               for r in caplog.records)


async def test_an_unreachable_database_asks_to_try_again_then_carries_on(
    fake: FakeTelegram, quick_settings: Settings, frozen_time: time_machine.Coordinates,
) -> None:
    async with run_bot(fake, quick_settings) as bot:
        user = bot.user()
        database = bot.services.database
        await database.engine.dispose()  # the pool's connections are gone too
        with database_unreachable(database):
            assert TRY_AGAIN in (await user.ask("/aanmelden", timeout=10)).content
            assert TRY_AGAIN in (await user.ask("Wanneer is module 4?", timeout=10)).content
        assert await draft_of(database) is None
        await to_organisation_question(user)  # back to normal
        async with database.transaction() as session:
            assert (await session.scalars(select(Participant))).all() == []


async def test_start_still_welcomes_when_the_database_is_unreachable(
    fake: FakeTelegram, quick_settings: Settings, frozen_time: time_machine.Coordinates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The welcome needs nothing from the database; only recording the contact fails.
    async with run_bot(fake, quick_settings) as bot:
        user = bot.user()
        database = bot.services.database
        await database.engine.dispose()
        with database_unreachable(database):
            welcome = await user.ask("/start", timeout=10)
            assert "Ik ben Wijkbot" in welcome.content
            await user.expect_no_message()  # no "probeer het zo nog eens" after it
        assert any(r.levelno == logging.WARNING and "contact not recorded" in r.getMessage()
                   for r in caplog.records)
        assert await bot.services.contacts.get(PARTICIPANT_ID) is None
        await user.ask("/start")  # the database is back: recorded this time
        await user.ask("/help")  # handled once that /start has finished
        assert await bot.services.contacts.get(PARTICIPANT_ID) is not None
