"""One pending input per person: what their next typed message is for, stored, expiring."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bot.database import Database
from bot.services.pending import PendingInputs, PendingKind
from tests.test_migrations import _upgrade_to, empty_database_url  # noqa: F401

NOW = dt.datetime(2024, 12, 12, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def pending(database: Database) -> PendingInputs:
    return PendingInputs(database, {PendingKind.REGISTRATION: dt.timedelta(minutes=10)})


async def test_a_new_step_replaces_the_old_one(pending: PendingInputs) -> None:
    await pending.start(7, PendingKind.ANNOUNCEMENT_TEXT, {}, NOW)
    await pending.start(7, PendingKind.SESSIE, {"action": "add", "step": "when"}, NOW)
    found = await pending.current(7, NOW)
    assert found is not None
    assert found.kind is PendingKind.SESSIE
    assert found.get_str("action") == "add"
    assert await pending.current(7, NOW, PendingKind.ANNOUNCEMENT_TEXT) is None


async def test_an_expired_step_is_handed_out_once_flagged_then_gone(
    pending: PendingInputs,
) -> None:
    await pending.start(7, PendingKind.REGISTRATION, {"chat_id": 7}, NOW)
    assert await pending.current(7, NOW + dt.timedelta(minutes=9)) is not None
    expired = await pending.take(7, NOW + dt.timedelta(minutes=10))
    assert expired is not None
    assert expired.expired
    assert await pending.take(7, NOW + dt.timedelta(minutes=10)) is None


async def test_each_kind_waits_as_long_as_configured(pending: PendingInputs) -> None:
    await pending.start(1, PendingKind.CHECKIN_CODE, {"session_key": "module-4"}, NOW)
    await pending.start(2, PendingKind.SESSIE, {}, NOW)
    swept = await pending.expire(NOW + dt.timedelta(minutes=15))
    assert [(p.telegram_id, p.kind) for p in swept] == [(1, PendingKind.CHECKIN_CODE)]
    assert await pending.current(2, NOW + dt.timedelta(minutes=15)) is not None


async def test_clearing_only_touches_the_named_kind(pending: PendingInputs) -> None:
    await pending.start(7, PendingKind.INBOX_ANSWER, {"question_id": 3}, NOW)
    assert await pending.clear(7, PendingKind.CHECKIN_CODE) is None
    assert await pending.current(7, NOW) is not None
    cleared = await pending.clear(7, PendingKind.INBOX_ANSWER)
    assert cleared is not None
    assert cleared.get_int("question_id") == 3
    assert await pending.current(7, NOW) is None


async def test_people_without_a_step_cost_no_query_after_the_first_look(
    database: Database, pending: PendingInputs
) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    assert not await pending.may_be_pending(5)
    before = len(statements)
    assert not await pending.may_be_pending(6)
    assert len(statements) == before
    await pending.start(6, PendingKind.CHECKIN_CODE, {}, NOW)
    assert await pending.may_be_pending(6)
    await pending.clear(6)
    await pending.take(6, NOW)  # finds nothing: 6 is fast again
    assert not await pending.may_be_pending(6)


async def test_a_step_survives_a_new_service_on_the_same_database(database: Database) -> None:
    await PendingInputs(database).start(7, PendingKind.SESSIE, {"key": "werksessie-t1"}, NOW)
    again = PendingInputs(database)
    assert await again.may_be_pending(7)
    found = await again.current(7, NOW)
    assert found is not None
    assert found.get_str("key") == "werksessie-t1"


OLD_STEPS = """
INSERT INTO participants (id, telegram_id, chat_id, status, source, name, created_at)
VALUES (1, 401, 401, 'approved', 'test', 'Sanne', :now);
INSERT INTO registration_drafts (telegram_id, chat_id, step, answers, started_at, updated_at)
VALUES (402, 402, 'name', '{"suggested_name": "Piet"}', :now, :now);
INSERT INTO attendance_inputs (telegram_id, kind, session_key, created_at)
VALUES (403, 'code', 'module-4', :now);
INSERT INTO absence_prompts (participant_id, session_key, asked_at)
VALUES (1, 'module-5', :now);
INSERT INTO coordinator_steps (coordinator_id, step, payload, updated_at)
VALUES (900, 'group_name', '{"kind": "intervisie"}', :now);
INSERT INTO inbox_questions (id, asker_telegram_id, asker_chat_id, text, status, asked_at,
                             answering_by)
VALUES (5, 401, 401, 'Parkeren?', 'open', :now, 901)
"""


async def test_the_migration_carries_every_waiting_step_over(empty_database_url: str) -> None:  # noqa: F811
    database = Database(empty_database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to("0008"))
        async with database.engine.begin() as connection:
            for statement in OLD_STEPS.split(";"):
                await connection.execute(text(statement), {"now": NOW})
        await database.upgrade()
        pending = PendingInputs(database)
        found = {
            who: await pending.current(who, NOW) for who in (401, 402, 403, 900, 901)
        }
    finally:
        await database.close()
    kinds = {who: (p.kind, dict(p.payload)) if p else None for who, p in found.items()}
    assert kinds[401] == (
        PendingKind.ABSENCE_REASON, {"participant_id": 1, "session_key": "module-5"}
    )
    assert kinds[402] is not None
    assert kinds[402][0] is PendingKind.REGISTRATION
    assert kinds[402][1]["step"] == "name"
    assert kinds[402][1]["answers"] == {"suggested_name": "Piet"}
    assert kinds[403] == (PendingKind.CHECKIN_CODE, {"session_key": "module-4"})
    assert kinds[900] == (
        PendingKind.GROUP_NAME, {"kind": "intervisie", "announcement_id": None, "group_id": None}
    )
    assert kinds[901] == (PendingKind.INBOX_ANSWER, {"question_id": 5})
