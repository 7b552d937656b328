"""Exactly once across restarts, a second process, a crash while sending, and downtime."""

from __future__ import annotations

import asyncio
import logging

import pytest
import time_machine
from sqlalchemy import select

from bot.config import Settings
from bot.models import ReminderDelivery
from bot.services.reminders import DeliveryStatus
from tests.conftest import amsterdam, run_bot
from tests.faketelegram import FakeTelegram, SimulatedUser
from tests.test_reminders_helpers import add_participant, reminders_for

DAY = "Morgen: Module 4"
SOON = "Module 4: Data-gedreven wijkvernieuwing: Van Analyse tot Actie begint om 13:00"


async def _two_participants(
    fake: FakeTelegram,
    settings: Settings,
    frozen_time: time_machine.Coordinates,
    *,
    week_sent: bool = True,
) -> tuple[SimulatedUser, SimulatedUser]:
    """Sanne and Joost, approved on 1 December; they got the week reminder of module 4."""
    frozen_time.move_to(amsterdam(2024, 12, 1, 12, 0))
    sanne, joost = fake.user(201, "Sanne"), fake.user(202, "Joost")
    async with run_bot(fake, settings) as bot:
        await add_participant(bot.services, sanne, name="Sanne")
        await add_participant(bot.services, joost, name="Joost")
        if week_sent:
            frozen_time.move_to(amsterdam(2024, 12, 5, 10, 0))
            await bot.fire("module-4", "week")
            for user in (sanne, joost):
                assert "Binnenkort: Module 4" in (await user.next_message()).content
    return sanne, joost


async def test_a_restart_between_two_reminders_sends_each_once(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne, _ = await _two_participants(fake, settings, frozen_time)
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 0))
    async with run_bot(fake, settings) as bot:
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        assert DAY in (await sanne.next_message()).content
    frozen_time.move_to(amsterdam(2024, 12, 12, 9, 0))
    async with run_bot(fake, settings) as bot:
        await sanne.expect_no_message()
        # The jobs were rebuilt from the timetable and the log: only the next one waits.
        assert bot.jobs("module-4", "day") == []
        assert bot.job("module-4", "hours").next_t == amsterdam(2024, 12, 12, 11, 0)
        frozen_time.move_to(amsterdam(2024, 12, 12, 11, 0))
        await bot.fire("module-4", "hours")
    assert len(reminders_for(sanne, DAY)) == 1
    assert len(reminders_for(sanne, SOON)) == 1


async def test_a_restart_exactly_at_the_send_moment_sends_no_duplicate(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne, joost = await _two_participants(fake, settings, frozen_time)
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 59))
    async with run_bot(fake, settings) as bot:
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await bot.fire("module-4", "day")
        await bot.fire("module-4", "day")  # a retry of the job changes nothing
    # Restarted at the same moment: the reminder is due, and the log says it went out.
    async with run_bot(fake, settings) as bot:
        await bot.scheduler.sync()
    for user in (sanne, joost):
        assert len(reminders_for(user, DAY)) == 1


async def test_a_second_process_started_at_once_does_not_send_twice(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne, joost = await _two_participants(fake, settings, frozen_time)
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 59))
    async with run_bot(fake, settings) as first, run_bot(fake, settings) as second:
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        await asyncio.gather(first.fire("module-4", "day"), second.fire("module-4", "day"))
    for user in (sanne, joost):
        assert len(reminders_for(user, DAY)) == 1


async def test_downtime_across_a_reminder_sends_it_late_once(
    fake: FakeTelegram, settings: Settings, frozen_time: time_machine.Coordinates
) -> None:
    sanne, joost = await _two_participants(fake, settings, frozen_time)
    frozen_time.move_to(amsterdam(2024, 12, 11, 21, 30))  # the bot was down at 18:00
    async with run_bot(fake, settings):
        late = await sanne.next_message()
        assert DAY in late.content
        assert "over 15 uur en 30 minuten" in late.content
    async with run_bot(fake, settings):
        await sanne.expect_no_message()
    for user in (sanne, joost):
        assert len(reminders_for(user, DAY)) == 1


async def test_stale_reminders_are_skipped_and_logged(
    fake: FakeTelegram,
    settings: Settings,
    frozen_time: time_machine.Coordinates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sanne, _ = await _two_participants(fake, settings, frozen_time, week_sent=False)
    caplog.set_level(logging.WARNING, logger="scheduling.reminders")
    # Down from before the week reminder until after the 2-hour one was due.
    frozen_time.move_to(amsterdam(2024, 12, 12, 11, 30))
    async with run_bot(fake, settings) as bot:
        late = await sanne.next_message()
        assert SOON in late.content  # still useful: the session starts at 13:00
        skipped = [r.getMessage() for r in caplog.records if "stale" in r.getMessage()]
        assert any("week reminder(s) for module-4" in line for line in skipped)
        assert any("day reminder(s) for module-4" in line for line in skipped)
        statuses = {(d.kind, d.status) for d in await bot.services.reminders.deliveries("module-4")}
        assert statuses == {
            ("week", DeliveryStatus.SKIPPED),
            ("day", DeliveryStatus.SKIPPED),
            ("hours", DeliveryStatus.SENT),
        }
    caplog.clear()
    frozen_time.move_to(amsterdam(2024, 12, 12, 14, 0))  # a restart during the module
    async with run_bot(fake, settings):
        await sanne.expect_no_message()
    assert not [r for r in caplog.records if "stale" in r.getMessage()]  # logged once
    assert [m.content.splitlines()[0] for m in sanne.messages()] == [f"⏰ {SOON}"]


async def test_a_claim_left_by_a_crash_is_not_sent_again(
    fake: FakeTelegram,
    settings: Settings,
    frozen_time: time_machine.Coordinates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At most once: the process stopped after claiming but before Telegram answered."""
    sanne, joost = await _two_participants(fake, settings, frozen_time)
    frozen_time.move_to(amsterdam(2024, 12, 11, 17, 59))
    async with run_bot(fake, settings) as bot:
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 0))
        sanne_row = await bot.services.participants.by_telegram_id(sanne.id)
        assert sanne_row is not None
        # Simulate the crash: a claim without an outcome, then the round itself.
        await bot.services.reminders.claim(
            "module-4", "day", "2024-12-12T12:00Z", [sanne_row.id], bot.services.now()
        )
        await bot.fire("module-4", "day")
        assert reminders_for(sanne, DAY) == []
        assert len(reminders_for(joost, DAY)) == 1
        caplog.set_level(logging.WARNING, logger="bot.services.reminders")
        frozen_time.move_to(amsterdam(2024, 12, 11, 18, 30))
        await bot.scheduler.sync()
        assert any("stopped while sending" in r.getMessage() for r in caplog.records)
        async with bot.services.database.transaction() as session:
            row = await session.scalar(
                select(ReminderDelivery).where(
                    ReminderDelivery.participant_id == sanne_row.id, ReminderDelivery.kind == "day"
                )
            )
            assert row is not None
            assert row.status == DeliveryStatus.INTERRUPTED
    assert reminders_for(sanne, DAY) == []
