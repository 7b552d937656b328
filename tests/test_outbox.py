"""The outbox: Telegram's limits, 429 answers, blocked and unknown chats, and a crash halfway
followed by a restart, all checked on the fake's message history."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import time_machine
from sqlalchemy import update

from bot.config import Settings
from bot.models import Participant
from bot.services.deliveries import DeliveryQueue
from tests.conftest import RunningBot, run_bot
from tests.faketelegram import FakeMessage, FakeTelegram
from tests.test_announcements_support import (
    add_people,
    announcement_messages,
    compose,
    preview,
    tap,
)

EVERYONE = "Alle deelnemers (toegelaten)"


async def start_broadcast(app: RunningBot, text: str) -> FakeMessage:
    """Write ``text`` to everyone and press send; returns the report message."""
    question = await compose(app.coordinator, text)
    _, control = await preview(app.coordinator, question, EVERYONE)
    await tap(app.coordinator, control, "📨 Nu versturen")
    return control


async def finished(app: RunningBot, report: FakeMessage, timeout: float = 20) -> str:  # noqa: ASYNC109
    await app.fake.wait_until(lambda: "is verstuurd" in report.content, timeout, "the report")
    return report.content


def copies(app: RunningBot, ids: list[int], marker: str) -> list[int]:
    return [len(announcement_messages(app.fake.user(i), marker)) for i in ids]


async def test_a_large_audience_stays_under_the_limit_with_progress_reports(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 200)
        app.outbox.report_every = 1.5  # instead of every few seconds, to keep the test short
        report = await start_broadcast(app, "Groot bericht")
        # Telegram's limits from the moment the messages go out (the coordinator's own
        # quick clicks before that are not the outbox's doing).
        fake.enforce_limits(per_second=30)
        text = await finished(app, report)
        assert "200 afgeleverd, 0 hebben de bot geblokkeerd, 0 mislukt" in text
        assert copies(app, ids, "Groot bericht") == [1] * 200
        assert fake.limit_violations == 0
        # The report was brought up to date on the way, not only at the end.
        progress = [
            c.params["text"]
            for c in fake.calls_to("editMessageText")
            if "wordt verstuurd" in str(c.params.get("text")) and "nog " in str(c.params["text"])
        ]
        assert any("afgeleverd" in p and "van 200" in p for p in progress[1:]), progress


async def test_the_coordinator_is_answered_while_a_broadcast_runs(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 120)
        report = await start_broadcast(app, "Lang bericht")
        await fake.wait_until(lambda: sum(copies(app, ids, "Lang bericht")) >= 10, 10)
        answer = await app.coordinator.ask("/geplandeberichten")
        assert "geen ingeplande berichten" in answer.content
        listing = await app.coordinator.ask("/berichten")
        assert "wordt verstuurd" in listing.content
        assert sum(copies(app, ids, "Lang bericht")) < 90
        assert "120 afgeleverd" in await finished(app, report)
        assert copies(app, ids, "Lang bericht") == [1] * 120


async def test_429_answers_are_waited_out_and_nobody_gets_it_twice(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 4)
        question = await compose(app.coordinator, "Even geduld")
        _, control = await preview(app.coordinator, question, EVERYONE)
        fake.fail_next("sendMessage", status=429, retry_after=1, times=2)
        await tap(app.coordinator, control, "📨 Nu versturen")
        text = await finished(app, control)
        assert "4 afgeleverd, 0 hebben de bot geblokkeerd, 0 mislukt" in text
        assert copies(app, ids, "Even geduld") == [1, 1, 1, 1]
        assert len([c for c in fake.calls_to("sendMessage") if c.status == 429]) == 2


async def test_blocked_unknown_and_unlinked_people_are_reported_with_the_reason(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 5, names=["Anna", "Bram", "Cor", "Dirk", "Eva"])
        unlinked = await add_people(app, 1, first=260001, names=["Fenna"], linked=False)
        assert unlinked
        fake.block(ids[1], notify=False)  # blocks now: Telegram answers 403
        async with app.services.database.transaction() as session:  # blocked before: known
            await session.execute(
                update(Participant)
                .where(Participant.telegram_id == ids[2])
                .values(blocked_at=dt.datetime.now(dt.UTC))
            )
        del fake.chats[ids[3]]  # Telegram no longer knows this chat: 400 chat not found
        fake.fail_next("sendMessage", status=500, times=2, chat_id=ids[4])  # retried
        report = await start_broadcast(app, "Iedereen?")
        text = await finished(app, report)
        assert "2 afgeleverd, 2 hebben de bot geblokkeerd, 2 mislukt" in text
        assert copies(app, [ids[0], ids[4]], "Iedereen?") == [1, 1]
        blocked_calls = [c for c in fake.calls_to("sendMessage") if c.params["chat_id"] == ids[2]]
        assert blocked_calls == []  # known to be blocked: not tried again
        await tap(app.coordinator, report, "📊 Details")
        details = await app.coordinator.next_message()
        for line in (
            "🚫 #2 Bram: Telegram: Forbidden: bot was blocked by the user",
            "🚫 #3 Cor: had de bot al geblokkeerd",
            "⚠️ #4 Dirk: Telegram: Chat not found",
            "⚠️ #6 Fenna: heeft de bot nog nooit gestart (met de hand toegevoegd)",
        ):
            assert line in details.content
        bram = await app.services.participants.by_telegram_id(ids[1])
        assert bram is not None
        async with app.services.database.transaction() as session:
            row = await session.get(Participant, bram.id)
            assert row is not None
            assert row.blocked_at is not None


async def test_a_stop_halfway_continues_after_the_restart(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 70)
        report = await start_broadcast(app, "Na de herstart")
        await fake.wait_until(lambda: sum(copies(app, ids, "Na de herstart")) >= 20, 10)
    stopped_at = sum(copies(app, ids, "Na de herstart"))
    assert 20 <= stopped_at < 70
    async with run_bot(fake, settings) as app:
        text = await finished(app, report)
        assert "70 afgeleverd, 0 hebben de bot geblokkeerd, 0 mislukt" in text
        assert copies(app, ids, "Na de herstart") == [1] * 70


async def test_a_crash_between_sending_and_recording_never_sends_twice(
    fake: FakeTelegram,
    settings: Settings,
    frozen_time: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process dies after Telegram took some messages but before they were recorded:
    those rows are reported (maybe arrived) and never sent again; the rest goes out."""
    settle = DeliveryQueue.settle
    calls = 0
    stuck: list[int] = []

    async def settle_then_hang(self: DeliveryQueue, delivery_id: int, *a: Any, **k: Any) -> None:
        nonlocal calls
        calls += 1
        if calls <= 25:
            await settle(self, delivery_id, *a, **k)
            return
        stuck.append(delivery_id)
        await asyncio.Event().wait()  # the process hangs here until it is killed

    async with run_bot(fake, settings) as app:
        ids = await add_people(app, 60)
        monkeypatch.setattr(DeliveryQueue, "settle", settle_then_hang)
        report = await start_broadcast(app, "Precies een keer")
        await fake.wait_until(lambda: len(stuck) == 8, 10, "eight workers stuck")
        task = app.outbox._task
        assert task is not None
        task.cancel()  # killed: no clean shutdown for the outbox
        monkeypatch.setattr(DeliveryQueue, "settle", settle)
    sent_before = sum(copies(app, ids, "Precies een keer"))
    assert sent_before == 33  # 25 recorded, 8 sent but not recorded
    async with run_bot(fake, settings) as app:
        text = await finished(app, report)
        assert "52 afgeleverd, 0 hebben de bot geblokkeerd, 8 mislukt" in text
        assert copies(app, ids, "Precies een keer") == [1] * 60
        await tap(app.coordinator, report, "📊 Details")
        details = await app.coordinator.next_message()
        assert details.content.count("verzending onderbroken door een herstart") == 8
